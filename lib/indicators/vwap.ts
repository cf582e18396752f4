/**
 * Session volume-weighted average price from ticks.
 *
 * @module
 */
import { checkFinite } from "./_check.ts";
import type { TickIndicator } from "./indicator.ts";

/**
 * Cumulative `sum(price * size) / sum(size)` since the last `reset()`. The engine calls
 * `reset()` at each session start (see `SessionSchedule`). Trades of size 0 (real tapes
 * have them) change nothing; the value is `undefined` until some volume has traded.
 *
 * @example
 * ```ts
 * const vwap = new SessionVwap();
 * vwap.add(100, 1);
 * vwap.add(103, 2); // (100 + 206) / 3 = 102
 * ```
 */
export class SessionVwap implements TickIndicator {
  /** Fed with every print. */
  readonly input = "tick";
  /** Reset at each session start. */
  readonly sessionReset = true;
  #pv = 0;
  #volume = 0;

  /** Adds one trade; returns the VWAP, or `undefined` while no volume has traded. */
  add(price: number, size: number): number | undefined {
    checkFinite(price, "SessionVwap.add: price");
    checkFinite(size, "SessionVwap.add: size");
    if (size < 0) throw new RangeError(`SessionVwap.add: size must be >= 0, got ${size}`);
    this.#pv += price * size;
    this.#volume += size;
    return this.#volume > 0 ? this.#pv / this.#volume : undefined;
  }

  /**
   * Hot-path variant of `add` for ticks already validated upstream (the tick reader and the
   * IB adapter reject non-finite prices and negative sizes): no checks, no result.
   */
  push(price: number, size: number): void {
    this.#pv += price * size;
    this.#volume += size;
  }

  /** The {@linkcode TickIndicator} feed: `push`, the timestamp unused. */
  updateTick(_ts: number, price: number, size: number): void {
    this.#pv += price * size;
    this.#volume += size;
  }

  /** VWAP since the last reset, or `undefined` while no volume has traded. */
  get value(): number | undefined {
    return this.#volume > 0 ? this.#pv / this.#volume : undefined;
  }

  /** True once some volume has traded since the last reset. */
  get ready(): boolean {
    return this.#volume > 0;
  }

  /** Volume traded since the last reset. */
  get volume(): number {
    return this.#volume;
  }

  /** Trades needed for the first value: 1 (of positive size). */
  get warmUp(): number {
    return 1;
  }

  /** Starts a new session: forgets every trade. */
  reset(): void {
    this.#pv = 0;
    this.#volume = 0;
  }
}
