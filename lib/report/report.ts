/**
 * Trade statistics from journal events: `computeReport` (pure), `formatReport` (text) and
 * `reportToJson` (stable JSON). Every metric is defined in docs/report.md.
 *
 * Money is summed in integer cents so that totals match the journal's 2-decimal figures
 * exactly; points are rounded to 6 decimals.
 *
 * @module
 */
import type { ExitReason, JournalEvent, Side } from "../types.ts";
import { REASONS, ReportAccumulator, SIDES } from "./accumulator.ts";
import { formatIsoOffset } from "../time/zone.ts";

/** Trades and net P/L for one exit reason. */
export interface ReasonStats {
  /** Exits with this reason. */
  trades: number;
  /** Sum of their net P/L, in currency. */
  netPnl: number;
}

/** Trades, wins, losses and net P/L for one side. */
export interface SideStats {
  /** Exits on this side. */
  trades: number;
  /** Of those, exits with net P/L > 0. */
  wins: number;
  /** Of those, exits with net P/L < 0. */
  losses: number;
  /** Sum of their net P/L, in currency. */
  netPnl: number;
}

/** One trading day's closed trades. */
export interface DayRow {
  /** Trading day `yyyy-mm-dd` of the exits. */
  date: string;
  /** Exits that day. */
  trades: number;
  /** Their net P/L, in currency. */
  netPnl: number;
  /** Exits with net P/L > 0 / trades (0..1). */
  winRate: number;
  /** Largest fall of the day's closed-trade equity from its peak (from 0), >= 0. */
  maxDrawdown: number;
}

/** Exits in one hour of the day. */
export interface HourRow {
  /** Hour 0..23: exchange time (`scalpbot report`: the journal's, UTC without it, or `--tz`). */
  hour: number;
  /** Exits in that hour. */
  trades: number;
  /** Their net P/L, in currency. */
  netPnl: number;
}

/** Statistics of the trades in one or several runs. Ratios are null when undefined. */
export interface Report {
  /** RunIDs of the SESSION_START events, in journal order. */
  runIds: string[];
  /** Runs with a SESSION_END for their RunID. */
  runsEnded: number;
  /** The one currency of all runs; null when no SESSION_START was seen. */
  currency: string | null;
  /** Earliest event time (epoch ms); null without events. */
  firstTime: number | null;
  /** Latest event time (epoch ms); null without events. */
  lastTime: number | null;
  /** ENTRY events. */
  entries: number;
  /** EXIT events: one per closed trade. */
  trades: number;
  /** Exits with net P/L > 0. */
  wins: number;
  /** Exits with net P/L < 0. */
  losses: number;
  /** Exits with net P/L = 0. */
  breakeven: number;
  /** wins / trades (0..1). */
  winRate: number | null;
  /** Sum over exits of points per contract x contracts. */
  grossPoints: number;
  /** Net P/L in points: sum of net / multiplier of the trade's run; null if a run is unknown. */
  netPoints: number | null;
  /** Sum of the exits' gross P/L, in currency. */
  grossPnl: number;
  /** Sum of the exits' commission, in currency. */
  commission: number;
  /** Sum of the exits' net P/L, in currency. */
  netPnl: number;
  /** Sum of winning nets / |sum of losing nets|; null without losses. */
  profitFactor: number | null;
  /** netPnl / trades. */
  avgTrade: number | null;
  /** Mean net P/L of winners; null without wins. */
  avgWin: number | null;
  /** Mean net P/L of losers (negative); null without losses. */
  avgLoss: number | null;
  /** avgWin / |avgLoss|; null without wins or without losses. */
  payoffRatio: number | null;
  /** winRate x avgWin + lossRate x avgLoss; equals avgTrade. */
  expectancy: number | null;
  /** Largest peak-to-trough fall of cumulative net P/L (from 0), in currency (>= 0). */
  maxDrawdown: number;
  /** When that drawdown's peak was set (first event time for the starting 0). */
  maxDrawdownPeakTime: number | null;
  /** Exit at the bottom of that drawdown. */
  maxDrawdownTroughTime: number | null;
  /** First exit at or above the peak again; null if not recovered. */
  maxDrawdownRecoveryTime: number | null;
  /** Peak to recovery, or peak to the last exit when not recovered. */
  maxDrawdownDurationMs: number | null;
  /** Most consecutive losing exits (a breakeven ends the streak). */
  longestLosingStreak: number;
  /** Most consecutive winning exits (a breakeven ends the streak). */
  longestWinningStreak: number;
  /** Mean of exit time - entry time (first fill), in ms; null without exits. */
  avgHoldMs: number | null;
  /** Median of exit time - entry time (first fill), in ms; null without exits. */
  medianHoldMs: number | null;
  /** Exits and net P/L per exit reason. */
  byReason: Record<ExitReason, ReasonStats>;
  /** Exits, wins, losses and net P/L per side. */
  bySide: Record<Side, SideStats>;
  /** Trades (trade ids) with more than one FILL. */
  partialFills: number;
  /** CANCEL events. */
  cancels: number;
  /** ENTRY cancelled without any fill (never held a position). */
  cancelledUnfilled: number;
  /** ENTRY without EXIT, not cancelled unfilled. */
  openTrades: number;
  /** Largest net P/L of a winning exit; null without wins. */
  largestWin: number | null;
  /** Most negative net P/L of a losing exit; null without losses. */
  largestLoss: number | null;
  /** Longest exit time - entry time, in ms; null without exits. */
  maxHoldMs: number | null;
  /**
   * Mean / sample standard deviation of the daily net P/L, x sqrt(252); over the days with
   * an exit; null with fewer than 2 such days or no spread.
   */
  sharpe: number | null;
  /** Mean daily net P/L / downside deviation (below 0, over all those days), x sqrt(252). */
  sortino: number | null;
  /** Mean of points / (entry to initial stop) over exits whose ENTRY is known. */
  expectancyR: number | null;
  /** Commission / gross P/L, when gross P/L > 0. */
  commissionShare: number | null;
  /** Per trading day, by date. */
  byDay: DayRow[];
  /** Exits by hour of day (hours without exits left out). */
  byHour: HourRow[];
  /** Exits and net P/L by the manager named on the EXIT (`By=`); null when none is named. */
  byManager: Record<string, ReasonStats> | null;
}

/**
 * Computes the report of `events` (one or several runs, in journal order). Exits are taken in
 * time order (stable) for the equity curve and the streaks. Throws a RangeError when runs
 * use different currencies, since their P/L cannot be summed.
 *
 * @example
 * ```ts
 * import { readJournal } from "../journal/reader.ts";
 * const report = computeReport((await readJournal("trade_record.text")).events);
 * console.log(formatReport(report));
 * ```
 */
export function computeReport(events: readonly JournalEvent[]): Report {
  const acc = new ReportAccumulator();
  for (const e of events) acc.add(e);
  return acc.report();
}

// ---------------------------------------------------------------------------------------------
// Output

/** Options of {@link formatReport}. */
export interface FormatReportOptions {
  /** Zone for the times shown; default UTC. */
  timeZone?: string;
}

/** A duration as `1h 05m 00s`, `2m 30s` or `45s` (tenths of a second when not whole). */
export function formatDuration(ms: number): string {
  const totalS = Math.round(ms / 100) / 10;
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS - h * 3600) / 60);
  const s = Math.round((totalS - h * 3600 - m * 60) * 10) / 10;
  const ss = (s < 10 ? "0" : "") + String(s);
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m ${ss}s`;
  if (m > 0) return `${m}m ${ss}s`;
  return `${s}s`;
}

function money(x: number | null, currency: string): string {
  if (x === null) return "n/a";
  return `${x.toFixed(2)}${currency === "" ? "" : " " + currency}`;
}

function ratio(x: number | null, none: string): string {
  return x === null ? none : x.toFixed(2);
}

/**
 * Formats a report as an aligned text block for the console.
 *
 * @example
 * ```ts
 * const report = computeReport([]);
 * console.log(formatReport(report, { timeZone: "America/Chicago" }));
 * ```
 */
export function formatReport(report: Report, options: FormatReportOptions = {}): string {
  const tz = options.timeZone ?? "UTC";
  const r = report;
  const cur = r.currency ?? "";
  const time = (t: number | null) => (t === null ? "n/a" : formatIsoOffset(t, tz));
  const dur = (t: number | null) => (t === null ? "n/a" : formatDuration(t));
  const rows: [string, string][] = [
    [
      "Runs",
      `${r.runIds.length} (${r.runsEnded} ended)${
        r.runIds.length > 0 ? "  " + r.runIds.join(", ") : ""
      }`,
    ],
    ["Period", `${time(r.firstTime)} .. ${time(r.lastTime)}`],
    ["Trades", `${r.trades} closed, ${r.openTrades} open, ${r.entries} entries`],
    ["Wins/losses/even", `${r.wins} / ${r.losses} / ${r.breakeven}`],
    ["Win rate", r.winRate === null ? "n/a" : `${(r.winRate * 100).toFixed(2)}%`],
    ["Net P/L", money(r.netPnl, cur)],
    ["Gross P/L", money(r.grossPnl, cur)],
    ["Commission", money(r.commission, cur)],
    [
      "Points (net / gross)",
      `${r.netPoints === null ? "n/a" : r.netPoints.toFixed(2)} / ${r.grossPoints.toFixed(2)}`,
    ],
    ["Profit factor", ratio(r.profitFactor, "n/a (no losses)")],
    ["Average trade", money(r.avgTrade, cur)],
    ["Average win", money(r.avgWin, cur)],
    ["Average loss", money(r.avgLoss, cur)],
    ["Payoff ratio", ratio(r.payoffRatio, "n/a")],
    ["Expectancy", money(r.expectancy, cur)],
    [
      "Max drawdown",
      r.maxDrawdownPeakTime === null
        ? money(r.maxDrawdown, cur)
        : `${money(r.maxDrawdown, cur)} over ${dur(r.maxDrawdownDurationMs)}${
          r.maxDrawdownRecoveryTime === null ? " (not recovered)" : ""
        }`,
    ],
    [
      "Drawdown times",
      r.maxDrawdownPeakTime === null
        ? "n/a"
        : `peak ${time(r.maxDrawdownPeakTime)}, trough ${time(r.maxDrawdownTroughTime)}, ${
          r.maxDrawdownRecoveryTime === null
            ? "not recovered"
            : "recovered " + time(r.maxDrawdownRecoveryTime)
        }`,
    ],
    ["Longest streaks", `${r.longestLosingStreak} losses, ${r.longestWinningStreak} wins`],
    ["Hold time", `avg ${dur(r.avgHoldMs)}, median ${dur(r.medianHoldMs)}`],
    [
      "Exit reasons",
      REASONS.map((k) => `${k} ${r.byReason[k].trades} (${money(r.byReason[k].netPnl, "")})`)
        .join(", "),
    ],
    [
      "Sides",
      SIDES.map((k) => {
        const s = r.bySide[k];
        return `${k} ${s.trades} (${s.wins}W/${s.losses}L, ${money(s.netPnl, "")})`;
      }).join(", "),
    ],
    ["Partial fills", `${r.partialFills} trade(s) with more than one fill`],
    ["Cancels", `${r.cancels} (${r.cancelledUnfilled} entry order(s) never filled)`],
    ["Largest win/loss", `${money(r.largestWin, cur)} / ${money(r.largestLoss, cur)}`],
    ["Max hold time", dur(r.maxHoldMs)],
    [
      "Sharpe/Sortino",
      `${ratio(r.sharpe, "n/a")} / ${ratio(r.sortino, "n/a")} ` +
      `(daily net P/L, ${r.byDay.length} day(s) with trades, x sqrt(252))`,
    ],
    ["Expectancy (R)", r.expectancyR === null ? "n/a" : `${r.expectancyR.toFixed(3)} R`],
    [
      "Commission share",
      r.commissionShare === null ? "n/a" : `${(r.commissionShare * 100).toFixed(2)}% of gross`,
    ],
    [
      "Exits by hour",
      r.byHour.length === 0
        ? "n/a"
        : r.byHour.map((h) => `${String(h.hour).padStart(2, "0")}h ${h.trades}`).join(", "),
    ],
  ];
  if (r.byManager !== null) {
    rows.push([
      "Exits by manager",
      Object.entries(r.byManager).map(([k, m]) => `${k} ${m.trades} (${money(m.netPnl, "")})`)
        .join(", "),
    ]);
  }
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  const text = rows.map(([k, v]) => `${(k + ":").padEnd(width)}${v}`).join("\n");
  return r.byDay.length === 0 ? text : `${text}\n\n${formatDayTable(r.byDay)}`;
}

/** The per-day table: date, trades, net P/L, win rate, max intraday drawdown. */
export function formatDayTable(days: readonly DayRow[]): string {
  const head = ["Day", "Trades", "Net P/L", "Win rate", "Max DD"];
  const body = days.map((d) => [
    d.date,
    String(d.trades),
    d.netPnl.toFixed(2),
    `${(d.winRate * 100).toFixed(1)}%`,
    d.maxDrawdown.toFixed(2),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(head), ...body.map(line)].join("\n");
}

/** JSON schema tag written as the first key of {@link reportToJson}. */
export const REPORT_JSON_SCHEMA = "scalpbot.report/1";

/**
 * The report as JSON with stable keys (listed in docs/report.md): times as ISO
 * UTC strings, durations in ms, null for undefined ratios. Two-space indented.
 */
export function reportToJson(report: Report): string {
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  const r = report;
  const out = {
    schema: REPORT_JSON_SCHEMA,
    runIds: r.runIds,
    runsEnded: r.runsEnded,
    currency: r.currency,
    firstTime: iso(r.firstTime),
    lastTime: iso(r.lastTime),
    entries: r.entries,
    trades: r.trades,
    wins: r.wins,
    losses: r.losses,
    breakeven: r.breakeven,
    winRate: r.winRate,
    grossPoints: r.grossPoints,
    netPoints: r.netPoints,
    grossPnl: r.grossPnl,
    commission: r.commission,
    netPnl: r.netPnl,
    profitFactor: r.profitFactor,
    avgTrade: r.avgTrade,
    avgWin: r.avgWin,
    avgLoss: r.avgLoss,
    payoffRatio: r.payoffRatio,
    expectancy: r.expectancy,
    maxDrawdown: r.maxDrawdown,
    maxDrawdownPeakTime: iso(r.maxDrawdownPeakTime),
    maxDrawdownTroughTime: iso(r.maxDrawdownTroughTime),
    maxDrawdownRecoveryTime: iso(r.maxDrawdownRecoveryTime),
    maxDrawdownDurationMs: r.maxDrawdownDurationMs,
    longestLosingStreak: r.longestLosingStreak,
    longestWinningStreak: r.longestWinningStreak,
    avgHoldMs: r.avgHoldMs,
    medianHoldMs: r.medianHoldMs,
    byReason: Object.fromEntries(
      REASONS.map((k) => [k, { trades: r.byReason[k].trades, netPnl: r.byReason[k].netPnl }]),
    ),
    bySide: Object.fromEntries(SIDES.map((k) => {
      const s = r.bySide[k];
      return [k, { trades: s.trades, wins: s.wins, losses: s.losses, netPnl: s.netPnl }];
    })),
    partialFills: r.partialFills,
    cancels: r.cancels,
    cancelledUnfilled: r.cancelledUnfilled,
    openTrades: r.openTrades,
    largestWin: r.largestWin,
    largestLoss: r.largestLoss,
    maxHoldMs: r.maxHoldMs,
    sharpe: r.sharpe,
    sortino: r.sortino,
    sharpeAnnualisation: "sqrt(252), daily net P/L of days with trades",
    expectancyR: r.expectancyR,
    commissionShare: r.commissionShare,
    byDay: r.byDay,
    byHour: r.byHour,
    byManager: r.byManager,
  };
  return JSON.stringify(out, null, 2);
}
