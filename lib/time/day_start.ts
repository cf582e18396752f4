/**
 * The minute of day a trading day starts at, from a config's session starts, and its
 * `HH:MM` form in a journal's SESSION_START (`DayStart=17:00`). A start in the evening (CME's
 * 17:00) opens the next day's date; with only morning starts the day starts at midnight, 0.
 * {@linkcode TradingDays} (lib/data/trading_day.ts) counts days from it.
 *
 * @module
 */
import { parseHhmm } from "./hhmm.ts";

const DAY_START_RE = /^(\d\d):([0-5]\d)$/;

/**
 * Local minute of day (0 or 720 to 1439) the trading day of a config's `session.starts`
 * begins at: the earliest start at or after 12:00, or 0 (midnight) when every start is in
 * the morning.
 *
 * @example
 * ```ts
 * dayStartMinute(["17:00", "08:30"]); // 1020 (17:00)
 * dayStartMinute(["08:30"]); // 0 (midnight)
 * ```
 */
export function dayStartMinute(starts: readonly string[]): number {
  const evening = starts.map((s) => parseHhmm(s, "session.starts")).filter((m) => m >= 720);
  return evening.length > 0 ? Math.min(...evening) : 0;
}

/** True for a day start days can be counted from: 0 (midnight) or 720..1439 (12:00..23:59). */
export function isDayStartMinute(minute: number): boolean {
  return Number.isInteger(minute) && (minute === 0 || (minute >= 720 && minute < 1440));
}

/** `HH:MM` of a day start (0 -> "00:00", 1020 -> "17:00"); RangeError for any other minute. */
export function formatDayStart(minute: number): string {
  if (!isDayStartMinute(minute)) {
    throw new RangeError(`A trading day start must be 0 or 720..1439 minutes, got ${minute}`);
  }
  const hh = String(Math.floor(minute / 60)).padStart(2, "0");
  return `${hh}:${String(minute % 60).padStart(2, "0")}`;
}

/** The minute of `HH:MM` when it is a day start (00:00 or 12:00..23:59), else undefined. */
export function parseDayStart(text: string): number | undefined {
  const m = DAY_START_RE.exec(text);
  if (m === null) return undefined;
  const minute = Number(m[1]) * 60 + Number(m[2]);
  return isDayStartMinute(minute) ? minute : undefined;
}
