/**
 * Crossings of a fast series over a slow one (EMA fast over EMA slow).
 *
 * @module
 */
import type { StreamingIndicator } from "./indicator.ts";

/** Direction of a crossing: "UP" when the fast series moved above the slow one. */
export type CrossDirection = "UP" | "DOWN";

/**
 * Streaming cross detector. Each bar it takes the fast and slow values (either may be
 * `undefined` while its indicator warms up) and reports "UP" when fast goes from
 * `<= slow` to `> slow`, "DOWN" when it goes from `>= slow` to `< slow`, else `undefined`.
 * Nothing is reported until both values have existed for two consecutive bars; a bar
 * with a missing value starts that count again.
 *
 * Touching without crossing reports nothing: 1 > 0, then 0 = 0, then 1 > 0 is an "UP"
 * on the third bar (from `<=` to `>`) with no "DOWN" before it.
 *
 * @example
 * ```ts
 * const cross = new CrossDetector();
 * cross.update(1, 2); // undefined (first bar)
 * cross.update(3, 2); // "UP"
 * ```
 */
export class CrossDetector implements StreamingIndicator<CrossDirection> {
  #prevFast = 0;
  #prevSlow = 0;
  #hasPrev = false;
  #ready = false;
  #value: CrossDirection | undefined = undefined;

  /** Adds one bar's values; returns the crossing on this bar, if any. */
  update(fast: number | undefined, slow: number | undefined): CrossDirection | undefined {
    if (fast === undefined || slow === undefined || fast !== fast || slow !== slow) {
      // A gap (or NaN) means the two bars are not consecutive: start over.
      this.#hasPrev = false;
      this.#ready = false;
      this.#value = undefined;
      return undefined;
    }
    let value: CrossDirection | undefined = undefined;
    if (this.#hasPrev) {
      this.#ready = true;
      const pf = this.#prevFast;
      const ps = this.#prevSlow;
      if (pf <= ps && fast > slow) value = "UP";
      else if (pf >= ps && fast < slow) value = "DOWN";
    }
    this.#prevFast = fast;
    this.#prevSlow = slow;
    this.#hasPrev = true;
    this.#value = value;
    return value;
  }

  /** The crossing on the latest bar, if any. */
  get value(): CrossDirection | undefined {
    return this.#value;
  }

  /** True when the latest two bars both had both values. */
  get ready(): boolean {
    return this.#ready;
  }

  /** Bars needed before a crossing can be reported: 2. */
  get warmUp(): number {
    return 2;
  }

  /** Forgets every input. */
  reset(): void {
    this.#prevFast = 0;
    this.#prevSlow = 0;
    this.#hasPrev = false;
    this.#ready = false;
    this.#value = undefined;
  }
}
