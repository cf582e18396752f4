/**
 * The built-in strategy `scalp`: the seeds' rules. Long: EMA fast above slow (or crossing
 * above it, with `strategy.trigger: cross`), close above VWAP, RSI above its minimum (and
 * below overbought with the filter on), RVOL above the threshold; short is the mirror. Stop
 * `risk.stop_atr_multiple` ATRs, target `risk.target_points` points. With
 * `strategy.trigger: pullback` the cross does not enter at once: a limit order rests at the
 * cross bar's fast EMA (or VWAP, `strategy.pullback_to`) for up to `strategy.pullback_bars`
 * bar closes, and fills only where a print trades at that price. Its keys are the
 * historical ones (`strategy.*`, `indicators.*`, `risk.*`); it takes no `strategy.params`.
 *
 * @module
 */
import type { Config } from "../config/schema.ts";
import { CrossDetector, type CrossDirection } from "../indicators/cross.ts";
import type { Side } from "../types.ts";
import type {
  BarContext,
  EntryIntent,
  IndicatorRequest,
  Strategy,
  StrategyDefinition,
} from "./strategy.ts";

/** The values the rules read at a closed bar; `undefined` while warming up. */
export interface ScalpValues {
  /** Fast EMA of bar closes. */
  emaFast: number | undefined;
  /** Slow EMA of bar closes. */
  emaSlow: number | undefined;
  /** RSI, 0..100. */
  rsi: number | undefined;
  /** ATR in points. */
  atr: number | undefined;
  /** Session VWAP; undefined when switched off. */
  vwap: number | undefined;
  /** Relative volume. */
  rvol: number | undefined;
  /** EMA fast crossed EMA slow on this bar. */
  cross: CrossDirection | undefined;
}

/** Entry rules taken from config. */
export interface EntryRules {
  /** Long entries allowed. */
  long: boolean;
  /** Short entries allowed. */
  short: boolean;
  /** A long needs RSI above this (0..100). */
  rsiLongMin: number;
  /** A short needs RSI below this (0..100). */
  rsiShortMax: number;
  /** Also refuse longs at or above `overbought` and shorts at or below `oversold`. */
  overboughtFilter: boolean;
  /** RSI level (0..100) at or above which longs are refused when the filter is on. */
  overbought: number;
  /** RSI level (0..100) at or below which shorts are refused when the filter is on. */
  oversold: number;
  /**
   * `state`: fast EMA above (below) slow; `cross`: only on the bar where it crosses;
   * `pullback`: as `cross`, entering with a limit at the pullback level (see ScalpStrategy).
   */
  trigger: "state" | "cross" | "pullback";
  /** Relative volume must exceed this. */
  rvolThreshold: number;
  /** Require the close above VWAP for longs, below for shorts. */
  useVwap: boolean;
}

/** Builds {@linkcode EntryRules} from a validated config. */
export function entryRulesFrom(config: Config): EntryRules {
  const s = config.strategy;
  return {
    long: s.long,
    short: s.short,
    rsiLongMin: s.rsi_long_min,
    rsiShortMax: s.rsi_short_max,
    overboughtFilter: s.overbought_filter,
    overbought: s.overbought,
    oversold: s.oversold,
    trigger: s.trigger,
    rvolThreshold: config.indicators.rvol_threshold,
    useVwap: config.indicators.vwap,
  };
}

/**
 * Evaluates the rules on a closed bar. Returns undefined when no rule holds or an indicator
 * is not ready.
 *
 * @example
 * ```ts
 * import { parseConfigText } from "../config/load.ts";
 * const rules = entryRulesFrom(parseConfigText("", { source: "defaults" }));
 * const values = { emaFast: 2, emaSlow: 1, rsi: 60, atr: 1, vwap: 5000, rvol: 2, cross: undefined };
 * evaluateEntry(5001, values, rules); // "LONG" with the default rules
 * ```
 */
export function evaluateEntry(
  close: number,
  s: ScalpValues,
  rules: EntryRules,
): Side | undefined {
  const { emaFast, emaSlow, rsi, atr, rvol } = s;
  if (
    emaFast === undefined || emaSlow === undefined || rsi === undefined || atr === undefined ||
    rvol === undefined
  ) return undefined;
  const vwap = s.vwap;
  if (rules.useVwap && vwap === undefined) return undefined;
  if (!(rvol > rules.rvolThreshold)) return undefined;
  if (rules.long) {
    // `pullback` signals on the cross, as `cross` does; only its order differs.
    const trend = rules.trigger === "state" ? emaFast > emaSlow : s.cross === "UP";
    if (
      trend && (!rules.useVwap || close > vwap!) && rsi > rules.rsiLongMin &&
      (!rules.overboughtFilter || rsi < rules.overbought)
    ) return "LONG";
  }
  if (rules.short) {
    const trend = rules.trigger === "state" ? emaFast < emaSlow : s.cross === "DOWN";
    if (
      trend && (!rules.useVwap || close < vwap!) && rsi < rules.rsiShortMax &&
      (!rules.overboughtFilter || rsi > rules.oversold)
    ) return "SHORT";
  }
  return undefined;
}

/**
 * The scalp strategy for one run. Its journal keys are today's (`EMA9 EMA21 RSI9 ATR9 VWAP
 * RVOL` with the configured periods) and so are its bars CSV columns.
 */
export class ScalpStrategy implements Strategy {
  /** The six indicators, in the journal's historical order. */
  readonly indicators: readonly IndicatorRequest[];
  #rules: EntryRules;
  #cross = new CrossDetector();
  #stopMultiple: number;
  #targetPoints: number;
  /** Pullback: index of the level in `values` (fast EMA 0, VWAP 4), or -1 without one. */
  #pullbackAt: number;
  #pullbackBars: number;

  /** Reads the rules, periods and exits from config. */
  constructor(config: Config) {
    const i = config.indicators;
    this.#rules = entryRulesFrom(config);
    this.indicators = [
      { spec: `ema(${i.ema_fast})`, key: `EMA${i.ema_fast}`, column: "ema_fast" },
      { spec: `ema(${i.ema_slow})`, key: `EMA${i.ema_slow}`, column: "ema_slow" },
      { spec: `rsi(${i.rsi_period})`, key: `RSI${i.rsi_period}`, column: "rsi" },
      { spec: `atr(${i.atr_period})`, key: `ATR${i.atr_period}`, column: "atr" },
      { spec: "vwap", key: "VWAP", column: "vwap", enabled: i.vwap },
      { spec: `rvol(${i.rvol_lookback})`, key: "RVOL", column: "rvol" },
    ];
    this.#stopMultiple = config.risk.stop_atr_multiple;
    this.#targetPoints = config.risk.target_points;
    const s = config.strategy;
    this.#pullbackAt = s.trigger !== "pullback" ? -1 : s.pullback_to === "vwap" ? 4 : 0;
    this.#pullbackBars = s.pullback_bars;
  }

  /** Updates the cross state; evaluates the rules when an entry is possible. */
  onBar(ctx: BarContext): EntryIntent | undefined {
    // By position: the values come in the order of `indicators` above.
    const v = ctx.values;
    const emaFast = v[0];
    const emaSlow = v[1];
    const cross = this.#cross.update(emaFast, emaSlow);
    if (!ctx.canEnter) return undefined;
    const atr = v[3];
    const values: ScalpValues = { emaFast, emaSlow, rsi: v[2], atr, vwap: v[4], rvol: v[5], cross };
    const side = evaluateEntry(ctx.bar.close, values, this.#rules);
    if (side === undefined) return undefined;
    const intent: EntryIntent = {
      side,
      stop: { kind: "atr", multiple: this.#stopMultiple, atr: atr! },
      target: { kind: "points", points: this.#targetPoints },
    };
    if (this.#pullbackAt >= 0) {
      const level = v[this.#pullbackAt];
      // VWAP switched off: no level to pull back to, so no entry.
      if (level === undefined) return undefined;
      intent.limit = level;
      intent.expiryBars = this.#pullbackBars;
    }
    return intent;
  }

  /** `X↑` / `X↓` on a bar where EMA fast crossed EMA slow. */
  mark(): string | undefined {
    const c = this.#cross.value;
    return c === undefined ? undefined : `X${c === "UP" ? "↑" : "↓"}`;
  }
}

/** The registry entry of `scalp`: no `strategy.params` (an empty strict object). */
export const scalpStrategy: StrategyDefinition<Record<string, never>> = {
  name: "scalp",
  create: (_params, config) => new ScalpStrategy(config),
};
