/**
 * A combination's figures from its jobs' journals: the same report `scalpbot report` gives
 * over the journals of separate backtests of the files (the events taken in file order),
 * Sharpe ratio included (the report's: daily net P/L of the days with exits, x sqrt(252)).
 *
 * @module
 */
import { ReportAccumulator } from "../report/accumulator.ts";
import { runDay } from "../report/run_day.ts";
import { TradingDays } from "../data/trading_day.ts";
import type { Report } from "../report/report.ts";
import type { JobResult } from "./job.ts";

/** The figures of one combination over a set of files. */
export interface Figures {
  /** Files (days) run. */
  days: number;
  /** The full report over those files (its `sharpe`: docs/report.md). */
  report: Report;
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
  // Days and hours as `scalpbot report` counts them: the first job's SESSION_START's.
  const day = runDay(jobs.flatMap((j) => j.events.filter((e) => e.kind === "SESSION_START")));
  const days = new TradingDays(day.timeZone, day.dayStart);
  const all = new ReportAccumulator({
    dayOf: (t) => days.dayOf(t),
    hourOf: (t) => days.hourOf(t),
  });
  for (const job of jobs) for (const e of job.events) all.add(e);
  return { days: jobs.length, report: all.report() };
}
