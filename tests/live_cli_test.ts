/**
 * `scalpbot live` as a real subprocess against the simulator: SIGINT and SIGTERM end the
 * run cleanly (journal ended, report printed, exit 0); a TWS address without network
 * permission gives the flag to grant instead of a stack trace.
 */
import assert from "node:assert/strict";
import { readJournal } from "../lib/journal/reader.ts";
import { arraySource } from "../lib/sim/feed.ts";
import { startSimulator } from "../lib/sim/server.ts";
import { clockFrom, generatedTicks, quietSimLog } from "./_live_harness.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

async function runUntilSynced(signal: Deno.Signal): Promise<void> {
  const ticks = generatedTicks(30, 4);
  const sim = await startSimulator({
    port: 0,
    source: arraySource(ticks),
    speed: 5,
    clock: clockFrom(ticks[0]!.ts),
    logger: quietSimLog,
  });
  const dir = await Deno.makeTempDir();
  const journal = `${dir}/j.text`;
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        `--allow-read=${dir},${MAIN.replace(/main\.ts$/, "")}`,
        `--allow-write=${dir}`,
        "--allow-env=LOG_TOKENS,LOG_STREAM",
        `--allow-net=127.0.0.1:${sim.port}`,
        MAIN,
        "live",
        "--config",
        `${dir}/none.yaml`,
        "--journal",
        journal,
        "--no-bars",
      ],
      stdout: "piped",
      stderr: "piped",
      cwd: dir,
    });
    await Deno.writeTextFile(
      `${dir}/none.yaml`,
      `ib:\n  port: ${sim.port}\nlive:\n  warmup: "off"\n`,
    );
    const p = child.spawn();
    const reader = p.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let out = "";
    while (!out.includes("in sync")) {
      const r = await reader.read();
      if (r.done) break;
      out += r.value;
    }
    assert.ok(out.includes("in sync"), out);
    p.kill(signal);
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      out += r.value;
    }
    const status = await p.status;
    const err = await new Response(p.stderr).text();
    assert.equal(status.code, 0, err);
    assert.ok(out.includes("Net P/L"), "report printed");
    assert.ok(out.includes("DU****567"), "account masked");
    assert.ok(!out.includes("DU1234567"), "account not shown in full");
    const j = await readJournal(journal);
    const end = j.events.at(-1)!;
    assert.equal(end.kind, "SESSION_END");
    assert.equal(end.kind === "SESSION_END" && end.reason, signal);
  } finally {
    await sim.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("live CLI: SIGINT cancels, ends the journal, prints the report, exits 0", async () => {
  await runUntilSynced("SIGINT");
});

Deno.test("live CLI: SIGTERM ends the run the same way", async () => {
  await runUntilSynced("SIGTERM");
});

Deno.test("live CLI: a TWS address without net permission names the flag to grant", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-env=LOG_TOKENS,LOG_STREAM",
      "--allow-net=127.0.0.1:7497",
      MAIN,
      "live",
      "--set",
      "ib.host=10.1.2.3",
      "--set",
      "ib.port=4002",
      "--journal",
      "/nonexistent/j.text",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 2);
  assert.ok(err.includes("--allow-net=10.1.2.3:4002"), err);
  assert.ok(!err.includes("    at "), "no stack trace");
});
