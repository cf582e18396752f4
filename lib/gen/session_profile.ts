/**
 * The generator's trading calendar in local exchange time: when the market is closed
 * (daily break, weekend) and how busy an open minute is (intraday volume profile).
 * Pure functions of a local minute of day and weekday.
 *
 * @module
 */
import { parseHhmm } from "../time/hhmm.ts";

/** A local time window `start`-`end` as "HH:MM" strings; may wrap midnight. */
export interface LocalWindow {
  /** Window start, local "HH:MM". */
  start: string;
  /** Window end, local "HH:MM"; before `start` when the window wraps midnight. */
  end: string;
}

/** Calendar settings for {@linkcode SessionCalendar}. */
export interface SessionCalendarOptions {
  /** Daily break with no trading, e.g. CME 16:00-17:00 America/Chicago. */
  sessionBreak?: LocalWindow | undefined;
  /**
   * Weekend closure. With a break: closed from Friday's break start to Sunday's break
   * end (CME style). Without a break: closed all Saturday and Sunday.
   * Defaults to true when `sessionBreak` is given, false otherwise.
   */
  closedWeekends?: boolean | undefined;
  /** The liquid (regular) session, shaped as a U: busy at open and close. */
  liquidHours?: LocalWindow | undefined;
  /** Activity outside liquid hours relative to liquid midday (default 0.12). */
  overnightFactor?: number | undefined;
}

/** True when minute `m` lies in [start, end), wrapping midnight when start > end. */
function inWindow(m: number, start: number, end: number): boolean {
  return start <= end ? m >= start && m < end : m >= start || m < end;
}

/** Minutes from a to b going forward around the clock, in [0, 1440). */
function forward(a: number, b: number): number {
  return (b - a + 1440) % 1440;
}

/**
 * Closure rules and the volume profile of a trading day, in local minutes.
 *
 * @example
 * ```ts
 * const cal = new SessionCalendar({
 *   sessionBreak: { start: "16:00", end: "17:00" },
 *   liquidHours: { start: "08:30", end: "15:00" },
 * });
 * cal.isClosed(16 * 60 + 30, 1); // true: inside Monday's break
 * cal.activity(8 * 60 + 30); // about 4: the open is busy
 * ```
 */
export class SessionCalendar {
  #breakStart = -1;
  #breakEnd = -1;
  #weekends: boolean;
  #liquidStart = -1;
  #liquidEnd = -1;
  #overnight: number;

  /** Parses and checks the windows; throws SyntaxError/RangeError naming the bad field. */
  constructor(options: SessionCalendarOptions = {}) {
    if (options.sessionBreak !== undefined) {
      this.#breakStart = parseHhmm(options.sessionBreak.start, "sessionBreak.start");
      this.#breakEnd = parseHhmm(options.sessionBreak.end, "sessionBreak.end");
      if (this.#breakStart === this.#breakEnd) {
        throw new RangeError(
          `sessionBreak is empty: ${options.sessionBreak.start}-${options.sessionBreak.end}`,
        );
      }
    }
    this.#weekends = options.closedWeekends ?? options.sessionBreak !== undefined;
    if (options.liquidHours !== undefined) {
      this.#liquidStart = parseHhmm(options.liquidHours.start, "liquidHours.start");
      this.#liquidEnd = parseHhmm(options.liquidHours.end, "liquidHours.end");
      if (this.#liquidStart === this.#liquidEnd) {
        throw new RangeError(
          `liquidHours is empty: ${options.liquidHours.start}-${options.liquidHours.end}`,
        );
      }
    }
    this.#overnight = options.overnightFactor ?? 0.12;
    if (!(this.#overnight > 0 && this.#overnight <= 10)) {
      throw new RangeError(`overnightFactor must be in (0, 10], got ${options.overnightFactor}`);
    }
  }

  /** Whether trading is closed at local minute `minuteOfDay` on `weekday` (0 = Sunday). */
  isClosed(minuteOfDay: number, weekday: number): boolean {
    const bs = this.#breakStart;
    const be = this.#breakEnd;
    if (bs >= 0 && inWindow(minuteOfDay, bs, be)) return true;
    if (!this.#weekends) return false;
    if (weekday === 6) return true;
    if (bs < 0) return weekday === 0;
    // CME style: the week ends at Friday's break and starts at Sunday's break end.
    if (weekday === 5) return minuteOfDay >= bs;
    if (weekday === 0) return minuteOfDay < be;
    return false;
  }

  /**
   * Relative trade intensity at local minute `minuteOfDay` (1 = liquid midday). Inside
   * liquid hours a U shape: +3 decaying over ~20 min after the open and +1.8 rising over
   * ~25 min before the close. Outside: `overnightFactor`, ramping up in the hour before
   * the open. Without liquid hours every open minute is 1.
   */
  activity(minuteOfDay: number): number {
    const ls = this.#liquidStart;
    if (ls < 0) return 1;
    const le = this.#liquidEnd;
    if (inWindow(minuteOfDay, ls, le)) {
      // Evaluated mid-minute, so the first minute is not counted at its peak only.
      const sinceOpen = forward(ls, minuteOfDay) + 0.5;
      const toClose = forward(minuteOfDay, le) - 0.5;
      return 1 + 3 * Math.exp(-sinceOpen / 20) + 1.8 * Math.exp(-toClose / 25);
    }
    const toOpen = forward(minuteOfDay, ls) - 0.5;
    const base = this.#overnight;
    // Pre-open: economic releases and positioning lift activity in the last hour.
    if (toOpen < 60) return base + (0.5 - base) * Math.max(0, 1 - toOpen / 60);
    return base;
  }
}
