/**
 * Relative strength index as TA-Lib defines it (`TA_RSI`, Wilder smoothing).
 *
 * @module
 */
import { checkFinite, checkPeriod } from "./_check.ts";
import type { CloseIndicator } from "./indicator.ts";

/**
 * TA-Lib's `TA_IS_ZERO` bound: its RSI writes 0 when `avgGain + avgLoss` is within it of
 * zero. Current TA-Lib sources use 1e-14 (0.4.0 used 1e-8). For real prices it only
 * matters after hundreds of unchanged closes, when both averages have decayed.
 */
const TA_EPSILON = 1e-14;

/**
 * Streaming Wilder RSI. The first averages are the simple means of the first `period`
 * close-to-close changes (so the first value comes from close number `period + 1`), then
 * `avg = (prev * (period - 1) + current) / period`. RSI = 100 * avgGain / (avgGain +
 * avgLoss); when that sum is (nearly) zero, as on a flat series, it is 0 like TA-Lib's.
 *
 * @example
 * ```ts
 * const rsi = new Rsi(2);
 * [1, 2, 1].map((x) => rsi.update(x)); // [undefined, undefined, 50]
 * ```
 */
export class Rsi implements CloseIndicator {
  /** Fed with closed bars' closes. */
  readonly input = "close";
  /** Number of changes in the first average and the Wilder smoothing length. */
  readonly period: number;
  #count = 0;
  #prevClose = 0;
  #avgGain = 0;
  #avgLoss = 0;
  #value = NaN; // read only once ready; NaN keeps the field a double from the start

  /** Creates an RSI over `period` changes (a positive integer). */
  constructor(period: number) {
    checkPeriod(period, "Rsi");
    this.period = period;
  }

  /** Adds one close; returns the RSI (0 to 100), or `undefined` for the first `period` closes. */
  update(close: number): number | undefined {
    checkFinite(close, "Rsi.update: close");
    const count = this.#count;
    const change = close - this.#prevClose;
    this.#prevClose = close;
    if (count === 0) {
      this.#count = 1;
      return undefined;
    }
    const gain = change > 0 ? change : 0;
    const loss = change < 0 ? -change : 0;
    const n = this.period;
    if (count > n) {
      this.#avgGain = (this.#avgGain * (n - 1) + gain) / n;
      this.#avgLoss = (this.#avgLoss * (n - 1) + loss) / n;
    } else {
      // Warm-up: the averages hold running sums until the period is complete.
      this.#avgGain += gain;
      this.#avgLoss += loss;
      this.#count = count + 1;
      if (count < n) return undefined;
      this.#avgGain /= n;
      this.#avgLoss /= n;
    }
    const sum = this.#avgGain + this.#avgLoss;
    this.#value = sum > -TA_EPSILON && sum < TA_EPSILON ? 0 : 100 * (this.#avgGain / sum);
    return this.#value;
  }

  /** Latest RSI, or `undefined` while warming up. */
  get value(): number | undefined {
    return this.#count > this.period ? this.#value : undefined;
  }

  /** True once `period + 1` closes have been seen. */
  get ready(): boolean {
    return this.#count > this.period;
  }

  /** Closes needed for the first value: `period + 1`. */
  get warmUp(): number {
    return this.period + 1;
  }

  /** Forgets every input. */
  reset(): void {
    this.#count = 0;
    this.#prevClose = 0;
    this.#avgGain = 0;
    this.#avgLoss = 0;
    this.#value = NaN;
  }
}
