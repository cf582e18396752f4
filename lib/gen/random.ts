/**
 * A small, fast, seeded pseudo-random generator (sfc32, seeded through splitmix32) with
 * the few distributions the tick generator needs. Same seed, same sequence, on every
 * platform: all state is 32-bit integer arithmetic.
 *
 * @module
 */

const TWO_POW_32 = 4_294_967_296;

/** One splitmix32 step; returns the new state and its output. */
function splitmix32(state: number): [number, number] {
  const s = (state + 0x9e3779b9) | 0;
  let z = s;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  z = z ^ (z >>> 15);
  return [s, z >>> 0];
}

/**
 * Seeded PRNG (sfc32). Not cryptographic; meant for reproducible simulations.
 *
 * @example
 * ```ts
 * const r = new Random(42);
 * r.float(); // same value for seed 42 on every run
 * ```
 */
export class Random {
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  /** Second Box-Muller variate, kept for the next `normal()` call. */
  #spare = 0;
  #hasSpare = false;

  /** Seeds from any safe integer (negative and > 2^32 values are folded in, not lost). */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) {
      throw new RangeError(`Random seed must be a safe integer, got ${seed}`);
    }
    // Fold the high bits in so that seeds 1 and 2^32+1 differ.
    const lo = seed | 0;
    const hi = Math.floor(seed / TWO_POW_32) | 0;
    let s = lo ^ Math.imul(hi, 0x85ebca6b);
    let out: number;
    [s, out] = splitmix32(s);
    this.#a = out | 0;
    [s, out] = splitmix32(s);
    this.#b = out | 0;
    [s, out] = splitmix32(s);
    this.#c = out | 0;
    [s, out] = splitmix32(s);
    this.#d = out | 0;
    // Warm up: sfc32's first outputs are correlated with the seed words.
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** Next raw output, an integer in [0, 2^32). */
  uint32(): number {
    const a = this.#a, b = this.#b, c = this.#c, d = this.#d;
    const t = (((a + b) | 0) + d) | 0;
    this.#d = (d + 1) | 0;
    this.#a = b ^ (b >>> 9);
    this.#b = (c + (c << 3)) | 0;
    const r = (c << 21) | (c >>> 11);
    this.#c = (r + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  float(): number {
    return this.uint32() / TWO_POW_32;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }

  /** Integer uniform in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** Normal variate (basic Box-Muller: two uniforms per pair, no rejection loop). */
  normal(mean = 0, sd = 1): number {
    if (this.#hasSpare) {
      this.#hasSpare = false;
      return mean + sd * this.#spare;
    }
    // 1 - float() is in (0, 1], so the log is finite.
    const r = Math.sqrt(-2 * Math.log(1 - this.float()));
    const theta = 2 * Math.PI * this.float();
    this.#spare = r * Math.sin(theta);
    this.#hasSpare = true;
    return mean + sd * r * Math.cos(theta);
  }

  /** Exponential variate with the given rate (mean `1 / rate`). */
  exponential(rate: number): number {
    return -Math.log(1 - this.float()) / rate;
  }

  /**
   * Long-tailed positive integer: a discrete Pareto with `P(X >= k) = k^-alpha`,
   * capped at `max`. With alpha 1.2: P(1) = 0.56, P(<= 5) = 0.88, P(>= 50) = 0.009.
   */
  paretoInt(alpha: number, max: number): number {
    // u in (0, 1] so that the power is finite.
    const x = Math.floor(Math.pow(1 - this.float(), -1 / alpha));
    return x > max ? max : x;
  }
}
