/**
 * How a report of a journal counts trading days and hours: as the run that wrote it did,
 * from the zone and day start its SESSION_START records (`TimeZone`, `DayStart`), so that
 * `scalpbot report` of a backtest's journal gives the backtest's own per-day rows, Sharpe and
 * exits by hour. Journals written before those keys count in UTC from midnight, as they did.
 *
 * @module
 */
import type { EngineEvent } from "../events/types.ts";
import { TradingDays } from "../data/trading_day.ts";
import { formatDayStart } from "../time/day_start.ts";

/** The zone and day start a report counts in. */
export interface ReportDay {
  /** IANA zone of the days, hours and times. */
  timeZone: string;
  /** Local minute the trading day starts at: 0 (midnight) or 720..1439 (17:00: 1020). */
  dayStart: number;
  /**
   * Set when runs count days differently: one line naming the first run that differs and
   * the run whose days the report keeps (the first run's).
   */
  note?: string;
}

/** What a journal without `TimeZone`/`DayStart` counts in. */
export const UTC_DAY: ReportDay = { timeZone: "UTC", dayStart: 0 };

/**
 * The trading day of the first run in `events`: its SESSION_START's zone and day start, or
 * {@linkcode UTC_DAY} when it has none (or there is no run), with a note when a later run
 * counts days differently.
 *
 * @example
 * ```ts
 * const start = {
 *   kind: "SESSION_START" as const, time: 0, runId: "r1", version: "1", configDigest: "c",
 *   source: "s", symbol: "MES", multiplier: 5, tickSize: 0.25, currency: "USD",
 *   timeZone: "America/Chicago", dayStartMinute: 1020,
 * };
 * runDay([start]); // { timeZone: "America/Chicago", dayStart: 1020 }
 * ```
 */
export function runDay(events: Iterable<EngineEvent>): ReportDay {
  let first: (ReportDay & { runId: string }) | undefined;
  for (const e of events) {
    if (e.kind !== "SESSION_START") continue;
    const day = { runId: e.runId, timeZone: e.timeZone ?? "UTC", dayStart: e.dayStartMinute ?? 0 };
    if (first === undefined) {
      first = day;
    } else if (day.timeZone !== first.timeZone || day.dayStart !== first.dayStart) {
      return {
        timeZone: first.timeZone,
        dayStart: first.dayStart,
        note: `run ${day.runId} counts trading days in ${describe(day)}, run ${first.runId} ` +
          `in ${describe(first)}: the report counts them as run ${first.runId} does`,
      };
    }
  }
  return first === undefined
    ? { ...UTC_DAY }
    : { timeZone: first.timeZone, dayStart: first.dayStart };
}

function describe(day: ReportDay): string {
  return `${day.timeZone} from ${formatDayStart(day.dayStart)}`;
}

/**
 * Trading days of a running report (live, demo): those of `initial` (the config as loaded)
 * until the run's SESSION_START names its own, which follow the contract details that
 * patched the config (IB's zone and hours). Subscribe {@linkcode RunDays.onEvent} before the
 * report's accumulator, so the accumulator counts the run's days as `scalpbot report` of the
 * journal will.
 *
 * @example
 * ```ts
 * import { TradingDays } from "../data/trading_day.ts";
 * const days = new RunDays(new TradingDays("UTC", []));
 * days.onEvent({
 *   kind: "SESSION_START", time: 0, runId: "r1", version: "1", configDigest: "c", source: "s",
 *   symbol: "MES", multiplier: 5, tickSize: 0.25, currency: "USD",
 *   timeZone: "America/Chicago", dayStartMinute: 1020,
 * });
 * days.dayOf(Date.UTC(2025, 2, 4, 23, 1)); // "2025-03-05" (17:01 in Chicago)
 * ```
 */
export class RunDays {
  #days: TradingDays;

  /** `initial`: the days until a SESSION_START names the run's own. */
  constructor(initial: TradingDays) {
    this.#days = initial;
  }

  /** A stream subscriber: takes the zone and day start of each SESSION_START that has them. */
  readonly onEvent = (e: EngineEvent): void => {
    if (e.kind === "SESSION_START" && e.timeZone !== undefined && e.dayStartMinute !== undefined) {
      this.#days = new TradingDays(e.timeZone, e.dayStartMinute);
    }
  };

  /** Trading day `yyyy-mm-dd` of `ms`. */
  dayOf(ms: number): string {
    return this.#days.dayOf(ms);
  }

  /** Local hour 0..23 of `ms`. */
  hourOf(ms: number): number {
    return this.#days.hourOf(ms);
  }
}
