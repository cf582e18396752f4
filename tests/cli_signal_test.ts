import assert from "node:assert/strict";
import { parseJournalText } from "../lib/journal/reader.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const T0 = Date.UTC(2025, 1, 17, 15, 0, 0);

/** 22 climbing 30 s bars as CSV rows (open, high, low, close each bar, 1 s apart). */
function climbingCsv(): string {
  const rows = ["ts_utc,price,size"];
  for (let k = 0; k < 22; k++) {
    const t = T0 + k * 30_000;
    const base = 5000 + k;
    const prices = [base, base + 0.5, base - 0.25, base + 0.25];
    prices.forEach((p, i) => rows.push(`${new Date(t + (i + 1) * 1000).toISOString()},${p},1`));
  }
  return rows.join("\n") + "\n";
}

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Starts `scalpbot backtest` on a named pipe in `dir`, writes the climbing bars into it and
 * waits until the entry's fill is journaled. The pipe stays open: the backtest then blocks
 * waiting for more ticks, as on a live feed.
 */
async function startOnPipe(dir: string, output: "piped" | "null") {
  const fifo = `${dir}/ticks.pipe`;
  const journal = `${dir}/j.text`;
  const mk = await new Deno.Command("mkfifo", { args: [fifo] }).output();
  assert.ok(mk.success, "mkfifo failed");
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      `--allow-read=${dir},.`,
      `--allow-write=${dir}`,
      "--allow-env=LOG_TOKENS,LOG_STREAM",
      MAIN,
      "backtest",
      "--ticks",
      fifo,
      "--journal",
      journal,
      "--set",
      "indicators.rvol_threshold=0",
    ],
    stdout: output,
    stderr: output,
  }).spawn();
  const writer = await Deno.open(fifo, { write: true });
  await writer.write(new TextEncoder().encode(climbingCsv()));
  await waitFor(async () => {
    try {
      return (await Deno.readTextFile(journal)).includes("| FILL |");
    } catch {
      return false;
    }
  }, "the entry fill in the journal");
  return { child, writer, journal };
}

for (const sig of ["SIGINT", "SIGTERM"] as const) {
  Deno.test(`backtest on ${sig} closes the open trade as MANUAL, ends the journal and reports`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const { child, writer, journal } = await startOnPipe(dir, "piped");
      child.kill(sig);
      const out = await child.output();
      writer.close();
      const stdout = new TextDecoder().decode(out.stdout);
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      assert.match(stdout, /Win rate/);
      assert.match(stdout, new RegExp(`Stopped by ${sig}`));
      const { events, torn } = parseJournalText(await Deno.readTextFile(journal));
      assert.equal(torn, undefined);
      const exit = events.find((e) => e.kind === "EXIT");
      assert.ok(exit?.kind === "EXIT");
      assert.equal(exit.reason, "MANUAL");
      // Signal on bar 20; the order is the next print, bar 21's open 5021.00, filled a tick
      // worse (the default fills): 5021.25. The last print was bar 21's close, 5021.25.
      const fill = events.find((e) => e.kind === "FILL");
      assert.ok(fill?.kind === "FILL");
      assert.equal(fill.price, 5021.25);
      assert.equal(exit.price, 5021.25);
      assert.equal(exit.pnlPoints, 0);
      const end = events.at(-1)!;
      assert.ok(end.kind === "SESSION_END");
      assert.equal(end.reason, sig);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("backtest killed with SIGKILL leaves a journal that reads back with the trade open", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { child, writer, journal } = await startOnPipe(dir, "null");
    child.kill("SIGKILL");
    await child.status;
    writer.close();
    // Everything acted on is on disk: the run's start, the entry and its fill, whole lines.
    const text = await Deno.readTextFile(journal);
    assert.ok(text.endsWith("\n"));
    const { events, torn } = parseJournalText(text);
    assert.equal(torn, undefined);
    assert.deepEqual(events.map((e) => e.kind), ["SESSION_START", "ENTRY", "FILL"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

for (const sig of ["SIGINT", "SIGTERM"] as const) {
  Deno.test(`generated backtest stops within a second of ${sig}, with a clean journal`, async () => {
    const dir = await Deno.makeTempDir();
    const journal = `${dir}/j.text`;
    try {
      // 365 generated days take many seconds; the signal must not wait for the loop's end.
      await Deno.writeTextFile(`${dir}/c.yaml`, "# the defaults\n");
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          `--allow-read=${dir},.`,
          `--allow-write=${dir}`,
          "--allow-env=LOG_TOKENS,LOG_STREAM",
          MAIN,
          "backtest",
          "--days",
          "365",
          "--journal",
          journal,
          "--config",
          `${dir}/c.yaml`,
        ],
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      // Running: the SESSION_START is on disk and a few bars have gone by.
      await waitFor(async () => {
        try {
          return (await Deno.readTextFile(journal)).includes("| SESSION_START |");
        } catch {
          return false;
        }
      }, "the session start in the journal");
      await new Promise((r) => setTimeout(r, 300));
      const sent = performance.now();
      child.kill(sig);
      const out = await child.output();
      const took = performance.now() - sent;
      const stdout = new TextDecoder().decode(out.stdout);
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      assert.match(stdout, new RegExp(`Stopped by ${sig}`));
      // 100 ms of loop at most, plus the report and the process's exit.
      assert.ok(took < 1000, `exited ${took.toFixed(0)} ms after ${sig}`);
      const { events, torn } = parseJournalText(await Deno.readTextFile(journal));
      assert.equal(torn, undefined);
      const end = events.at(-1)!;
      assert.ok(end.kind === "SESSION_END");
      assert.equal(end.reason, sig);
      // Stopped early: far fewer bars than 365 days hold (about 720 000).
      assert.ok(end.bars > 0 && end.bars < 200_000, `${end.bars} bars`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
