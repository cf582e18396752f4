/**
 * The entry rules, as a pure function of a closed bar and its indicator snapshot.
 *
 * @module
 */
import type { Config } from "../config/schema.ts";
import type { IndicatorSnapshot, Side } from "../types.ts";

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
  /** `state`: fast EMA above (below) slow; `cross`: only on the bar where it crosses. */
  trigger: "state" | "cross";
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
 * Evaluates the rules on a closed bar. Long: EMA fast above slow (or crossing above it, with
 * trigger `cross`), close above VWAP, RSI above its minimum (and below overbought with the
 * filter on), RVOL above the threshold. Short is the mirror. Returns undefined when no rule
 * holds or an indicator is not ready.
 *
 * @example
 * ```ts
 * import { parseConfigText } from "../config/load.ts";
 * const rules = entryRulesFrom(parseConfigText("", { source: "defaults" }));
 * const snapshot = { emaFast: 2, emaSlow: 1, rsi: 60, atr: 1, vwap: 5000, rvol: 2, cross: undefined };
 * evaluateEntry(5001, snapshot, rules); // "LONG" with the default rules
 * ```
 */
export function evaluateEntry(
  close: number,
  s: IndicatorSnapshot,
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
