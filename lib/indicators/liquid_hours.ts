/**
 * Liquid-hours windows: the local times of day in which new entries are allowed.
 *
 * @module
 */
import { assertTimeZone, zoneOffsetMinutes } from "../time/zone.ts";
import { parseWindow } from "../time/hhmm.ts";

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MINUTES = 1440;

/** Options of {@linkcode LiquidHours}. */
export interface LiquidHoursOptions {
  /** IANA time zone of the windows, e.g. "America/Chicago". */
  timeZone: string;
  /** Windows "HH:MM-HH:MM", start inclusive, end exclusive; may wrap midnight. Empty = always. */
  windows: readonly string[];
}

/**
 * Tells whether an instant lies in one of the local liquid-hours windows. The answer is
 * cached with the span over which it cannot change (up to the next window edge, and at
 * most to the next UTC hour, since zone offsets only change on whole UTC hours), so a
 * per-tick call is two comparisons.
 *
 * @example
 * ```ts
 * const lh = new LiquidHours({ timeZone: "America/Chicago", windows: ["08:30-15:00"] });
 * lh.isLiquid(Date.UTC(2025, 0, 6, 15)); // true (09:00 in Chicago)
 * ```
 */
export class LiquidHours {
  /** IANA time zone of the windows. */
  readonly timeZone: string;
  #starts: Int32Array;
  #ends: Int32Array;
  #edges: Int32Array;
  #from = Infinity;
  #until = -Infinity;
  #state = false;

  /** Validates the zone (RangeError) and the windows (SyntaxError, RangeError). */
  constructor(options: LiquidHoursOptions) {
    assertTimeZone(options.timeZone);
    if (!Array.isArray(options.windows)) {
      throw new TypeError(`LiquidHours: windows must be an array, got ${typeof options.windows}`);
    }
    const parsed = options.windows.map((w, i) => parseWindow(w, `session.liquid_hours[${i}]`));
    this.timeZone = options.timeZone;
    this.#starts = Int32Array.from(parsed, (w) => w[0]);
    this.#ends = Int32Array.from(parsed, (w) => w[1]);
    this.#edges = Int32Array.from(new Set(parsed.flat()));
    if (parsed.length === 0) {
      this.#from = -Infinity;
      this.#until = Infinity;
      this.#state = true;
    }
  }

  /** True when `ms` lies in a window (always true with no windows). */
  isLiquid(ms: number): boolean {
    if (ms >= this.#from && ms < this.#until) return this.#state;
    return this.#refresh(ms);
  }

  #refresh(ms: number): boolean {
    if (!Number.isFinite(ms)) {
      throw new RangeError(`LiquidHours.isLiquid: time must be finite ms, got ${ms}`);
    }
    const minuteStart = Math.floor(ms / MINUTE_MS) * MINUTE_MS;
    const local = minuteStart / MINUTE_MS + zoneOffsetMinutes(ms, this.timeZone);
    const m = ((local % DAY_MINUTES) + DAY_MINUTES) % DAY_MINUTES;
    let state = false;
    for (let i = 0; i < this.#starts.length; i++) {
      const s = this.#starts[i]!;
      const e = this.#ends[i]!;
      if (s < e ? m >= s && m < e : m >= s || m < e) {
        state = true;
        break;
      }
    }
    let until = (Math.floor(ms / HOUR_MS) + 1) * HOUR_MS;
    for (let i = 0; i < this.#edges.length; i++) {
      const delta = ((this.#edges[i]! - m) % DAY_MINUTES + DAY_MINUTES) % DAY_MINUTES ||
        DAY_MINUTES;
      const t = minuteStart + delta * MINUTE_MS;
      if (t < until) until = t;
    }
    this.#from = minuteStart;
    this.#until = until;
    this.#state = state;
    return state;
  }
}
