/**
 * Plain data shapes shared by every part of scalpbot: ticks, bars, indicator snapshots,
 * trade events and the clock. Nothing here does I/O.
 *
 * Times are epoch milliseconds (UTC) as plain numbers everywhere; formatting with a
 * time zone happens only when text is written (journal, console, CSV).
 *
 * @module
 */

/** Trade direction of a position. */
export type Side = "LONG" | "SHORT";

/** Why a trade was closed. */
export type ExitReason = "TARGET" | "STOP" | "MANUAL" | "END";

/** A single trade print. */
export interface Tick {
  /** Epoch milliseconds, UTC. */
  ts: number;
  /** Trade price. */
  price: number;
  /** Contracts traded (may be 0 in real data; see the README's tick policy). */
  size: number;
}

/**
 * A batch of ticks in columnar form, reused between reads so that the hot path
 * allocates nothing per tick. Only indices `0 .. count-1` are valid.
 */
export interface TickBatch {
  /** Epoch milliseconds, UTC. */
  ts: Float64Array;
  /** Trade prices. */
  price: Float64Array;
  /** Trade sizes. */
  size: Float64Array;
  /** Number of valid ticks in the arrays. */
  count: number;
}

/** A closed OHLCV bar, stamped with its start time as IB does. */
export interface Bar {
  /** Bar start, epoch milliseconds UTC, aligned to the bar length. */
  start: number;
  /** Bar length in milliseconds. */
  lengthMs: number;
  /** First trade price. */
  open: number;
  /** Highest trade price. */
  high: number;
  /** Lowest trade price. */
  low: number;
  /** Last trade price. */
  close: number;
  /** Sum of trade sizes. */
  volume: number;
  /** Number of trades. */
  trades: number;
}

/** Indicator values at a closed bar; `undefined` while an indicator is warming up. */
export interface IndicatorSnapshot {
  emaFast: number | undefined;
  emaSlow: number | undefined;
  rsi: number | undefined;
  atr: number | undefined;
  vwap: number | undefined;
  rvol: number | undefined;
  /** EMA fast crossed EMA slow on this bar: "UP" (fast now above), "DOWN", or undefined. */
  cross: "UP" | "DOWN" | undefined;
}

/** A source of "now" in epoch milliseconds; injected everywhere logic needs time. */
export interface Clock {
  /** Current time, epoch milliseconds UTC. */
  now(): number;
}

/** Indicator values recorded with an entry. */
export interface EntryContext {
  emaFast: number;
  emaSlow: number;
  rsi: number;
  atr: number;
  /** Undefined when VWAP is switched off in config. */
  vwap: number | undefined;
  rvol: number;
}

/** First line of a run in the journal. */
export interface SessionStartEvent {
  kind: "SESSION_START";
  time: number;
  /** Unique id of this run; trade ids are prefixed with it. */
  runId: string;
  /** scalpbot version. */
  version: string;
  /** Short digest of the effective config. */
  configDigest: string;
  /** Where ticks come from, e.g. `file:ticks.csv`, `generated:seed=1`, `ib:127.0.0.1:7497`. */
  source: string;
  /** Contract symbol, e.g. MES. */
  symbol: string;
  /** Points to currency: currency per point per contract. */
  multiplier: number;
  /** Minimum price increment. */
  tickSize: number;
  /** Currency of P/L. */
  currency: string;
  /**
   * 1-based line number of a torn line (a crash mid-write) that the journal writer found at
   * the end of the file before this run; written as `Repaired=<line>`.
   */
  repairedLine?: number;
}

/** A signal accepted: an entry order is working. */
export interface EntryEvent {
  kind: "ENTRY";
  time: number;
  tradeId: string;
  side: Side;
  /** Intended entry price (limit price for `bar_close`, first fill for `next_tick`). */
  entry: number;
  stop: number;
  target: number;
  /** Contracts ordered. */
  size: number;
  context: EntryContext;
}

/** Part or all of an entry order filled. */
export interface FillEvent {
  kind: "FILL";
  time: number;
  tradeId: string;
  price: number;
  qty: number;
  /** Contracts filled so far, including this fill. */
  filled: number;
  /** Contracts still working after this fill. */
  remaining: number;
}

/** The unfilled remainder of an entry order was cancelled. */
export interface CancelEvent {
  kind: "CANCEL";
  time: number;
  tradeId: string;
  /** Contracts cancelled. */
  qty: number;
  /** Why, e.g. `EXIT_BEFORE_COMPLETE`, `MANUAL`, `END`. */
  reason: string;
}

/** A trade closed; P/L is for the filled quantity. */
export interface ExitEvent {
  kind: "EXIT";
  time: number;
  tradeId: string;
  side: Side;
  reason: ExitReason;
  /** Exit fill price. */
  price: number;
  /** Contracts closed. */
  qty: number;
  /** Average entry price of the filled quantity. */
  entryPrice: number;
  /** Time of the first entry fill. */
  entryTime: number;
  /** Points per contract (positive = profit). */
  pnlPoints: number;
  /** Ticks per contract. */
  pnlTicks: number;
  /** Gross currency P/L: points x multiplier x qty. */
  grossPnl: number;
  /** Commission for both sides of the filled quantity. */
  commission: number;
  /** Net currency P/L: gross - commission. */
  netPnl: number;
}

/** Last line of a run in the journal. */
export interface SessionEndEvent {
  kind: "SESSION_END";
  time: number;
  runId: string;
  /** Why the run ended, e.g. `END_OF_DATA`, `SIGINT`, `SIGTERM`. */
  reason: string;
  ticks: number;
  bars: number;
  trades: number;
}

/** Every event the engine writes to the journal. */
export type JournalEvent =
  | SessionStartEvent
  | EntryEvent
  | FillEvent
  | CancelEvent
  | ExitEvent
  | SessionEndEvent;
