/**
 * A long generated backtest must let the event loop turn often: a signal handler (Ctrl+C,
 * SIGTERM) runs only then. Awaiting a resolved promise never turns it (issue 12 point 9).
 */
import assert from "node:assert/strict";
import { runBacktest } from "../lib/cli/backtest.ts";
import { parseJournalText } from "../lib/journal/reader.ts";

Deno.test("generated backtest: the event loop turns at least every 100 ms, and SIGTERM stops it at once", async () => {
  const dir = await Deno.makeTempDir();
  const [log, error] = [console.log, console.error];
  const gaps: number[] = [];
  let last = performance.now();
  // A 1 ms timer: the gap between its runs is how long a signal handler would wait.
  const timer = setInterval(() => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
  }, 1);
  try {
    await Deno.writeTextFile(`${dir}/c.yaml`, "# the defaults\n");
    console.log = () => {};
    console.error = () => {};
    // 365 days take far longer than the test waits: the signal must stop the loop.
    const args = [
      "--days",
      "365",
      "--config",
      `${dir}/c.yaml`,
      "--journal",
      `${dir}/j.text`,
      "--quiet",
    ];
    const run = runBacktest(args);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 800));
    const waited = performance.now() - t0;
    const sent = performance.now();
    Deno.kill(Deno.pid, "SIGTERM");
    const code = await run;
    const took = performance.now() - sent;
    [console.log, console.error] = [log, error];
    assert.equal(code, 0);
    // Timers ran all along (a microtask-only loop lets none run until it ends): nine in ten
    // waited under 100 ms, which leaves room for a descheduled process on a busy machine.
    assert.ok(waited < 1500, `an 800 ms timer fired after ${waited.toFixed(0)} ms`);
    gaps.sort((a, b) => a - b);
    const p90 = gaps[Math.floor(gaps.length * 0.9)]!;
    assert.ok(gaps.length >= 8 && p90 < 100, `${gaps.length} turns, 90% within ${p90} ms`);
    // Stopped, journal ended and report printed: far less than the 365 days would take.
    assert.ok(took < 1000, `returned ${took.toFixed(0)} ms after SIGTERM`);
    const { events } = parseJournalText(await Deno.readTextFile(`${dir}/j.text`));
    const end = events.at(-1)!;
    assert.ok(end.kind === "SESSION_END" && end.reason === "SIGTERM");
  } finally {
    [console.log, console.error] = [log, error];
    clearInterval(timer);
    await Deno.remove(dir, { recursive: true });
  }
});
