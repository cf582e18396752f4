/**
 * Clock-aligned OHLCV bar aggregation. Bars start at multiples of their length since the
 * epoch (a 30 s bar starts at :00 or :30) and are stamped with that start, as IB does.
 * Intervals without trades produce no bar.
 *
 * Two ways close a bar, so backtest and live share this code:
 * - `push` closes the open bar when the first tick at or past its end arrives (offline);
 * - `closeDue(now)` closes it when a clock passes its end (live, called from a timer).
 *
 * @module
 */
import type { Bar } from "../types.ts";

/** What to do with a tick stamped before the open bar (or inside a closed one). */
export type LateTickPolicy = "drop" | "current";

/** Options for {@linkcode BarAggregator}. */
export interface BarAggregatorOptions {
  /** Bar length in milliseconds. */
  barMs: number;
  /** Late-tick policy; default `drop`. */
  lateTicks?: LateTickPolicy;
}

/** Result of {@linkcode BarAggregator.push}. */
export const PushResult = {
  /** Added to the open bar. */
  ADDED: 0,
  /** Closed the previous bar (read `lastClosed`), then opened a new bar with this tick. */
  CLOSED: 1,
  /** Stamped before the open bar: counted as late; added only under the `current` policy. */
  LATE_ADDED: 2,
  /** Stamped before the open bar and dropped (policy `drop`, or no bar open). */
  LATE_DROPPED: 3,
  /** Not a trade: a non-finite field, a price not above 0, a negative size (see `saneTick`). */
  REJECTED: 4,
} as const;

/** One of the {@linkcode PushResult} values. */
export type PushResult = typeof PushResult[keyof typeof PushResult];

/** Largest |epoch ms| a Date can hold: a later stamp cannot be printed as a time. */
const MAX_DATE_MS = 8.64e15;
/**
 * Prices at or above this are refused: finite, but their P/L (times multiplier and size)
 * would approach 1e21, where `toFixed` switches to exponent notation the journal cannot hold.
 */
export const MAX_SANE_PRICE = 1e12;

/**
 * True when a trade can enter a bar: finite time within Date's range, a price above 0 and
 * below {@linkcode MAX_SANE_PRICE}, a finite size not below 0. Whatever the source checked,
 * a NaN, a negative or a 1e300 price must never reach a bar, an indicator or the journal.
 *
 * @example
 * ```ts
 * saneTick(Date.UTC(2025, 0, 2), 5000.25, 1); // true
 * saneTick(Date.UTC(2025, 0, 2), NaN, 1); // false
 * ```
 */
export function saneTick(ts: number, price: number, size: number): boolean {
  return Math.abs(ts) <= MAX_DATE_MS && price > 0 && price < MAX_SANE_PRICE && size >= 0 &&
    size < Infinity;
}

/**
 * Streaming bar builder. Keeps the open bar in number fields; allocates only when a bar
 * closes.
 *
 * @example
 * ```ts
 * const agg = new BarAggregator({ barMs: 30_000 });
 * agg.push(Date.UTC(2025, 0, 2, 15, 0, 5), 5000, 1);
 * agg.push(Date.UTC(2025, 0, 2, 15, 0, 31), 5001, 2); // closes the 15:00:00 bar
 * agg.lastClosed?.close; // 5000
 * ```
 */
export class BarAggregator {
  /** Bar length in milliseconds. */
  readonly barMs: number;
  /** What happens to late ticks. */
  readonly lateTicks: LateTickPolicy;
  /** The bar most recently closed by `push`, `closeDue` or `flush`. */
  lastClosed: Bar | undefined = undefined;
  /** Ticks stamped before the open bar or the last closed bar's end. */
  lateCount = 0;
  /** Ticks refused by {@linkcode saneTick}. */
  rejectedCount = 0;

  #open = false;
  #start = 0;
  #end = 0;
  /** End of the last closed bar; a tick before it can no longer join any bar. */
  #closedUntil = -Infinity;
  #o = 0;
  #h = 0;
  #l = 0;
  #c = 0;
  #v = 0;
  #n = 0;

  /** Creates an aggregator; `barMs` must be a positive whole number of milliseconds. */
  constructor(options: BarAggregatorOptions) {
    if (!Number.isInteger(options.barMs) || options.barMs <= 0) {
      throw new RangeError(
        `Bar length must be a positive whole number of ms, got ${options.barMs}`,
      );
    }
    this.barMs = options.barMs;
    this.lateTicks = options.lateTicks ?? "drop";
  }

  /** True while a bar is open. */
  get isOpen(): boolean {
    return this.#open;
  }

  /** Start of the open bar (meaningless when none is open). */
  get openStart(): number {
    return this.#start;
  }

  /** The open bar so far (a fresh object), or undefined when none is open. */
  get forming(): Bar | undefined {
    return this.#open ? this.#bar() : undefined;
  }

  /** End of the open bar, or of the last closed bar when none is open. */
  get boundary(): number {
    return this.#open ? this.#end : this.#closedUntil;
  }

  /**
   * Adds a trade. Returns a {@linkcode PushResult}; on `CLOSED`, `lastClosed` holds the
   * bar that the tick closed.
   */
  push(ts: number, price: number, size: number): PushResult {
    if (!saneTick(ts, price, size)) {
      this.rejectedCount++;
      return PushResult.REJECTED;
    }
    return this.pushSane(ts, price, size);
  }

  /**
   * {@linkcode push} for a trade the caller has already found {@linkcode saneTick} (the
   * engine checks every tick before anything else sees it): the check is not made twice.
   */
  pushSane(ts: number, price: number, size: number): PushResult {
    if (this.#open) {
      if (ts < this.#end) {
        if (ts >= this.#start) {
          this.#add(price, size);
          return PushResult.ADDED;
        }
        this.lateCount++;
        if (this.lateTicks === "current") {
          this.#add(price, size);
          return PushResult.LATE_ADDED;
        }
        return PushResult.LATE_DROPPED;
      }
      this.#close();
      this.#begin(ts, price, size);
      return PushResult.CLOSED;
    }
    if (ts < this.#closedUntil) {
      // No bar is open to take it under either policy.
      this.lateCount++;
      return PushResult.LATE_DROPPED;
    }
    this.#begin(ts, price, size);
    return PushResult.ADDED;
  }

  /**
   * Closes the open bar when `now` has reached its end (live timer path). Returns the
   * closed bar, or undefined when nothing was due.
   */
  closeDue(now: number): Bar | undefined {
    if (!this.#open || now < this.#end) return undefined;
    return this.#close();
  }

  /** Closes the open bar whatever the time (end of data). */
  flush(): Bar | undefined {
    return this.#open ? this.#close() : undefined;
  }

  #begin(ts: number, price: number, size: number): void {
    const start = ts - (((ts % this.barMs) + this.barMs) % this.barMs);
    this.#open = true;
    this.#start = start;
    this.#end = start + this.barMs;
    this.#o =
      this.#h =
      this.#l =
      this.#c =
        price;
    this.#v = size;
    this.#n = 1;
  }

  #add(price: number, size: number): void {
    if (price > this.#h) this.#h = price;
    else if (price < this.#l) this.#l = price;
    this.#c = price;
    this.#v += size;
    this.#n++;
  }

  /** The open bar's fields as a fresh object. */
  #bar(): Bar {
    return {
      start: this.#start,
      lengthMs: this.barMs,
      open: this.#o,
      high: this.#h,
      low: this.#l,
      close: this.#c,
      volume: this.#v,
      trades: this.#n,
    };
  }

  #close(): Bar {
    this.#open = false;
    this.#closedUntil = this.#end;
    const bar = this.#bar();
    this.lastClosed = bar;
    return bar;
  }
}
