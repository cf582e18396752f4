/**
 * Relative volume: a bar's volume against the mean of the bars before it.
 *
 * @module
 */
import { checkFinite, checkPeriod } from "./_check.ts";
import type { StreamingIndicator } from "./indicator.ts";

/**
 * Streaming relative volume: `volume / mean(volume of the previous period bars)`. A ring
 * buffer and a running sum make each update O(1); the sum is recomputed from the ring
 * once per lap so that rounding cannot pile up over a long run.
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
export class RelativeVolume implements StreamingIndicator {
  /** Number of previous bars in the mean. */
  readonly period: number;
  #ring: Float64Array;
  #head = 0;
  #count = 0;
  #sum = 0;
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
    checkFinite(volume, "RelativeVolume.update", "volume");
    if (volume < 0) {
      throw new RangeError(`RelativeVolume.update: volume must be >= 0, got ${volume}`);
    }
    const n = this.period;
    const ring = this.#ring;
    const head = this.#head;
    if (this.#count === n) {
      this.#ready = true;
      this.#defined = this.#nonZero > 0;
      this.#value = this.#defined ? volume * n / this.#sum : 0;
      const old = ring[head]!;
      this.#sum -= old;
      if (old !== 0) this.#nonZero--;
    } else {
      this.#count++;
    }
    ring[head] = volume;
    this.#sum += volume;
    if (volume !== 0) this.#nonZero++;
    const next = head + 1;
    if (next === n) {
      this.#head = 0;
      let s = 0;
      for (let i = 0; i < n; i++) s += ring[i]!;
      this.#sum = s;
    } else {
      this.#head = next;
    }
    return this.#defined ? this.#value : undefined;
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
    this.#nonZero = 0;
    this.#value = 0;
    this.#defined = false;
    this.#ready = false;
  }
}
