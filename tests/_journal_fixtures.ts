/**
 * Journal fixtures shared by journal_test.ts and journal_files_test.ts: one run's events
 * (start, entry, fill, cancel, exit, end), some of their lines, and a parse-error helper.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  type JournalFormatOptions,
  JournalParseError,
  parseJournalLine,
} from "../lib/journal/format.ts";
import type {
  CancelEvent,
  EntryEvent,
  ExitEvent,
  FillEvent,
  SessionEndEvent,
  SessionStartEvent,
} from "../lib/types.ts";

/** Chicago time, 2 price decimals, the default indicator periods. */
export const OPTS: JournalFormatOptions = {
  timeZone: "America/Chicago",
  priceDecimals: 2,
  periods: { emaFast: 9, emaSlow: 21, rsi: 9, atr: 9 },
};

/** 2025-02-17 is in CST (UTC-6): 18:01Z is 12:01 local. */
export const T0 = Date.UTC(2025, 1, 17, 18, 1);

/** The run's SESSION_START. */
export const START: SessionStartEvent = {
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
export const ENTRY: EntryEvent = {
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

/** The entry's first fill. */
export const FILL: FillEvent = {
  kind: "FILL",
  time: T0 + 250,
  tradeId: "20250217-a-1",
  price: 4501,
  qty: 1,
  filled: 1,
  remaining: 0,
};

/** A CANCEL of another entry (2 contracts). */
export const CANCEL: CancelEvent = {
  kind: "CANCEL",
  time: T0 + 30_000,
  tradeId: "20250217-a-2",
  qty: 2,
  reason: "EXIT_BEFORE_COMPLETE",
};

// Fills 1 @ 4501.00 and 2 @ 4501.25: average (4501 + 2 * 4501.25) / 3 = 4501.1666...,
// off the tick grid, so it needs more than 2 decimals.
/** The average entry of the fills. */
export const AVG = (4501 + 2 * 4501.25) / 3;
/** The trade's EXIT at the average entry {@linkcode AVG}. */
export const EXIT: ExitEvent = {
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

/** The run's SESSION_END. */
export const END: SessionEndEvent = {
  kind: "SESSION_END",
  time: Date.UTC(2025, 1, 17, 21, 0),
  runId: "20250217-a",
  reason: "END_OF_DATA",
  ticks: 123456,
  bars: 780,
  trades: 2,
};

/** The ENTRY line of {@linkcode ENTRY}, written out by hand. */
export const ENTRY_LINE = "2025-02-17T12:01:00-06:00 | ENTRY | TradeID=20250217-a-1 | Side=LONG" +
  " | Entry=4501.00 | Stop=4499.50 | TP=4504.00 | Size=1 | EMA9=4500.6250 | EMA21=4499.8125" +
  " | RSI9=61.2345 | ATR9=1.0000 | VWAP=4498.5000 | RVOL=1.8000";

/** A SESSION_START line written out by hand (a `|` and a `%` escaped in Source). */
export const START_LINE =
  "2025-02-17T08:30:00-06:00 | SESSION_START | RunID=20250217-a | Version=0.1.0" +
  " | Config=3f2a9c1b | Source=file:ticks%7C2025%25.csv | Symbol=MES | Multiplier=5" +
  " | TickSize=0.25 | Currency=USD";

/** The JournalParseError that parsing `line` as line `lineNo` of trade_record.text throws. */
export function parseError(line: string, lineNo = 7): JournalParseError {
  try {
    parseJournalLine(line, lineNo, "trade_record.text");
  } catch (e) {
    assert.ok(e instanceof JournalParseError);
    assert.ok(e instanceof SyntaxError);
    return e;
  }
  throw new Error(`expected a parse error for ${line}`);
}
