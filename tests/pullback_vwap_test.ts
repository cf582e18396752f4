/**
 * Issue 7's pullback entry, the parts managers_wiring_test.ts leaves open: the VWAP level
 * (`strategy.pullback_to: vwap`) for a long and a short, and that the resting limit pays no
 * entry slippage even with `fills.entry_slippage_ticks: 1` (the default; limit orders pay 0).
 */
import assert from "node:assert/strict";
import { parseConfigText } from "../lib/config/load.ts";
import { ScalpStrategy } from "../lib/strategy/scalp.ts";
import type { BarContext } from "../lib/strategy/strategy.ts";
import { bar, T, trader } from "./_managers.ts";

/** A closed bar with the scalp values in its declared order: EMA fast, slow, RSI, ATR, VWAP, RVOL. */
function ctx(values: (number | undefined)[], close: number): BarContext {
  return {
    bar: { ...bar(close - 1, close), close },
    values,
    value: () => undefined,
    index: 1,
    canEnter: true,
  };
}

const config = parseConfigText(
  "strategy:\n  trigger: pullback\n  pullback_to: vwap\n  pullback_bars: 3\n" +
    "  short: true\n  calibration_bars: 1\n",
  { source: "t" },
);

Deno.test("pullback_to vwap, long: a buy limit at the cross bar's VWAP (down to the grid), filled there without slippage", () => {
  const strategy = new ScalpStrategy(config);
  assert.equal(strategy.onBar(ctx([4499, 4500, 60, 1, 4498.1, 2], 4500)), undefined); // fast below
  // Fast crosses above slow; close 4502 above VWAP 4498.10, RSI 60, RVOL 2 > 1.5.
  const intent = strategy.onBar(ctx([4500.62, 4500.5, 60, 1, 4498.1, 2], 4502))!;
  assert.deepEqual([intent.side, intent.limit, intent.expiryBars], ["LONG", 4498.1, 3]);

  const { t, events } = trader({ entryPrice: "next_tick", entrySlippageTicks: 1 });
  t.signal(intent, 4502, T, {});
  const entry = events[0]!;
  assert.ok(entry.kind === "ENTRY");
  // 4498.10 -> 4498.00 (a buy limit never above its level); stop 1.5 x ATR 1 below, target +3.
  assert.deepEqual([entry.entry, entry.stop, entry.target], [4498, 4496.5, 4501]);
  t.onTick(T + 1, 4499, 1);
  t.onTick(T + 2, 4498.25, 1); // a tick above the limit: no fill
  assert.equal(events.length, 1);
  t.onTick(T + 3, 4498, 1);
  const fill = events[1]!;
  assert.ok(fill.kind === "FILL");
  assert.deepEqual([fill.price, fill.qty], [4498, 1]); // not 4498.25: a limit pays no slippage
});

Deno.test("pullback_to vwap, short: a sell limit at the VWAP (up to the grid), filled there without slippage", () => {
  const strategy = new ScalpStrategy(config);
  assert.equal(strategy.onBar(ctx([4501, 4500, 40, 1, 4501.1, 2], 4500)), undefined); // fast above
  // Fast crosses below slow; close 4499 below VWAP 4501.10, RSI 40 < 50.
  const intent = strategy.onBar(ctx([4499.5, 4500.2, 40, 1, 4501.1, 2], 4499))!;
  assert.deepEqual([intent.side, intent.limit], ["SHORT", 4501.1]);

  const { t, events } = trader({ entryPrice: "next_tick", entrySlippageTicks: 1 });
  t.signal(intent, 4499, T, {});
  const entry = events[0]!;
  assert.ok(entry.kind === "ENTRY");
  // 4501.10 -> 4501.25 (a sell limit never below its level); stop 1.5 above, target 3 below.
  assert.deepEqual([entry.entry, entry.stop, entry.target], [4501.25, 4502.75, 4498.25]);
  t.onTick(T + 1, 4501, 1); // under the limit: no fill
  assert.equal(events.length, 1);
  t.onTick(T + 2, 4501.5, 1); // through it: fills at the limit
  const fill = events[1]!;
  assert.ok(fill.kind === "FILL");
  assert.deepEqual([fill.price, fill.qty], [4501.25, 1]);
});
