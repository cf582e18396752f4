import type { StrategyApi } from "../lib/strategy/api.ts";

/**
 * VWAP reversion: a bar that closes more than `band_atr` ATRs away from the session VWAP
 * is bet back towards it. Target: the VWAP (its distance at the signal bar's close);
 * stop: `stop_atr` ATRs. Longs and shorts follow strategy.long and strategy.short.
 */
export default function ({ z, defineStrategy }: StrategyApi) {
  return defineStrategy({
    name: "vwap_reversion",
    schema: z.strictObject({
      atr_period: z.int().min(1).max(500).default(14),
      band_atr: z.number().positive().max(20).default(2),
      stop_atr: z.number().positive().max(20).default(1.5),
      min_target_points: z.number().min(0).default(1),
    }),
    create: (p, config) => ({
      indicators: [{ spec: "vwap" }, { spec: `atr(${p.atr_period})`, key: "ATR" }],
      onBar(ctx) {
        const [vwap, atr] = ctx.values;
        if (!ctx.canEnter || vwap === undefined || atr === undefined) return undefined;
        const away = ctx.bar.close - vwap;
        const distance = Math.abs(away);
        if (distance <= p.band_atr * atr || distance < p.min_target_points) return undefined;
        const side = away < 0 ? "LONG" : "SHORT";
        if (!(side === "LONG" ? config.strategy.long : config.strategy.short)) return undefined;
        return {
          side,
          stop: { kind: "atr", multiple: p.stop_atr, atr },
          target: { kind: "points", points: distance },
        };
      },
    }),
  });
}
