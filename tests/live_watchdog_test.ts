/**
 * The live watchdog (lib/live/watchdog.ts) as a unit, on a hand-driven clock and a probe the
 * test answers or refuses: when bar closes are held, when TWS is asked, and what each answer
 * (or none, or a late one) leads to. The simulator tests cover it end to end; the no-answer
 * and stale-answer paths are pinned here.
 */
import assert from "node:assert/strict";
import { configSchema } from "../lib/config/schema.ts";
import { LiquidHours } from "../lib/indicators/liquid_hours.ts";
import { newLiveStats } from "../lib/live/stats.ts";
import { Watchdog } from "../lib/live/watchdog.ts";

/** Mon 2025-01-06 15:00 UTC = 09:00 in Chicago (liquid); 03:00 UTC = 21:00 the day before. */
const LIQUID = Date.UTC(2025, 0, 6, 15);
const QUIET = Date.UTC(2025, 0, 6, 3);

function rig(o: { watchdogMs?: number; liquid?: boolean } = {}) {
  const live = configSchema.parse({
    live: { grace_ms: 2000, watchdog_ms: o.watchdogMs ?? 10_000 },
  }).live;
  let t = 1_000_000;
  let gen = 0;
  let stopped = false;
  const lines: string[] = [];
  const calls: string[] = [];
  const probes: Array<{ resolve(): void; reject(): void }> = [];
  const stats = newLiveStats();
  const liquid = o.liquid === false
    ? undefined
    : new LiquidHours({ timeZone: "America/Chicago", windows: ["08:30-15:00"] });
  const dog = new Watchdog({
    live,
    clock: { now: () => t },
    stats,
    log: (l) => lines.push(l),
    liquid: () => liquid,
    probe: () =>
      new Promise<void>((resolve, reject) => {
        probes.push({ resolve, reject: () => reject(new Error("no answer")) });
      }),
    generation: () => gen,
    stopped: () => stopped,
    onAnswer: () => calls.push("answer"),
    onNoAnswer: () => calls.push("no answer"),
  });
  dog.activity(); // a sync completed at t
  return {
    dog,
    lines,
    calls,
    probes,
    stats,
    advance: (ms: number) => t += ms,
    bumpGeneration: () => gen++,
    stop: () => stopped = true,
  };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

Deno.test("Watchdog holds bar closes after grace_ms of silence in liquid hours, once logged, until activity", () => {
  const r = rig();
  r.advance(2000);
  assert.equal(r.dog.holdBars(LIQUID), false, "exactly grace_ms is not longer than it");
  r.advance(1);
  assert.equal(r.dog.holdBars(LIQUID), true);
  assert.equal(r.dog.holdBars(LIQUID), true);
  assert.deepEqual(r.lines, [
    "[live] no trade for 2 s in liquid hours: bar closes wait for the next trade or the watchdog (10 s)",
  ]);
  // Outside the liquid hours a quiet market is normal: bars close.
  assert.equal(r.dog.holdBars(QUIET), false);
  r.dog.activity();
  assert.equal(r.dog.holdBars(LIQUID), false);
  // A new silence is logged again.
  r.advance(2001);
  assert.equal(r.dog.holdBars(LIQUID), true);
  assert.equal(r.lines.length, 2);
});

Deno.test("Watchdog off (watchdog_ms 0) never holds bars and never probes", () => {
  const r = rig({ watchdogMs: 0 });
  r.advance(3_600_000);
  assert.equal(r.dog.holdBars(LIQUID), false);
  r.dog.check(LIQUID);
  assert.equal(r.probes.length, 0);
  assert.equal(r.stats.watchdogChecks, 0);
});

Deno.test("Watchdog probes once after watchdog_ms in liquid hours; an answer resubscribes and marks the next trade", async () => {
  const r = rig();
  r.advance(9_999);
  r.dog.check(LIQUID);
  assert.equal(r.probes.length, 0, "not before watchdog_ms");
  r.advance(1);
  r.dog.check(QUIET);
  assert.equal(r.probes.length, 0, "not outside the liquid hours");
  r.dog.check(LIQUID);
  r.dog.check(LIQUID); // busy: one probe at a time
  assert.equal(r.probes.length, 1);
  assert.equal(r.stats.watchdogChecks, 1);
  assert.equal(r.dog.tradeAfterSilence(), false, "not suspect before the answer");
  r.probes[0]!.resolve();
  await settle();
  assert.deepEqual(r.calls, ["answer"]);
  assert.deepEqual(r.lines, [
    "[watchdog] no trade for 10 s in liquid hours: checking the connection",
    "[watchdog] TWS answers: resubscribing",
  ]);
  // The first trade after the silence asks for a gap fill, once.
  assert.equal(r.dog.tradeAfterSilence(), true);
  assert.equal(r.dog.tradeAfterSilence(), false);
  // The answer counts as activity: the next probe needs another watchdog_ms.
  r.advance(9_999);
  r.dog.check(LIQUID);
  assert.equal(r.probes.length, 1);
  r.advance(1);
  r.dog.check(LIQUID);
  assert.equal(r.probes.length, 2);
});

Deno.test("Watchdog: no answer drops the connection; a late answer after a newer sync or the stop does nothing", async () => {
  const r = rig({ liquid: false }); // no liquid hours known: always liquid
  r.advance(10_000);
  r.dog.check(QUIET);
  r.probes[0]!.reject();
  await settle();
  assert.deepEqual(r.calls, ["no answer"]);
  assert.equal(r.lines.at(-1), "[watchdog] no answer from TWS: reconnecting");
  assert.equal(r.dog.tradeAfterSilence(), false);

  r.advance(10_000);
  r.dog.check(QUIET);
  r.bumpGeneration(); // a reconnect's sync started meanwhile
  r.probes[1]!.resolve();
  await settle();
  r.advance(10_000);
  r.dog.check(QUIET);
  r.stop();
  r.probes[2]!.reject();
  await settle();
  assert.deepEqual(r.calls, ["no answer"], "stale answers are ignored");
  assert.equal(r.stats.watchdogChecks, 3);
});
