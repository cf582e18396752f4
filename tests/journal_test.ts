import assert from "node:assert/strict";
import fc from "fast-check";
import {
  formatEvent,
  type JournalFormatOptions,
  JournalParseError,
  parseJournalLine,
  priceDecimalsForTick,
} from "../lib/journal/format.ts";
import { JournalWriter, MemoryJournal } from "../lib/journal/writer.ts";
import { parseJournalText, readJournal } from "../lib/journal/reader.ts";
import { inspectJournal, summarizeJournal } from "../lib/journal/inspect.ts";
import type {
  CancelEvent,
  EntryEvent,
  ExitEvent,
  FillEvent,
  JournalEvent,
  SessionEndEvent,
  SessionStartEvent,
} from "../lib/types.ts";

const OPTS: JournalFormatOptions = {
  timeZone: "America/Chicago",
  priceDecimals: 2,
  periods: { emaFast: 9, emaSlow: 21, rsi: 9, atr: 9 },
};

// 2025-02-17 is in CST (UTC-6): 18:01Z is 12:01 local.
const T0 = Date.UTC(2025, 1, 17, 18, 1);

const START: SessionStartEvent = {
  kind: "SESSION_START",
  time: Date.UTC(2025, 1, 17, 14, 30),
  runId: "20250217-a",
  version: "0.1.0",
  configDigest: "3f2a9c1b",
  source: "file:ticks|2025%.csv",
  symbol: "MES",
  multiplier: 5,
  tickSize: 0.25,
  currency: "USD",
};

// The seed's worked example: close 4501.00, ATR 1.0, stop 1.5 ATR, target 3 points.
// Stop = 4501 - 1.5 * 1.0 = 4499.50; TP = 4501 + 3 = 4504.00.
const ENTRY: EntryEvent = {
  kind: "ENTRY",
  time: T0,
  tradeId: "20250217-a-1",
  side: "LONG",
  entry: 4501,
  stop: 4499.5,
  target: 4504,
  size: 1,
  context: {
    EMA9: 4500.625,
    EMA21: 4499.8125,
    RSI9: 61.2345,
    ATR9: 1,
    VWAP: 4498.5,
    RVOL: 1.8,
  },
};

const FILL: FillEvent = {
  kind: "FILL",
  time: T0 + 250,
  tradeId: "20250217-a-1",
  price: 4501,
  qty: 1,
  filled: 1,
  remaining: 0,
};

const CANCEL: CancelEvent = {
  kind: "CANCEL",
  time: T0 + 30_000,
  tradeId: "20250217-a-2",
  qty: 2,
  reason: "EXIT_BEFORE_COMPLETE",
};

// Fills 1 @ 4501.00 and 2 @ 4501.25: average (4501 + 2 * 4501.25) / 3 = 4501.1666...,
// off the tick grid, so it needs more than 2 decimals.
const AVG = (4501 + 2 * 4501.25) / 3;
const EXIT: ExitEvent = {
  kind: "EXIT",
  time: Date.UTC(2025, 1, 17, 18, 4, 30),
  tradeId: "20250217-a-2",
  side: "LONG",
  reason: "TARGET",
  price: 4504,
  qty: 3,
  entryPrice: AVG,
  entryTime: T0 + 1_500,
  pnlPoints: 4504 - AVG,
  pnlTicks: (4504 - AVG) / 0.25,
  grossPnl: (4504 - AVG) * 5 * 3,
  commission: 3.72,
  netPnl: (4504 - AVG) * 5 * 3 - 3.72,
};

const END: SessionEndEvent = {
  kind: "SESSION_END",
  time: Date.UTC(2025, 1, 17, 21, 0),
  runId: "20250217-a",
  reason: "END_OF_DATA",
  ticks: 123456,
  bars: 780,
  trades: 2,
};

const ENTRY_LINE = "2025-02-17T12:01:00-06:00 | ENTRY | TradeID=20250217-a-1 | Side=LONG" +
  " | Entry=4501.00 | Stop=4499.50 | TP=4504.00 | Size=1 | EMA9=4500.6250 | EMA21=4499.8125" +
  " | RSI9=61.2345 | ATR9=1.0000 | VWAP=4498.5000 | RVOL=1.8000";

const START_LINE = "2025-02-17T08:30:00-06:00 | SESSION_START | RunID=20250217-a | Version=0.1.0" +
  " | Config=3f2a9c1b | Source=file:ticks%7C2025%25.csv | Symbol=MES | Multiplier=5" +
  " | TickSize=0.25 | Currency=USD";

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

function parseError(line: string, lineNo = 7): JournalParseError {
  try {
    parseJournalLine(line, lineNo, "trade_record.text");
  } catch (e) {
    assert.ok(e instanceof JournalParseError);
    assert.ok(e instanceof SyntaxError);
    return e;
  }
  throw new Error(`expected a parse error for ${line}`);
}

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

Deno.test("JournalWriter appends one durable line per write and never truncates", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/trade_record.text`;
    const w = JournalWriter.open(path, OPTS);
    assert.equal(w.repairedTornLine, false);
    w.write(START);
    assert.equal(await Deno.readTextFile(path), `${START_LINE}\n`);
    w.write(ENTRY);
    assert.equal(await Deno.readTextFile(path), `${START_LINE}\n${ENTRY_LINE}\n`);
    w.close();
    assert.throws(() => w.write(FILL), TypeError);

    const again = JournalWriter.open(path, OPTS);
    again.write(END);
    again.close();
    const endLine = formatEvent(END, OPTS);
    assert.equal(await Deno.readTextFile(path), `${START_LINE}\n${ENTRY_LINE}\n${endLine}\n`);
    const read = await readJournal(path);
    assert.deepEqual(read.events, [START, ENTRY, END]);
    assert.equal(read.torn, undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// Run b starts at T0 + 1 h = 19:01Z = 13:01 CST; the writer marks it with the torn line.
const START_B: SessionStartEvent = { ...START, runId: "20250217-b", time: T0 + 3_600_000 };
const START_B_LINE = "2025-02-17T13:01:00-06:00 | SESSION_START | RunID=20250217-b" +
  " | Version=0.1.0 | Config=3f2a9c1b | Source=file:ticks%7C2025%25.csv | Symbol=MES" +
  " | Multiplier=5 | TickSize=0.25 | Currency=USD";

// A FILL of 2 out of 12 contracts; a crash cut "Remaining=10" to "Remaining=1", which still
// parses (as a different FILL), so only the missing newline tells it is torn.
const FILL10_LINE = "2025-02-17T12:01:00.250-06:00 | FILL | TradeID=20250217-a-1" +
  " | Price=4501.00 | Qty=2 | Filled=2 | Remaining=10";
const FILL10_CUT = FILL10_LINE.slice(0, -1);

Deno.test("formatEvent and parseJournalLine round-trip SESSION_START Repaired=<line>", () => {
  const marked: SessionStartEvent = { ...START, repairedLine: 7 };
  assert.equal(formatEvent(marked, OPTS), `${START_LINE} | Repaired=7`);
  assert.deepEqual(parseJournalLine(`${START_LINE} | Repaired=7`, 9, "j"), marked);
  // Lines without the key (journals written before it existed) parse without the field.
  assert.equal("repairedLine" in parseJournalLine(START_LINE, 1, "j"), false);
  assert.throws(() => formatEvent({ ...START, repairedLine: 0 }, OPTS), RangeError);
  assert.equal(
    parseError(`${START_LINE} | Repaired=x`).detail,
    'SESSION_START Repaired is "x", expected a non-negative integer',
  );
  assert.equal(
    parseError(`${START_LINE} | Repaired=0`).detail,
    "SESSION_START Repaired must be a line number >= 1, got 0",
  );
});

Deno.test("parseJournalText reports an unterminated last line as torn even when it parses", () => {
  assert.equal(parseJournalLine(FILL10_CUT, 2, "j").kind, "FILL"); // the trap: it parses
  const r = parseJournalText(`${START_LINE}\n${FILL10_CUT}`);
  assert.deepEqual(r.events, [START]);
  assert.deepEqual(r.torn, { line: 2, text: FILL10_CUT });
  assert.deepEqual(r.repairedTorn, []);

  // SESSION_END "Trades=12" cut to "Trades=1"; a blank line 2 still counts in numbering.
  const endCut = formatEvent({ ...END, trades: 12 }, OPTS).slice(0, -1);
  assert.ok(endCut.endsWith(" | Trades=1"));
  const r2 = parseJournalText(`${START_LINE}\n\n${endCut}`);
  assert.deepEqual(r2.events, [START]);
  assert.deepEqual(r2.torn, { line: 3, text: endCut });
  assert.equal(summarizeJournal(r2.events).lastRunEnded, false);

  // A terminated last line is complete and counts.
  const whole = parseJournalText(`${START_LINE}\n${ENTRY_LINE}\n`);
  assert.deepEqual(whole.events, [START, ENTRY]);
  assert.equal(whole.torn, undefined);
});

Deno.test("JournalWriter repairs a torn line that parses; readers then report it, never count it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/trade_record.text`;
    // Lines: 1 START, 2 blank, 3 ENTRY, 4 torn FILL (no newline).
    const torn = `${START_LINE}\n\n${ENTRY_LINE}\n${FILL10_CUT}`;
    await Deno.writeTextFile(path, torn);

    const before = await inspectJournal(path);
    assert.deepEqual(before.torn, { line: 4, text: FILL10_CUT });
    assert.equal(before.events, 2);
    // The ENTRY has no counted fill: open with 0 filled.
    assert.equal(before.openTrades[0]!.filled, 0);

    const w = JournalWriter.open(path, OPTS);
    assert.equal(w.repairedTornLine, true);
    assert.equal(w.tornLine, 4);
    // Nothing is written before the first event: a run dying here leaves the file torn.
    assert.equal(await Deno.readTextFile(path), torn);
    w.write(START_B);
    w.write(FILL);
    w.close();
    const fillLine = formatEvent(FILL, OPTS);
    assert.equal(
      await Deno.readTextFile(path),
      `${torn}\n${START_B_LINE} | Repaired=4\n${fillLine}\n`,
    );

    const after = await readJournal(path);
    assert.deepEqual(after.events, [START, ENTRY, { ...START_B, repairedLine: 4 }, FILL]);
    assert.equal(after.torn, undefined);
    assert.deepEqual(after.repairedTorn, [{ line: 4, text: FILL10_CUT }]);

    const inspected = await inspectJournal(path);
    assert.deepEqual(inspected.runs, ["20250217-a", "20250217-b"]);
    assert.equal(inspected.events, 4);
    assert.deepEqual(inspected.repairedTorn, [{ line: 4, text: FILL10_CUT }]);
    assert.deepEqual(inspected.errors, []);
    // Only the real FILL (filled 1) counts for trade a-1, not the torn "Filled=2".
    assert.equal(inspected.openTrades[0]!.filled, 1);

    // The next writer finds a clean end and adds no marker.
    const w2 = JournalWriter.open(path, OPTS);
    assert.equal(w2.tornLine, undefined);
    w2.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("JournalWriter marks the first SESSION_START even when another event comes first", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/trade_record.text`;
    await Deno.writeTextFile(path, `${START_LINE}\n${FILL10_CUT}`);
    const w = JournalWriter.open(path, OPTS);
    w.write(CANCEL);
    w.write(START_B);
    w.write(START_B);
    w.close();
    const cancelLine = formatEvent(CANCEL, OPTS);
    // Lines: 1 START, 2 torn FILL, 3 CANCEL, 4 marked START_B, 5 unmarked START_B.
    assert.equal(
      await Deno.readTextFile(path),
      `${START_LINE}\n${FILL10_CUT}\n${cancelLine}\n${START_B_LINE} | Repaired=2\n` +
        `${START_B_LINE}\n`,
    );
    const r = await readJournal(path);
    assert.deepEqual(r.events, [START, CANCEL, { ...START_B, repairedLine: 2 }, START_B]);
    assert.deepEqual(r.repairedTorn, [{ line: 2, text: FILL10_CUT }]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readJournal reports an old-style torn line (bad, then a SESSION_START without marker)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/trade_record.text`;
    const half = ENTRY_LINE.slice(0, 60);
    // As a writer from before the Repaired key left it: newline added, no marker.
    await Deno.writeTextFile(path, `${START_LINE}\n${half}\n${START_B_LINE}\n`);
    const r = await readJournal(path);
    assert.deepEqual(r.events, [START, START_B]);
    assert.equal(r.torn, undefined);
    assert.deepEqual(r.repairedTorn, [{ line: 2, text: half }]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseJournalText ignores the marker of a SESSION_START that is itself a torn line", () => {
  // Line 3 is run b's SESSION_START, torn and repaired by run c (line 4 names it). Its own
  // marker "Repaired=2" may be a cut value, so line 2 (a whole ENTRY) stays an event.
  const text = `${START_LINE}\n${ENTRY_LINE}\n${START_B_LINE} | Repaired=2\n` +
    `${START_LINE} | Repaired=3\n`;
  const r = parseJournalText(text);
  assert.deepEqual(r.events, [START, ENTRY, { ...START, repairedLine: 3 }]);
  assert.deepEqual(r.repairedTorn, [{ line: 3, text: `${START_B_LINE} | Repaired=2` }]);
});

Deno.test("parseJournalText rejects a Repaired marker that names its own or a later line", () => {
  const bad = `${START_B_LINE} | Repaired=2`;
  const text = `${START_LINE}\n${bad}\n${FILL10_LINE}\n`;
  assert.throws(() => parseJournalText(text, { source: "t.text" }), {
    name: "JournalParseError",
    message: `Cannot parse journal line at t.text:2: SESSION_START Repaired=2 does not name` +
      ` an earlier line (line: ${JSON.stringify(bad)})`,
  });
  const lenient = parseJournalText(text, { lenient: true });
  assert.deepEqual(lenient.errors.map((e) => e.line), [2]);
  assert.equal(lenient.events.length, 2); // START and the FILL; the bad line is not counted
});

Deno.test("parseJournalText throws on a bad middle line unless lenient", () => {
  const bad = ENTRY_LINE.slice(0, 60);
  const fillLine = formatEvent(FILL, OPTS);
  const text = `${START_LINE}\n\n${bad}\n${fillLine}\r\n`;
  assert.throws(
    () => parseJournalText(text, { source: "trade_record.text" }),
    (e: unknown) => {
      assert.ok(e instanceof JournalParseError);
      // Line 2 is blank (skipped), the bad line is line 3; it was cut after "| S".
      assert.equal(
        e.message,
        `Cannot parse journal line at trade_record.text:3: ENTRY field "S" is not Key=Value` +
          ` (line: "${bad}")`,
      );
      return true;
    },
  );
  const lenient = parseJournalText(text, { source: "trade_record.text", lenient: true });
  assert.deepEqual(lenient.events, [START, FILL]);
  assert.equal(lenient.errors.length, 1);
  assert.equal(lenient.errors[0]!.line, 3);
  assert.equal(lenient.torn, undefined);
});

Deno.test("inspectJournal reports missing files, runs, the last run's end and open trades", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const missing = await inspectJournal(`${dir}/none.text`);
    assert.equal(missing.exists, false);
    assert.deepEqual(missing.runs, []);

    const path = `${dir}/trade_record.text`;
    const j = new MemoryJournal(OPTS);
    const cancelledEntry: EntryEvent = { ...ENTRY, tradeId: "20250217-a-3", time: T0 + 60_000 };
    for (const e of [START, ENTRY, FILL, cancelledEntry]) j.write(e);
    j.write({ ...CANCEL, tradeId: "20250217-a-3", qty: 1, reason: "MANUAL" });
    await Deno.writeTextFile(path, j.text());

    const open = await inspectJournal(path);
    assert.equal(open.exists, true);
    assert.deepEqual(open.runs, ["20250217-a"]);
    assert.equal(open.lastRunEnded, false);
    // Trade 1 filled and has no EXIT; trade 3 was cancelled before any fill.
    assert.equal(open.openTrades.length, 1);
    assert.equal(open.openTrades[0]!.entry.tradeId, "20250217-a-1");
    assert.equal(open.openTrades[0]!.filled, 1);
    assert.equal(open.openTrades[0]!.runId, "20250217-a");
    assert.equal(open.lastTradeId, "20250217-a-3");

    const closed = summarizeJournal([
      ...j.events,
      { ...EXIT, tradeId: "20250217-a-1", qty: 1 },
      END,
    ] as JournalEvent[]);
    assert.equal(closed.lastRunEnded, true);
    assert.deepEqual(closed.openTrades, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readJournal fails at a repaired torn line when the next line is not a SESSION_START", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/trade_record.text`;
    const half = ENTRY_LINE.slice(0, 60);
    await Deno.writeTextFile(path, `${START_LINE}\n${half}`);
    // A writer that resumes without a new SESSION_START leaves the torn text mid-file.
    const w = JournalWriter.open(path, OPTS);
    w.write(FILL);
    w.close();
    await assert.rejects(() => readJournal(path, { source: "trade_record.text" }), {
      name: "JournalParseError",
      message:
        `Cannot parse journal line at trade_record.text:2: ENTRY field "S" is not Key=Value` +
        ` (line: "${half}")`,
    });
    const lenient = await readJournal(path, { lenient: true });
    assert.deepEqual(lenient.events, [START, FILL]);
    assert.deepEqual(lenient.errors.map((e) => e.line), [2]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
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
