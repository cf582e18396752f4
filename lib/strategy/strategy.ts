/**
 * The strategy plug-in contract. A strategy declares the indicators it reads (built and fed
 * by the engine through the indicator registry) and is told about each closed bar, and
 * about each tick if it asks; it answers with an entry intent or nothing. It never touches
 * the journal, the clock or the venue: the engine decides whether an intent is acted upon
 * and the trader executes it.
 *
 * @module
 */
import type { z } from "zod";
import type { Config } from "../config/schema.ts";
import type { Bar, Side } from "../types.ts";

/** One indicator a strategy reads. */
export interface IndicatorRequest {
  /** Registry spec, e.g. `ema(9)`, `rvol(20)`, `vwap`. */
  spec: string;
  /**
   * Journal key and console label: upper-case letters, digits and `_` (`EMA9`, `RVOL`).
   * Default: from the spec (`ema(9)` -> `EMA9`, `rvol(20)` -> `RVOL20`).
   */
  key?: string;
  /** Bars CSV column. Default: the key in lower case. */
  column?: string;
  /**
   * False: not built nor fed; its value is always `undefined` (journal `-`, empty cell), so
   * the journal and CSV layout does not depend on a switch. Default true.
   */
  enabled?: boolean;
}

/** What a strategy sees on each closed bar. */
export interface BarContext {
  /** The closed bar. */
  readonly bar: Bar;
  /**
   * Indicator values after this bar, in the order of `Strategy.indicators`; `undefined`
   * while warming up (an array, not a record: the bar path allocates as little as it can).
   */
  readonly values: readonly (number | undefined)[];
  /** The value of the indicator with journal key `key` (undefined for an unknown key). */
  value(key: string): number | undefined;
  /** Bars closed so far in the run, this one included. */
  readonly index: number;
  /**
   * True when an intent returned now is acted upon (flat, calibrated, in liquid hours, past
   * the live warm-up). Otherwise the strategy is told only so that it can keep its state.
   */
  readonly canEnter: boolean;
}

/** Where the initial stop goes, from the entry price (rounded to the tick, at least a tick away). */
export type StopPolicy =
  | { kind: "points"; points: number }
  | { kind: "atr"; multiple: number; atr: number };

/** Where the initial target goes, from the entry price. */
export type TargetPolicy = { kind: "points"; points: number };

/** A strategy's answer: open a position with this side, stop and target. */
export interface EntryIntent {
  /** Direction. */
  side: Side;
  /** Initial stop. */
  stop: StopPolicy;
  /** Initial target. */
  target: TargetPolicy;
  /**
   * A limit entry (a pullback): the order rests at this price from the signal on and fills
   * only on a print at or through it, at this price. Absent: a market-style entry.
   */
  limit?: number;
  /** Bar closes after which an unfilled limit entry is cancelled (default fills.entry_timeout_bars). */
  expiryBars?: number;
}

/** A strategy instance for one run. */
export interface Strategy {
  /** The indicators it reads, in journal / CSV / console order. */
  readonly indicators: readonly IndicatorRequest[];
  /** True to be told about every tick through `onTick`. */
  readonly wantsTicks?: boolean;
  /** Called on every closed bar, after the indicators were updated. */
  onBar(ctx: BarContext): EntryIntent | undefined;
  /**
   * Called on every tick when `wantsTicks` is set, before the tick's bar logic and exits;
   * an intent is acted upon only when `canEnter`, entering at that print's price.
   */
  onTick?(ts: number, price: number, size: number, canEnter: boolean): EntryIntent | undefined;
  /** A short note about the last closed bar for the console line (e.g. `X↑` for a cross). */
  mark?(): string | undefined;
}

/**
 * A registered strategy: its name, the zod schema of its own parameters
 * (`strategy.params` in config) and a factory.
 */
export interface StrategyDefinition<P = unknown> {
  /** Registered name (`strategy.name`): lower-case letters, digits, `_`. */
  readonly name: string;
  /**
   * Validates `strategy.params`; defaults apply as in any zod schema. Absent: the strategy
   * takes no parameters (`strategy.params` must be empty), and a run with it need not load zod
   * at all (the built-in `scalp`: about 20 ms of start-up).
   */
  readonly schema?: z.ZodType<P>;
  /** Builds the strategy for one run from its parameters and the whole config. */
  create(params: P, config: Config): Strategy;
}
