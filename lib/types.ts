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
  /** Contracts traded (may be 0 in real data; see docs/engine.md, tick files). */
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

/** How one of the strategy's indicators is labelled and shown. */
export interface IndicatorField {
  /** Journal key and console label, e.g. `EMA9`, `RVOL`. */
  key: string;
  /** Bars CSV column, e.g. `ema_fast`. */
  column: string;
  /** Console decimals: `"price"` (price decimals + 1) or a fixed count. */
  decimals: "price" | number;
}

/** The strategy's indicator values at a closed bar, with their layout. */
export interface IndicatorSnapshot {
  /** The fields, in the strategy's declared order (the same array on every bar). */
  readonly fields: readonly IndicatorField[];
  /** Values in `fields` order; `undefined` while warming up or when switched off. */
  readonly values: readonly (number | undefined)[];
  /** The strategy's console note for this bar (e.g. `X↑`), if any. */
  readonly mark: string | undefined;
}

/** A source of "now" in epoch milliseconds; injected everywhere logic needs time. */
export interface Clock {
  /** Current time, epoch milliseconds UTC. */
  now(): number;
}

/**
 * Indicator values recorded with an entry, by journal key, in the strategy's declared order
 * (`EMA9`, `EMA21`, `RSI9`, `ATR9`, `VWAP`, `RVOL` for `scalp`); `undefined` is written `-`.
 */
export type EntryContext = Readonly<Record<string, number | undefined>>;

/** First line of a run in the journal. */
export interface SessionStartEvent {
  /** Event tag. */
  kind: "SESSION_START";
  /** Event time, epoch milliseconds UTC. */
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
   * IANA zone the run counts trading days and hours in (the config's `session.timezone`),
   * written as `TimeZone=`; absent in journals from before it was recorded (read as UTC).
   * Present exactly when {@linkcode dayStartMinute} is.
   */
  timeZone?: string;
  /**
   * Local minute of day at which the run's trading day begins, 0 (midnight) or 720..1439
   * (CME: 1020, 17:00 the evening before); written as `DayStart=HH:MM`.
   */
  dayStartMinute?: number;
  /**
   * 1-based line number of a torn line (a crash mid-write) that the journal writer found at
   * the end of the file before this run; written as `Repaired=<line>`.
   */
  repairedLine?: number;
}

/** A signal accepted: an entry order is working. */
export interface EntryEvent {
  /** Event tag. */
  kind: "ENTRY";
  /** Order time: the signal bar's end (`bar_close`) or the next tick (`next_tick`), epoch ms. */
  time: number;
  /** Trade id: the run id, a dash and the trade's number in the run. */
  tradeId: string;
  /** Trade direction. */
  side: Side;
  /** Intended entry price (limit price for `bar_close`, first fill for `next_tick`). */
  entry: number;
  /** Stop price, rounded to the tick size. */
  stop: number;
  /** Target price, rounded to the tick size. */
  target: number;
  /** Contracts ordered. */
  size: number;
  /** Indicator values that triggered the entry. */
  context: EntryContext;
}

/** Part or all of an entry order filled. */
export interface FillEvent {
  /** Event tag. */
  kind: "FILL";
  /** Fill time, epoch milliseconds UTC. */
  time: number;
  /** Trade the fill belongs to. */
  tradeId: string;
  /** Fill price. */
  price: number;
  /** Contracts in this fill. */
  qty: number;
  /** Contracts filled so far, including this fill. */
  filled: number;
  /** Contracts still working after this fill. */
  remaining: number;
  /** The venue's execution id (IB's execId); absent for paper fills. */
  execId?: string;
}

/** The unfilled remainder of an entry order was cancelled. */
export interface CancelEvent {
  /** Event tag. */
  kind: "CANCEL";
  /** Event time, epoch milliseconds UTC. */
  time: number;
  /** Trade whose entry order was cancelled. */
  tradeId: string;
  /** Contracts cancelled. */
  qty: number;
  /** Why, e.g. `EXIT_BEFORE_COMPLETE`, `MANUAL`, `END`. */
  reason: string;
}

/** A trade closed; P/L is for the filled quantity. */
export interface ExitEvent {
  /** Event tag. */
  kind: "EXIT";
  /** Exit time, epoch milliseconds UTC. */
  time: number;
  /** Trade that closed. */
  tradeId: string;
  /** Trade direction. */
  side: Side;
  /** Why the trade closed. */
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
  /**
   * The manager whose level caused the exit (`trailing_stop`, `breakeven`, `swing_stop`,
   * `atr_stop`, `points_target`, `r_target`, `trailing_target`, `scale_out`), written as
   * `By=` when any manager other than the default ones is configured; absent otherwise (and
   * in journals written before managers existed).
   */
  by?: string;
  /**
   * Contracts still open after this exit: a scale-out's first part (`Remaining=`, under the
   * same trade id); absent when the exit closes the trade.
   */
  remaining?: number;
  /**
   * Maximum adverse excursion: the worst price reached against the trade while it was open,
   * in points per contract from the average entry (<= 0), written as `MAE=`; absent in
   * journals written before it was tracked.
   */
  mae?: number;
  /** Maximum favourable excursion, points per contract (>= 0), written as `MFE=`. */
  mfe?: number;
  /**
   * True when a restarted live run found this exit in the trades printed while it was down
   * (written as `Recovered=1`; absent otherwise).
   */
  recovered?: boolean;
  /** The venue's execution id of the exit fill (IB's execId); absent for paper exits. */
  execId?: string;
}

/** A manager moved an open trade's stop (`STOP_MOVE`) or target (`TARGET_MOVE`). */
export interface LevelMoveEvent {
  /** Event tag. */
  kind: "STOP_MOVE" | "TARGET_MOVE";
  /** Time of the print or bar that caused the move, epoch milliseconds UTC. */
  time: number;
  /** Trade whose level moved. */
  tradeId: string;
  /** Price before the move. */
  old: number;
  /** Price after the move. */
  price: number;
  /** Why, e.g. `TRAIL`, `BREAKEVEN`, `SCALE_OUT`. */
  reason: string;
}

/** Last line of a run in the journal. */
export interface SessionEndEvent {
  /** Event tag. */
  kind: "SESSION_END";
  /** Event time, epoch milliseconds UTC. */
  time: number;
  /** Id of the run that ended (as in its SESSION_START). */
  runId: string;
  /** Why the run ended, e.g. `END_OF_DATA`, `SIGINT`, `SIGTERM`. */
  reason: string;
  /** Ticks processed in the run (zero-size prints excluded). */
  ticks: number;
  /** Bars closed in the run. */
  bars: number;
  /** Trades that got at least one fill. */
  trades: number;
}

/** Every event the engine writes to the journal. */
export type JournalEvent =
  | SessionStartEvent
  | EntryEvent
  | FillEvent
  | CancelEvent
  | ExitEvent
  | LevelMoveEvent
  | SessionEndEvent;
