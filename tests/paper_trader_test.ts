import assert from "node:assert/strict";
import type { PaperTraderOptions } from "../lib/engine/paper_trader.ts";
import { recordingTrader } from "./_trader.ts";
import { oneTickAway, roundToTick } from "../lib/market/prices.ts";
import { singlePosition } from "../lib/engine/position_policy.ts";
import { FixedStop, FixedTarget, levelReached } from "../lib/engine/exits.ts";
import fc from "fast-check";
import type { EntryIntent } from "../lib/strategy/strategy.ts";
import type { EntryContext, JournalEvent, Side } from "../lib/types.ts";

const T = Date.UTC(2025, 1, 17, 18, 1, 0);
const ctx = (atr: number): EntryContext => ({
  EMA9: 4500.5,
  EMA21: 4499.8,
  RSI9: 58,
  ATR9: atr,
  VWAP: 4500.1,
  RVOL: 2.1,
});
/** The scalp strategy's intent: stop `multiple` ATRs, target `points` points. */
const intent = (side: Side, atr: number, multiple = 1.5, points = 3): EntryIntent => ({
  side,
  stop: { kind: "atr", multiple, atr },
  target: { kind: "points", points },
});

function trader(over: Partial<PaperTraderOptions> = {}) {
  return recordingTrader(over);
}

const kinds = (events: JournalEvent[]) => events.map((e) => e.kind);

Deno.test("PaperTrader holds the seed's worked example: 4501.00, ATR 1.0 -> 4499.50 / 4504.00", () => {
  const { t, events } = trader();
  t.signal(intent("LONG", 1.0), 4501, T, ctx(1.0));
  assert.deepEqual(kinds(events), ["ENTRY", "FILL"]);
  const entry = events[0]!;
  assert.ok(entry.kind === "ENTRY");
  assert.equal(entry.entry, 4501);
  assert.equal(entry.stop, 4499.5);
  assert.equal(entry.target, 4504);
  assert.equal(entry.time, T);
  // 4503.75 is below the target: still open.
  t.onTick(T + 1_000, 4503.75, 2);
  assert.equal(events.length, 2);
  // A print beyond the target exits at the target (a resting limit).
  t.onTick(T + 61_000, 4504.25, 1);
  const exit = events[2]!;
  assert.ok(exit.kind === "EXIT");
  assert.equal(exit.reason, "TARGET");
  assert.equal(exit.price, 4504);
  // 3 points = 12 ticks; 3 x $5 x 1 = $15 gross; 2 sides x $0.62 = $1.24; net $13.76.
  assert.equal(exit.pnlPoints, 3);
  assert.equal(exit.pnlTicks, 12);
  assert.equal(exit.grossPnl, 15);
  assert.equal(exit.commission, 1.24);
  assert.equal(exit.netPnl, 13.76);
  assert.equal(exit.entryTime, T);
  assert.equal(t.busy, false);
});

Deno.test("roundToTick rounds stops and targets to the nearest tick", () => {
  // 4501 - 1.5 x 1.37 = 4498.945 -> nearest quarter is 4499.00.
  assert.equal(roundToTick(4501 - 1.5 * 1.37, 0.25), 4499);
  // 4501 - 1.5 x 1.1 = 4499.35 -> 4499.25 (0.10 away) rather than 4499.50 (0.15 away).
  assert.equal(roundToTick(4501 - 1.5 * 1.1, 0.25), 4499.25);
  // Exactly half way (4499.875): up without an anchor, away from the entry with one.
  assert.equal(roundToTick(4499.875, 0.25), 4500);
  assert.equal(roundToTick(4499.875, 0.25, 4501), 4499.75); // long stop: wider, not tighter
  assert.equal(roundToTick(4502.125, 0.25, 4501), 4502.25); // short stop: wider too
  assert.equal(roundToTick(4504.125, 0.25, 4501), 4504.25); // long target: away from entry
  assert.equal(roundToTick(4497.875, 0.25, 4501), 4497.75); // short target: away from entry
  assert.equal(roundToTick(13001.4, 1), 13001);
  assert.equal(roundToTick(1900.06, 0.1), 1900.1);
});

Deno.test("PaperTrader exits a long at the stop when a print touches it", () => {
  const { t, events } = trader();
  t.signal(intent("LONG", 1.0), 4501, T, ctx(1.0));
  t.onTick(T + 1_000, 4499.5, 1);
  const exit = events.at(-1)!;
  assert.ok(exit.kind === "EXIT");
  assert.equal(exit.reason, "STOP");
  assert.equal(exit.price, 4499.5);
  // -1.5 points x $5 = -$7.50 gross, -$8.74 net.
  assert.equal(exit.grossPnl, -7.5);
  assert.equal(exit.netPnl, -8.74);
});

Deno.test("PaperTrader fills a gapped stop at the gapping print, plus slippage", () => {
  const { t, events } = trader({ stopSlippageTicks: 1 });
  t.signal(intent("LONG", 1.0), 4501, T, ctx(1.0));
  t.onTick(T + 1_000, 4500, 1); // above the stop
  t.onTick(T + 2_000, 4498.75, 3); // gaps through 4499.50
  const exit = events.at(-1)!;
  assert.ok(exit.kind === "EXIT");
  assert.equal(exit.reason, "STOP");
  // 4498.75 less one tick of slippage.
  assert.equal(exit.price, 4498.5);
  assert.equal(exit.pnlPoints, -2.5);
  assert.equal(exit.pnlTicks, -10);
});

Deno.test("PaperTrader mirrors stop and target for a short", () => {
  const { t, events } = trader();
  t.signal(intent("SHORT", 1.0), 4501, T, ctx(1.0));
  const entry = events[0]!;
  assert.ok(entry.kind === "ENTRY");
  assert.equal(entry.stop, 4502.5);
  assert.equal(entry.target, 4498);
  t.onTick(T + 1_000, 4498, 1);
  const exit = events.at(-1)!;
  assert.ok(exit.kind === "EXIT");
  assert.equal(exit.reason, "TARGET");
  assert.equal(exit.pnlPoints, 3);
  const { t: t2, events: e2 } = trader();
  t2.signal(intent("SHORT", 1.0), 4501, T, ctx(1.0));
  t2.onTick(T + 1_000, 4502.75, 1);
  const stop = e2.at(-1)!;
  assert.ok(stop.kind === "EXIT");
  assert.equal(stop.reason, "STOP");
  assert.equal(stop.pnlPoints, -1.75);
});

Deno.test("PaperTrader refuses a second entry while busy: the position policy must be obeyed", () => {
  const { t, events } = trader();
  assert.equal(singlePosition.allowsEntry(t), true);
  t.signal(intent("LONG", 1.0), 4501, T, ctx(1.0));
  assert.equal(singlePosition.allowsEntry(t), false);
  assert.throws(() => t.signal(intent("LONG", 1.0), 4502, T + 30_000, ctx(1.0)), /position policy/);
  assert.throws(
    () => t.signal(intent("SHORT", 1.0), 4502, T + 60_000, ctx(1.0)),
    /position policy/,
  );
  assert.deepEqual(kinds(events), ["ENTRY", "FILL"]);
  t.onTick(T + 61_000, 4504, 1); // target: flat again
  t.signal(intent("LONG", 1.0), 4503, T + 90_000, ctx(1.0));
  assert.deepEqual(kinds(events), ["ENTRY", "FILL", "EXIT", "ENTRY", "FILL"]);
  const ids = events.filter((e) => e.kind === "ENTRY").map((e) => e.tradeId);
  assert.deepEqual(ids, ["RUN-1", "RUN-2"]);
});

Deno.test("PaperTrader partial fills take only volume at the limit or better", () => {
  const { t, events } = trader({ partialFills: true, contracts: 10 });
  t.signal(intent("LONG", 1.0), 4501, T, ctx(1.0));
  assert.deepEqual(kinds(events), ["ENTRY"]);
  assert.equal(t.busy, true);
  t.onTick(T + 1_000, 4501.25, 5); // above the limit: no fill
  t.onTick(T + 2_000, 4501, 3); // 3 of 10
  t.onTick(T + 3_000, 4500.75, 4); // through the limit: 4 more, at the limit price
  t.onTick(T + 4_000, 4501, 7); // only 3 remain
  const fills = events.filter((e) => e.kind === "FILL");
  assert.deepEqual(
    fills.map((f) => [f.time - T, f.price, f.qty, f.filled, f.remaining]),
    [[2_000, 4501, 3, 3, 7], [3_000, 4501, 4, 7, 3], [4_000, 4501, 3, 10, 0]],
  );
  t.onTick(T + 5_000, 4504, 1);
  const exit = events.at(-1)!;
  assert.ok(exit.kind === "EXIT");
  assert.equal(exit.qty, 10);
  // 3 points x $5 x 10 = $150 gross; 10 contracts x 2 sides x $0.62 = $12.40.
  assert.equal(exit.grossPnl, 150);
  assert.equal(exit.commission, 12.4);
  assert.equal(exit.netPnl, 137.6);
});

Deno.test("PaperTrader cancels the unfilled remainder when an exit comes first", () => {
  const { t, events } = trader({ partialFills: true, contracts: 10 });
  t.signal(intent("LONG", 1.0), 4501, T, ctx(1.0));
  t.onTick(T + 1_000, 4501, 3);
  t.onTick(T + 2_000, 4504.5, 2); // target hit with 7 still working
  assert.deepEqual(kinds(events), ["ENTRY", "FILL", "CANCEL", "EXIT"]);
  const cancel = events[2]!;
  assert.ok(cancel.kind === "CANCEL");
  assert.equal(cancel.qty, 7);
  assert.equal(cancel.reason, "EXIT_BEFORE_COMPLETE");
  const exit = events[3]!;
  assert.ok(exit.kind === "EXIT");
  assert.equal(exit.qty, 3);
  // 3 points x $5 x 3 = $45; commission 3 x 2 x $0.62 = $3.72; net $41.28.
  assert.equal(exit.grossPnl, 45);
  assert.equal(exit.netPnl, 41.28);
  assert.equal(t.busy, false);
});

Deno.test("PaperTrader next_tick entry fills at the next print and sets levels from it", () => {
  const { t, events } = trader({ entryPrice: "next_tick" });
  t.signal(intent("LONG", 1.0), 4501, T, ctx(1.0));
  assert.equal(events.length, 0);
  assert.equal(t.busy, true); // awaiting the next tick: no second signal meanwhile
  t.onTick(T + 400, 4501.25, 2);
  const entry = events[0]!;
  assert.ok(entry.kind === "ENTRY");
  assert.equal(entry.entry, 4501.25);
  assert.equal(entry.stop, 4499.75);
  assert.equal(entry.target, 4504.25);
  assert.equal(entry.time, T + 400);
  const fill = events[1]!;
  assert.ok(fill.kind === "FILL");
  assert.equal(fill.price, 4501.25);
});

Deno.test("PaperTrader next_tick with partial fills uses the first print as the limit", () => {
  const { t, events } = trader({ entryPrice: "next_tick", partialFills: true, contracts: 5 });
  t.signal(intent("LONG", 1.0), 4501, T, ctx(1.0));
  t.onTick(T + 100, 4501, 2); // first print: limit 4501, 2 filled
  t.onTick(T + 200, 4503.75, 9); // above the limit: no fill
  t.onTick(T + 300, 4500.75, 4); // through the limit: the last 3, at the limit
  const fills = events.filter((e) => e.kind === "FILL");
  assert.deepEqual(fills.map((f) => [f.time - T, f.price, f.qty]), [[100, 4501, 2], [
    300,
    4501,
    3,
  ]]);
  t.close("MANUAL", 4502, T + 400);
  const exit = events.at(-1)!;
  assert.ok(exit.kind === "EXIT");
  assert.equal(exit.entryPrice, 4501);
  assert.equal(exit.pnlPoints, 1);
  assert.equal(exit.reason, "MANUAL");
});

Deno.test("PaperTrader ignores prints stamped before the order (late ticks)", () => {
  const { t, events } = trader({ partialFills: true, contracts: 3 });
  t.signal(intent("LONG", 1.0), 4501, T, ctx(1.0));
  t.onTick(T - 1_000, 4500, 5); // traded before the order existed: no fill
  assert.deepEqual(events.map((e) => e.kind), ["ENTRY"]);
  t.onTick(T + 1_000, 4501, 3);
  t.onTick(T - 500, 4490, 1); // a late print far below the stop: no exit
  assert.deepEqual(events.map((e) => e.kind), ["ENTRY", "FILL"]);
  t.onTick(T + 2_000, 4499.5, 1);
  const exit = events.at(-1)!;
  assert.ok(exit.kind === "EXIT");
  assert.equal(exit.time, T + 2_000);
  assert.equal(exit.reason, "STOP");
});

Deno.test("PaperTrader cancels an entry still working after the timeout in bars", () => {
  const { t, events } = trader({ partialFills: true, contracts: 4, entryTimeoutBars: 2 });
  t.signal(intent("LONG", 1.0), 4501, T, ctx(1.0));
  t.onTick(T + 1_000, 4502, 10); // above the limit
  t.onBarClose(T + 30_000); // one bar: still working
  assert.equal(t.busy, true);
  t.onBarClose(T + 60_000); // two bars: cancelled, never filled, the trader is free
  assert.deepEqual(events.map((e) => e.kind), ["ENTRY", "CANCEL"]);
  const cancel = events[1]!;
  assert.ok(cancel.kind === "CANCEL");
  assert.equal(cancel.reason, "EXPIRED");
  assert.equal(cancel.qty, 4);
  assert.equal(t.busy, false);
  // A partly filled order keeps its filled part open after the timeout.
  t.signal(intent("LONG", 1.0), 4501, T + 90_000, ctx(1.0));
  t.onTick(T + 91_000, 4501, 1);
  t.onBarClose(T + 120_000);
  t.onBarClose(T + 150_000);
  const c2 = events.at(-1)!;
  assert.ok(c2.kind === "CANCEL");
  assert.equal(c2.qty, 3);
  assert.equal(t.busy, true);
  t.onTick(T + 151_000, 4504, 1);
  const exit = events.at(-1)!;
  assert.ok(exit.kind === "EXIT");
  assert.equal(exit.qty, 1);
});

Deno.test("PaperTrader close cancels an order with no fills and logs no exit", () => {
  const { t, events } = trader({ partialFills: true, contracts: 2 });
  t.signal(intent("LONG", 1.0), 4501, T, ctx(1.0));
  t.onTick(T + 1_000, 4502, 5);
  t.close("END", 4502, T + 2_000);
  assert.deepEqual(kinds(events), ["ENTRY", "CANCEL"]);
  assert.equal(t.tradesOpened, 0);
  assert.equal(t.busy, false);
});

Deno.test("PaperTrader keeps a stop one tick from the entry when rounding would put it on the entry", () => {
  // 5000 - 1.5 x 0.1 = 4999.85 rounds to 5000.00, the entry: the stop goes to 4999.75.
  const long = trader();
  long.t.signal(intent("LONG", 0.1), 5000, T, ctx(0.1));
  const e = long.events[0]!;
  assert.ok(e.kind === "ENTRY");
  assert.equal(e.stop, 4999.75);
  assert.equal(e.target, 5003);
  // The next print at the entry price no longer stops the trade out at no loss.
  long.t.onTick(T + 1_000, 5000, 1);
  assert.deepEqual(kinds(long.events), ["ENTRY", "FILL"]);
  long.t.onTick(T + 2_000, 4999.75, 1);
  assert.deepEqual(kinds(long.events), ["ENTRY", "FILL", "EXIT"]);

  // Short: 5000 + 1.5 x 0.05 = 5000.075 -> 5000.00 -> 5000.25. A flat ATR of 0 likewise.
  for (const atr of [0.05, 0]) {
    const short = trader();
    short.t.signal(intent("SHORT", atr), 5000, T, ctx(atr));
    const s = short.events[0]!;
    assert.ok(s.kind === "ENTRY");
    assert.equal(s.stop, 5000.25, `ATR ${atr}`);
    assert.equal(s.target, 4997);
  }
});

Deno.test("PaperTrader keeps stop and target on their side of an entry off the tick grid", () => {
  // Gold prices (0.1 grid) under MES settings (0.25): entry 1300.2, ATR 0.01 -> 1300.185
  // rounds to 1300.25, above a long's entry. The stop goes to 1299.75, the first grid price
  // a full tick below the entry; a target of 0.1 point (1300.3 -> 1300.25) goes to 1300.5.
  const { t, events } = trader();
  t.signal(intent("LONG", 0.01, 1.5, 0.1), 1300.2, T, ctx(0.01));
  const e = events[0]!;
  assert.ok(e.kind === "ENTRY");
  assert.equal(e.stop, 1299.75);
  assert.equal(e.target, 1300.5);
});

Deno.test("oneTickAway leaves a level that is far enough and moves one that is not", () => {
  assert.equal(oneTickAway(4998, 5000, -1, 0.25), 4998);
  assert.equal(oneTickAway(4999.75, 5000, -1, 0.25), 4999.75);
  assert.equal(oneTickAway(5000, 5000, -1, 0.25), 4999.75);
  assert.equal(oneTickAway(5000, 5000, 1, 0.25), 5000.25);
  assert.equal(oneTickAway(1300, 1300.1, -1, 0.1), 1300); // binary noise: 1300.1 - 0.1
  assert.equal(oneTickAway(1300.1, 1300.1, -1, 0.1), 1300);
  assert.equal(oneTickAway(1300.1, 1300.1, 1, 0.1), 1300.2);
  assert.equal(oneTickAway(12000, 12000, 1, 2.5), 12002.5);
  assert.equal(oneTickAway(12001, 12001, -1, 2.5), 11997.5); // off grid: 11998.5 floors
});

Deno.test("property: a stop is never on the entry or on its wrong side, nor less than a tick away", () => {
  const tickSizes = [0.005, 0.01, 0.03125, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
  fc.assert(
    fc.property(
      fc.constantFrom(...tickSizes),
      fc.integer({ min: 1, max: 2_000_000 }), // entry in ticks
      fc.constantFrom(0, 0.2, 0.5, 0.9), // entry off the grid by this fraction of a tick
      fc.oneof(
        fc.constant(0),
        fc.double({ min: 0, max: 5, noNaN: true }), // ATR in ticks, often under one
        fc.double({ min: 0, max: 500, noNaN: true }),
      ),
      fc.double({ min: 0.01, max: 100, noNaN: true }), // stop_atr_multiple
      fc.constantFrom<"LONG" | "SHORT">("LONG", "SHORT"),
      (tick, ticks, offGrid, atrTicks, multiple, side) => {
        const decimals = String(tick).split(".")[1]?.length ?? 0;
        const entry = Number(((ticks + offGrid) * tick).toFixed(decimals + 2));
        const { t, events } = trader({ tickSize: tick });
        t.signal(intent(side, atrTicks * tick, multiple), entry, T, ctx(atrTicks * tick));
        const e = events[0]!;
        assert.ok(e.kind === "ENTRY");
        const loss = side === "LONG" ? entry - e.stop : e.stop - entry;
        const win = side === "LONG" ? e.target - entry : entry - e.target;
        // A full tick at least, up to float noise far below a tick.
        assert.ok(loss >= tick * (1 - 1e-6), `stop ${e.stop} vs entry ${entry} (${side})`);
        assert.ok(win >= tick * (1 - 1e-6), `target ${e.target} vs entry ${entry} (${side})`);
        // On the grid.
        const k = e.stop / tick;
        assert.ok(Math.abs(k - Math.round(k)) < 1e-6, `stop ${e.stop} off the ${tick} grid`);
        // Not moved further than needed: the stop is either the rounded ATR distance or the
        // nearest grid price a tick away (within one tick of it).
        const rounded = roundToTick(
          entry - (side === "LONG" ? 1 : -1) * multiple * atrTicks * tick,
          tick,
          entry,
        );
        if (loss > tick * 2 + 1e-6) assert.equal(e.stop, rounded);
      },
    ),
    { numRuns: 2000 },
  );
});

Deno.test("levelReached: target first, at or through each level, mirrored for shorts", () => {
  // Long, stop 4499.50, target 4504.00.
  assert.equal(levelReached(true, 4499.5, 4504, 4504), "TARGET");
  assert.equal(levelReached(true, 4499.5, 4504, 4510), "TARGET");
  assert.equal(levelReached(true, 4499.5, 4504, 4503.75), undefined);
  assert.equal(levelReached(true, 4499.5, 4504, 4499.75), undefined);
  assert.equal(levelReached(true, 4499.5, 4504, 4499.5), "STOP");
  assert.equal(levelReached(true, 4499.5, 4504, 4490), "STOP");
  // Short, stop 4502.50, target 4498.00.
  assert.equal(levelReached(false, 4502.5, 4498, 4498), "TARGET");
  assert.equal(levelReached(false, 4502.5, 4498, 4502.5), "STOP");
  assert.equal(levelReached(false, 4502.5, 4498, 4500), undefined);
  // Levels that cross (only a manager bug could make them): the target wins.
  assert.equal(levelReached(true, 4505, 4504, 4504.5), "TARGET");
});

Deno.test("FixedStop and FixedTarget place points and ATR policies on the grid, a tick away at least", () => {
  const stop = new FixedStop(0.25);
  const target = new FixedTarget(0.25);
  const long = (s: EntryIntent["stop"], points: number): EntryIntent => ({
    side: "LONG",
    stop: s,
    target: { kind: "points", points },
  });
  // 5000 - 2 points = 4998; 5000 + 2.1 points = 5002.1 -> 5002.00 (nearest tick).
  assert.equal(stop.initial(5000, long({ kind: "points", points: 2 }, 2.1)), 4998);
  assert.equal(target.initial(5000, long({ kind: "points", points: 2 }, 2.1)), 5002);
  // 5000 - 1.5 x 1.25 = 4998.125, a half tick: away from the entry, 4998.00.
  assert.equal(stop.initial(5000, long({ kind: "atr", multiple: 1.5, atr: 1.25 }, 3)), 4998);
  // A short mirrors: 5000 + 0.1 -> 5000.00, the entry, so one tick above: 5000.25; target 4997.
  const short: EntryIntent = {
    side: "SHORT",
    stop: { kind: "points", points: 0.1 },
    target: { kind: "points", points: 3 },
  };
  assert.equal(stop.initial(5000, short), 5000.25);
  assert.equal(target.initial(5000, short), 4997);
});
