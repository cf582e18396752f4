/**
 * The shapes every streaming indicator in this folder shares: the warm-up contract
 * (`StreamingIndicator`) and the typed-input `Indicator` the engine feeds generically.
 *
 * @module
 */
import type { Bar } from "../types.ts";

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

/** What an indicator is fed: each closed bar's close, each closed bar, or each tick. */
export type IndicatorInput = "close" | "bar" | "tick";

/** An indicator of closed bars' closes (EMA, RSI). */
export interface CloseIndicator extends StreamingIndicator {
  /** Input tag. */
  readonly input: "close";
  /** Adds one close; returns the value, or `undefined` while warming up. */
  update(close: number): number | undefined;
}

/** An indicator of whole closed bars (ATR, RVOL). */
export interface BarIndicator extends StreamingIndicator {
  /** Input tag. */
  readonly input: "bar";
  /** Adds one closed bar; returns the value, or `undefined` while warming up. */
  updateBar(bar: Bar): number | undefined;
}

/** An indicator of every trade print (VWAP). Its value is read when a bar closes. */
export interface TickIndicator extends StreamingIndicator {
  /** Input tag. */
  readonly input: "tick";
  /** True when the engine must `reset()` it at each session start (`session.starts`). */
  readonly sessionReset: boolean;
  /**
   * Adds one validated print (finite price, size > 0, late ticks already dropped): the hot
   * path, so it checks nothing and returns nothing.
   */
  updateTick(ts: number, price: number, size: number): void;
}

/**
 * Any indicator the engine can build from the registry and feed by its `input` tag. Updates
 * are O(1); `value` is `undefined` until `ready` (and may stay so after it, e.g. RVOL on a
 * zero-volume baseline); `reset()` returns to the freshly built state.
 */
export type Indicator = CloseIndicator | BarIndicator | TickIndicator;
