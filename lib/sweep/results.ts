/**
 * A combination's figures from its jobs' journals: the same report `scalpbot report` gives
 * over the journals of separate backtests of the files (the events taken in file order), and
 * a Sharpe ratio of the per-file (per-day) net P/L.
 *
 * @module
 */
import { ReportAccumulator } from "../report/accumulator.ts";
import type { Report } from "../report/report.ts";
import type { JobResult } from "./job.ts";

/** Trading days per year, for the annualised Sharpe ratio. */
export const DAYS_PER_YEAR = 252;

/** The figures of one combination over a set of files. */
export interface Figures {
  /** Files (days) run. */
  days: number;
  /** The full report over those files. */
  report: Report;
  /** Net P/L of each file, in file order. */
  dailyNet: number[];
  /**
   * mean / sample standard deviation of the daily net P/L x sqrt(252); null with fewer than
   * two days or when every day made the same.
   */
  sharpe: number | null;
}

/**
 * The figures of jobs given in file order (each job one file of the combination).
 *
 * @example
 * ```ts
 * summarise([]).days; // 0
 * ```
 */
export function summarise(jobs: readonly JobResult[]): Figures {
  const all = new ReportAccumulator();
  const dailyNet: number[] = [];
  for (const job of jobs) {
    const day = new ReportAccumulator();
    for (const e of job.events) {
      all.add(e);
      day.add(e);
    }
    dailyNet.push(day.report().netPnl);
  }
  return { days: jobs.length, report: all.report(), dailyNet, sharpe: sharpe(dailyNet) };
}

/** Annualised Sharpe ratio of daily P/L (no risk-free rate: P/L is not a return on capital). */
export function sharpe(daily: readonly number[]): number | null {
  const n = daily.length;
  if (n < 2) return null;
  const mean = daily.reduce((a, b) => a + b, 0) / n;
  const variance = daily.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  // Below a cent of spread the days made the same: no ratio rather than a huge one.
  if (!(Math.sqrt(variance) >= 0.005)) return null;
  return (mean / Math.sqrt(variance)) * Math.sqrt(DAYS_PER_YEAR);
}
