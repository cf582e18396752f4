/**
 * The one engine: ticks -> bars -> indicators -> strategy intents -> paper trades -> journal.
 * The strategy (lib/strategy) names its indicators; the engine builds them through the
 * indicator registry, feeds them, asks the strategy on each closed bar, lets the position
 * policy decide whether an intent is acted upon, and hands it to the trader.
 * Backtest, live and demo all drive this class; they differ only in where ticks come from
 * and in what closes bars (the next tick offline, `closeDueBars` from a timer live).
 *
 * @module
 */
import type { Config } from "../config/schema.ts";
import { EventStream } from "../events/stream.ts";
import { isJournalEvent } from "../events/types.ts";
import { paperVenueFrom } from "../execution/paper_venue.ts";
import type { Venue } from "../execution/venue.ts";
import type { JournalSink } from "../journal/writer.ts";
import { SessionSchedule } from "../indicators/session_schedule.ts";
import { dayStartMinute } from "../time/day_start.ts";
import type { TickIndicator } from "../indicators/indicator.ts";
import { StrategyError } from "../strategy/errors.ts";
import { createStrategy, strategyDefinition } from "../strategy/registry.ts";
import type { BarContext, Strategy } from "../strategy/strategy.ts";
import type {
  Bar,
  ExitReason,
  IndicatorField,
  IndicatorSnapshot,
  JournalEvent,
  TickBatch,
} from "../types.ts";
import { BarAggregator, PushResult, saneTick } from "./bar_aggregator.ts";
import { IndicatorSet } from "./indicator_set.ts";
import { managersFrom } from "./managers/from_config.ts";
import { type OpenTradeState, TradeManager } from "./trade_manager.ts";
import { type PositionPolicy, singlePosition } from "./position_policy.ts";
import { type LiquidSpan, SessionPolicy } from "./session_policy.ts";

/** The {@linkcode BarContext} a strategy gets: a class, so each bar allocates one small object. */
class BarView implements BarContext {
  constructor(
    readonly bar: Bar,
    readonly values: readonly (number | undefined)[],
    readonly index: number,
    readonly canEnter: boolean,
    readonly set: IndicatorSet,
  ) {}

  value(key: string): number | undefined {
    const i = this.set.indexOf(key);
    return i < 0 ? undefined : this.values[i];
  }
}

/** Options for {@linkcode Engine}. */
export interface EngineOptions {
  /** Validated config (live mode patches tick size and multiplier from contract details). */
  config: Config;
  /** The journal: subscribed first to `events`, so it records an event before anyone hears of it. */
  journal: JournalSink;
  /**
   * Where the engine publishes its events (lib/events); default: a stream of its own. The
   * console, bars CSV, report and dashboard subscribe to it.
   */
  events?: EventStream;
  /**
   * Applied to each journal event before it is published (live restart recovery marks an
   * exit found in the backfill as recovered). Default: none.
   */
  mark?: (event: JournalEvent) => JournalEvent;
  /** Unique id of this run; trade ids are `<runId>-<n>`. */
  runId: string;
  /**
   * Bars ending at or before this time evaluate no entry (live warm-up: history calibrates
   * the indicators but must not open trades in the past). Default: none.
   */
  entriesAfter?: number;
  /** The strategy; default: the registered one `config.strategy.name` names. */
  strategy?: Strategy;
  /** The position policy; default: one trade at a time. */
  positionPolicy?: PositionPolicy;
  /** Dated liquid spans (live, from contract details) whose last minutes are flattened too. */
  liquidSpans?: readonly LiquidSpan[];
  /**
   * Where orders go (live with `execution.venue: ib`: an IbVenue); default: a paper venue with
   * the `fills` model. The engine drives either the same way.
   */
  venue?: Venue;
}

/** What the engine has seen so far. */
export interface EngineStats {
  /** Ticks processed (size > 0). */
  ticks: number;
  /** Zero-size prints, ignored entirely. */
  zeroSize: number;
  /** Ticks stamped before the previous tick. */
  backInTime: number;
  /** Ticks stamped before the open bar (or inside a closed bar). */
  late: number;
  /** Prints refused as no trade: a non-finite, non-positive or absurd field (`saneTick`). */
  rejected: number;
  /** Bars closed. */
  bars: number;
  /** Trades that got at least one fill. */
  trades: number;
}

/** Identification written in the journal's SESSION_START line. */
export interface SessionInfo {
  /** SESSION_START time, epoch milliseconds UTC. */
  time: number;
  /** scalpbot version. */
  version: string;
  /** Short digest of the effective config. */
  configDigest: string;
  /** Where ticks come from, e.g. `file:ticks.csv`. */
  source: string;
}

/**
 * The trading engine. Feed it ticks in arrival order; it journals every trade event
 * before returning from the call that caused it.
 *
 * @example
 * ```ts
 * import { parseConfigText } from "../config/load.ts";
 * const config = parseConfigText("", { source: "defaults" });
 * const journal = { write() {} };
 * const firstTs = Date.UTC(2025, 1, 17, 14, 30);
 * const engine = new Engine({ config, journal, runId: "R1" });
 * engine.start({ time: firstTs, version: "0.1.0", configDigest: "abc", source: "test" });
 * engine.onTick(firstTs, 5000, 1);
 * engine.finish("END", "END_OF_DATA");
 * ```
 */
export class Engine {
  /** The validated config the engine runs with. */
  readonly config: Config;
  #events: EventStream;
  #mark: ((event: JournalEvent) => JournalEvent) | undefined;
  /** A batch of one for the TICKS event of a single `onTick` (live). */
  #one: TickBatch = {
    ts: new Float64Array(1),
    price: new Float64Array(1),
    size: new Float64Array(1),
    count: 1,
  };
  #runId: string;
  #agg: BarAggregator;
  #strategy: Strategy;
  #indicators: IndicatorSet;
  #tickIndicators: boolean;
  /** The strategy's only tick indicator, fed directly on the hot path; else the set feeds them. */
  #singleTick: TickIndicator | undefined;
  #sessionIndicators: boolean;
  #strategyTicks: boolean;
  #policy: PositionPolicy;
  /** Indicator values of the last closed bar, in field order (all undefined before the first). */
  #values: readonly (number | undefined)[];
  #sessions: SessionSchedule;
  #session: SessionPolicy;
  #flattens: boolean;
  #trader: TradeManager;
  #calibration: number;
  #started = false;
  /** SESSION_END written: later bars and ticks reach neither the strategy nor the journal. */
  #ended = false;
  #strategyName: string;
  #nextSession = -Infinity;
  #lastTs = -Infinity;
  #lastPrice = NaN;
  #ticks = 0;
  #zeroSize = 0;
  #backInTime = 0;
  #bars = 0;
  #entriesAfter: number;

  /** Builds an engine from config; nothing is written until `start`. */
  constructor(options: EngineOptions) {
    const c = options.config;
    this.config = c;
    this.#events = options.events ?? new EventStream();
    this.#mark = options.mark;
    const journal = options.journal;
    this.#events.subscribe((e) => {
      if (isJournalEvent(e)) journal.write(e);
    }, { first: true });
    this.#runId = options.runId;
    this.#agg = new BarAggregator({ barMs: c.bars.seconds * 1000, lateTicks: c.bars.late_ticks });
    this.#strategy = options.strategy ?? createStrategy(c);
    this.#strategyName = options.strategy === undefined
      ? strategyDefinition(c).name
      : c.strategy.name;
    this.#indicators = new IndicatorSet(this.#strategy.indicators);
    this.#tickIndicators = this.#indicators.wantsTicks;
    this.#singleTick = this.#indicators.singleTick;
    this.#sessionIndicators = this.#indicators.wantsSessions;
    this.#strategyTicks = this.#strategy.wantsTicks === true && this.#strategy.onTick !== undefined;
    this.#policy = options.positionPolicy ?? singlePosition;
    this.#values = this.#indicators.fields.map(() => undefined);
    this.#sessions = new SessionSchedule({
      timeZone: c.session.timezone,
      starts: c.session.starts,
    });
    this.#session = new SessionPolicy({
      timeZone: c.session.timezone,
      windows: c.session.liquid_hours,
      flattenMinutes: c.live.flatten_minutes,
      spans: options.liquidSpans,
    });
    this.#flattens = this.#session.flattens;
    this.#calibration = c.strategy.calibration_bars;
    this.#entriesAfter = options.entriesAfter ?? -Infinity;
    const runId = this.#runId;
    const x = c.execution;
    this.#trader = new TradeManager({
      venue: options.venue ?? paperVenueFrom(c),
      tickSize: c.contract.tick_size,
      multiplier: c.contract.multiplier,
      contracts: c.risk.contracts,
      commissionPerContract: c.fills.commission_per_contract,
      entryPrice: c.strategy.entry_price,
      entryTimeoutBars: c.fills.entry_timeout_bars,
      entryType: x.entry_type,
      limitTimeoutBars: x.limit_timeout_bars,
      ...(x.limit_timeout_seconds === undefined
        ? {}
        : { limitTimeoutMs: x.limit_timeout_seconds * 1000 }),
      ...managersFrom(c),
      emit: (e) => this.#emit(e),
      tradeId: (n) => `${runId}-${String(n).padStart(3, "0")}`,
    });
  }

  /** Publishes the RUN event, then writes the SESSION_START line. */
  start(info: SessionInfo): void {
    this.#started = true;
    const c = this.config.contract;
    this.#events.publish({
      kind: "RUN",
      time: info.time,
      runId: this.#runId,
      config: this.config,
      fields: this.#indicators.fields,
    });
    this.#emit({
      kind: "SESSION_START",
      time: info.time,
      runId: this.#runId,
      version: info.version,
      configDigest: info.configDigest,
      source: info.source,
      symbol: c.symbol,
      multiplier: c.multiplier,
      tickSize: c.tick_size,
      currency: c.currency,
      // So that `report` counts the journal's days and hours as this run's report does.
      timeZone: this.config.session.timezone,
      dayStartMinute: dayStartMinute(this.config.session.starts),
    });
  }

  /**
   * Resumes managing a trade left open by an earlier run (restart recovery); trade numbers
   * continue after `lastSeq`.
   */
  resumeTrade(state: OpenTradeState | undefined, lastSeq: number): void {
    this.#trader.resume(state, lastSeq);
  }

  /** The stream the engine publishes on (the journal is its first subscriber). */
  get events(): EventStream {
    return this.#events;
  }

  /** The open bar so far (a fresh object), or undefined when none is open. */
  get formingBar(): Bar | undefined {
    return this.#agg.forming;
  }

  /** The strategy's indicator layout (journal keys, CSV columns), in declared order. */
  get indicatorFields(): readonly IndicatorField[] {
    return this.#indicators.fields;
  }

  /** The active trade, if any. */
  get openTrade(): OpenTradeState | undefined {
    return this.#trader.openTrade;
  }

  /** Price of the last processed tick (NaN before the first). */
  get lastPrice(): number {
    return this.#lastPrice;
  }

  /** Time of the latest processed tick (-Infinity before the first). */
  get lastTickTime(): number {
    return this.#lastTs;
  }

  /** End of the open bar, or of the last closed bar when none is open. */
  get barBoundary(): number {
    return this.#agg.boundary;
  }

  /** Counters so far. */
  get stats(): EngineStats {
    return {
      ticks: this.#ticks,
      zeroSize: this.#zeroSize,
      backInTime: this.#backInTime,
      late: this.#agg.lateCount,
      rejected: this.#agg.rejectedCount,
      bars: this.#bars,
      trades: this.#trader.tradesOpened,
    };
  }

  /**
   * Processes one trade print. Zero-size prints are counted and ignored. A tick at or past
   * the open bar's end closes that bar first (indicators, strategy, entry), then joins the
   * next bar and feeds the tick indicators; a strategy that asks for ticks is told next;
   * every tick, late ones included, is then checked against stop and target. Publishes a
   * TICKS event when someone subscribed to ticks.
   */
  onTick(ts: number, price: number, size: number): void {
    this.#tick(ts, price, size);
    if (this.#events.wantsTicks) {
      const one = this.#one;
      one.ts[0] = ts;
      one.price[0] = price;
      one.size[0] = size;
      this.#publishTicks(one);
    }
  }

  #tick(ts: number, price: number, size: number): void {
    if (!(size > 0)) {
      this.#zeroSize++;
      return;
    }
    // Never a NaN or a negative price into a bar, an indicator, the trader or the journal.
    if (!saneTick(ts, price, size)) {
      this.#agg.rejectedCount++;
      return;
    }
    this.#ticks++;
    if (ts < this.#lastTs) this.#backInTime++;
    else this.#lastTs = ts;
    const r = this.#agg.pushSane(ts, price, size);
    if (r === PushResult.CLOSED) this.#barClosed(this.#agg.lastClosed!, true);
    // Kept small so that the whole of #tick still inlines into onBatch.
    if (r !== PushResult.LATE_DROPPED && this.#tickIndicators) this.#feedTick(ts, price, size);
    this.#lastPrice = price;
    if (this.#strategyTicks) this.#strategyTick(ts, price, size);
    // Flattened by a market order that this print fills, before it can reach stop or target.
    if (this.#flattens && this.#trader.busy && this.#session.mustFlatten(ts)) {
      this.#trader.flatten(price, ts);
    }
    this.#trader.onTick(ts, price, size);
  }

  /** Feeds a print to the tick indicators, resetting session ones at a session start. */
  #feedTick(ts: number, price: number, size: number): void {
    if (this.#sessionIndicators && ts >= this.#nextSession) {
      this.#indicators.startSession();
      this.#nextSession = this.#sessions.nextStartAfter(ts);
    }
    if (this.#singleTick !== undefined) this.#singleTick.updateTick(ts, price, size);
    else this.#indicators.onTick(ts, price, size);
  }

  /**
   * Processes the first `batch.count` ticks of a batch, in order; then publishes one TICKS
   * event when someone subscribed to ticks.
   */
  onBatch(batch: TickBatch): void {
    const { ts, price, size, count } = batch;
    for (let i = 0; i < count; i++) this.#tick(ts[i]!, price[i]!, size[i]!);
    if (this.#events.wantsTicks) this.#publishTicks(batch);
  }

  #publishTicks(batch: TickBatch): void {
    this.#events.publish({
      kind: "TICKS",
      batch,
      lastTime: this.#lastTs,
      lastPrice: this.#lastPrice,
      forming: this.#agg.forming,
    });
  }

  /**
   * Closes the open bar if `now` has passed its end (live: called from a timer with the
   * exchange-clock time minus the grace period). Returns the closed bar.
   */
  closeDueBars(now: number): Bar | undefined {
    const bar = this.#agg.closeDue(now);
    if (bar !== undefined) this.#barClosed(bar, true);
    return bar;
  }

  /**
   * Ends the run: the last bar is closed (without evaluating a signal: no data follows it),
   * an open trade is closed at the last price with `reason` at `time` (default: the last
   * tick's time), and the SESSION_END line is written.
   */
  finish(reason: ExitReason, endReason: string, time?: number): void {
    // A run that never started (no tick file, bad header) leaves the journal untouched.
    if (!this.#started || this.#ended) return;
    const at = time ?? (Number.isFinite(this.#lastTs) ? this.#lastTs : 0);
    if (reason === "END") {
      const bar = this.#agg.flush();
      if (bar !== undefined) this.#barClosed(bar, false);
    }
    this.#end(reason, endReason, at);
  }

  #end(reason: ExitReason, endReason: string, at: number): void {
    this.#ended = true;
    this.#trader.close(reason, this.#lastPrice, at);
    this.#emit({
      kind: "SESSION_END",
      time: at,
      runId: this.#runId,
      reason: endReason,
      ticks: this.#ticks,
      bars: this.#bars,
      trades: this.#trader.tradesOpened,
    });
  }

  /**
   * Closes the open trade (or cancels a working entry) at the last price, without ending the
   * run: live mode flattens before the session closes.
   */
  closeOpenTrade(reason: ExitReason, time: number): void {
    this.#trader.close(reason, this.#lastPrice, time);
  }

  /**
   * Flattens at `now` (at the last price) when the session policy says no position may be
   * open then: live calls it from its timer, since a quiet market sends no tick to flatten
   * on. Returns true when it closed a trade or cancelled an entry.
   */
  flattenDue(now: number): boolean {
    if (!this.#flattens || !this.#trader.busy || !this.#session.mustFlatten(now)) return false;
    return this.#trader.flatten(this.#lastPrice, now);
  }

  /** True when an intent at time `t` is acted upon: calibrated, allowed, after warm-up, liquid. */
  #canEnter(t: number): boolean {
    return this.#bars >= this.#calibration && this.#policy.allowsEntry(this.#trader) &&
      t > this.#entriesAfter && this.#session.canEnter(t);
  }

  /** The strategy is told about every closed bar; the last one of a run (`evaluate` false) cannot enter. */
  #barClosed(bar: Bar, evaluate: boolean): void {
    if (this.#ended) return;
    const values = this.#indicators.onBar(bar);
    this.#values = values;
    this.#bars++;
    const end = bar.start + bar.lengthMs;
    // First: an entry that expires on this bar frees the position for a new one.
    this.#trader.onBarClose(end, bar);
    const canEnter = evaluate && this.#canEnter(end);
    let intent;
    try {
      intent = this.#strategy.onBar(
        new BarView(bar, values, this.#bars, canEnter, this.#indicators),
      );
    } catch (e) {
      throw this.#strategyFailed(e, `the bar ending ${new Date(end).toISOString()}`);
    }
    const accepted = canEnter ? intent : undefined;
    // The journal (always subscribed) records no bar: nothing to build when it is alone.
    if (this.#events.size > 1) {
      const snapshot: IndicatorSnapshot = {
        fields: this.#indicators.fields,
        values,
        mark: this.#strategy.mark?.(),
      };
      this.#events.publish({ kind: "BAR", bar, snapshot, signal: accepted?.side });
    }
    if (accepted !== undefined) {
      this.#trader.signal(accepted, bar.close, end, this.#indicators.record(values));
    }
  }

  #strategyTick(ts: number, price: number, size: number): void {
    if (this.#ended) return;
    const canEnter = this.#canEnter(ts);
    let intent;
    try {
      intent = this.#strategy.onTick!(ts, price, size, canEnter);
    } catch (e) {
      throw this.#strategyFailed(e, `the tick at ${new Date(ts).toISOString()}`);
    }
    if (intent === undefined || !canEnter) return;
    // The values journaled with it are those of the last closed bar.
    this.#trader.signal(intent, price, ts, this.#indicators.record(this.#values));
  }

  /**
   * A strategy that throws stops the run as Ctrl+C would: the open trade is closed as MANUAL
   * at the last price and SESSION_END names the strategy and its error, so the journal stays
   * whole; the returned error then ends the command.
   */
  #strategyFailed(e: unknown, on: string): StrategyError {
    const why = (e instanceof Error ? `${e.name}: ${e.message}` : String(e))
      .split(/\r?\n/, 1)[0]!.trim();
    const at = Number.isFinite(this.#lastTs) ? this.#lastTs : 0;
    this.#end("MANUAL", `STRATEGY_ERROR ${this.#strategyName}: ${why}`, at);
    return new StrategyError(
      `strategy ${this.#strategyName} threw on ${on}: ${why}; the run stopped and its open ` +
        `trade was closed as MANUAL`,
      { cause: e },
    );
  }

  /** Journal events go to the stream, whose first subscriber is the journal. */
  #emit(event: JournalEvent): void {
    this.#events.publish(this.#mark === undefined ? event : this.#mark(event));
  }
}
