/**
 * Honest fills (issue 7): next-tick entries and stops that pay slippage, targets that need a
 * print through them, and the session policy (liquid hours, flatten before the close) in a
 * backtest. Every figure below is worked out by hand in the comments.
 */
import assert from "node:assert/strict";
import { fillsTable, SHARED_TICKS, tableIn } from "../bench/fills_table.ts";
import { parseConfigText } from "../lib/config/load.ts";
import { Engine } from "../lib/engine/engine.ts";
import type { PaperTraderOptions } from "../lib/engine/paper_trader.ts";
import { recordingTrader } from "./_trader.ts";
import { cutWindow, SessionPolicy } from "../lib/engine/session_policy.ts";
import { MemoryJournal } from "../lib/journal/writer.ts";
import type { EntryIntent, Strategy } from "../lib/strategy/strategy.ts";
import type { EntryContext, ExitEvent, JournalEvent, Side } from "../lib/types.ts";

const T = Date.UTC(2025, 1, 17, 18, 1, 0);
const CTX: EntryContext = {};
/** Stop 1.5 x ATR 1.0 = 1.5 points, target 3 points. */
const intent = (side: Side): EntryIntent => ({
  side,
  stop: { kind: "atr", multiple: 1.5, atr: 1 },
  target: { kind: "points", points: 3 },
});

/** The new defaults: next tick, 1 tick on entries and stops, targets traded through. */
function trader(over: Partial<PaperTraderOptions> = {}) {
  return recordingTrader({
    stopSlippageTicks: 1,
    entrySlippageTicks: 1,
    targetFill: "through",
    entryPrice: "next_tick",
    tradeId: (n) => `R-${n}`,
    ...over,
  });
}

const only = <K extends JournalEvent["kind"]>(events: readonly JournalEvent[], kind: K) =>
  events.filter((e): e is Extract<JournalEvent, { kind: K }> => e.kind === kind);

Deno.test("next_tick entry: the order is the first print after the bar, filled a tick worse", () => {
  const { t, events } = trader();
  t.signal(intent("LONG"), 100, T, CTX);
  assert.equal(events.length, 0, "nothing before the next print");
  t.onTick(T - 1, 99, 1); // stamped before the signal: not the next print
  t.onTick(T + 400, 100.5, 3);
  const entry = only(events, "ENTRY")[0]!;
  // Order at the print 100.50; stop 100.50 - 1.5 = 99.00, target 100.50 + 3 = 103.50.
  assert.deepEqual([entry.entry, entry.stop, entry.target, entry.time], [
    100.5,
    99,
    103.5,
    T + 400,
  ]);
  // Market order: 100.50 + 1 tick (0.25) = 100.75.
  assert.equal(only(events, "FILL")[0]!.price, 100.75);

  const short = trader();
  short.t.signal(intent("SHORT"), 100, T, CTX);
  short.t.onTick(T + 400, 100.5, 1);
  // Short: 100.50 - 0.25 = 100.25; stop 102.00, target 97.50.
  assert.equal(only(short.events, "FILL")[0]!.price, 100.25);
  assert.equal(only(short.events, "ENTRY")[0]!.stop, 102);
});

Deno.test("bar_close entries pay the entry slippage too; limit entries (partial fills) do not", () => {
  const close = trader({ entryPrice: "bar_close", entrySlippageTicks: 2 });
  close.t.signal(intent("LONG"), 100, T, CTX);
  // 100.00 + 2 x 0.25.
  assert.equal(only(close.events, "FILL")[0]!.price, 100.5);
  const limit = trader({ partialFills: true });
  limit.t.signal(intent("LONG"), 100, T, CTX);
  limit.t.onTick(T + 400, 100.5, 1); // sets the limit at 100.50 and fills 1 there
  assert.equal(only(limit.events, "FILL")[0]!.price, 100.5);
});

Deno.test("a stop exit fills a tick worse than its print, and a gapped one worse than the gap", () => {
  const { t, events } = trader();
  t.signal(intent("LONG"), 100, T, CTX);
  t.onTick(T + 400, 100.5, 1); // fill 100.75, stop 99.00
  t.onTick(T + 1_000, 99.25, 1);
  assert.equal(only(events, "EXIT").length, 0);
  t.onTick(T + 2_000, 99, 1);
  const exit = only(events, "EXIT")[0]!;
  // 99.00 - 0.25 = 98.75; points 98.75 - 100.75 = -2.00; gross -2 x 5 = -10; net -10 - 1.24.
  assert.deepEqual(
    [exit.reason, exit.price, exit.pnlPoints, exit.grossPnl, exit.netPnl],
    ["STOP", 98.75, -2, -10, -11.24],
  );
  const gap = trader();
  gap.t.signal(intent("SHORT"), 100, T, CTX);
  gap.t.onTick(T + 400, 100.5, 1); // fill 100.25, stop 102.00
  gap.t.onTick(T + 1_000, 102.75, 1); // gapped over the stop: 102.75 + 0.25
  const g = only(gap.events, "EXIT")[0]!;
  // Points 100.25 - 103.00 = -2.75.
  assert.deepEqual([g.price, g.pnlPoints], [103, -2.75]);
});

/** A long filled at 100.75 (target 103.50), then `prints`; its exit, if any. */
function targetRun(fill: "touch" | "through", prints: number[]): ExitEvent | undefined {
  const { t, events } = trader({ targetFill: fill });
  t.signal(intent("LONG"), 100, T, CTX);
  t.onTick(T + 400, 100.5, 1);
  prints.forEach((p, i) => t.onTick(T + 1_000 * (i + 1), p, 1));
  return only(events, "EXIT")[0];
}

Deno.test("a target touched but not traded through fills with touch, not with through", () => {
  const touched = [103, 103.5, 103.25, 103.5, 103];
  assert.equal(targetRun("through", touched), undefined);
  const touch = targetRun("touch", touched)!;
  // On the first 103.50 (the 2nd print, at T + 2 s), at the target: 103.50 - 100.75 = 2.75.
  assert.deepEqual([touch.reason, touch.price, touch.time, touch.pnlPoints], [
    "TARGET",
    103.5,
    T + 2_000,
    2.75,
  ]);
  // A print at 103.75 trades through: filled at the target's own price, 13.75 - 1.24 net.
  const through = targetRun("through", [...touched, 103.75])!;
  assert.deepEqual([through.price, through.time, through.netPnl], [103.5, T + 6_000, 12.51]);
  // A short's target is traded through from above: 97.50 needs a print at 97.25 or below.
  const s = trader();
  s.t.signal(intent("SHORT"), 100, T, CTX);
  s.t.onTick(T + 400, 100.5, 1); // fill 100.25, target 97.50
  s.t.onTick(T + 1_000, 97.5, 1);
  assert.equal(only(s.events, "EXIT").length, 0);
  s.t.onTick(T + 2_000, 97.25, 1);
  assert.equal(only(s.events, "EXIT")[0]!.price, 97.5);
});

Deno.test("cutWindow and SessionPolicy: the flatten period is the last minutes of each window", () => {
  assert.equal(cutWindow("08:30-15:00", 5), "08:30-14:55");
  assert.equal(cutWindow("17:00-00:10", 15), "17:00-23:55");
  assert.equal(cutWindow("08:30-08:40", 10), undefined);
  const p = new SessionPolicy({
    timeZone: "America/Chicago",
    windows: ["08:30-15:00"],
    flattenMinutes: 5,
  });
  // 2025-02-17 is CST (UTC-6): 14:55 Chicago = 20:55 UTC.
  const at = (h: number, m: number, s = 0) => Date.UTC(2025, 1, 17, h, m, s);
  assert.deepEqual([p.canEnter(at(20, 54, 59)), p.mustFlatten(at(20, 54, 59))], [true, false]);
  assert.deepEqual([p.canEnter(at(20, 55)), p.mustFlatten(at(20, 55))], [false, true]);
  assert.deepEqual([p.canEnter(at(14, 29, 59)), p.canEnter(at(14, 30))], [false, true]);
  // Dated spans (live): an early close at 12:00 flattens from 11:55 though the daily window
  // runs to 15:00.
  const early = new SessionPolicy({
    timeZone: "America/Chicago",
    windows: ["08:30-15:00"],
    flattenMinutes: 5,
    spans: [{ start: at(14, 30), end: at(18, 0) }],
  });
  assert.deepEqual([early.mustFlatten(at(17, 54)), early.mustFlatten(at(17, 55))], [false, true]);
  assert.equal(early.canEnter(at(17, 56)), false);
  const never = new SessionPolicy({ timeZone: "UTC", windows: [], flattenMinutes: 5 });
  assert.deepEqual([never.flattens, never.canEnter(at(3, 0))], [false, true]);
});

/** Enters long on every closed bar it may: the session policy alone decides. */
const eager: Strategy = {
  indicators: [],
  onBar: (ctx) => ctx.canEnter ? intent("LONG") : undefined,
};

/** An engine under the default fills and a live-like session (08:30-15:00, flatten 5 min). */
function sessionEngine(ticks: [number, number][], sets: string[] = []) {
  const config = parseConfigText("", {
    source: "test",
    overrides: [
      "strategy.calibration_bars=1",
      'session.liquid_hours=["08:30-15:00"]',
      "live.flatten_minutes=5",
      ...sets,
    ],
  });
  const journal = new MemoryJournal({ timeZone: "UTC", priceDecimals: 2 });
  const engine = new Engine({ config, journal, runId: "B", strategy: eager });
  engine.start({ time: ticks[0]![0], version: "t", configDigest: "x", source: "test" });
  for (const [ts, p] of ticks) engine.onTick(ts, p, 1);
  return { engine, journal };
}

/** A backtest: the engine fed `ticks`, then the end of data. */
function backtest(ticks: [number, number][], sets: string[] = []) {
  const { engine, journal } = sessionEngine(ticks, sets);
  engine.finish("END", "END_OF_DATA");
  return journal.events;
}

/** One print at `price` every 10 s from `from` to `to` (UTC ms, both included). */
function every10s(from: number, to: number, price: (ts: number) => number): [number, number][] {
  const out: [number, number][] = [];
  for (let ts = from; ts <= to; ts += 10_000) out.push([ts, price(ts)]);
  return out;
}

Deno.test("backtest: no entry before liquid hours open; the first at the bar ending 08:30", () => {
  // 08:20:00 to 08:31:00 Chicago (14:20 to 14:31 UTC), flat at 100: no stop or target.
  const events = backtest(
    every10s(Date.UTC(2025, 1, 17, 14, 20), Date.UTC(2025, 1, 17, 14, 31), () => 100),
  );
  const entries = only(events, "ENTRY");
  // Bars ending before 08:30 are outside the window; the bar ending at 08:30:00 may enter,
  // and its order is the print at 14:30:00 (at the bar's end: the next bar's first print).
  assert.equal(entries.length, 1);
  assert.equal(entries[0]!.time, Date.UTC(2025, 1, 17, 14, 30, 0));
  assert.equal(only(events, "FILL")[0]!.price, 100.25);
  assert.equal(only(events, "EXIT")[0]!.reason, "END");
  // With no windows the first bar (ending 08:20:30) enters.
  const always = backtest(
    every10s(Date.UTC(2025, 1, 17, 14, 20), Date.UTC(2025, 1, 17, 14, 31), () => 100),
    ["session.liquid_hours=[]"],
  );
  assert.equal(only(always, "ENTRY")[0]!.time, Date.UTC(2025, 1, 17, 14, 20, 30));
});

Deno.test("backtest: an open trade is flattened 5 min before the close, then no entry", () => {
  // 14:50:00 to 14:58:00 Chicago; 100 until 14:54:50, then 101 (under the 103.00 target).
  const flat = Date.UTC(2025, 1, 17, 20, 55);
  const events = backtest(
    every10s(
      Date.UTC(2025, 1, 17, 20, 50),
      Date.UTC(2025, 1, 17, 20, 58),
      (ts) => ts < flat ? 100 : 101,
    ),
  );
  const entries = only(events, "ENTRY");
  assert.equal(entries.length, 1, "one entry, at 14:50:30, none in the flatten period");
  assert.equal(entries[0]!.time, Date.UTC(2025, 1, 17, 20, 50, 30));
  const exit = only(events, "EXIT")[0]!;
  // Flattened by the first print at 14:55:00 (101.00), a market order a tick worse: 100.75.
  // Entry filled at 100.25: 0.50 points = 2.50 gross, 1.26 net.
  assert.deepEqual([exit.reason, exit.time, exit.price, exit.pnlPoints, exit.netPnl], [
    "MANUAL",
    flat,
    100.75,
    0.5,
    1.26,
  ]);
  assert.equal(events.at(-1)!.kind, "SESSION_END");
  // Without flatten_minutes the trade runs to the end of data and entries go on to 15:00.
  const kept = backtest(
    every10s(
      Date.UTC(2025, 1, 17, 20, 50),
      Date.UTC(2025, 1, 17, 20, 58),
      (ts) => ts < flat ? 100 : 101,
    ),
    ["live.flatten_minutes=0"],
  );
  assert.equal(only(kept, "EXIT")[0]!.reason, "END");
});

Deno.test("live timer path: flattenDue closes at the last price when no tick comes", () => {
  const t0 = Date.UTC(2025, 1, 17, 20, 50);
  const { engine, journal } = sessionEngine(every10s(t0, t0 + 40_000, () => 100));
  assert.ok(engine.openTrade !== undefined);
  assert.equal(engine.flattenDue(Date.UTC(2025, 1, 17, 20, 54, 59)), false);
  assert.equal(engine.flattenDue(Date.UTC(2025, 1, 17, 20, 55, 1)), true);
  const exit = only(journal.events, "EXIT")[0]!;
  // Last price 100.00 less a tick: 99.75, at the timer's time.
  assert.deepEqual([exit.reason, exit.price, exit.time], [
    "MANUAL",
    99.75,
    Date.UTC(2025, 1, 17, 20, 55, 1),
  ]);
  assert.equal(engine.flattenDue(Date.UTC(2025, 1, 17, 20, 56)), false, "nothing left to flatten");
});

Deno.test("README: the fills table is what bench/fills_table.ts makes of the shared data now", async () => {
  const table = await fillsTable();
  if (table === undefined) {
    console.warn(`skipping the fills table check: ${SHARED_TICKS.pathname} is absent`);
    return;
  }
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  assert.equal(tableIn(readme), table, "regenerate it: bench/fills_table.ts --write");
  // The last column is the defaults: the honest fills, so next_tick and through are on.
  const config = parseConfigText("", { source: "test" });
  assert.deepEqual(
    [config.strategy.entry_price, config.fills.target_fill, config.fills.entry_slippage_ticks],
    ["next_tick", "through", 1],
  );
});
