import assert from "node:assert/strict";
import fc from "fast-check";
import { formatEvent, parseJournalLine, priceDecimalsForTick } from "../lib/journal/format.ts";
import { MemoryJournal } from "../lib/journal/writer.ts";
import type { EntryEvent, ExitEvent } from "../lib/types.ts";
import {
  AVG,
  CANCEL,
  END,
  ENTRY,
  ENTRY_LINE,
  EXIT,
  FILL,
  OPTS,
  parseError,
  START,
  START_LINE,
  T0,
} from "./_journal_fixtures.ts";

Deno.test("formatEvent writes the seed's worked ENTRY example exactly, in Chicago time", () => {
  assert.equal(formatEvent(ENTRY, OPTS), ENTRY_LINE);
});

Deno.test("formatEvent percent-escapes | and % in text values (SESSION_START Source)", () => {
  assert.equal(formatEvent(START, OPTS), START_LINE);
});

Deno.test("formatEvent writes FILL, CANCEL, EXIT and SESSION_END lines exactly", () => {
  assert.equal(
    formatEvent(FILL, OPTS),
    "2025-02-17T12:01:00.250-06:00 | FILL | TradeID=20250217-a-1 | Price=4501.00 | Qty=1" +
      " | Filled=1 | Remaining=0",
  );
  assert.equal(
    formatEvent(CANCEL, OPTS),
    "2025-02-17T12:01:30-06:00 | CANCEL | TradeID=20250217-a-2 | Qty=2" +
      " | Reason=EXIT_BEFORE_COMPLETE",
  );
  // AvgEntry 4501.1666.. -> 6 decimals (2 + 4 extra); PnLPts 4504 - 4501.166667 = 2.833333;
  // PnLTicks 2.8333../0.25 = 11.3333; Gross 2.8333.. * 5 * 3 = 42.50; Net 42.50 - 3.72 = 38.78.
  assert.equal(
    formatEvent(EXIT, OPTS),
    "2025-02-17T12:04:30-06:00 | EXIT | TradeID=20250217-a-2 | Side=LONG | Reason=TARGET" +
      " | Exit=4504.00 | Qty=3 | AvgEntry=4501.166667 | EntryTime=2025-02-17T12:01:01.500-06:00" +
      " | PnLPts=2.833333 | PnLTicks=11.3333 | Gross=42.50 | Commission=3.72 | Net=38.78",
  );
  assert.equal(
    formatEvent(END, OPTS),
    "2025-02-17T15:00:00-06:00 | SESSION_END | RunID=20250217-a | Reason=END_OF_DATA" +
      " | Ticks=123456 | Bars=780 | Trades=2",
  );
});

Deno.test("formatEvent writes the context's keys in order as indicator labels, undefined as -", () => {
  const line = formatEvent(
    {
      ...ENTRY,
      context: {
        EMA5: 4500.625,
        EMA13: 4499.8125,
        RSI14: 61.2345,
        ATR10: 1,
        VWAP: undefined,
        RVOL: 1.8,
      },
    },
    { ...OPTS, timeZone: "UTC" },
  );
  assert.match(line, /^2025-02-17T18:01:00\+00:00 \| ENTRY \| /);
  assert.match(line, / \| EMA5=4500\.6250 \| EMA13=4499\.8125 \| RSI14=61\.2345 \| ATR10=1\.0000/);
  assert.match(line, / \| VWAP=- \| RVOL=1\.8000$/);
  const back = parseJournalLine(line, 1, "j") as EntryEvent;
  assert.deepEqual(Object.keys(back.context), ["EMA5", "EMA13", "RSI14", "ATR10", "VWAP", "RVOL"]);
  assert.equal(back.context.VWAP, undefined);
  assert.equal(back.context.EMA5, 4500.625);
  // Any strategy's indicators: other names, fewer or none.
  const orb = formatEvent({ ...ENTRY, context: { ORB_HIGH: 4502.25, ORB_LOW: 4496 } }, OPTS);
  assert.match(orb, / \| Size=1 \| ORB_HIGH=4502\.2500 \| ORB_LOW=4496\.0000$/);
  assert.match(formatEvent({ ...ENTRY, context: {} }, OPTS), / \| Size=1$/);
  // A key that would break the line or shadow an ENTRY key is refused.
  assert.throws(() => formatEvent({ ...ENTRY, context: { TP: 1 } }, OPTS), RangeError);
  assert.throws(() => formatEvent({ ...ENTRY, context: { "A=B": 1 } }, OPTS), RangeError);
});

Deno.test("formatEvent rejects non-finite prices and fractional sizes with RangeError", () => {
  assert.throws(() => formatEvent({ ...ENTRY, stop: NaN }, OPTS), RangeError);
  assert.throws(() => formatEvent({ ...ENTRY, size: 1.5 }, OPTS), RangeError);
});

Deno.test("every event kind survives format -> parse (exact, or within the decimals rule)", () => {
  for (const e of [START, FILL, CANCEL, END]) {
    assert.deepEqual(parseJournalLine(formatEvent(e, OPTS), 1, "j"), e);
  }
  assert.deepEqual(parseJournalLine(ENTRY_LINE, 1, "j"), ENTRY);

  // Indicators keep 4 decimals: error at most 0.00005.
  const rough: EntryEvent = {
    ...ENTRY,
    context: { ...ENTRY.context, RSI9: 61.234567, ATR9: 1.123456, RVOL: 0.333333 },
  };
  const back = parseJournalLine(formatEvent(rough, OPTS), 1, "j") as EntryEvent;
  assert.equal(back.context.RSI9, 61.2346);
  assert.equal(back.context.ATR9, 1.1235);
  assert.equal(back.context.RVOL, 0.3333);

  // Off-grid prices keep up to 6 decimals (error <= 5e-7); money keeps cents.
  const exit = parseJournalLine(formatEvent(EXIT, OPTS), 1, "j") as ExitEvent;
  assert.equal(exit.entryPrice, 4501.166667);
  assert.ok(Math.abs(exit.entryPrice - AVG) <= 5e-7);
  assert.equal(exit.pnlPoints, 2.833333);
  assert.equal(exit.pnlTicks, 11.3333);
  assert.equal(exit.grossPnl, 42.5);
  assert.equal(exit.netPnl, 38.78);
  assert.equal(exit.entryTime, T0 + 1_500);
  assert.equal(exit.time, EXIT.time);
  assert.equal(exit.price, 4504);
});

Deno.test("parseJournalLine accepts Z and other offsets and tolerates unknown extra keys", () => {
  const line = "2025-02-17T18:01:00Z | CANCEL | TradeID=x | Qty=1 | Reason=MANUAL | Note=new";
  assert.deepEqual(parseJournalLine(line, 3, "j"), {
    kind: "CANCEL",
    time: T0,
    tradeId: "x",
    qty: 1,
    reason: "MANUAL",
  });
  const plus = "2025-02-18T02:01:00+08:00 | CANCEL | TradeID=x | Qty=1 | Reason=MANUAL";
  assert.equal(parseJournalLine(plus, 3, "j").time, T0);
});

Deno.test("parseJournalLine reads ENTRY indicator keys in line order, - as undefined", () => {
  const swapped = ENTRY_LINE.replace("EMA9=4500.6250 | EMA21=4499.8125", "EMA21=1.0 | EMA9=2.0")
    .replace("VWAP=4498.5000", "VWAP=-");
  const e = parseJournalLine(swapped, 1, "j") as EntryEvent;
  assert.deepEqual(e.context, {
    EMA21: 1,
    EMA9: 2,
    RSI9: 61.2345,
    ATR9: 1,
    VWAP: undefined,
    RVOL: 1.8,
  });
  assert.deepEqual(Object.keys(e.context), ["EMA21", "EMA9", "RSI9", "ATR9", "VWAP", "RVOL"]);
});

Deno.test("parseJournalLine errors name file, line, problem and the line text", () => {
  const noNet = formatEvent(EXIT, OPTS).replace(" | Net=38.78", "");
  const e = parseError(noNet);
  assert.equal(
    e.message,
    `Cannot parse journal line at trade_record.text:7: EXIT is missing Net (line: "${noNet}")`,
  );
  assert.equal(e.file, "trade_record.text");
  assert.equal(e.line, 7);
  assert.equal(e.text, noNet);
  assert.equal(e.detail, "EXIT is missing Net");

  const cases: [string, string][] = [
    ["2025-02-17T12:01:00-06:00 | TRADE | TradeID=x", 'unknown event kind "TRADE"'],
    ["2025-02-17 12:01 | CANCEL | TradeID=x", 'timestamp is "2025-02-17 12:01"'],
    ["2025-02-30T12:01:00-06:00 | CANCEL | TradeID=x", 'timestamp is "2025-02-30T12:01:00-06:00"'],
    ["2025-02-17T12:01:00-06:00", "no event kind after the timestamp"],
    [ENTRY_LINE.replace("Stop=4499.50", "Stop=abc"), 'ENTRY Stop is "abc", expected a number'],
    [ENTRY_LINE.replace("Side=LONG", "Side=UP"), 'ENTRY Side is "UP", expected one of LONG, SHORT'],
    [
      ENTRY_LINE.replace("Size=1", "Size=1.5"),
      'ENTRY Size is "1.5", expected a non-negative integer',
    ],
    [ENTRY_LINE.replace("RSI9=61.2345", "RSI9=high"), 'ENTRY RSI9 is "high", expected a number'],
    [ENTRY_LINE.replace("RSI9=", "9RSI="), 'ENTRY key "9RSI" is not a name'],
    [ENTRY_LINE + " | Size=2", "ENTRY has Size twice"],
    [ENTRY_LINE.replace(" | Size=1", " | Size"), 'ENTRY field "Size" is not Key=Value'],
    [
      formatEvent(EXIT, OPTS).replace("Net=38.78", "Net=38.7"),
      'EXIT Net is "38.7", expected an amount with 2 decimals',
    ],
    [START_LINE.replace("%7C", "%G"), 'SESSION_START Source has a bad escape "%G2"'],
  ];
  for (const [line, detail] of cases) {
    assert.equal(parseError(line).detail, detail, line);
  }
});

Deno.test("priceDecimalsForTick counts the decimals of the tick size", () => {
  assert.equal(priceDecimalsForTick(0.25), 2);
  assert.equal(priceDecimalsForTick(1), 0);
  assert.equal(priceDecimalsForTick(2.5), 1);
  assert.equal(priceDecimalsForTick(0.005), 3);
  assert.throws(() => priceDecimalsForTick(0), RangeError);
  // The last answer is remembered: asked again, after another tick and after a refusal.
  assert.equal(priceDecimalsForTick(0.1), 1);
  assert.equal(priceDecimalsForTick(0.1), 1);
  assert.throws(() => priceDecimalsForTick(NaN), RangeError);
  assert.equal(priceDecimalsForTick(0.1), 1);
  assert.equal(priceDecimalsForTick(1e-12), 10);
  assert.equal(priceDecimalsForTick(0.25), 2);
});

Deno.test("MemoryJournal keeps formatted lines and events and rejects equal EMA periods", () => {
  const j = new MemoryJournal(OPTS);
  j.write(START);
  j.write(ENTRY);
  assert.deepEqual(j.lines, [START_LINE, ENTRY_LINE]);
  assert.deepEqual(j.events, [START, ENTRY]);
  assert.equal(j.text(), `${START_LINE}\n${ENTRY_LINE}\n`);
  assert.throws(
    () => new MemoryJournal({ ...OPTS, periods: { emaFast: 9, emaSlow: 9, rsi: 9, atr: 9 } }),
    RangeError,
  );
});

Deno.test("format -> parse is exact for any tick-grid prices, cent amounts and counts", () => {
  // Prices are whole ticks of 0.25; money whole cents; the parser must give them back exactly.
  const tick = fc.integer({ min: 0, max: 40_000 }).map((n) => n * 0.25);
  const cents = fc.integer({ min: -1_000_000, max: 1_000_000 }).map((n) => n / 100);
  const time = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) });
  const count = fc.integer({ min: 0, max: 10_000 });
  fc.assert(
    fc.property(time, time, tick, tick, count, cents, cents, cents, (t, t2, p1, p2, q, g, c, n) => {
      const exit: ExitEvent = {
        kind: "EXIT",
        time: t,
        tradeId: "r-1",
        side: "SHORT",
        reason: "STOP",
        price: p1,
        qty: q,
        entryPrice: p2,
        entryTime: t2,
        pnlPoints: p2 - p1,
        pnlTicks: (p2 - p1) / 0.25,
        grossPnl: g,
        commission: c,
        netPnl: n,
      };
      const back = parseJournalLine(formatEvent(exit, OPTS), 1, "j");
      assert.deepEqual(back, exit);
    }),
    { numRuns: 300 },
  );
});
