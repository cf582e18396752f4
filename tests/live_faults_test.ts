/**
 * Live mode against the simulator's connection faults, with the real @stoqey/ib client over
 * loopback: drop, refuse (TWS restart), 1100->1101, 1100->1102, 2110 and a nightly reset.
 * After each, the bars must equal an uninterrupted offline run over the same trades (the
 * backfill fills the gap exactly), the trades must match, and never two trades are open.
 */
import assert from "node:assert/strict";
import { assertSurvived, faultRun, generatedTicks, until } from "./_live_harness.ts";

const TICKS = generatedTicks(3, 7);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("live: a dropped socket is reconnected and the gap backfilled; bars equal offline", async () => {
  const r = await faultRun(TICKS, async (run) => {
    run.sim.faults.dropAll();
    await until("reconnected", () => run.runner.stats.connects >= 2);
  });
  assertSurvived(r);
  assert.ok(r.run.runner.stats.disconnects >= 1);
  assert.ok(r.run.runner.stats.backfilledTicks > 0, "the gap was not backfilled");
});

Deno.test("live: refused connections (TWS restart) are retried with backoff until accepted", async () => {
  const r = await faultRun(TICKS, async (run) => {
    await run.sim.faults.refuseFor(400);
    await until("reconnected", () => run.runner.stats.connects >= 2);
  });
  assertSurvived(r);
  assert.ok(r.run.lines.some((l) => l.includes("reconnecting in")));
});

Deno.test("live: 1100 then 1101 (data lost) resubscribes and backfills", async () => {
  const r = await faultRun(TICKS, async (run) => {
    run.sim.faults.connectivityLost();
    await until("lost", () => run.runner.state === "lost");
    await sleep(300);
    run.sim.faults.restoredDataLost();
    await until("resynced", () => run.runner.stats.syncs >= 2);
  });
  assertSurvived(r);
  assert.ok(r.run.runner.stats.backfilledTicks > 0);
  assert.equal(r.run.runner.stats.connects, 1);
});

Deno.test("live: 1100 then 1102 (data kept) fills the outage from history without resubscribing", async () => {
  const r = await faultRun(TICKS, async (run) => {
    run.sim.faults.connectivityLost();
    await until("lost", () => run.runner.state === "lost");
    await sleep(300);
    run.sim.faults.restoredDataKept();
    await until("resynced", () => run.runner.stats.syncs >= 2);
  });
  assertSurvived(r);
  assert.ok(r.run.runner.stats.backfilledTicks > 0);
});

Deno.test("live: 2110 is logged and changes nothing", async () => {
  const r = await faultRun(TICKS, (run) => {
    run.sim.faults.send2110();
  });
  assertSurvived(r);
  assert.ok(r.run.lines.some((l) => l.includes("2110")));
  assert.equal(r.run.runner.stats.syncs, 1);
});

Deno.test("live: a nightly reset (drop + refuse at a clock time) is survived", async () => {
  const r = await faultRun(TICKS, async (run) => {
    // The simulator clock runs 50x: the next whole minute comes within ~1.2 s of wall time.
    const d = new Date(run.sim.now() + 60_000);
    const hhmm = `${String(d.getUTCHours()).padStart(2, "0")}:${
      String(d.getUTCMinutes()).padStart(2, "0")
    }`;
    run.sim.faults.nightlyResetAt(hhmm, { downMs: 300 });
    await until("reset and reconnected", () => run.runner.stats.connects >= 2, 10_000);
  }, { atFraction: 0.2 });
  assertSurvived(r);
});
