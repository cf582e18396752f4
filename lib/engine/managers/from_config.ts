/**
 * Builds the stop and target managers and the scale-out that `risk.stop`, `risk.target` and
 * `risk.scale_out` configure, as {@linkcode TradeManagerOptions} fields. The defaults (`atr`
 * stop, `points` target, no scale-out) give no managers at all: the trade manager's fixed ones,
 * with no per-tick manager work and no `By` on EXIT lines, so default runs journal exactly
 * as before managers existed.
 *
 * @module
 */
import type { Config } from "../../config/schema.ts";
import { FixedTarget, type StopManager, type TargetManager } from "../exits.ts";
import type { TradeManagerOptions } from "../trade_manager.ts";
import { BreakevenStop, SwingStop, TrailingAtrStop } from "./stops.ts";
import { RMultipleTarget, TrailingTarget } from "./targets.ts";

/** The manager fields of {@linkcode TradeManagerOptions}. */
export type ManagerOptions = Pick<
  TradeManagerOptions,
  "stops" | "targets" | "scaleOut" | "tagExits"
>;

/**
 * The managers `config.risk` asks for, on the contract's tick grid.
 *
 * @example
 * ```ts
 * import { parseConfigText } from "../../config/load.ts";
 * managersFrom(parseConfigText("", { source: "defaults" })); // {}: today's fixed exits
 * ```
 */
export function managersFrom(config: Config): ManagerOptions {
  const r = config.risk;
  const tick = config.contract.tick_size;
  let stops: StopManager | undefined;
  switch (r.stop.mode) {
    case "trailing_atr":
      stops = new TrailingAtrStop(tick);
      break;
    case "breakeven":
      stops = new BreakevenStop(
        tick,
        r.stop.breakeven_after,
        r.stop.breakeven_unit,
        r.stop.breakeven_offset_ticks,
      );
      break;
    case "swing":
      stops = new SwingStop(tick, r.stop.swing_lookback, r.stop.swing_max_risk);
      break;
  }
  let targets: TargetManager | undefined;
  switch (r.target.mode) {
    case "r_multiple":
      targets = new RMultipleTarget(tick, r.target.r_multiple);
      break;
    case "trailing":
      targets = new TrailingTarget(tick, r.target.trail_points, new FixedTarget(tick));
      break;
  }
  const out: ManagerOptions = {};
  if (stops !== undefined) out.stops = stops;
  if (targets !== undefined) out.targets = targets;
  if (r.scale_out.contracts > 0) {
    out.scaleOut = { contracts: r.scale_out.contracts, runnerPoints: r.scale_out.runner_points };
  }
  if (stops !== undefined || targets !== undefined || out.scaleOut !== undefined) {
    out.tagExits = true;
  }
  return out;
}
