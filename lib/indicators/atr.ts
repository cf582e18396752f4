/**
 * Average true range as TA-Lib defines it (`TA_ATR`).
 *
 * @module
 */
import { checkFinite, checkPeriod } from "./_check.ts";
import type { Bar } from "../types.ts";
import type { BarIndicator } from "./indicator.ts";

/**
 * Streaming Wilder ATR. The first bar only supplies a previous close; every later bar has
 * true range `max(high - low, |high - prevClose|, |low - prevClose|)`. The first ATR is the
 * simple mean of the first `period` true ranges (so it comes from bar number `period + 1`),
 * then `atr = (prev * (period - 1) + tr) / period`.
 *
 * @example
 * ```ts
 * const atr = new Atr(1);
 * atr.update(10, 9, 9.5); // undefined
 * atr.update(12, 11, 11.5); // 2.5 (|12 - 9.5|)
 * ```
 */
export class Atr implements BarIndicator {
  /** Fed with closed bars. */
  readonly input = "bar";
  /** Number of true ranges in the first mean and the Wilder smoothing length. */
  readonly period: number;
  #count = 0;
  #prevClose = 0;
  #value = 0;

  /** Creates an ATR over `period` true ranges (a positive integer). */
  constructor(period: number) {
    checkPeriod(period, "Atr");
    this.period = period;
  }

  /** Adds one bar; returns the ATR, or `undefined` for the first `period` bars. */
  update(high: number, low: number, close: number): number | undefined {
    checkFinite(high, "Atr.update: high");
    checkFinite(low, "Atr.update: low");
    checkFinite(close, "Atr.update: close");
    if (high < low) throw new RangeError(`Atr.update: high ${high} is below low ${low}`);
    const count = this.#count;
    const prevClose = this.#prevClose;
    this.#prevClose = close;
    if (count === 0) {
      this.#count = 1;
      return undefined;
    }
    let tr = high - low;
    const up = high - prevClose;
    const down = prevClose - low;
    if (up > tr) tr = up;
    if (down > tr) tr = down;
    const n = this.period;
    if (count > n) {
      this.#value = (this.#value * (n - 1) + tr) / n;
      return this.#value;
    }
    // Warm-up: the value holds the running sum of true ranges until the period is complete.
    this.#value += tr;
    this.#count = count + 1;
    if (count < n) return undefined;
    this.#value /= n;
    return this.#value;
  }

  /** `update` with a closed bar's high, low and close. */
  updateBar(bar: Bar): number | undefined {
    return this.update(bar.high, bar.low, bar.close);
  }

  /** Latest ATR, or `undefined` while warming up. */
  get value(): number | undefined {
    return this.#count > this.period ? this.#value : undefined;
  }

  /** True once `period + 1` bars have been seen. */
  get ready(): boolean {
    return this.#count > this.period;
  }

  /** Bars needed for the first value: `period + 1`. */
  get warmUp(): number {
    return this.period + 1;
  }

  /** Forgets every input. */
  reset(): void {
    this.#count = 0;
    this.#prevClose = 0;
    this.#value = 0;
  }
}
