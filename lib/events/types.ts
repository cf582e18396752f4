/**
 * The engine's event types: everything the engine (and the live runner around it) tells its
 * subscribers, on one typed stream ({@linkcode EventStream}). One union, discriminated by
 * `kind`: the journal's own events (SESSION_START, ENTRY, FILL, CANCEL, EXIT, STOP_MOVE,
 * TARGET_MOVE, SESSION_END) keep their journal shape, and four kinds that the journal does
 * not record join them: RUN (the effective config, before SESSION_START), BAR (a closed bar
 * with its indicator values), TICKS (ticks processed, with the forming bar) and CONNECTION
 * (a live connection state change).
 *
 * @module
 */
import type { Config } from "../config/schema.ts";
import { JOURNAL_KINDS } from "../journal/format.ts";
import type {
  Bar,
  IndicatorField,
  IndicatorSnapshot,
  JournalEvent,
  Side,
  TickBatch,
} from "../types.ts";

/**
 * The run begins: published by `Engine.start` just before SESSION_START. Carries what a
 * subscriber needs to format anything that follows: the engine's effective config (live
 * mode patches the zone, tick size and multiplier from contract details) and the strategy's
 * indicator layout.
 */
export interface RunEvent {
  /** Discriminant. */
  kind: "RUN";
  /** The SESSION_START time, epoch ms UTC. */
  time: number;
  /** Run id (trade ids are `<runId>-<n>`). */
  runId: string;
  /** The config the engine runs with. */
  config: Config;
  /** The strategy's indicator fields, in the order of every BAR event's values. */
  fields: readonly IndicatorField[];
}

/** A bar closed; the strategy has seen it. */
export interface BarEvent {
  /** Discriminant. */
  kind: "BAR";
  /** The closed bar (start time, OHLCV). */
  bar: Bar;
  /**
   * The strategy's indicator values at this bar. `snapshot.fields[i].column` names them as
   * the bars CSV does (`ema_fast`, `ema_slow`, `rsi`, `atr`, `vwap`, `rvol` for `scalp`).
   */
  snapshot: IndicatorSnapshot;
  /** Side of the entry intent acted upon at this bar's close, if any (an ENTRY follows). */
  signal: Side | undefined;
}

/**
 * Ticks were processed: once per `Engine.onBatch`, once per `Engine.onTick` called from
 * outside (live). Published only when a subscriber asked for ticks (see
 * {@linkcode SubscribeOptions.ticks}): the backtest's hot path pays nothing otherwise.
 * `batch` is the engine's input, valid only during the call (copy what you keep).
 */
export interface TicksEvent {
  /** Discriminant. */
  kind: "TICKS";
  /** The ticks, `batch.count` of them, in arrival order (zero-size and refused ones included). */
  batch: TickBatch;
  /** Time of the latest processed tick, epoch ms UTC (-Infinity before the first). */
  lastTime: number;
  /** Price of the last processed tick (NaN before the first). */
  lastPrice: number;
  /** The open bar after these ticks (a fresh object), or undefined when none is open. */
  forming: Bar | undefined;
}

/** Connection states of the live runner; every transition is published. */
export type ConnectionState =
  | "idle"
  | "connecting"
  | "syncing"
  | "connected"
  | "lost"
  | "disconnected"
  | "stopped";

/** The live connection changed state (live and demo only; a backtest has none). */
export interface ConnectionEvent {
  /** Discriminant. */
  kind: "CONNECTION";
  /** When, epoch ms UTC, on the runner's local clock (the simulator's in the demo). */
  time: number;
  /** State before. */
  from: ConnectionState;
  /** State now. */
  state: ConnectionState;
}

/** Everything on the stream. */
export type EngineEvent = JournalEvent | RunEvent | BarEvent | TicksEvent | ConnectionEvent;

/** The `kind`s of {@linkcode EngineEvent}. */
export type EngineEventKind = EngineEvent["kind"];

/** The event of one kind, e.g. `EventOf<"BAR">` is {@linkcode BarEvent}. */
export type EventOf<K extends EngineEventKind> = Extract<EngineEvent, { kind: K }>;

/** A subscriber: called synchronously, in subscription order, for every event it gets. */
export type Subscriber = (event: EngineEvent) => void;

/** Options of {@linkcode EventStream.subscribe}. */
export interface SubscribeOptions {
  /** Also receive TICKS events (default false: they are frequent). */
  ticks?: boolean;
  /**
   * Put this subscriber before every other one (the journal: an event is recorded before
   * anyone else hears of it). Default false: after the ones already there.
   */
  first?: boolean;
}

/** True for the events the journal records (trade and session events). */
export function isJournalEvent(event: EngineEvent): event is JournalEvent {
  return JOURNAL_KINDS.has(event.kind);
}
