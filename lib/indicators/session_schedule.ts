/**
 * Session starts in an exchange time zone: when a new trading session (and so a new
 * session VWAP) begins.
 *
 * @module
 */
import { assertTimeZone, localParts, zonedTimeToUtc } from "../time/zone.ts";
import { parseHhmm } from "../time/hhmm.ts";

/** Options of {@linkcode SessionSchedule}. */
export interface SessionScheduleOptions {
  /** IANA time zone of the start times, e.g. "America/Chicago". */
  timeZone: string;
  /** Local wall-clock times ("HH:MM") at which a session starts, every day. */
  starts: readonly string[];
}

/**
 * Daily session starts at local wall-clock times, DST-correct: "17:00" in Chicago is
 * 22:00 UTC in summer and 23:00 UTC in winter. A start inside a skipped DST hour falls one
 * offset later (as `zonedTimeToUtc` does).
 *
 * @example
 * ```ts
 * const s = new SessionSchedule({ timeZone: "America/Chicago", starts: ["17:00"] });
 * s.nextStartAfter(Date.UTC(2025, 0, 6, 12)); // Date.UTC(2025, 0, 6, 23)
 * ```
 */
export class SessionSchedule {
  /** IANA time zone of the start times. */
  readonly timeZone: string;
  /** Start times as minutes of the local day, ascending and without repeats. */
  readonly startMinutes: readonly number[];
  #sessionStart = Infinity;
  #next = -Infinity;
  #tracking = false;

  /** Validates the zone (RangeError) and the start times (SyntaxError, RangeError). */
  constructor(options: SessionScheduleOptions) {
    assertTimeZone(options.timeZone);
    if (!Array.isArray(options.starts)) {
      throw new TypeError(`SessionSchedule: starts must be an array, got ${typeof options.starts}`);
    }
    if (options.starts.length === 0) throw new RangeError("SessionSchedule: starts is empty");
    const minutes = options.starts.map((s, i) => parseHhmm(s, `session.starts[${i}]`));
    this.timeZone = options.timeZone;
    this.startMinutes = [...new Set(minutes)].sort((a, b) => a - b);
  }

  /** Epoch ms of the first session start strictly after `ms`. */
  nextStartAfter(ms: number): number {
    checkMs(ms, "SessionSchedule.nextStartAfter");
    const p = localParts(ms, this.timeZone);
    // Two days ahead always holds a start; the third guards odd DST shifts.
    for (let day = 0; day <= 2; day++) {
      for (const s of this.startMinutes) {
        const t = zonedTimeToUtc(p.y, p.m, p.d + day, Math.floor(s / 60), s % 60, this.timeZone);
        if (t > ms) return t;
      }
    }
    throw new RangeError(`SessionSchedule.nextStartAfter: no start found after ${ms}`);
  }

  /** Epoch ms of the latest session start at or before `ms`. */
  startAtOrBefore(ms: number): number {
    checkMs(ms, "SessionSchedule.startAtOrBefore");
    const p = localParts(ms, this.timeZone);
    for (let day = 0; day >= -2; day--) {
      for (let i = this.startMinutes.length - 1; i >= 0; i--) {
        const s = this.startMinutes[i]!;
        const t = zonedTimeToUtc(p.y, p.m, p.d + day, Math.floor(s / 60), s % 60, this.timeZone);
        if (t <= ms) return t;
      }
    }
    throw new RangeError(`SessionSchedule.startAtOrBefore: no start found before ${ms}`);
  }

  /**
   * Per-tick check: true when `ms` lies in a different session than the previous call's
   * time (a start was crossed, or time went back before the current session's start).
   * The first call (and the first after `resetTracking()`) only starts tracking and
   * returns false. Between boundaries this is two comparisons against cached bounds.
   */
  isNewSession(ms: number): boolean {
    if (ms < this.#next && ms >= this.#sessionStart) return false;
    const changed = this.#tracking;
    this.#sessionStart = this.startAtOrBefore(ms);
    this.#next = this.nextStartAfter(ms);
    this.#tracking = true;
    return changed;
  }

  /** Forgets the time tracked by `isNewSession`. */
  resetTracking(): void {
    this.#sessionStart = Infinity;
    this.#next = -Infinity;
    this.#tracking = false;
  }
}

function checkMs(ms: number, where: string): void {
  if (!Number.isFinite(ms)) throw new RangeError(`${where}: time must be finite ms, got ${ms}`);
}
