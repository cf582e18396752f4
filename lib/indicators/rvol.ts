/**
 * Relative volume: a bar's volume against the mean of the bars before it.
 *
 * @module
 */
import { checkFinite, checkPeriod } from "./_check.ts";
import type { Bar } from "../types.ts";
import type { BarIndicator } from "./indicator.ts";

/**
 * Streaming relative volume: `volume / mean(volume of the previous period bars)`. A ring
 * buffer and a running sum make each update O(1); the sum is compensated (Neumaier) so
 * that adding and removing volumes of very different sizes leaves no rounding behind.
 *
 * The first value comes from bar number `period + 1`. When every one of the previous
 * `period` bars had volume 0 the ratio has no baseline: the value is `undefined` (while
 * `ready` stays true), so that no "high relative volume" signal fires on it.
 *
 * @example
 * ```ts
 * const rvol = new RelativeVolume(2);
 * [10, 30, 40].map((v) => rvol.update(v)); // [undefined, undefined, 2] (40 / mean(10, 30))
 * ```
 */
export class RelativeVolume implements BarIndicator {
  /** Fed with closed bars. */
  readonly input = "bar";
  /** Number of previous bars in the mean. */
  readonly period: number;
  #ring: Float64Array;
  #head = 0;
  #count = 0;
  #sum = 0;
  /** Neumaier compensation: the low-order part that `#sum` could not hold. */
  #comp = 0;
  /** Non-zero volumes in the ring: an exact test for "mean is 0" despite rounding. */
  #nonZero = 0;
  #value = 0;
  #defined = false;
  #ready = false;

  /** Creates a relative volume over the previous `period` bars (a positive integer). */
  constructor(period: number) {
    checkPeriod(period, "RelativeVolume");
    this.period = period;
    this.#ring = new Float64Array(period);
  }

  /**
   * Adds one bar's volume; returns its relative volume, or `undefined` for the first
   * `period` bars and when the previous bars' mean volume is 0.
   */
  update(volume: number): number | undefined {
    checkFinite(volume, "RelativeVolume.update: volume");
    if (volume < 0) {
      throw new RangeError(`RelativeVolume.update: volume must be >= 0, got ${volume}`);
    }
    const n = this.period;
    const ring = this.#ring;
    const head = this.#head;
    if (this.#count === n) {
      this.#ready = true;
      const mean = (this.#sum + this.#comp) / n;
      // The count makes "all zero" exact; `mean > 0` also catches a denormal sum / n.
      this.#defined = this.#nonZero > 0 && mean > 0;
      this.#value = this.#defined ? volume / mean : 0;
      const old = ring[head]!;
      if (old !== 0) {
        this.#add(-old);
        this.#nonZero--;
      }
    } else {
      this.#count++;
    }
    ring[head] = volume;
    if (volume !== 0) {
      this.#add(volume);
      this.#nonZero++;
    }
    this.#head = head + 1 === n ? 0 : head + 1;
    return this.#defined ? this.#value : undefined;
  }

  /** `update` with a closed bar's volume. */
  updateBar(bar: Bar): number | undefined {
    return this.update(bar.volume);
  }

  #add(x: number): void {
    const sum = this.#sum;
    const t = sum + x;
    this.#comp += Math.abs(sum) >= Math.abs(x) ? (sum - t) + x : (x - t) + sum;
    this.#sum = t;
  }

  /** Latest relative volume, or `undefined` (warming up, or a zero baseline). */
  get value(): number | undefined {
    return this.#defined ? this.#value : undefined;
  }

  /** True once `period` previous bars exist (bar number `period + 1` on). */
  get ready(): boolean {
    return this.#ready;
  }

  /** Bars needed for the first value: `period + 1`. */
  get warmUp(): number {
    return this.period + 1;
  }

  /** Forgets every input. */
  reset(): void {
    this.#ring.fill(0);
    this.#head = 0;
    this.#count = 0;
    this.#sum = 0;
    this.#comp = 0;
    this.#nonZero = 0;
    this.#value = 0;
    this.#defined = false;
    this.#ready = false;
  }
}
