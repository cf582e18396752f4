/**
 * The one engine: ticks -> bars -> indicators -> signals -> paper trades -> journal.
 * Backtest, live and demo all drive this class; they differ only in where ticks come from
 * and in what closes bars (the next tick offline, `closeDueBars` from a timer live).
 *
 * @module
 */
import type { Config } from "../config/schema.ts";
import type { JournalSink } from "../journal/writer.ts";
import { Atr } from "../indicators/atr.ts";
import { CrossDetector } from "../indicators/cross.ts";
import { Ema } from "../indicators/ema.ts";
import { RelativeVolume } from "../indicators/rvol.ts";
import { Rsi } from "../indicators/rsi.ts";
import { LiquidHours } from "../indicators/liquid_hours.ts";
import { SessionSchedule } from "../indicators/session_schedule.ts";
import { SessionVwap } from "../indicators/vwap.ts";
import type {
  Bar,
  EntryContext,
  ExitReason,
  IndicatorSnapshot,
  JournalEvent,
  Side,
  TickBatch,
} from "../types.ts";
import { BarAggregator, PushResult, saneTick } from "./bar_aggregator.ts";
import { type OpenTradeState, PaperTrader } from "./paper_trader.ts";
import { type EntryRules, entryRulesFrom, evaluateEntry } from "./strategy.ts";

/** Observers of the engine (console, bars CSV). Called synchronously. */
export interface EngineListener {
  /** A bar closed; `signal` is the rule result when rules were evaluated on it. */
  onBar?(bar: Bar, snapshot: IndicatorSnapshot, signal: Side | undefined): void;
  /** An event was journaled. */
  onEvent?(event: JournalEvent): void;
}

/** Options for {@linkcode Engine}. */
export interface EngineOptions {
  /** Validated config (live mode patches tick size and multiplier from contract details). */
  config: Config;
  /** The journal. */
  journal: JournalSink;
  /** Unique id of this run; trade ids are `<runId>-<n>`. */
  runId: string;
  /** Optional observers. */
  listener?: EngineListener;
  /**
   * Bars ending at or before this time evaluate no entry (live warm-up: history calibrates
   * the indicators but must not open trades in the past). Default: none.
   */
  entriesAfter?: number;
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
  #journal: JournalSink;
  #listener: EngineListener;
  #runId: string;
  #agg: BarAggregator;
  #emaFast: Ema;
  #emaSlow: Ema;
  #rsi: Rsi;
  #atr: Atr;
  #vwap: SessionVwap;
  #rvol: RelativeVolume;
  #cross = new CrossDetector();
  #sessions: SessionSchedule;
  #liquid: LiquidHours;
  #rules: EntryRules;
  #trader: PaperTrader;
  #calibration: number;
  #useVwap: boolean;
  #started = false;
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
    this.#journal = options.journal;
    this.#listener = options.listener ?? {};
    this.#runId = options.runId;
    this.#agg = new BarAggregator({ barMs: c.bars.seconds * 1000, lateTicks: c.bars.late_ticks });
    this.#emaFast = new Ema(c.indicators.ema_fast);
    this.#emaSlow = new Ema(c.indicators.ema_slow);
    this.#rsi = new Rsi(c.indicators.rsi_period);
    this.#atr = new Atr(c.indicators.atr_period);
    this.#vwap = new SessionVwap();
    this.#rvol = new RelativeVolume(c.indicators.rvol_lookback);
    this.#sessions = new SessionSchedule({
      timeZone: c.session.timezone,
      starts: c.session.starts,
    });
    this.#liquid = new LiquidHours({
      timeZone: c.session.timezone,
      windows: c.session.liquid_hours,
    });
    this.#rules = entryRulesFrom(c);
    this.#calibration = c.strategy.calibration_bars;
    this.#useVwap = c.indicators.vwap;
    this.#entriesAfter = options.entriesAfter ?? -Infinity;
    const runId = this.#runId;
    this.#trader = new PaperTrader({
      tickSize: c.contract.tick_size,
      multiplier: c.contract.multiplier,
      contracts: c.risk.contracts,
      stopAtrMultiple: c.risk.stop_atr_multiple,
      targetPoints: c.risk.target_points,
      partialFills: c.fills.partial,
      commissionPerContract: c.fills.commission_per_contract,
      stopSlippageTicks: c.fills.stop_slippage_ticks,
      entryPrice: c.strategy.entry_price,
      entryTimeoutBars: c.fills.entry_timeout_bars,
      emit: (e) => this.#emit(e),
      tradeId: (n) => `${runId}-${String(n).padStart(3, "0")}`,
    });
  }

  /** Writes the SESSION_START line. */
  start(info: SessionInfo): void {
    this.#started = true;
    const c = this.config.contract;
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
    });
  }

  /**
   * Resumes managing a trade left open by an earlier run (restart recovery); trade numbers
   * continue after `lastSeq`.
   */
  resumeTrade(state: OpenTradeState | undefined, lastSeq: number): void {
    this.#trader.resume(state, lastSeq);
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
   * the open bar's end closes that bar first (indicators, signal, entry), then joins the
   * next bar; every tick, late ones included, is then checked against stop and target.
   */
  onTick(ts: number, price: number, size: number): void {
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
    const r = this.#agg.push(ts, price, size);
    if (r === PushResult.CLOSED) this.#barClosed(this.#agg.lastClosed!, true);
    if (r !== PushResult.LATE_DROPPED) {
      if (ts >= this.#nextSession) {
        this.#vwap.reset();
        this.#nextSession = this.#sessions.nextStartAfter(ts);
      }
      this.#vwap.push(price, size);
    }
    this.#lastPrice = price;
    this.#trader.onTick(ts, price, size);
  }

  /** Processes the first `batch.count` ticks of a batch, in order. */
  onBatch(batch: TickBatch): void {
    const { ts, price, size, count } = batch;
    for (let i = 0; i < count; i++) this.onTick(ts[i]!, price[i]!, size[i]!);
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
    if (!this.#started) return;
    const at = time ?? (Number.isFinite(this.#lastTs) ? this.#lastTs : 0);
    if (reason === "END") {
      const bar = this.#agg.flush();
      if (bar !== undefined) this.#barClosed(bar, false);
    }
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

  #barClosed(bar: Bar, evaluate: boolean): void {
    const close = bar.close;
    const emaFast = this.#emaFast.update(close);
    const emaSlow = this.#emaSlow.update(close);
    const rsi = this.#rsi.update(close);
    const atr = this.#atr.update(bar.high, bar.low, close);
    const rvol = this.#rvol.update(bar.volume);
    const cross = this.#cross.update(emaFast, emaSlow);
    const vwap = this.#useVwap ? this.#vwap.value : undefined;
    this.#bars++;
    const snapshot: IndicatorSnapshot = { emaFast, emaSlow, rsi, atr, vwap, rvol, cross };
    const end = bar.start + bar.lengthMs;
    this.#trader.onBarClose(end);
    let signal: Side | undefined;
    if (
      evaluate && this.#bars >= this.#calibration && !this.#trader.busy &&
      end > this.#entriesAfter && this.#liquid.isLiquid(end)
    ) {
      signal = evaluateEntry(close, snapshot, this.#rules);
    }
    this.#listener.onBar?.(bar, snapshot, signal);
    if (signal !== undefined) {
      const context: EntryContext = {
        emaFast: emaFast!,
        emaSlow: emaSlow!,
        rsi: rsi!,
        atr: atr!,
        vwap,
        rvol: rvol!,
      };
      this.#trader.signal(signal, close, end, context);
    }
  }

  #emit(event: JournalEvent): void {
    this.#journal.write(event);
    this.#listener.onEvent?.(event);
  }
}
