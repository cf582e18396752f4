/**
 * The live dashboard's state: engine events (ticks, closed bars, journal events, connection
 * changes) folded into what the page shows, and published as numbered updates. A page loads
 * {@linkcode DashboardState.snapshot} (which carries the number of the last update it holds),
 * then follows the updates after that number: none lost, none applied twice.
 *
 * Memory stays bounded on a run of weeks: the bars of the current session only (at most
 * {@linkcode MAX_BARS}), the last {@linkcode MAX_TRADES} trades, the last
 * {@linkcode REPLAY_UPDATES} updates for resuming streams, and the report accumulated.
 *
 * @module
 */
import { SessionSchedule } from "../indicators/session_schedule.ts";
import { ReportAccumulator } from "../report/accumulator.ts";
import type { Config } from "../config/schema.ts";
import type { ConnectionState, EngineEvent } from "../events/types.ts";
import type { Bar, IndicatorField, IndicatorSnapshot, JournalEvent } from "../types.ts";
import type { OpenTradeState } from "../engine/trade_state.ts";
import type {
  Candle,
  DashboardMeta,
  DashboardSnapshot,
  DashboardStatus,
  DashboardUpdate,
  ReportFigures,
  TradeRow,
} from "./types.ts";

/** Bars kept for the page (a 23-hour session of 15 s bars is 5,520). */
export const MAX_BARS = 10_000;
/** Trades kept for the trade list (the report covers every trade). */
export const MAX_TRADES = 500;
/** Updates kept to resume a stream; a page further behind reloads the snapshot. */
export const REPLAY_UPDATES = 5_000;

/** Options of {@linkcode DashboardState}. */
export interface DashboardStateOptions {
  /** The config the run starts with (the RUN event brings the engine's, patched live). */
  config: Config;
  /** Wall clock for tick ages and connection changes; default `Date.now`. */
  wallClock?: () => number;
}

/**
 * The page's meta for a config and the strategy's indicator fields (before the RUN event:
 * none, so no overlays yet).
 */
export function metaFromConfig(
  config: Config,
  fields: readonly IndicatorField[] = [],
  runId = "",
): DashboardMeta {
  const c = config.contract;
  return {
    runId,
    symbol: c.symbol,
    currency: c.currency,
    multiplier: c.multiplier,
    tickSize: c.tick_size,
    barMs: config.bars.seconds * 1000,
    timeZone: config.session.timezone,
    overlays: overlayKeys(fields),
  };
}

/** An update without its number, as built before publishing. */
type Unnumbered = DashboardUpdate extends infer U
  ? U extends { seq: number } ? Omit<U, "seq"> : never
  : never;

/**
 * Folds engine events into the dashboard's state and numbers the updates. Closed bars, trade
 * events and resets are published at once; the forming bar and the status change on every
 * tick, so they are published by {@linkcode flush} (the server calls it a few times a
 * second).
 *
 * @example
 * ```ts
 * import { parseConfigText } from "../config/load.ts";
 * const config = parseConfigText("", { source: "defaults" });
 * const state = new DashboardState({ config });
 * const t = Date.UTC(2025, 0, 6, 15, 0, 0);
 * const forming = { start: t, lengthMs: 15_000, open: 5000, high: 5001, low: 5000, close: 5001, volume: 3, trades: 2 };
 * state.apply({ kind: "TICKS", batch: { ts: new Float64Array(0), price: new Float64Array(0), size: new Float64Array(0), count: 0 }, lastTime: t + 1000, lastPrice: 5001, forming });
 * state.flush();
 * state.snapshot().forming[0]!.close; // 5001
 * ```
 */
export class DashboardState {
  #meta: DashboardMeta;
  #starts: readonly string[];
  #sessions: SessionSchedule;
  #wall: () => number;
  #seq = 0;
  #log: DashboardUpdate[] = [];
  #listeners = new Set<(u: DashboardUpdate) => void>();
  #bars: Candle[] = [];
  /** The engine's forming bar (a fresh object per TICKS event); a candle only when sent. */
  #forming: Bar | undefined = undefined;
  /** End (exclusive) of the current session; bars from it on start a new one. */
  #sessionEnd = -Infinity;
  #trades = new Map<string, TradeRow>();
  #active: TradeRow | undefined;
  #tally = new ReportAccumulator();
  #report: ReportFigures;
  #status: DashboardStatus;
  #dirty = false;

  /** Creates the state for a run; nothing is published until events come. */
  constructor(options: DashboardStateOptions) {
    this.#meta = metaFromConfig(options.config);
    this.#starts = options.config.session.starts;
    this.#sessions = new SessionSchedule({ timeZone: this.#meta.timeZone, starts: this.#starts });
    this.#wall = options.wallClock ?? Date.now;
    this.#report = figures(this.#tally);
    this.#status = {
      position: null,
      stop: null,
      target: null,
      lastPrice: null,
      lastTickTime: null,
      lastTickWall: null,
      openPnl: 0,
      closedPnl: 0,
      connection: "idle",
      connectionSince: this.#wall(),
    };
  }

  /** Number of the last update published. */
  get seq(): number {
    return this.#seq;
  }

  /** The run's meta. */
  get meta(): DashboardMeta {
    return this.#meta;
  }

  /** Calls `fn` with every update published from now on; returns the unsubscribe function. */
  subscribe(fn: (u: DashboardUpdate) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /**
   * The updates after `seq`, in order; undefined when some of them are no longer kept (or
   * `seq` is ahead of this state, e.g. from before a restart): the page must reload the
   * snapshot.
   */
  since(seq: number): DashboardUpdate[] | undefined {
    if (!Number.isInteger(seq) || seq < 0 || seq > this.#seq) return undefined;
    if (seq === this.#seq) return [];
    const first = this.#log[0];
    if (first === undefined || first.seq > seq + 1) return undefined;
    return this.#log.slice(seq + 1 - first.seq);
  }

  /** The whole state, as of the last update published (plus the unflushed forming bar). */
  snapshot(): DashboardSnapshot {
    return {
      seq: this.#seq,
      serverTime: this.#wall(),
      meta: { ...this.#meta, overlays: [...this.#meta.overlays] },
      bars: [...this.#bars],
      forming: this.#formingCandles(),
      trades: [...this.#trades.values()].map(copyTrade),
      status: { ...this.#status },
      report: { ...this.#report },
    };
  }

  /** Folds one event of the engine's stream (subscribe with `ticks: true`). */
  apply(e: EngineEvent): void {
    switch (e.kind) {
      case "RUN":
        return this.#onRun(e.config, e.fields, e.runId);
      case "TICKS":
        return this.#onTicks(e.lastTime, e.lastPrice, e.forming);
      case "BAR":
        return this.#onBar(e.bar, e.snapshot);
      case "CONNECTION":
        return this.#onConnection(e.state);
      default:
        return this.#onEvent(e);
    }
  }

  /**
   * The run starts, with the engine's config (live mode patches zone, tick size and
   * multiplier from TWS's contract details) and indicator layout: the page reloads. A
   * second run (another run id) starts from a clean page.
   */
  #onRun(config: Config, fields: readonly IndicatorField[], runId: string): void {
    const changed = this.#meta.runId !== "" && runId !== this.#meta.runId;
    this.#meta = metaFromConfig(config, fields, runId);
    this.#starts = config.session.starts;
    this.#sessions = new SessionSchedule({ timeZone: this.#meta.timeZone, starts: this.#starts });
    if (changed) this.#clear();
    this.#publish({ type: "reset" });
  }

  /** Ticks were processed: the last price and the engine's forming bar. Publishes nothing. */
  #onTicks(lastTime: number, lastPrice: number, forming: Bar | undefined): void {
    const s = this.#status;
    if (Number.isFinite(lastTime) && Number.isFinite(lastPrice)) {
      s.lastTickTime = lastTime;
      s.lastPrice = lastPrice;
      s.lastTickWall = this.#wall();
    }
    const lastClosed = this.#bars.at(-1);
    const stale = forming !== undefined && lastClosed !== undefined &&
      forming.start <= lastClosed.start;
    this.#forming = stale ? undefined : forming;
    this.#dirty = true;
  }

  /** A bar closed, with the strategy's indicator values. Published at once. */
  #onBar(bar: Bar, snapshot: IndicatorSnapshot): void {
    if (bar.start >= this.#sessionEnd) {
      // A new trading session: the page shows the current session only.
      const first = this.#sessionEnd === -Infinity;
      this.#sessionEnd = this.#sessions.nextStartAfter(bar.start);
      if (!first && this.#bars.length > 0) {
        this.#bars = [];
        this.#publish({ type: "reset" });
      }
    }
    const overlays = this.#meta.overlays.map((key) => {
      const i = snapshot.fields.findIndex((f) => f.key === key);
      const v = i < 0 ? undefined : snapshot.values[i];
      return v === undefined || !Number.isFinite(v) ? null : v;
    });
    const candle: Candle = {
      start: bar.start,
      open: bar.open,
      high: bar.high,
      low: bar.low,
      close: bar.close,
      volume: bar.volume,
      overlays,
    };
    this.#bars.push(candle);
    if (this.#bars.length > MAX_BARS) this.#bars.splice(0, this.#bars.length - MAX_BARS);
    const closed = this.#forming !== undefined && this.#forming.start <= bar.start;
    if (closed) this.#forming = undefined;
    this.#publish({ type: "bar", candle });
    if (closed) this.#dirty = true;
  }

  /** A journal event: trades, levels, P/L and the report. Published at once. */
  #onEvent(e: JournalEvent): void {
    switch (e.kind) {
      case "SESSION_START":
        break;
      case "ENTRY":
        this.#publishTrade(this.#open({
          tradeId: e.tradeId,
          side: e.side,
          size: e.size,
          orderTime: e.time,
          entryTime: null,
          entryPrice: null,
          filled: 0,
          stop: e.stop,
          target: e.target,
        }));
        break;
      case "FILL": {
        const t = this.#trades.get(e.tradeId);
        if (t === undefined) break;
        const value = (t.entryPrice ?? 0) * t.filled + e.price * e.qty;
        t.filled += e.qty;
        t.entryPrice = value / t.filled;
        t.entryTime ??= e.time;
        this.#publishTrade(t);
        break;
      }
      case "CANCEL": {
        const t = this.#trades.get(e.tradeId);
        if (t === undefined) break;
        t.size -= e.qty;
        if (t.filled === 0) this.#finish(t, e.time, "CANCEL");
        this.#publishTrade(t);
        break;
      }
      case "EXIT": {
        // A trade resumed from the journal has no ENTRY in this run: the EXIT describes it.
        const t = this.#trades.get(e.tradeId) ?? this.#adopt({
          tradeId: e.tradeId,
          side: e.side,
          ordered: e.qty + (e.remaining ?? 0),
          filled: e.qty + (e.remaining ?? 0),
          entryPrice: e.entryPrice,
          entryTime: e.entryTime,
          stop: NaN,
          target: NaN,
        });
        t.exited += e.qty;
        t.netPnl += e.netPnl;
        t.exitPrice = e.price;
        t.exits.push({
          time: e.time,
          price: e.price,
          qty: e.qty,
          reason: e.reason,
          netPnl: e.netPnl,
        });
        if ((e.remaining ?? 0) === 0) this.#finish(t, e.time, e.reason);
        else t.reason = e.reason;
        t.exitTime = e.time;
        this.#publishTrade(t);
        this.#status.closedPnl += e.netPnl;
        break;
      }
      case "STOP_MOVE":
      case "TARGET_MOVE": {
        const t = this.#trades.get(e.tradeId);
        if (t === undefined) break;
        if (e.kind === "STOP_MOVE") t.stop = e.price;
        else t.target = e.price;
        this.#publishTrade(t);
        break;
      }
      case "SESSION_END":
        break;
    }
    this.#tally.add(e);
    if (e.kind === "EXIT") {
      this.#report = figures(this.#tally);
      this.#publish({ type: "report", report: { ...this.#report } });
    }
    this.#dirty = true;
  }

  /**
   * A trade the engine manages without an ENTRY in this run (resumed from the journal after a
   * restart): shown as the open position, with its stop and target, from now on.
   */
  seedTrade(
    t: Pick<
      OpenTradeState,
      "tradeId" | "side" | "ordered" | "filled" | "entryPrice" | "entryTime" | "stop" | "target"
    >,
  ): void {
    if (this.#trades.has(t.tradeId)) return;
    this.#publishTrade(this.#adopt(t));
    this.#dirty = true;
  }

  #adopt(
    t: Pick<
      OpenTradeState,
      "tradeId" | "side" | "ordered" | "filled" | "entryPrice" | "entryTime" | "stop" | "target"
    >,
  ): TradeRow {
    const known = (x: number) => Number.isFinite(x) ? x : null;
    return this.#open({
      tradeId: t.tradeId,
      side: t.side,
      size: t.ordered,
      orderTime: known(t.entryTime) ?? this.#status.lastTickTime ?? 0,
      entryTime: known(t.entryTime),
      entryPrice: t.filled > 0 ? t.entryPrice : null,
      filled: t.filled,
      stop: known(t.stop),
      target: known(t.target),
    });
  }

  /** A new active trade: its row with nothing exited yet. */
  #open(
    t: Pick<
      TradeRow,
      | "tradeId"
      | "side"
      | "size"
      | "orderTime"
      | "entryTime"
      | "entryPrice"
      | "filled"
      | "stop"
      | "target"
    >,
  ): TradeRow {
    const row: TradeRow = {
      ...t,
      exited: 0,
      exitTime: null,
      exitPrice: null,
      reason: null,
      netPnl: 0,
      exits: [],
      done: false,
    };
    this.#trades.set(row.tradeId, row);
    this.#active = row;
    return row;
  }

  /** The connection state changed. */
  #onConnection(state: ConnectionState): void {
    if (state === this.#status.connection) return;
    this.#status.connection = state;
    this.#status.connectionSince = this.#wall();
    // At once, not at the next flush: a drop and its reconnect can both fall between two.
    this.#dirty = true;
    this.flush();
  }

  /** Publishes the forming bars and the status if they changed since the last flush. */
  flush(): void {
    if (!this.#dirty) return;
    this.#dirty = false;
    this.#updateStatus();
    this.#publish({ type: "forming", candles: this.#formingCandles() });
    this.#publish({ type: "status", status: { ...this.#status } });
  }

  #updateStatus(): void {
    const s = this.#status;
    const t = this.#active;
    const open = t !== undefined && !t.done ? t : undefined;
    const qty = open === undefined ? 0 : open.filled - open.exited;
    s.stop = open?.stop ?? null;
    s.target = open?.target ?? null;
    if (open !== undefined && qty > 0 && open.entryPrice !== null) {
      s.position = { tradeId: open.tradeId, side: open.side, qty, entryPrice: open.entryPrice };
      const sign = open.side === "LONG" ? 1 : -1;
      const last = s.lastPrice ?? open.entryPrice;
      s.openPnl = (last - open.entryPrice) * sign * qty * this.#meta.multiplier;
    } else {
      s.position = null;
      s.openPnl = 0;
    }
  }

  #finish(t: TradeRow, time: number, reason: string): void {
    t.done = true;
    t.reason = reason;
    t.exitTime = time;
    t.stop = null;
    t.target = null;
    if (this.#active === t) this.#active = undefined;
    // The list keeps the newest trades; the oldest finished ones go first.
    if (this.#trades.size > MAX_TRADES) {
      for (const [id, row] of this.#trades) {
        if (this.#trades.size <= MAX_TRADES) break;
        if (row.done) this.#trades.delete(id);
      }
    }
  }

  #publishTrade(t: TradeRow): void {
    this.#publish({ type: "trade", trade: copyTrade(t) });
  }

  /** The forming bar as the page's candles: none or one. */
  #formingCandles(): Candle[] {
    const f = this.#forming;
    if (f === undefined) return [];
    const { start, open, high, low, close, volume } = f;
    return [{ start, open, high, low, close, volume, overlays: [] }];
  }

  #clear(): void {
    this.#bars = [];
    this.#forming = undefined;
    this.#sessionEnd = -Infinity;
    this.#trades.clear();
    this.#active = undefined;
    this.#tally = new ReportAccumulator();
    this.#report = figures(this.#tally);
    this.#status.closedPnl = 0;
    this.#status.lastPrice = null;
    this.#status.lastTickTime = null;
    this.#dirty = true;
  }

  #publish(u: Unnumbered): void {
    const update = { ...u, seq: ++this.#seq } as DashboardUpdate;
    this.#log.push(update);
    // Dropped in chunks: one splice per 10% of the log, not one shift per update.
    if (this.#log.length > REPLAY_UPDATES * 1.1) {
      this.#log.splice(0, this.#log.length - REPLAY_UPDATES);
    }
    for (const fn of this.#listeners) fn(update);
  }
}

function copyTrade(t: TradeRow): TradeRow {
  return { ...t, exits: t.exits.map((x) => ({ ...x })) };
}

/** The key figures of the accumulated report. */
function figures(tally: ReportAccumulator): ReportFigures {
  const r = tally.report();
  return {
    trades: r.trades,
    wins: r.wins,
    losses: r.losses,
    winRate: r.winRate,
    netPnl: r.netPnl,
    grossPnl: r.grossPnl,
    commission: r.commission,
    profitFactor: r.profitFactor,
    avgTrade: r.avgTrade,
    avgWin: r.avgWin,
    avgLoss: r.avgLoss,
    maxDrawdown: r.maxDrawdown,
    largestWin: r.largestWin,
    largestLoss: r.largestLoss,
    avgHoldMs: r.avgHoldMs,
  };
}

/**
 * The indicator keys drawn over the candles: price-scaled ones named like a moving average or
 * a VWAP (an ATR is in points, an RSI in 0..100: they would flatten the price scale).
 *
 * @example
 * ```ts
 * overlayKeys([
 *   { key: "EMA9", column: "ema_fast", decimals: "price" },
 *   { key: "RSI9", column: "rsi", decimals: 2 },
 *   { key: "ATR9", column: "atr", decimals: "price" },
 *   { key: "VWAP", column: "vwap", decimals: "price" },
 * ]); // ["EMA9", "VWAP"]
 * ```
 */
export function overlayKeys(fields: readonly IndicatorField[]): string[] {
  return fields
    .filter((f) => f.decimals === "price" && /^(EMA|SMA|WMA|VWAP)/i.test(f.key))
    .map((f) => f.key);
}
