import assert from "node:assert/strict";
import { parseJournalText } from "../lib/journal/reader.ts";
import { ReportAccumulator } from "../lib/report/accumulator.ts";
import { TradingDays } from "../lib/data/trading_day.ts";
import { formatTradeCsv, TRADE_CSV_HEADER, TradeRows } from "../lib/report/trades_out.ts";
import type { ExitEvent, JournalEvent } from "../lib/types.ts";
import {
  computeReport,
  formatDuration,
  formatReport,
  type Report,
  reportToJson,
} from "../lib/report/report.ts";

// A hand-made journal: MES (5 USD per point, tick 0.25), commission 0.625 per contract per
// side = 1.25 per contract round trip. Times are CST (UTC-6).
//
//  id  side   qty  entry (first fill)        exit                      pts/ct  gross   comm   net     hold
//  T1  LONG   1    02-17 09:00:00 @4501.00   TARGET 09:02:00 @4504.00  +3.00   15.00   1.25   13.75   120 s
//  T2  SHORT  1    02-17 09:10:00 @4510.00   STOP   09:11:30 @4511.50  -1.50   -7.50   1.25   -8.75    90 s
//  T3  LONG   2    02-17 09:20:00 @4505.00   STOP   09:25:00 @4503.50  -1.50  -15.00   2.50  -17.50   300 s
//      (two fills of 1: 09:20:00 and 09:20:10 -> a partial-fill trade)
//  T4  LONG   1/3  02-17 09:40:00 @4500.00   MANUAL 09:41:00 @4500.25  +0.25    1.25   1.25    0.00    60 s
//      (1 of 3 filled, 2 cancelled -> breakeven)
//  T5  SHORT  1    02-18 09:05:00 @4520.00   TARGET 09:08:20 @4517.00  +3.00   15.00   1.25   13.75   200 s
//  T8  LONG   1    02-18 10:00:00 entry cancelled before any fill (MANUAL)
//  T6  LONG   2    02-18 14:50:00 @4515.00   END    15:00:00 @4517.00  +2.00   20.00   2.50   17.50   600 s
//  T7  LONG   1    02-19 09:00:00 @4530.00   (no exit: run C crashed -> open trade)
const TEXT = [
  "2025-02-17T08:30:00-06:00 | SESSION_START | RunID=A | Version=0.1.0 | Config=abc | Source=file:a.csv | Symbol=MES | Multiplier=5 | TickSize=0.25 | Currency=USD",
  "2025-02-17T09:00:00-06:00 | ENTRY | TradeID=A-1 | Side=LONG | Entry=4501.00 | Stop=4499.50 | TP=4504.00 | Size=1 | EMA9=4500.6250 | EMA21=4499.8125 | RSI9=61.2000 | ATR9=1.0000 | VWAP=4498.5000 | RVOL=1.8000",
  "2025-02-17T09:00:00-06:00 | FILL | TradeID=A-1 | Price=4501.00 | Qty=1 | Filled=1 | Remaining=0",
  "2025-02-17T09:02:00-06:00 | EXIT | TradeID=A-1 | Side=LONG | Reason=TARGET | Exit=4504.00 | Qty=1 | AvgEntry=4501.00 | EntryTime=2025-02-17T09:00:00-06:00 | PnLPts=3.00 | PnLTicks=12 | Gross=15.00 | Commission=1.25 | Net=13.75",
  "2025-02-17T09:10:00-06:00 | ENTRY | TradeID=A-2 | Side=SHORT | Entry=4510.00 | Stop=4511.50 | TP=4507.00 | Size=1 | EMA9=4510.5000 | EMA21=4511.0000 | RSI9=40.0000 | ATR9=1.0000 | VWAP=4512.0000 | RVOL=2.0000",
  "2025-02-17T09:10:00-06:00 | FILL | TradeID=A-2 | Price=4510.00 | Qty=1 | Filled=1 | Remaining=0",
  "2025-02-17T09:11:30-06:00 | EXIT | TradeID=A-2 | Side=SHORT | Reason=STOP | Exit=4511.50 | Qty=1 | AvgEntry=4510.00 | EntryTime=2025-02-17T09:10:00-06:00 | PnLPts=-1.50 | PnLTicks=-6 | Gross=-7.50 | Commission=1.25 | Net=-8.75",
  "2025-02-17T09:20:00-06:00 | ENTRY | TradeID=A-3 | Side=LONG | Entry=4505.00 | Stop=4503.50 | TP=4508.00 | Size=2 | EMA9=4504.0000 | EMA21=4503.0000 | RSI9=58.0000 | ATR9=1.0000 | VWAP=4502.0000 | RVOL=1.6000",
  "2025-02-17T09:20:00-06:00 | FILL | TradeID=A-3 | Price=4505.00 | Qty=1 | Filled=1 | Remaining=1",
  "2025-02-17T09:20:10-06:00 | FILL | TradeID=A-3 | Price=4505.00 | Qty=1 | Filled=2 | Remaining=0",
  "2025-02-17T09:25:00-06:00 | EXIT | TradeID=A-3 | Side=LONG | Reason=STOP | Exit=4503.50 | Qty=2 | AvgEntry=4505.00 | EntryTime=2025-02-17T09:20:00-06:00 | PnLPts=-1.50 | PnLTicks=-6 | Gross=-15.00 | Commission=2.50 | Net=-17.50",
  "2025-02-17T09:40:00-06:00 | ENTRY | TradeID=A-4 | Side=LONG | Entry=4500.00 | Stop=4498.50 | TP=4503.00 | Size=3 | EMA9=4499.5000 | EMA21=4499.0000 | RSI9=55.0000 | ATR9=1.0000 | VWAP=4499.0000 | RVOL=1.5000",
  "2025-02-17T09:40:00-06:00 | FILL | TradeID=A-4 | Price=4500.00 | Qty=1 | Filled=1 | Remaining=2",
  "2025-02-17T09:41:00-06:00 | CANCEL | TradeID=A-4 | Qty=2 | Reason=EXIT_BEFORE_COMPLETE",
  "2025-02-17T09:41:00-06:00 | EXIT | TradeID=A-4 | Side=LONG | Reason=MANUAL | Exit=4500.25 | Qty=1 | AvgEntry=4500.00 | EntryTime=2025-02-17T09:40:00-06:00 | PnLPts=0.25 | PnLTicks=1 | Gross=1.25 | Commission=1.25 | Net=0.00",
  "2025-02-17T10:00:00-06:00 | SESSION_END | RunID=A | Reason=END_OF_DATA | Ticks=5000 | Bars=180 | Trades=4",
  "2025-02-18T08:30:00-06:00 | SESSION_START | RunID=B | Version=0.1.0 | Config=abc | Source=file:b.csv | Symbol=MES | Multiplier=5 | TickSize=0.25 | Currency=USD",
  "2025-02-18T09:05:00-06:00 | ENTRY | TradeID=B-1 | Side=SHORT | Entry=4520.00 | Stop=4521.50 | TP=4517.00 | Size=1 | EMA9=4520.5000 | EMA21=4521.0000 | RSI9=42.0000 | ATR9=1.0000 | VWAP=4522.0000 | RVOL=1.9000",
  "2025-02-18T09:05:00-06:00 | FILL | TradeID=B-1 | Price=4520.00 | Qty=1 | Filled=1 | Remaining=0",
  "2025-02-18T09:08:20-06:00 | EXIT | TradeID=B-1 | Side=SHORT | Reason=TARGET | Exit=4517.00 | Qty=1 | AvgEntry=4520.00 | EntryTime=2025-02-18T09:05:00-06:00 | PnLPts=3.00 | PnLTicks=12 | Gross=15.00 | Commission=1.25 | Net=13.75",
  "2025-02-18T10:00:00-06:00 | ENTRY | TradeID=B-2 | Side=LONG | Entry=4518.00 | Stop=4516.50 | TP=4521.00 | Size=1 | EMA9=4517.5000 | EMA21=4517.0000 | RSI9=52.0000 | ATR9=1.0000 | VWAP=- | RVOL=1.7000",
  "2025-02-18T10:00:30-06:00 | CANCEL | TradeID=B-2 | Qty=1 | Reason=MANUAL",
  "2025-02-18T14:50:00-06:00 | ENTRY | TradeID=B-3 | Side=LONG | Entry=4515.00 | Stop=4513.50 | TP=4518.00 | Size=2 | EMA9=4514.5000 | EMA21=4514.0000 | RSI9=57.0000 | ATR9=1.0000 | VWAP=4512.0000 | RVOL=1.6000",
  "2025-02-18T14:50:00-06:00 | FILL | TradeID=B-3 | Price=4515.00 | Qty=2 | Filled=2 | Remaining=0",
  "2025-02-18T15:00:00-06:00 | EXIT | TradeID=B-3 | Side=LONG | Reason=END | Exit=4517.00 | Qty=2 | AvgEntry=4515.00 | EntryTime=2025-02-18T14:50:00-06:00 | PnLPts=2.00 | PnLTicks=8 | Gross=20.00 | Commission=2.50 | Net=17.50",
  "2025-02-18T15:00:00-06:00 | SESSION_END | RunID=B | Reason=END_OF_DATA | Ticks=6000 | Bars=200 | Trades=2",
  "2025-02-19T08:30:00-06:00 | SESSION_START | RunID=C | Version=0.1.0 | Config=abc | Source=ib:127.0.0.1:7497 | Symbol=MES | Multiplier=5 | TickSize=0.25 | Currency=USD",
  "2025-02-19T09:00:00-06:00 | ENTRY | TradeID=C-1 | Side=LONG | Entry=4530.00 | Stop=4528.50 | TP=4533.00 | Size=1 | EMA9=4529.5000 | EMA21=4529.0000 | RSI9=60.0000 | ATR9=1.0000 | VWAP=4528.0000 | RVOL=1.9000",
  "2025-02-19T09:00:00-06:00 | FILL | TradeID=C-1 | Price=4530.00 | Qty=1 | Filled=1 | Remaining=0",
].join("\n") + "\n";

const CST = (d: number, h: number, m: number, s = 0) => Date.UTC(2025, 1, d, h + 6, m, s);

function close(actual: number | null, expected: number, what: string): void {
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-9, `${what}: ${actual}`);
}

function report(text: string): Report {
  return computeReport(parseJournalText(text, { source: "report_test" }).events);
}

Deno.test("computeReport counts runs, trades, outcomes, fills, cancels and open trades", () => {
  const r = report(TEXT);
  assert.deepEqual(r.runIds, ["A", "B", "C"]);
  assert.equal(r.runsEnded, 2); // C has no SESSION_END
  assert.equal(r.currency, "USD");
  assert.equal(r.firstTime, CST(17, 8, 30));
  assert.equal(r.lastTime, CST(19, 9, 0));
  assert.equal(r.entries, 8); // A-1..A-4, B-1..B-3, C-1
  assert.equal(r.trades, 6); // six EXIT lines
  assert.equal(r.wins, 3); // T1, T5, T6
  assert.equal(r.losses, 2); // T2, T3
  assert.equal(r.breakeven, 1); // T4
  assert.equal(r.winRate, 0.5); // 3 / 6
  assert.equal(r.partialFills, 1); // only A-3 has two FILL lines
  assert.equal(r.cancels, 2); // A-4 remainder, B-2
  assert.equal(r.cancelledUnfilled, 1); // B-2
  assert.equal(r.openTrades, 1); // C-1
});

Deno.test("computeReport sums P/L in points and currency and derives the ratios", () => {
  const r = report(TEXT);
  // Points x contracts: 3 - 1.5 - 1.5*2 + 0.25 + 3 + 2*2 = 5.75.
  assert.equal(r.grossPoints, 5.75);
  // Gross 15 - 7.5 - 15 + 1.25 + 15 + 20 = 28.75 (= 5.75 * 5).
  assert.equal(r.grossPnl, 28.75);
  // Commission 1.25 + 1.25 + 2.5 + 1.25 + 1.25 + 2.5 = 10.00.
  assert.equal(r.commission, 10);
  // Net 13.75 - 8.75 - 17.5 + 0 + 13.75 + 17.5 = 18.75 (= 28.75 - 10).
  assert.equal(r.netPnl, 18.75);
  // Net points 18.75 / 5 = 3.75 (= 5.75 - 10 / 5).
  assert.equal(r.netPoints, 3.75);
  // Winners 13.75 + 13.75 + 17.5 = 45; losers -8.75 - 17.5 = -26.25; 45 / 26.25 = 12 / 7.
  close(r.profitFactor, 12 / 7, "profit factor");
  close(r.avgTrade, 18.75 / 6, "avg trade"); // 3.125
  close(r.avgWin, 15, "avg win"); // 45 / 3
  close(r.avgLoss, -13.125, "avg loss"); // -26.25 / 2
  close(r.payoffRatio, 8 / 7, "payoff"); // 15 / 13.125
  // 0.5 * 15 + (2/6) * -13.125 = 7.5 - 4.375 = 3.125 = average trade.
  close(r.expectancy, 3.125, "expectancy");
});

Deno.test("computeReport finds the max drawdown, its recovery, streaks and hold times", () => {
  const r = report(TEXT);
  // Equity after each exit: 13.75 (peak, 02-17 09:02), 5.00, -12.50 (trough, 09:25),
  // -12.50, 1.25, 18.75 (>= 13.75: recovered at 02-18 15:00).
  assert.equal(r.maxDrawdown, 26.25); // 13.75 - (-12.50)
  assert.equal(r.maxDrawdownPeakTime, CST(17, 9, 2));
  assert.equal(r.maxDrawdownTroughTime, CST(17, 9, 25));
  assert.equal(r.maxDrawdownRecoveryTime, CST(18, 15, 0));
  // 02-17 09:02 -> 02-18 15:00 = 24 h + 5 h 58 min = 107 880 s.
  assert.equal(r.maxDrawdownDurationMs, 107_880_000);
  // Outcomes in time order: W L L BE W W.
  assert.equal(r.longestLosingStreak, 2);
  assert.equal(r.longestWinningStreak, 2);
  // Holds 120, 90, 300, 60, 200, 600 s: mean 1370 / 6 s; sorted middle (120 + 200) / 2 = 160 s.
  close(r.avgHoldMs, 1_370_000 / 6, "avg hold");
  assert.equal(r.medianHoldMs, 160_000);
});

Deno.test("computeReport orders exits by time when runs were appended out of order", () => {
  // Run B (02-18) written before run A (02-17): the equity curve, streaks and hold times are
  // taken in time order, so every figure but the run order equals the in-order journal's.
  const lines = TEXT.split("\n");
  const swapped = [...lines.slice(16, 26), ...lines.slice(0, 16), ...lines.slice(26)].join("\n");
  const r = report(swapped);
  const { runIds, ...rest } = report(TEXT);
  assert.deepEqual(r.runIds, ["B", "A", "C"]);
  assert.deepEqual(runIds, ["A", "B", "C"]);
  assert.deepEqual({ ...r, runIds }, { ...rest, runIds });
  // The in-order figures, worked out above: peak 02-17 09:02, trough 09:25, W L L BE W W.
  assert.equal(r.maxDrawdown, 26.25);
  assert.equal(r.maxDrawdownTroughTime, CST(17, 9, 25));
  assert.equal(r.maxDrawdownRecoveryTime, CST(18, 15, 0));
  assert.equal(r.longestLosingStreak, 2);
  assert.equal(r.medianHoldMs, 160_000);
});

Deno.test("computeReport splits trades by exit reason and by side", () => {
  const r = report(TEXT);
  assert.deepEqual(r.byReason, {
    TARGET: { trades: 2, netPnl: 27.5 }, // 13.75 + 13.75
    STOP: { trades: 2, netPnl: -26.25 }, // -8.75 - 17.5
    MANUAL: { trades: 1, netPnl: 0 },
    END: { trades: 1, netPnl: 17.5 },
  });
  assert.deepEqual(r.bySide, {
    LONG: { trades: 4, wins: 2, losses: 1, netPnl: 13.75 }, // 13.75 - 17.5 + 0 + 17.5
    SHORT: { trades: 2, wins: 1, losses: 1, netPnl: 5 }, // -8.75 + 13.75
  });
});

Deno.test("computeReport measures an unrecovered drawdown to the last exit", () => {
  // Run A alone: equity 13.75, 5.00, -12.50, -12.50; never back to 13.75.
  const runA = TEXT.split("\n").slice(0, 16).join("\n") + "\n";
  const r = report(runA);
  assert.equal(r.maxDrawdown, 26.25);
  assert.equal(r.maxDrawdownRecoveryTime, null);
  // Peak 09:02:00 -> last exit 09:41:00 = 39 min.
  assert.equal(r.maxDrawdownDurationMs, 39 * 60_000);
  assert.equal(r.netPnl, -12.5);
  assert.equal(r.openTrades, 0);
  assert.equal(r.runsEnded, 1);
});

Deno.test("computeReport starts the equity curve at 0 at the first event", () => {
  // Only the session start and the losing T2: peak 0 at 08:30, trough -8.75 at 09:11:30.
  const lines = TEXT.split("\n");
  const r = report([lines[0], lines[4], lines[5], lines[6]].join("\n") + "\n");
  assert.equal(r.maxDrawdown, 8.75);
  assert.equal(r.maxDrawdownPeakTime, CST(17, 8, 30));
  // 08:30:00 -> 09:11:30 = 41 min 30 s.
  assert.equal(r.maxDrawdownDurationMs, 2_490_000);
  assert.equal(r.profitFactor, 0); // no winners: 0 / 8.75
  assert.equal(r.avgWin, null);
  assert.equal(r.payoffRatio, null);
});

Deno.test("computeReport of no trades gives zeros and nulls, not NaN", () => {
  const r = computeReport([]);
  assert.equal(r.trades, 0);
  assert.equal(r.winRate, null);
  assert.equal(r.profitFactor, null);
  assert.equal(r.avgTrade, null);
  assert.equal(r.maxDrawdown, 0);
  assert.equal(r.maxDrawdownDurationMs, null);
  assert.equal(r.medianHoldMs, null);
  assert.equal(r.currency, null);
  assert.equal(r.netPoints, 0);
});

Deno.test("computeReport refuses to sum runs in different currencies", () => {
  const other = TEXT.replace(
    "RunID=B | Version=0.1.0 | Config=abc | Source=file:b.csv | Symbol=MES | Multiplier=5 | TickSize=0.25 | Currency=USD",
    "RunID=B | Version=0.1.0 | Config=abc | Source=file:b.csv | Symbol=XINA50 | Multiplier=1 | TickSize=1 | Currency=CNH",
  );
  assert.throws(() => report(other), {
    name: "RangeError",
    message: "Cannot report runs in different currencies: USD, CNH",
  });
});

Deno.test("formatDuration shows hours, minutes and seconds", () => {
  assert.equal(formatDuration(107_880_000), "29h 58m 00s");
  assert.equal(formatDuration(160_000), "2m 40s");
  assert.equal(formatDuration(1_500), "1.5s");
  assert.equal(formatDuration(0), "0s");
});

Deno.test("formatReport shows the key figures in aligned rows", () => {
  const text = formatReport(report(TEXT), { timeZone: "America/Chicago" });
  // The figure rows, before the per-day table.
  const lines = text.split("\n\n")[0]!.split("\n");
  // Every value starts in the same column.
  const cols = new Set(lines.map((l) => l.search(/(?<=: +)\S/)));
  assert.equal(cols.size, 1, text);
  assert.match(text, /^Net P\/L: +18\.75 USD$/m);
  assert.match(text, /^Win rate: +50\.00%$/m);
  assert.match(text, /^Profit factor: +1\.71$/m); // 12 / 7 = 1.714...
  assert.match(text, /^Max drawdown: +26\.25 USD over 29h 58m 00s$/m);
  assert.match(
    text,
    /^Drawdown times: +peak 2025-02-17T09:02:00-06:00, trough 2025-02-17T09:25:00-06:00, recovered 2025-02-18T15:00:00-06:00$/m,
  );
  assert.match(text, /^Trades: +6 closed, 1 open, 8 entries$/m);
  assert.match(text, /^Sides: +LONG 4 \(2W\/1L, 13\.75\), SHORT 2 \(1W\/1L, 5\.00\)$/m);
  assert.match(text, /^Hold time: +avg 3m 48\.3s, median 2m 40s$/m); // 228.33 s, 160 s
  assert.match(
    text,
    /^Exit reasons: +TARGET 2 \(27\.50\), STOP 2 \(-26\.25\), MANUAL 1 \(0\.00\), END 1 \(17\.50\)$/m,
  );
});

Deno.test("reportToJson writes stable keys, ISO UTC times and null ratios", () => {
  const json = JSON.parse(reportToJson(report(TEXT)));
  assert.deepEqual(Object.keys(json).slice(0, 6), [
    "schema",
    "runIds",
    "runsEnded",
    "currency",
    "firstTime",
    "lastTime",
  ]);
  assert.equal(json.schema, "scalpbot.report/1");
  assert.equal(json.netPnl, 18.75);
  assert.equal(json.maxDrawdownPeakTime, "2025-02-17T15:02:00.000Z"); // 09:02 CST
  assert.equal(json.maxDrawdownDurationMs, 107_880_000);
  assert.deepEqual(json.bySide.SHORT, { trades: 2, wins: 1, losses: 1, netPnl: 5 });
  const empty = JSON.parse(reportToJson(computeReport([])));
  assert.equal(empty.profitFactor, null);
  assert.equal(empty.firstTime, null);
});

Deno.test("per-day figures of the hand-made journal: trades, net, win rate, intraday drawdown", () => {
  const r = report(TEXT);
  // UTC dates of the exits: 02-17 (T1..T4 at 15:02..15:41), 02-18 (T5 15:08:20, T6 21:00).
  // 02-17 equity 13.75 (peak), 5.00, -12.50, -12.50: drawdown 26.25; 1 win of 4.
  assert.deepEqual(r.byDay, [
    { date: "2025-02-17", trades: 4, netPnl: -12.5, winRate: 0.25, maxDrawdown: 26.25 },
    { date: "2025-02-18", trades: 2, netPnl: 31.25, winRate: 1, maxDrawdown: 0 },
  ]);
  const text = formatReport(r);
  assert.match(text, /^2025-02-17 +4 +-12\.50 +25\.0% +26\.25$/m);
  assert.match(text, /^2025-02-18 +2 +31\.25 +100\.0% +0\.00$/m);
  assert.deepEqual(JSON.parse(reportToJson(r)).byDay, r.byDay);
  // Trading days of the exchange: the same two days in Chicago (CME day from 17:00 on).
  const days = new TradingDays("America/Chicago", ["17:00"]);
  const acc = new ReportAccumulator({ dayOf: (t) => days.dayOf(t) });
  for (const e of parseJournalText(TEXT, { source: "t" }).events) acc.add(e);
  assert.deepEqual(acc.report().byDay.map((d) => d.date), ["2025-02-17", "2025-02-18"]);
  // Exchange hours: T1..T5 exit at 9h Chicago, T6 at 15h.
  const local = new ReportAccumulator({ hourOf: (t) => days.hourOf(t) });
  for (const e of parseJournalText(TEXT, { source: "t" }).events) local.add(e);
  assert.deepEqual(local.report().byHour.map((h) => [h.hour, h.trades]), [[9, 5], [15, 1]]);
  // 17:00 Chicago is the next trading day; 16:59 is not.
  assert.equal(days.dayOf(CST(18, 17, 0)), "2025-02-19");
  assert.equal(days.dayOf(CST(18, 16, 59)), "2025-02-18");
});

Deno.test("largest win and loss, max hold, Sharpe and Sortino, R, commission share, hours", () => {
  const r = report(TEXT);
  assert.equal(r.largestWin, 17.5); // T6
  assert.equal(r.largestLoss, -17.5); // T3
  assert.equal(r.maxHoldMs, 600_000); // T6: 14:50 -> 15:00
  // Daily nets -12.50 and 31.25: mean 9.375, sample sd sqrt(2 x 21.875^2) = 30.9359...
  // Sharpe 9.375 / 30.9359 x sqrt(252) = 4.8107...; downside sqrt(12.5^2 / 2) = 8.8388...,
  // Sortino 9.375 / 8.8388 x sqrt(252) = 16.8375...
  // Reported to 6 decimals.
  const near = (x: number | null, want: number) => x !== null && Math.abs(x - want) < 1e-6;
  assert.ok(near(r.sharpe, (9.375 / Math.sqrt(2 * 21.875 ** 2)) * Math.sqrt(252)), "sharpe");
  assert.ok(near(r.sortino, (9.375 / Math.sqrt(12.5 ** 2 / 2)) * Math.sqrt(252)), "sortino");
  assert.ok(Math.abs(r.sharpe! - 4.8107) < 1e-4 && Math.abs(r.sortino! - 16.8375) < 1e-4);
  // Risk entry to stop is 1.5 points for every trade: R = 2, -1, -1, 1/6, 2, 4/3; mean 3.5 / 6.
  assert.equal(r.expectancyR, 0.583333);
  // Commission 10.00 of gross 28.75.
  assert.equal(r.commissionShare, 0.347826);
  // Exit hours (UTC): five at 15h, T6 at 21h.
  assert.deepEqual(r.byHour, [
    { hour: 15, trades: 5, netPnl: 1.25 },
    { hour: 21, trades: 1, netPnl: 17.5 },
  ]);
  assert.equal(r.byManager, null);
  const text = formatReport(r);
  assert.match(text, /^Largest win\/loss: +17\.50 USD \/ -17\.50 USD$/m);
  assert.match(
    text,
    /^Sharpe\/Sortino: +4\.81 \/ 16\.84 \(daily net P\/L, 2 day\(s\) with trades, x sqrt\(252\)\)$/m,
  );
  assert.match(text, /^Expectancy \(R\): +0\.583 R$/m);
  assert.match(text, /^Commission share: +34\.78% of gross$/m);
  assert.match(text, /^Exits by hour: +15h 5, 21h 1$/m);
  // One day only: no ratio (a spread needs two days).
  const one = report(TEXT.split("\n").filter((l) => !l.includes("2025-02-18")).join("\n"));
  assert.equal(one.sharpe, null);
});

Deno.test("exits by manager are shown when the EXIT lines name one", () => {
  const exit = (id: string, net: number, by?: string): JournalEvent => ({
    kind: "EXIT",
    time: CST(17, 9, 5),
    tradeId: id,
    side: "LONG",
    reason: "STOP",
    price: 4500,
    qty: 1,
    entryPrice: 4500,
    entryTime: CST(17, 9, 0),
    pnlPoints: net / 5,
    pnlTicks: net / 1.25,
    grossPnl: net,
    commission: 0,
    netPnl: net,
    ...(by === undefined ? {} : { by }),
  } as ExitEvent);
  const r = computeReport([
    exit("a", 5, "trailing_stop"),
    exit("b", -2.5, "trailing_stop"),
    exit("c", 1),
  ]);
  assert.deepEqual(r.byManager, { trailing_stop: { trades: 2, netPnl: 2.5 } });
  assert.match(formatReport(r), /^Exits by manager: +trailing_stop 2 \(2\.50\)$/m);
});

Deno.test("per-trade rows of the hand-made journal: fills, R, hold, CSV columns", () => {
  const rows = new TradeRows();
  const out = [];
  for (const e of parseJournalText(TEXT, { source: "t" }).events) {
    const row = rows.add(e);
    if (row !== undefined) out.push(row);
  }
  assert.equal(out.length, 6);
  // T3: two fills, 2 contracts, -1.5 points on a 1.5-point risk: -1 R, held 300 s.
  assert.deepEqual(out[2], {
    id: "A-3",
    side: "LONG",
    qty: 2,
    entryTime: "2025-02-17T15:20:00.000Z",
    entryPrice: 4505,
    exitTime: "2025-02-17T15:25:00.000Z",
    exitPrice: 4503.5,
    fills: 2,
    reason: "STOP",
    by: null,
    points: -1.5,
    gross: -15,
    commission: 2.5,
    net: -17.5,
    r: -1,
    mae: null,
    mfe: null,
    holdSeconds: 300,
  });
  assert.equal(
    formatTradeCsv(out[2]!),
    "A-3,LONG,2,2025-02-17T15:20:00.000Z,4505,2025-02-17T15:25:00.000Z,4503.5,2,STOP,,-1.5," +
      "-15,2.5,-17.5,-1,,,300",
  );
  assert.equal(TRADE_CSV_HEADER.split(",").length, formatTradeCsv(out[2]!).split(",").length);
  // T4: 1 of 3 filled, +0.25 on 1.5 = 1/6 R.
  assert.equal(out[3]!.r, 0.166667);
});
