/**
 * The report built one event at a time, so a backtest of any length keeps a few numbers per
 * closed trade instead of every event. `computeReport` is this accumulator over a list.
 *
 * @module
 */
import { type EngineEvent, isJournalEvent } from "../events/types.ts";
import type { ExitReason, JournalEvent, Side } from "../types.ts";
import type { DayRow, HourRow, ReasonStats, Report, SideStats } from "./report.ts";

/** Annualisation of the daily Sharpe and Sortino ratios: x sqrt(252). */
export const TRADING_DAYS_PER_YEAR = 252;

/** Exit reasons, in the report's order. */
export const REASONS: readonly ExitReason[] = ["TARGET", "STOP", "MANUAL", "END"];

/** Sides, in the report's order. */
export const SIDES: readonly Side[] = ["LONG", "SHORT"];

function cents(x: number): number {
  return Math.round(x * 100);
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

// Columns of an exit row: time, net cents, hold ms. Only what depends on the exits' time
// order (equity curve, streaks) or needs every value (median hold) is kept per exit; the
// other figures are summed as exits come: 24 bytes per closed trade.
const TIME = 0;
const NET_C = 1;
const HOLD = 2;
const COLUMNS = 3;
const ROWS_PER_CHUNK = 4096;

/** Exit rows in fixed chunks: appending never copies, so nothing old becomes garbage. */
class ExitRows {
  #chunks: Float64Array[] = [];
  length = 0;

  push(time: number, netC: number, hold: number): void {
    const r = this.length % ROWS_PER_CHUNK;
    if (r === 0) this.#chunks.push(new Float64Array(ROWS_PER_CHUNK * COLUMNS));
    const a = this.#chunks[this.#chunks.length - 1]!;
    const o = r * COLUMNS;
    a[o + TIME] = time;
    a[o + NET_C] = netC;
    a[o + HOLD] = hold;
    this.length++;
  }

  get(row: number, column: number): number {
    const a = this.#chunks[Math.floor(row / ROWS_PER_CHUNK)]!;
    return a[(row % ROWS_PER_CHUNK) * COLUMNS + column]!;
  }
}

/** What is known of a trade until its EXIT. */
interface TradeState {
  /** Trade id. */
  id: string;
  /** An ENTRY was seen (as opposed to a FILL or CANCEL of an unknown trade). */
  entered: boolean;
  /** FILL events. */
  fills: number;
  /** `Filled` of the last FILL after the ENTRY. */
  filled: number;
  /** CANCEL events after the ENTRY. */
  cancels: number;
  /** Any CANCEL. */
  cancelled: boolean;
  /** Points from the ENTRY's price to its initial stop (NaN before the ENTRY). */
  risk: number;
}

/** Options of {@linkcode ReportAccumulator}. */
export interface AccumulatorOptions {
  /** Trading day `yyyy-mm-dd` of an exit time; default its UTC date. */
  dayOf?: (ms: number) => string;
  /** Hour of day 0..23 of an exit time; default its UTC hour. */
  hourOf?: (ms: number) => number;
}

/** Per-day sums, in cents, over the day's exits in journal order. */
interface DaySums {
  trades: number;
  wins: number;
  netC: number;
  peakC: number;
  maxDdC: number;
}

/**
 * Accumulates a {@link Report} from journal events in journal order. Keeps, per closed
 * trade, three numbers (exit time, net cents, hold) for the time-ordered figures (equity
 * curve, streaks, median hold), and per open trade a small record dropped at its EXIT; sums
 * (points, R) are taken in journal order, which is time order for one engine's run. Events
 * of a trade after its EXIT (scalpbot never writes any) count as those of a new trade.
 *
 * @example
 * ```ts
 * const acc = new ReportAccumulator();
 * acc.add({ kind: "SESSION_END", time: 0, runId: "r", reason: "END_OF_DATA", ticks: 0, bars: 0, trades: 0 });
 * acc.report().trades; // 0
 * ```
 */
export class ReportAccumulator {
  #runIds: string[] = [];
  #ended = new Set<string>();
  #currencies = new Set<string>();
  #multiplier: number | undefined;
  #firstTime: number | null = null;
  #lastTime: number | null = null;
  #entries = 0;
  #cancels = 0;
  #partialFills = 0;
  #cancelledUnfilled = 0;
  /** Trades seen and not exited (few at a time); states are reused, so none become garbage. */
  #open: TradeState[] = [];
  #free: TradeState[] = [];
  // Order-free sums of the exits.
  #grossC = 0;
  #commC = 0;
  #byReason = Object.fromEntries(
    REASONS.map((r) => [r, { trades: 0, netPnl: 0 }]),
  ) as Record<ExitReason, ReasonStats>;
  #bySide = Object.fromEntries(
    SIDES.map((s) => [s, { trades: 0, wins: 0, losses: 0, netPnl: 0 }]),
  ) as Record<Side, SideStats>;
  #grossPoints = 0;
  /** Null once an exit has no net points (the run's multiplier unknown). */
  #netPoints: number | null = 0;
  #rSum = 0;
  #rCount = 0;
  /** One row per exit, walked in exit-time order at the end. */
  #exits = new ExitRows();
  #exitsSorted = true;
  #dayOf: (ms: number) => string;
  #hourOf: (ms: number) => number;
  /** One entry per trading day with an exit: a few numbers per day, whatever the run's length. */
  #days = new Map<string, DaySums>();
  #hours = Array.from({ length: 24 }, () => ({ trades: 0, netC: 0 }));
  #byManager = new Map<string, { trades: number; netC: number }>();
  #largestWinC: number | null = null;
  #largestLossC: number | null = null;
  #maxHold: number | null = null;

  /** `options` say how exit times map to days and hours (default UTC). */
  constructor(options: AccumulatorOptions = {}) {
    this.#dayOf = options.dayOf ?? ((ms) => new Date(ms).toISOString().slice(0, 10));
    this.#hourOf = options.hourOf ?? ((ms) => new Date(ms).getUTCHours());
  }

  /** A stream subscriber (lib/events): adds the journal events, ignores the rest. */
  readonly onEvent = (e: EngineEvent): void => {
    if (isJournalEvent(e)) this.add(e);
  };

  /** Adds one event. */
  add(e: JournalEvent): void {
    if (this.#firstTime === null || e.time < this.#firstTime) this.#firstTime = e.time;
    if (this.#lastTime === null || e.time > this.#lastTime) this.#lastTime = e.time;
    switch (e.kind) {
      case "SESSION_START":
        this.#runIds.push(e.runId);
        this.#currencies.add(e.currency);
        this.#multiplier = e.multiplier;
        break;
      case "SESSION_END":
        this.#ended.add(e.runId);
        break;
      case "ENTRY": {
        this.#entries++;
        const t = this.#trade(e.tradeId);
        // A repeated ENTRY starts the trade's open state afresh (as inspectJournal does).
        t.entered = true;
        t.filled = 0;
        t.cancels = 0;
        t.risk = Math.abs(e.entry - e.stop);
        break;
      }
      case "FILL": {
        const t = this.#trade(e.tradeId);
        if (++t.fills === 2) this.#partialFills++;
        if (t.entered) t.filled = e.filled;
        break;
      }
      case "CANCEL": {
        this.#cancels++;
        const t = this.#trade(e.tradeId);
        t.cancelled = true;
        if (t.entered) t.cancels++;
        break;
      }
      case "EXIT": {
        const i = this.#open.findIndex((t) => t.id === e.tradeId);
        const risk = i >= 0 ? this.#open[i]!.risk : NaN;
        // A scale-out's first part (Remaining > 0) leaves the trade open.
        if (i >= 0 && (e.remaining ?? 0) === 0) {
          const t = this.#open[i]!;
          if (t.entered && t.cancelled && t.fills === 0) this.#cancelledUnfilled++;
          this.#open.splice(i, 1);
          this.#free.push(t);
        }
        this.#addExit(e, risk);
        break;
      }
    }
  }

  #trade(id: string): TradeState {
    // The newest open trade is the usual match: search from the end.
    for (let i = this.#open.length - 1; i >= 0; i--) {
      const t = this.#open[i]!;
      if (t.id === id) return t;
    }
    const t = this.#free.pop() ??
      { id, entered: false, fills: 0, filled: 0, cancels: 0, cancelled: false, risk: NaN };
    t.risk = NaN;
    t.id = id;
    t.entered = false;
    t.fills = 0;
    t.filled = 0;
    t.cancels = 0;
    t.cancelled = false;
    this.#open.push(t);
    return t;
  }

  #addExit(x: Extract<JournalEvent, { kind: "EXIT" }>, risk: number): void {
    const net = cents(x.netPnl);
    this.#addDay(x.time, net);
    const hour = this.#hours[this.#hourOf(x.time)];
    if (hour !== undefined) {
      hour.trades++;
      hour.netC += net;
    }
    if (x.by !== undefined) {
      const m = this.#byManager.get(x.by) ?? { trades: 0, netC: 0 };
      m.trades++;
      m.netC += net;
      this.#byManager.set(x.by, m);
    }
    if (net > 0 && (this.#largestWinC === null || net > this.#largestWinC)) {
      this.#largestWinC = net;
    }
    if (net < 0 && (this.#largestLossC === null || net < this.#largestLossC)) {
      this.#largestLossC = net;
    }
    const hold = x.time - x.entryTime;
    if (this.#maxHold === null || hold > this.#maxHold) this.#maxHold = hold;
    this.#grossC += cents(x.grossPnl);
    this.#commC += cents(x.commission);
    const reason = this.#byReason[x.reason];
    reason.trades++;
    reason.netPnl += net;
    const side = this.#bySide[x.side];
    side.trades++;
    side.netPnl += net;
    if (net > 0) side.wins++;
    else if (net < 0) side.losses++;
    const rows = this.#exits;
    if (rows.length > 0 && x.time < rows.get(rows.length - 1, TIME)) this.#exitsSorted = false;
    rows.push(x.time, net, hold);
    this.#grossPoints += x.pnlPoints * x.qty;
    const mult = this.#multiplier;
    this.#netPoints = this.#netPoints === null || mult === undefined
      ? null
      : this.#netPoints + x.netPnl / mult;
    if (risk > 0) {
      this.#rSum += x.pnlPoints / risk;
      this.#rCount++;
    }
  }

  /** The day's closed-trade equity (from 0 at its start): trades, wins, net, drawdown. */
  #addDay(time: number, net: number): void {
    const key = this.#dayOf(time);
    let d = this.#days.get(key);
    if (d === undefined) {
      d = { trades: 0, wins: 0, netC: 0, peakC: 0, maxDdC: 0 };
      this.#days.set(key, d);
    }
    d.trades++;
    if (net > 0) d.wins++;
    d.netC += net;
    if (d.netC > d.peakC) d.peakC = d.netC;
    else d.maxDdC = Math.max(d.maxDdC, d.peakC - d.netC);
  }

  /** Per-day rows, by date; Sharpe and Sortino of their net P/L. */
  #dayFigures(): { byDay: DayRow[]; sharpe: number | null; sortino: number | null } {
    const byDay: DayRow[] = [...this.#days.entries()].sort((a, b) => a[0] < b[0] ? -1 : 1)
      .map(([date, d]) => ({
        date,
        trades: d.trades,
        netPnl: d.netC / 100,
        winRate: d.wins / d.trades,
        maxDrawdown: d.maxDdC / 100,
      }));
    const n = byDay.length;
    if (n < 2) return { byDay, sharpe: null, sortino: null };
    const mean = byDay.reduce((a, d) => a + d.netPnl, 0) / n;
    const variance = byDay.reduce((a, d) => a + (d.netPnl - mean) ** 2, 0) / (n - 1);
    const downside = Math.sqrt(byDay.reduce((a, d) => a + Math.min(0, d.netPnl) ** 2, 0) / n);
    const annual = Math.sqrt(TRADING_DAYS_PER_YEAR);
    return {
      byDay,
      sharpe: variance > 0 ? round6((mean / Math.sqrt(variance)) * annual) : null,
      sortino: downside > 0 ? round6((mean / downside) * annual) : null,
    };
  }

  /**
   * The report of the events added so far. Throws a RangeError when runs use different
   * currencies, since their P/L cannot be summed.
   */
  report(): Report {
    const currencies = this.#currencies;
    if (currencies.size > 1) {
      throw new RangeError(
        `Cannot report runs in different currencies: ${[...currencies].join(", ")}`,
      );
    }
    const rows = this.#exits;
    const trades = rows.length;
    // Exits come in time order from one engine's run: walked as they are. Otherwise (runs
    // appended out of order) by time, stable: exits at the same time keep their journal order.
    let order: Uint32Array | undefined;
    if (!this.#exitsSorted) {
      order = new Uint32Array(trades);
      for (let i = 0; i < trades; i++) order[i] = i;
      order.sort((a, b) => rows.get(a, TIME) - rows.get(b, TIME) || a - b);
    }

    let netC = 0;
    let winC = 0;
    let lossC = 0;
    let wins = 0;
    let losses = 0;
    const holds = new Float64Array(trades);
    let holdSum = 0;
    let equityC = 0;
    let peakC = 0;
    let peakTime = this.#firstTime;
    let maxDdC = 0;
    let ddPeakTime: number | null = null;
    let ddTroughTime: number | null = null;
    let ddRecoveryTime: number | null = null;
    let ddOpen = false;
    let lossStreak = 0;
    let winStreak = 0;
    let longestLoss = 0;
    let longestWin = 0;

    for (let k = 0; k < trades; k++) {
      const i = order === undefined ? k : order[k]!;
      const net = rows.get(i, NET_C);
      const time = rows.get(i, TIME);
      netC += net;
      const hold = rows.get(i, HOLD);
      holds[k] = hold;
      holdSum += hold;
      if (net > 0) {
        wins++;
        winC += net;
        winStreak++;
        lossStreak = 0;
      } else if (net < 0) {
        losses++;
        lossC += net;
        lossStreak++;
        winStreak = 0;
      } else {
        winStreak = 0;
        lossStreak = 0;
      }
      longestWin = Math.max(longestWin, winStreak);
      longestLoss = Math.max(longestLoss, lossStreak);

      equityC += net;
      if (equityC >= peakC) {
        if (ddOpen) {
          ddRecoveryTime = time;
          ddOpen = false;
        }
        peakC = equityC;
        peakTime = time;
      } else if (peakC - equityC > maxDdC) {
        // A deeper fall, in the same episode (same peak) or a new one: it becomes the max.
        maxDdC = peakC - equityC;
        ddPeakTime = peakTime;
        ddTroughTime = time;
        ddRecoveryTime = null;
        ddOpen = true;
      }
    }

    const byReason = Object.fromEntries(
      REASONS.map((r) => [r, { ...this.#byReason[r], netPnl: this.#byReason[r].netPnl / 100 }]),
    ) as Record<ExitReason, ReasonStats>;
    const bySide = Object.fromEntries(
      SIDES.map((s) => [s, { ...this.#bySide[s], netPnl: this.#bySide[s].netPnl / 100 }]),
    ) as Record<Side, SideStats>;
    const avgWin = wins > 0 ? winC / 100 / wins : null;
    const avgLoss = losses > 0 ? lossC / 100 / losses : null;
    const lastExitTime = trades > 0
      ? rows.get(order === undefined ? trades - 1 : order[trades - 1]!, TIME)
      : null;
    // A typed array sorts numerically in place: no second copy of every hold.
    const sortedHolds = holds.sort();
    const mid = Math.floor(sortedHolds.length / 2);
    let openTrades = 0;
    let cancelledUnfilled = this.#cancelledUnfilled;
    for (const t of this.#open) {
      if (t.entered && (t.filled > 0 || t.cancels === 0)) openTrades++;
      if (t.entered && t.cancelled && t.fills === 0) cancelledUnfilled++;
    }
    const runIds = [...this.#runIds];
    const days = this.#dayFigures();
    const byHour: HourRow[] = [];
    for (const [hour, h] of this.#hours.entries()) {
      if (h.trades > 0) byHour.push({ hour, trades: h.trades, netPnl: h.netC / 100 });
    }

    return {
      runIds,
      runsEnded: runIds.filter((id) => this.#ended.has(id)).length,
      currency: currencies.size === 1 ? [...currencies][0]! : null,
      firstTime: this.#firstTime,
      lastTime: this.#lastTime,
      entries: this.#entries,
      trades,
      wins,
      losses,
      breakeven: trades - wins - losses,
      winRate: trades > 0 ? wins / trades : null,
      grossPoints: round6(this.#grossPoints),
      netPoints: this.#netPoints === null ? null : round6(this.#netPoints),
      grossPnl: this.#grossC / 100,
      commission: this.#commC / 100,
      netPnl: netC / 100,
      profitFactor: losses > 0 ? winC / -lossC : null,
      avgTrade: trades > 0 ? netC / 100 / trades : null,
      avgWin,
      avgLoss,
      payoffRatio: avgWin !== null && avgLoss !== null ? avgWin / -avgLoss : null,
      expectancy: trades > 0
        ? (wins / trades) * (avgWin ?? 0) + (losses / trades) * (avgLoss ?? 0)
        : null,
      maxDrawdown: maxDdC / 100,
      maxDrawdownPeakTime: ddPeakTime,
      maxDrawdownTroughTime: ddTroughTime,
      maxDrawdownRecoveryTime: ddRecoveryTime,
      maxDrawdownDurationMs: ddPeakTime === null
        ? null
        : (ddRecoveryTime ?? lastExitTime ?? ddPeakTime) - ddPeakTime,
      longestLosingStreak: longestLoss,
      longestWinningStreak: longestWin,
      avgHoldMs: trades > 0 ? holdSum / trades : null,
      medianHoldMs: sortedHolds.length === 0
        ? null
        : sortedHolds.length % 2 === 1
        ? sortedHolds[mid]!
        : (sortedHolds[mid - 1]! + sortedHolds[mid]!) / 2,
      byReason,
      bySide,
      partialFills: this.#partialFills,
      cancels: this.#cancels,
      cancelledUnfilled,
      openTrades,
      largestWin: this.#largestWinC === null ? null : this.#largestWinC / 100,
      largestLoss: this.#largestLossC === null ? null : this.#largestLossC / 100,
      maxHoldMs: this.#maxHold,
      sharpe: days.sharpe,
      sortino: days.sortino,
      expectancyR: this.#rCount > 0 ? round6(this.#rSum / this.#rCount) : null,
      commissionShare: this.#grossC > 0 ? round6(this.#commC / this.#grossC) : null,
      byDay: days.byDay,
      byHour,
      byManager: this.#byManager.size === 0 ? null : Object.fromEntries(
        [...this.#byManager.entries()].sort((a, b) => a[0] < b[0] ? -1 : 1)
          .map(([k, m]) => [k, { trades: m.trades, netPnl: m.netC / 100 }]),
      ),
    };
  }
}
