/**
 * Stop, target and entry managers (issue 7): each mode with hand-worked values, through the
 * manager alone and through the PaperTrader (journal events), and a property test that a
 * stop never sits on or past the entry, nor loosens, whatever the sequence of prints.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { FixedTarget, type PositionView, type StopManager } from "../lib/engine/exits.ts";
import {
  BreakevenStop,
  movedStop,
  SwingStop,
  TrailingAtrStop,
} from "../lib/engine/managers/stops.ts";
import { RMultipleTarget, TrailingTarget } from "../lib/engine/managers/targets.ts";
import type { EntryIntent } from "../lib/strategy/strategy.ts";
import type { Side } from "../lib/types.ts";
import { bar, exits, moves, pts, T, TICK, trader } from "./_managers.ts";

Deno.test("trailing_atr: the stop follows the best print at the initial distance, passes the entry (never onto it) and locks in profit", () => {
  const { t, events } = trader({ stops: new TrailingAtrStop(TICK) });
  // Long at 4500, stop 2 points: 4498. Distance 2.
  t.signal(pts("LONG", 2, 10), 4500, T, {});
  t.onTick(T + 1, 4500.5, 1); // best 4500.50 -> 4498.50
  t.onTick(T + 2, 4500.25, 1); // not a new best: no move
  t.onTick(T + 3, 4501, 1); // -> 4499.00
  t.onTick(T + 4, 4502, 1); // 4500.00 is the entry: a tick past it, 4500.25
  t.onTick(T + 5, 4503, 1); // -> 4501.00
  t.onTick(T + 6, 4504, 1); // -> 4502.00
  t.onTick(T + 7, 4502.25, 1); // not a new best
  assert.deepEqual(moves(events, "STOP_MOVE"), [
    [4498, 4498.5, "TRAIL"],
    [4498.5, 4499, "TRAIL"],
    [4499, 4500.25, "TRAIL"],
    [4500.25, 4501, "TRAIL"],
    [4501, 4502, "TRAIL"],
  ]);
  t.onTick(T + 8, 4502, 1);
  const [x] = exits(events);
  assert.deepEqual([x!.reason, x!.price, x!.by], ["STOP", 4502, "trailing_stop"]);
  // +2 points x $5 = 10; commission 1.24: net 8.76.
  assert.equal(x!.netPnl, 8.76);

  // A one-tick distance: the stop cannot sit on the entry nor at the print, so at entry + 1
  // tick it stays put (4500.00 is the entry, 4500.25 the print), at entry + 2 it locks a tick.
  const n = trader({ stops: new TrailingAtrStop(TICK) });
  n.t.signal(pts("LONG", 0.25, 10), 4500, T, {}); // stop 4499.75
  n.t.onTick(T + 1, 4500.25, 1);
  assert.deepEqual(moves(n.events, "STOP_MOVE"), []);
  n.t.onTick(T + 2, 4500.5, 1);
  assert.deepEqual(moves(n.events, "STOP_MOVE"), [[4499.75, 4500.25, "TRAIL"]]);
});

Deno.test("trailing_atr short: mirror sequence through the entry, exit before any move counts as atr_stop", () => {
  const { t, events } = trader({ stops: new TrailingAtrStop(TICK) });
  t.signal(pts("SHORT", 1.5), 4500, T, {}); // stop 4501.50
  t.onTick(T + 1, 4499.25, 1); // best 4499.25 -> 4500.75
  t.onTick(T + 2, 4499.5, 1); // worse: no move
  t.onTick(T + 3, 4498.5, 1); // 4500.00 is the entry: a tick below, 4499.75
  t.onTick(T + 4, 4498, 1); // -> 4499.50
  assert.deepEqual(moves(events, "STOP_MOVE"), [
    [4501.5, 4500.75, "TRAIL"],
    [4500.75, 4499.75, "TRAIL"],
    [4499.75, 4499.5, "TRAIL"],
  ]);
  t.onTick(T + 5, 4499.5, 1);
  const [x] = exits(events);
  assert.deepEqual([x!.by, x!.price, x!.pnlPoints], ["trailing_stop", 4499.5, 0.5]);

  const b = trader({ stops: new TrailingAtrStop(TICK) });
  b.t.signal(pts("SHORT", 1.5), 4500, T, {});
  b.t.onTick(T + 1, 4501.5, 1);
  assert.deepEqual(moves(b.events, "STOP_MOVE"), []);
  assert.equal(exits(b.events)[0]!.by, "atr_stop");
});

Deno.test("breakeven: after +1R the stop moves to the fill + 1 tick and locks it in; +N points, offsets, the fill's slippage", () => {
  const { t, events } = trader({ stops: new BreakevenStop(TICK, 1, "r") });
  // Entry 4500, stop 4498: R = 2 points, trigger at 4502.
  t.signal(pts("LONG", 2, 5), 4500, T, {});
  t.onTick(T + 1, 4501.75, 1); // short of the trigger
  assert.deepEqual(moves(events, "STOP_MOVE"), []);
  t.onTick(T + 2, 4502, 1);
  t.onTick(T + 3, 4504, 1); // once only
  assert.deepEqual(moves(events, "STOP_MOVE"), [[4498, 4500.25, "BREAKEVEN"]]);
  t.onTick(T + 4, 4500.25, 1); // at the breakeven stop: fills at the print
  const [x] = exits(events);
  assert.deepEqual([x!.price, x!.by, x!.pnlPoints], [4500.25, "breakeven", 0.25]);
  // +0.25 x $5 = 1.25, commission 1.24: net 0.01.
  assert.equal(x!.netPnl, 0.01);

  // Entry slippage: the order at 4500 fills at 4500.25, so breakeven is counted from the fill:
  // R is still 2 (order to stop), the trigger 4502.25, the level 4500.50.
  const f = trader({ stops: new BreakevenStop(TICK, 1, "r"), entrySlippageTicks: 1 });
  f.t.signal(pts("LONG", 2, 5), 4500, T, {});
  f.t.onTick(T + 1, 4502, 1);
  assert.deepEqual(moves(f.events, "STOP_MOVE"), []);
  f.t.onTick(T + 2, 4502.25, 1);
  assert.deepEqual(moves(f.events, "STOP_MOVE"), [[4498, 4500.5, "BREAKEVEN"]]);

  // An offset the trigger print leaves no room for: 3 ticks (4500.75) after 0.5 points. At
  // 4500.50 the stop goes a tick under the print (4500.25), at 4500.75 to 4500.50, at 4501 to
  // the level; then nothing more.
  const o = trader({ stops: new BreakevenStop(TICK, 0.5, "points", 3) });
  o.t.signal(pts("LONG", 2, 5), 4500, T, {});
  for (const [i, p] of [4500.5, 4500.75, 4501, 4502, 4500.75].entries()) {
    o.t.onTick(T + 1 + i, p, 1);
  }
  assert.deepEqual(moves(o.events, "STOP_MOVE"), [
    [4498, 4500.25, "BREAKEVEN"],
    [4500.25, 4500.5, "BREAKEVEN"],
    [4500.5, 4500.75, "BREAKEVEN"],
  ]);
  assert.deepEqual([exits(o.events)[0]!.price, exits(o.events)[0]!.pnlPoints], [4500.75, 0.75]);

  // Points: a short at 4500 with a 1.5-point trigger moves at 4498.50 to 4499.75.
  const s = new BreakevenStop(TICK, 1.5, "points");
  const stop = s.initial(4500, pts("SHORT", 3));
  assert.equal(stop, 4503);
  const view: PositionView = {
    side: "SHORT",
    entryPrice: 4500,
    stop,
    target: 4497,
    filled: 2,
    filledValue: 9000,
  };
  assert.equal(s.onTick!(0, 4498.75, view), undefined);
  assert.deepEqual(s.onTick!(0, 4498.5, view), {
    price: 4499.75,
    reason: "BREAKEVEN",
    by: "breakeven",
  });
  // Until the trader has put the stop there, it asks again; then never.
  assert.equal(s.onTick!(0, 4498, view)!.price, 4499.75);
  assert.equal(s.onTick!(0, 4498, { ...view, stop: 4499.75 }), undefined);
  assert.equal(s.onTick!(0, 4490, { ...view, stop: 4503 }), undefined);
});

Deno.test("movedStop: never on the entry, a tick short of the print, else a tick on the loss side, only tighter", () => {
  // Long, entry 4500: onto the entry -> a tick past it; within a tick of it too.
  assert.equal(movedStop(true, 4500, 4498, 4500, 4503, TICK), 4500.25);
  assert.equal(movedStop(true, 4499.9, 4498, 4500, 4503, TICK), 4500.25);
  // At or through the print -> a tick under it.
  assert.equal(movedStop(true, 4502, 4498, 4500, 4502, TICK), 4501.75);
  assert.equal(movedStop(true, 4503, 4498, 4500, 4502, TICK), 4501.75);
  // The print a tick past the entry leaves no profit-side room: a tick under the entry.
  assert.equal(movedStop(true, 4500.25, 4498, 4500, 4500.25, TICK), 4499.75);
  // Looser or equal: no move.
  assert.equal(movedStop(true, 4499, 4499.5, 4500, 4503, TICK), undefined);
  assert.equal(movedStop(true, 4500.25, 4500.25, 4500, 4503, TICK), undefined);
  // Short mirror.
  assert.equal(movedStop(false, 4500, 4502, 4500, 4497, TICK), 4499.75);
  assert.equal(movedStop(false, 4497, 4502, 4500, 4497.5, TICK), 4497.75);
  assert.equal(movedStop(false, 4499.75, 4502, 4500, 4499.75, TICK), 4500.25);
  // An off-grid entry (4500.10, another contract's print): 4500.00 is within a tick of it,
  // so the stop goes to the first grid price a full tick above, 4500.50.
  assert.equal(movedStop(true, 4500, 4498, 4500.1, 4503, TICK), 4500.5);
  // A GC grid: 0.1 ticks, binary noise kept off.
  assert.equal(movedStop(true, 1300.1, 1299, 1300.1, 1301, 0.1), 1300.2);
});

Deno.test("swing: one tick beyond the lookback's lowest low, or the ATR stop beyond the max risk", () => {
  const s = new SwingStop(TICK, 3, 4);
  s.observeBar(bar(4496, 4501, 0)); // falls out of the 3-bar lookback
  s.observeBar(bar(4498.5, 4501, 1));
  s.observeBar(bar(4497.75, 4500, 2));
  s.observeBar(bar(4499, 4500.5, 3));
  const atr: EntryIntent = {
    side: "LONG",
    stop: { kind: "atr", multiple: 1.5, atr: 1 },
    target: { kind: "points", points: 3 },
  };
  // Lowest low of the last 3: 4497.75 -> 4497.50; risk 3 points <= 4.
  assert.equal(s.initial(4500.5, atr), 4497.5);
  assert.equal(s.initialBy, "swing_stop");
  // Short: highest high of the last 3 is 4501 -> 4501.25.
  assert.equal(s.initial(4500, { ...atr, side: "SHORT" }), 4501.25);
  // Max risk 2: 4500.50 - 4497.50 = 3 > 2 -> the ATR stop 4500.50 - 1.5 = 4499.00.
  const tight = new SwingStop(TICK, 3, 2);
  for (let i = 1; i <= 3; i++) tight.observeBar(bar([4498.5, 4497.75, 4499][i - 1]!, 4501, i));
  assert.equal(tight.initial(4500.5, atr), 4499);
  assert.equal(tight.initialBy, "atr_stop");
  // A swing low above the entry (price fell below it) still leaves the stop a tick under.
  const above = new SwingStop(TICK, 1, 4);
  above.observeBar(bar(4501, 4502));
  assert.equal(above.initial(4500, atr), 4499.75);
  // No bar yet: the ATR stop.
  assert.equal(new SwingStop(TICK, 5, 4).initial(4500.5, atr), 4499);
});

Deno.test("swing through the trader: the engine's bars feed the lookback; the exit counts as swing_stop", () => {
  const { t, events } = trader({ stops: new SwingStop(TICK, 2, 4) });
  t.onBarClose(T - 30_000, bar(4499, 4501, 0));
  t.onBarClose(T, bar(4498.25, 4500, 1));
  t.signal(pts("LONG", 1), 4500, T, {});
  const entry = events[0]!;
  assert.ok(entry.kind === "ENTRY");
  assert.equal(entry.stop, 4498); // 4498.25 - a tick
  t.onTick(T + 1, 4497.75, 1);
  assert.equal(exits(events)[0]!.by, "swing_stop");
});

Deno.test("r_multiple: the target is N x the initial stop distance", () => {
  const r = new RMultipleTarget(TICK, 2);
  assert.equal(r.initial(4501, pts("LONG", 1.5), 4499.5), 4504); // 2 x 1.5
  assert.equal(r.initial(4501, pts("SHORT", 1.5), 4502.5), 4498);
  // 1.5 x 1.25 = 1.875 -> on the grid: 4502.875 rounds (half away from the entry) to 4503.
  assert.equal(new RMultipleTarget(TICK, 1.5).initial(4501, pts("LONG", 1.25), 4499.75), 4503);
  const { t, events } = trader({ targets: new RMultipleTarget(TICK, 2) });
  t.signal(pts("LONG", 1.5), 4501, T, {});
  const e = events[0]!;
  assert.ok(e.kind === "ENTRY");
  assert.equal(e.target, 4504);
  t.onTick(T + 1, 4504, 1);
  assert.equal(exits(events)[0]!.by, "r_target");
  assert.equal(exits(events)[0]!.pnlPoints, 3);
});

Deno.test("trailing target: arms at the target, moves ahead of each best, exits on a give-back", () => {
  const targets = new TrailingTarget(TICK, 1, new FixedTarget(TICK));
  const { t, events } = trader({ targets });
  t.signal(pts("LONG", 2, 3), 4500, T, {}); // target 4503
  t.onTick(T + 1, 4503, 1); // armed: target 4504, no exit
  t.onTick(T + 2, 4503.5, 1); // new best: 4504.50
  t.onTick(T + 3, 4502.75, 1); // gave back 0.75 < 1: still open
  assert.deepEqual(moves(events, "TARGET_MOVE"), [
    [4503, 4504, "TRAIL_ARMED"],
    [4504, 4504.5, "TRAIL"],
  ]);
  assert.equal(exits(events).length, 0);
  t.onTick(T + 4, 4502.5, 1); // 1 point back from 4503.50: exits at the print
  const [x] = exits(events);
  assert.equal(x!.reason, "TARGET");
  assert.equal(x!.price, 4502.5);
  assert.equal(x!.by, "trailing_target");
  assert.equal(x!.pnlPoints, 2.5);
});

Deno.test("scale-out: 1 of 3 at the first target, the rest at the runner target, one trade id", () => {
  const { t, events } = trader({ contracts: 3, scaleOut: { contracts: 1, runnerPoints: 6 } });
  t.signal(pts("LONG", 2, 3), 4500, T, {}); // stop 4498, target 4503
  t.onTick(T + 1, 4503, 1);
  assert.deepEqual(moves(events, "TARGET_MOVE"), [[4503, 4506, "SCALE_OUT"]]);
  assert.equal(t.busy, true);
  t.onTick(T + 2, 4506.25, 1);
  const [a, b] = exits(events);
  assert.equal(a!.tradeId, "RUN-1");
  assert.equal(b!.tradeId, "RUN-1");
  // Part 1: 1 contract, 3 points x $5 = 15, commission 2 x 0.62 = 1.24, net 13.76.
  assert.deepEqual(
    [a!.qty, a!.remaining, a!.price, a!.grossPnl, a!.commission, a!.netPnl, a!.by],
    [1, 2, 4503, 15, 1.24, 13.76, "scale_out"],
  );
  // Part 2: 2 contracts, 6 points x $5 x 2 = 60, commission 2.48, net 57.52.
  assert.deepEqual(
    [b!.qty, b!.remaining, b!.price, b!.grossPnl, b!.commission, b!.netPnl, b!.by],
    [2, undefined, 4506, 60, 2.48, 57.52, "points_target"],
  );
  assert.equal(t.busy, false);
  assert.equal(t.tradesOpened, 1);
  // The runner stopped out instead: 2 x -2 points = -20 gross.
  const s = trader({ contracts: 3, scaleOut: { contracts: 1, runnerPoints: 6 } });
  s.t.signal(pts("LONG", 2, 3), 4500, T, {});
  s.t.onTick(T + 1, 4503.5, 1);
  s.t.onTick(T + 2, 4498, 1);
  const stop = exits(s.events)[1]!;
  assert.deepEqual([stop.qty, stop.grossPnl, stop.netPnl, stop.by], [2, -20, -22.48, "atr_stop"]);
});

Deno.test("property: the initial stop is a tick or more on the loss side; a move never loosens, never sits on the entry, stays a tick short of its print", () => {
  // Runs whose stop moved past the fill into profit: the property must cover them.
  let inProfit = 0;
  fc.assert(
    fc.property(
      fc.constantFrom("LONG", "SHORT") as fc.Arbitrary<Side>,
      fc.integer({ min: 16_000, max: 24_000 }), // entry in ticks
      fc.constantFrom(0, 0.1, 0.13), // off-grid entries (another contract's ticks)
      fc.double({ min: 0.01, max: 3, noNaN: true }), // stop distance in points
      fc.constantFrom("trailing", "breakeven_r", "breakeven_pts", "swing"),
      fc.double({ min: 0.05, max: 2, noNaN: true }), // breakeven after (R or points)
      fc.integer({ min: 1, max: 6 }), // breakeven offset ticks
      fc.constantFrom(0, 1, 2), // entry slippage ticks: the fill is not the order price
      fc.array(fc.integer({ min: -40, max: 40 }), { minLength: 1, maxLength: 60 }),
      (side, entryTicks, off, dist, mode, after, offset, slip, steps) => {
        const entry = entryTicks * TICK + off;
        const stops: StopManager = mode === "trailing"
          ? new TrailingAtrStop(TICK)
          : mode === "swing"
          ? new SwingStop(TICK, 2, 100)
          : new BreakevenStop(TICK, after, mode === "breakeven_r" ? "r" : "points", offset);
        if (mode === "swing") stops.observeBar!(bar(entry - dist, entry + dist));
        const { t, events } = trader({ stops, entrySlippageTicks: slip });
        t.signal(pts(side, dist, 1000), entry, T, {});
        const long = side === "LONG";
        const first = events[0]!;
        assert.ok(first.kind === "ENTRY");
        // The initial stop: on the loss side of the entry order, a full tick or more away.
        assert.ok(
          long ? first.stop <= entry - TICK + 1e-9 : first.stop >= entry + TICK - 1e-9,
          `initial stop ${first.stop} for ${side} ${entry}`,
        );
        const fill = events[1]!;
        assert.ok(fill.kind === "FILL");
        const prints = new Map<number, number>();
        let price = entry;
        for (const [i, s] of steps.entries()) {
          price = Math.max(TICK, price + s * TICK);
          prints.set(T + i + 1, price);
          t.onTick(T + i + 1, price, 1);
          if (!t.busy) break;
        }
        let last = first.stop;
        for (const e of events) {
          if (e.kind !== "STOP_MOVE") continue;
          const at = prints.get(e.time)!;
          assert.equal(e.old, last);
          assert.ok(long ? e.price > e.old : e.price < e.old, `loosened ${e.old} -> ${e.price}`);
          assert.ok(
            Math.abs(e.price - fill.price) >= TICK - 1e-9,
            `moved stop ${e.price} on the fill ${fill.price}`,
          );
          assert.ok(
            long ? e.price <= at - TICK + 1e-9 : e.price >= at + TICK - 1e-9,
            `moved stop ${e.price} not a tick short of its print ${at} (${side})`,
          );
          assert.equal(e.price, Number((Math.round(e.price / TICK) * TICK).toFixed(2)));
          last = e.price;
        }
        if (long ? last > fill.price : last < fill.price) inProfit++;
      },
    ),
    { numRuns: 2000 },
  );
  assert.ok(inProfit > 200, `only ${inProfit} of 2000 runs moved a stop into profit`);
});
