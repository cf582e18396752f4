/**
 * The trading day of an instant, from the config's session starts, as the exchange books it:
 * a session that starts in the evening (CME's 17:00) belongs to the next day's date, so
 * Sunday 17:00 to Monday 16:00 Chicago is Monday. Used by `--from/--to` on plain tick files
 * and by the per-day report. (The store's days come from the contract's hours instead, see
 * calendar.ts; for CME both agree.)
 *
 * @module
 */
import { dayStartMinute, isDayStartMinute } from "../time/day_start.ts";
import { localParts } from "../time/zone.ts";

const MINUTE_MS = 60_000;

/**
 * Maps instants to trading days `yyyy-mm-dd`. The day changes at the earliest session start
 * at or after 12:00 local; with only morning starts it changes at local midnight.
 *
 * @example
 * ```ts
 * const days = new TradingDays("America/Chicago", ["17:00"]);
 * days.dayOf(Date.UTC(2025, 0, 5, 23, 30)); // "2025-01-06" (Sunday 17:30 Chicago)
 * days.dayOf(Date.UTC(2025, 0, 6, 21, 0)); // "2025-01-06" (Monday 15:00)
 * // The same days from the start minute a journal's SESSION_START records (DayStart=17:00):
 * new TradingDays("America/Chicago", 17 * 60).dayOf(Date.UTC(2025, 0, 5, 23, 30)); // "2025-01-06"
 * ```
 */
export class TradingDays {
  /** Local minute of day at which the date moves on (1440: midnight). */
  readonly changeMinute: number;
  #timeZone: string;
  #minute = NaN;
  #day = "";

  /**
   * `startsOrDayStart`: the config's `session.starts` ("HH:MM"), or the minute of day the
   * trading day starts at (0 for midnight, else 720..1439: see lib/time/day_start.ts).
   */
  constructor(timeZone: string, startsOrDayStart: readonly string[] | number) {
    this.#timeZone = timeZone;
    const start = typeof startsOrDayStart === "number"
      ? startsOrDayStart
      : dayStartMinute(startsOrDayStart);
    if (!isDayStartMinute(start)) {
      throw new RangeError(`Trading day start must be 0 or 720..1439 minutes, got ${start}`);
    }
    this.changeMinute = start === 0 ? 1440 : start;
  }

  /** Local hour 0..23 of `ms` in the exchange zone. */
  hourOf(ms: number): number {
    return Math.floor(localParts(ms, this.#timeZone).minuteOfDay / 60);
  }

  /** Trading day of `ms` (cached per minute: ticks come in time order). */
  dayOf(ms: number): string {
    const minute = Math.floor(ms / MINUTE_MS);
    if (minute === this.#minute) return this.#day;
    const p = localParts(ms, this.#timeZone);
    let day = Date.UTC(p.y, p.m - 1, p.d);
    if (p.minuteOfDay >= this.changeMinute) day += 86_400_000;
    this.#minute = minute;
    this.#day = new Date(day).toISOString().slice(0, 10);
    return this.#day;
  }
}
