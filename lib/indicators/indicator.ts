/**
 * The shape every streaming indicator in this folder shares.
 *
 * @module
 */

/**
 * A streaming indicator with O(1) state. Each class adds its own `update(...)`, which
 * returns the new value, or `undefined` while warming up.
 */
export interface StreamingIndicator<T = number> {
  /** Latest value; `undefined` while warming up. */
  readonly value: T | undefined;
  /** True once the warm-up is complete. */
  readonly ready: boolean;
  /** Updates needed before `ready` turns true (the first value comes from that update). */
  readonly warmUp: number;
  /** Forgets every input, as if newly constructed. */
  reset(): void;
}
