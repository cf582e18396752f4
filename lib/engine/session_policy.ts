/**
 * Session policy: when entries are allowed and when an open trade must be flattened. One
 * policy for backtest, demo and live: entries only inside the liquid-hours windows
 * (`session.liquid_hours`), and, with `live.flatten_minutes` > 0, no position in the last
 * minutes of a window. The engine applies it on every tick; live also asks it from its timer,
 * since a quiet market sends no tick to flatten on.
 *
 * @module
 */
import { LiquidHours } from "../indicators/liquid_hours.ts";
import { parseWindow } from "../time/hhmm.ts";

const DAY_MINUTES = 1440;
const MINUTE_MS = 60_000;

/** An absolute span of liquid trading, epoch ms (live: from the contract details). */
export interface LiquidSpan {
  /** Start, inclusive. */
  start: number;
  /** End, exclusive. */
  end: number;
}

/** Options of {@linkcode SessionPolicy}. */
export interface SessionPolicyOptions {
  /** IANA time zone of the windows. */
  timeZone: string;
  /** Liquid-hours windows "HH:MM-HH:MM"; empty = always liquid (and never flattened). */
  windows: readonly string[];
  /** Minutes before a window's end in which no position is held (0 = never flatten). */
  flattenMinutes: number;
  /**
   * Dated liquid spans (live, from IB's contract details): their last `flattenMinutes` are
   * flattened too, which catches early closes that the daily windows cannot express.
   */
  spans?: readonly LiquidSpan[] | undefined;
}

/**
 * `window` ("HH:MM-HH:MM") with its end moved `minutes` earlier, or undefined when nothing of
 * it is left.
 *
 * @example
 * ```ts
 * cutWindow("08:30-15:00", 5); // "08:30-14:55"
 * cutWindow("17:00-00:10", 15); // "17:00-23:55"
 * ```
 */
export function cutWindow(window: string, minutes: number): string | undefined {
  const [s, e] = parseWindow(window, "session.liquid_hours");
  const length = ((e - s) % DAY_MINUTES + DAY_MINUTES) % DAY_MINUTES;
  if (minutes >= length) return undefined;
  const end = ((e - minutes) % DAY_MINUTES + DAY_MINUTES) % DAY_MINUTES;
  return `${window.slice(0, 5)}-${hhmm(end)}`;
}

function hhmm(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, "0")}:${
    String(minute % 60).padStart(2, "0")
  }`;
}

/**
 * Entry and flatten decisions for an instant. Both are a cached window check (two
 * comparisons) unless dated spans are given.
 *
 * @example
 * ```ts
 * const p = new SessionPolicy({
 *   timeZone: "America/Chicago",
 *   windows: ["08:30-15:00"],
 *   flattenMinutes: 5,
 * });
 * p.canEnter(Date.UTC(2025, 0, 6, 20, 54)); // true (14:54 in Chicago)
 * p.mustFlatten(Date.UTC(2025, 0, 6, 20, 55)); // true (14:55)
 * ```
 */
export class SessionPolicy {
  /** True when the policy ever flattens (`flattenMinutes` > 0 and windows or spans). */
  readonly flattens: boolean;
  /** Windows cut by the flatten minutes; undefined when no window has anything left. */
  #entry: LiquidHours | undefined;
  #windowed: boolean;
  #spans: readonly LiquidSpan[];
  #cutMs: number;

  /** Validates the zone and the windows (as {@linkcode LiquidHours} does). */
  constructor(options: SessionPolicyOptions) {
    const m = options.flattenMinutes;
    const cut = m > 0
      ? options.windows.map((w) => cutWindow(w, m)).filter((w) => w !== undefined)
      : options.windows;
    this.#windowed = options.windows.length > 0;
    this.#entry = this.#windowed && cut.length === 0
      ? undefined
      : new LiquidHours({ timeZone: options.timeZone, windows: cut });
    this.#spans = m > 0 ? options.spans ?? [] : [];
    this.#cutMs = m * MINUTE_MS;
    this.flattens = m > 0 && (this.#windowed || this.#spans.length > 0);
  }

  /** True when an entry may be placed at `t`: in a window, and not in its flatten period. */
  canEnter(t: number): boolean {
    if (this.#entry === undefined || !this.#entry.isLiquid(t)) return false;
    return this.#spans.length === 0 || !this.#inSpanCut(t);
  }

  /** True when a position open at `t` must be closed (only when `flattens`). */
  mustFlatten(t: number): boolean {
    if (!this.flattens) return false;
    if (this.#windowed && (this.#entry === undefined || !this.#entry.isLiquid(t))) return true;
    return this.#spans.length > 0 && this.#inSpanCut(t);
  }

  #inSpanCut(t: number): boolean {
    for (const s of this.#spans) {
      if (t >= s.end - this.#cutMs && t < s.end) return true;
    }
    return false;
  }
}
