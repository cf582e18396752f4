/**
 * Exponential moving average as TA-Lib defines it (`TA_EMA`, classic seeding).
 *
 * @module
 */
import { checkFinite, checkPeriod } from "./_check.ts";
import type { StreamingIndicator } from "./indicator.ts";

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
export class Ema implements StreamingIndicator {
  /** Number of inputs averaged for the seed. */
  readonly period: number;
  #k: number;
  #count = 0;
  #sum = 0;
  #value = 0;

  /** Creates an EMA over `period` inputs (a positive integer). */
  constructor(period: number) {
    checkPeriod(period, "Ema");
    this.period = period;
    this.#k = 2 / (period + 1);
  }

  /** Adds one input; returns the EMA, or `undefined` during the first `period - 1` inputs. */
  update(x: number): number | undefined {
    checkFinite(x, "Ema.update", "x");
    const count = this.#count;
    if (count >= this.period) {
      this.#value += this.#k * (x - this.#value);
      return this.#value;
    }
    this.#count = count + 1;
    this.#sum += x;
    if (count + 1 < this.period) return undefined;
    this.#value = this.#sum / this.period;
    return this.#value;
  }

  /** Latest EMA, or `undefined` while warming up. */
  get value(): number | undefined {
    return this.#count >= this.period ? this.#value : undefined;
  }

  /** True once `period` inputs have been seen. */
  get ready(): boolean {
    return this.#count >= this.period;
  }

  /** Inputs needed for the first value: `period`. */
  get warmUp(): number {
    return this.period;
  }

  /** Forgets every input. */
  reset(): void {
    this.#count = 0;
    this.#sum = 0;
    this.#value = 0;
  }
}
