/**
 * MAE and MFE (issue 10): the worst and best excursion of a trade while open, tracked by the
 * paper trader on every print and journaled on the EXIT line (`MAE=`, `MFE=`), worked by hand.
 */
import assert from "node:assert/strict";
import { recordingTrader } from "./_trader.ts";
import { formatEvent } from "../lib/journal/format.ts";
import { parseJournalText } from "../lib/journal/reader.ts";
import type { EntryIntent } from "../lib/strategy/strategy.ts";
import type { ExitEvent, Side } from "../lib/types.ts";

const T = Date.UTC(2025, 1, 17, 15, 0, 0);
// Stop 1.5 x ATR 1.0 = 1.5 points, target 3 points.
const intent = (side: Side): EntryIntent => ({
  side,
  stop: { kind: "atr", multiple: 1.5, atr: 1 },
  target: { kind: "points", points: 3 },
});

function trader(stopSlippageTicks = 0) {
  const { t, events } = recordingTrader({ stopSlippageTicks, tradeId: (n) => `R-${n}` });
  const exit = () => events.find((e): e is ExitEvent => e.kind === "EXIT");
  return { t, events, exit };
}

Deno.test("MAE/MFE of a long: worst 4500.00 (-1.00), best the print through the target", () => {
  const { t, exit } = trader();
  t.signal(intent("LONG"), 4501, T, {}); // stop 4499.50, target 4504.00
  for (const [i, p] of [4501.5, 4500, 4502, 4503.5, 4502.75].entries()) {
    t.onTick(T + (i + 1) * 1000, p, 1);
  }
  assert.equal(exit(), undefined);
  t.onTick(T + 9000, 4504.25, 1); // through the target: exits at 4504.00 (+3.00)
  const x = exit()!;
  // The print that fills the target traded at 4504.25 while the trade was open: MFE +3.25
  // (before it the best was +2.50, at 4503.50).
  assert.deepEqual([x.pnlPoints, x.mae, x.mfe], [3, -1, 3.25]);
});

Deno.test("MAE/MFE of a short stopped with slippage: the fill beyond the print is the worst", () => {
  const { t, exit } = trader(1);
  t.signal(intent("SHORT"), 4510, T, {}); // stop 4511.50, target 4507.00
  t.onTick(T + 1000, 4508.75, 1); // +1.25 in favour
  t.onTick(T + 2000, 4511, 1); // -1.00
  t.onTick(T + 3000, 4511.5, 1); // the stop: filled 1 tick worse, 4511.75 (-1.75)
  const x = exit()!;
  assert.deepEqual([x.price, x.pnlPoints, x.mae, x.mfe], [4511.75, -1.75, -1.75, 1.25]);
});

Deno.test("MAE/MFE go on the EXIT line and read back; a journal without them still reads", () => {
  const { t, events, exit } = trader();
  t.signal(intent("LONG"), 4501, T, {});
  t.onTick(T + 1000, 4500.25, 1);
  t.close("END", 4501.25, T + 2000);
  const x = exit()!;
  assert.deepEqual([x.mae, x.mfe], [-0.75, 0.25]);
  const opts = { timeZone: "UTC", priceDecimals: 2 };
  const line = formatEvent(x, opts);
  assert.match(line, / \| MAE=-0\.75 \| MFE=0\.25$/);
  const back = parseJournalText(line + "\n", { source: "t" }).events[0] as ExitEvent;
  assert.deepEqual([back.mae, back.mfe], [-0.75, 0.25]);
  const old = parseJournalText(line.replace(/ \| MAE=.*$/, "") + "\n", { source: "t" })
    .events[0] as ExitEvent;
  assert.deepEqual([old.mae, old.mfe, old.netPnl], [undefined, undefined, x.netPnl]);
  assert.equal(events.filter((e) => e.kind === "EXIT").length, 1);
});

Deno.test("a trade resumed after a restart has no MAE/MFE (its excursions before are unknown)", () => {
  const { t, exit } = trader();
  t.resume({
    tradeId: "R-1",
    side: "LONG",
    ordered: 1,
    filled: 1,
    filledValue: 4501,
    entryPrice: 4501,
    stop: 4499.5,
    target: 4504,
    entryTime: T,
    fills: 1,
  }, 1);
  t.onTick(T + 1000, 4504.25, 1);
  const x = exit()!;
  assert.equal(x.reason, "TARGET");
  assert.deepEqual([x.mae, x.mfe], [undefined, undefined]);
});
