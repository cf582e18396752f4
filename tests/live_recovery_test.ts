/**
 * Restart recovery against the simulator with the real client: a journal file left with an
 * open trade (ENTRY + FILL, no EXIT) by an earlier run is read the way `scalpbot live` reads
 * it (inspectJournal + resumeFrom); the runner manages that trade on the next ticks (its
 * target exit is journaled under the same trade id), opens nothing until it is closed, and
 * its new trade ids repeat none of the earlier ones.
 */
import assert from "node:assert/strict";
import { journalFormatOptions } from "../lib/cli/console.ts";
import { resumeFrom } from "../lib/cli/live.ts";
import { inspectJournal } from "../lib/journal/inspect.ts";
import { JournalWriter } from "../lib/journal/writer.ts";
import type { JournalEvent } from "../lib/types.ts";
import {
  fed,
  generatedTicks,
  liveConfig,
  maxOpenTrades,
  offlineRun,
  startLiveRun,
  until,
} from "./_live_harness.ts";

const TICKS = generatedTicks(8, 29);

Deno.test("live restart recovery: the open trade of the journal is exited under its own id, nothing opens before", async () => {
  // Choose a target the market reaches only after the plain engine's first entry: so a run
  // that forgot the open trade would have traded before it closed.
  const plain = offlineRun(liveConfig(7497), TICKS);
  const firstEntry = plain.events.find((e) => e.kind === "ENTRY");
  assert.ok(firstEntry !== undefined, "the session has no signal: pick another seed");
  const p0 = TICKS[0]!.price;
  const before = TICKS.filter((t) => t.ts <= firstEntry.time + 20_000);
  const hi = Math.max(...before.map((t) => t.price));
  const lo = Math.min(...before.map((t) => t.price));
  // The side whose target (just beyond the range so far) the market reaches first.
  const up = TICKS.findIndex((t) => t.price > hi);
  const down = TICKS.findIndex((t) => t.price < lo);
  const long = up >= 0 && (down < 0 || up < down);
  const side = long ? "LONG" : "SHORT";
  const target = long ? hi + 0.25 : lo - 0.25;
  const reached = (price: number) => long ? price >= target : price <= target;
  const hit = TICKS.findIndex((t) => reached(t.price));
  assert.ok(hit > 0 && hit < TICKS.length * 0.8, `target ${target} reached at tick ${hit}`);
  const path = TICKS.slice(0, hit + 1).map((t) => t.price);
  const stop = long ? Math.min(...path) - 0.25 : Math.max(...path) + 0.25;

  // The earlier run's journal: one closed trade, one open (LONG 1 @ p0).
  const dir = await Deno.makeTempDir();
  const file = `${dir}/trade_record.text`;
  const cfg = liveConfig(7497);
  const t0 = TICKS[0]!.ts - 3_600_000;
  const ctx = { emaFast: p0, emaSlow: p0, rsi: 50, atr: 1, vwap: p0, rvol: 1 };
  const old: JournalEvent[] = [
    {
      kind: "SESSION_START",
      time: t0,
      runId: "OLDRUN",
      version: "test",
      configDigest: "test",
      source: "test",
      symbol: "MES",
      multiplier: 5,
      tickSize: 0.25,
      currency: "USD",
    },
    {
      kind: "ENTRY",
      time: t0 + 1000,
      tradeId: "OLDRUN-001",
      side: "SHORT",
      entry: p0,
      stop: p0 + 2,
      target: p0 - 2,
      size: 1,
      context: ctx,
    },
    {
      kind: "FILL",
      time: t0 + 1000,
      tradeId: "OLDRUN-001",
      price: p0,
      qty: 1,
      filled: 1,
      remaining: 0,
    },
    {
      kind: "EXIT",
      time: t0 + 9000,
      tradeId: "OLDRUN-001",
      side: "SHORT",
      reason: "TARGET",
      price: p0 - 2,
      qty: 1,
      entryPrice: p0,
      entryTime: t0 + 1000,
      pnlPoints: 2,
      pnlTicks: 8,
      grossPnl: 10,
      commission: 0,
      netPnl: 10,
    },
    {
      kind: "ENTRY",
      time: t0 + 10_000,
      tradeId: "OLDRUN-002",
      side,
      entry: p0,
      stop,
      target,
      size: 1,
      context: ctx,
    },
    {
      kind: "FILL",
      time: t0 + 10_000,
      tradeId: "OLDRUN-002",
      price: p0,
      qty: 1,
      filled: 1,
      remaining: 0,
    },
  ];
  const w = JournalWriter.open(file, journalFormatOptions(cfg));
  for (const e of old) w.write(e);
  w.close();

  try {
    const found = await inspectJournal(file);
    assert.equal(found.openTrades.length, 1);
    const resume = resumeFrom(found.openTrades);
    assert.ok(resume !== undefined);
    const run = await startLiveRun({
      ticks: TICKS,
      speed: 60,
      runId: "NEWRUN",
      resume,
    });
    try {
      await run.sim.replayDone();
      await until("every tick fed", () => fed(run) >= TICKS.length - 200, 20_000);
    } finally {
      await run.finish();
    }
    const shift = run.sim.shiftMs;
    const start = run.events.find((e) => e.kind === "SESSION_START")!.time;
    // Expected exit, worked out from the ticks: the first print the runner sees (stamped at
    // or after its live start) at or above the target; the stop is below every print before.
    const first = TICKS.find((t) => Math.floor(t.ts / 1000) * 1000 + shift >= start)!;
    assert.ok(!reached(first.price), "the target was already hit at the live start");
    const exitTick = TICKS.find((t) =>
      Math.floor(t.ts / 1000) * 1000 + shift >= start && reached(t.price)
    )!;
    const exitTime = Math.floor(exitTick.ts / 1000) * 1000 + shift;
    const exits = run.events.filter((e) => e.kind === "EXIT");
    const oldExit = exits.find((e) => e.kind === "EXIT" && e.tradeId === "OLDRUN-002");
    assert.ok(oldExit !== undefined && oldExit.kind === "EXIT", "the resumed trade never exited");
    assert.equal(oldExit.reason, "TARGET");
    assert.equal(oldExit.price, target);
    assert.equal(oldExit.time, exitTime);
    assert.equal(oldExit.entryPrice, p0);
    assert.equal(oldExit.qty, 1);
    assert.equal(oldExit.side, side);
    assert.equal(
      oldExit.netPnl,
      // points x multiplier 5 x 1 contract, less commission on both sides, to 1e-8.
      Math.round(
        ((long ? target - p0 : p0 - target) * 5 - 2 * cfg.fills.commission_per_contract) * 1e8,
      ) / 1e8,
    );

    // Nothing opened while it was open, though the plain engine had a signal by then.
    const entries = run.events.filter((e) => e.kind === "ENTRY");
    for (const e of entries) assert.ok(e.time >= exitTime, `ENTRY ${e.tradeId} at ${e.time}`);
    const ref = offlineRun(run.runner.engine!.config, TICKS, shift);
    assert.ok(
      ref.events.some((e) => e.kind === "ENTRY" && e.time >= start && e.time < exitTime),
      "no signal while the resumed trade was open: the test proves nothing",
    );
    assert.ok(entries.length >= 1, "no new trade after the resumed one closed");

    // Trade ids never repeat, and never two trades open across both runs.
    const ids = [...old, ...run.events].filter((e) => e.kind === "ENTRY").map((e) =>
      "tradeId" in e ? e.tradeId : ""
    );
    assert.equal(new Set(ids).size, ids.length, ids.join(","));
    assert.ok(maxOpenTrades([...old, ...run.events]) <= 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
