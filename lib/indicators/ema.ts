/**
 * Exponential moving average as TA-Lib defines it (`TA_EMA`, classic seeding).
 *
 * @module
 */
import { checkFinite, checkPeriod } from "./_check.ts";
import type { CloseIndicator } from "./indicator.ts";

/**
 * Streaming EMA. Seeded with the simple mean of the first `period` inputs (the first
 * value comes from the `period`-th input), then `ema = prev + k * (x - prev)` with
 * `k = 2 / (period + 1)`.
 *
 * @example
 * ```ts
 * const ema = new Ema(3);
 * [1, 2, 3, 4].map((x) => ema.update(x)); // [undefined, undefined, 2, 3]
 * ```
 */
export class Ema implements CloseIndicator {
  /** Fed with closed bars' closes. */
  readonly input = "close";
  /** Number of inputs averaged for the seed. */
  readonly period: number;
  #k: number;
  #count = 0;
  #ready = false;
  #sum = 0;
  // NaN, not 0: a field that starts as a small integer and later holds fractions
  // changes its in-memory representation, which throws away optimized code once.
  #value = NaN;

  /** Creates an EMA over `period` inputs (a positive integer). */
  constructor(period: number) {
    checkPeriod(period, "Ema");
    this.period = period;
    this.#k = 2 / (period + 1);
  }

  /** Adds one input; returns the EMA, or `undefined` during the first `period - 1` inputs. */
  update(x: number): number | undefined {
    checkFinite(x, "Ema.update: x");
    if (this.#ready) return this.#value += this.#k * (x - this.#value);
    this.#sum += x;
    if (++this.#count < this.period) return undefined;
    this.#ready = true;
    return this.#value = this.#sum / this.period;
  }

  /** Latest EMA, or `undefined` while warming up. */
  get value(): number | undefined {
    return this.#ready ? this.#value : undefined;
  }

  /** True once `period` inputs have been seen. */
  get ready(): boolean {
    return this.#ready;
  }

  /** Inputs needed for the first value: `period`. */
  get warmUp(): number {
    return this.period;
  }

  /** Forgets every input. */
  reset(): void {
    this.#count = 0;
    this.#ready = false;
    this.#sum = 0;
    this.#value = NaN;
  }
}
