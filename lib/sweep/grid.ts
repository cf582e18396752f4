/**
 * The parameter grid of `scalpbot sweep`: `--grid key=v1,v2,...` axes, every value checked
 * against the config schema before anything runs, and the combinations as validated configs.
 *
 * @module
 */
import { ConfigError } from "../config/errors.ts";
import { loadConfig } from "../config/load.ts";
import type { Config } from "../config/schema.ts";
import { loadStrategy } from "../strategy/loader.ts";

/** One `--grid` axis: a dotted config key and the values to try, as typed. */
export interface GridAxis {
  /** Dotted config key, e.g. `risk.target_points`. */
  key: string;
  /** Values in the order given. */
  values: string[];
}

/** One combination of the grid with its validated config. */
export interface Combo {
  /** Position in the grid (first axis varies slowest). */
  index: number;
  /** `[key, value]` per axis, in axis order. */
  params: [string, string][];
  /**
   * The validated config: the file, then `--set`, then this combination; its
   * `strategy.module`, if any, the absolute path the Workers load it from.
   */
  config: Config;
  /** Digest of `config`, as the backtest's SESSION_START line shows it. */
  digest: string;
}

/** Thrown for a bad `--grid` spec; the message is one line naming the key and the value. */
export class GridError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "GridError";
  }
}

/**
 * Parses `--grid key=v1,v2` specs. A key given twice, an empty value or a duplicate value is
 * refused (each would run a combination twice).
 *
 * @example
 * ```ts
 * parseGrid(["risk.target_points=1,2"]); // [{ key: "risk.target_points", values: ["1", "2"] }]
 * ```
 */
export function parseGrid(specs: readonly string[]): GridAxis[] {
  const axes: GridAxis[] = [];
  for (const spec of specs) {
    const eq = spec.indexOf("=");
    const key = spec.slice(0, eq).trim();
    if (eq <= 0 || key === "") {
      throw new GridError(
        `--grid ${spec}: expected key.path=v1,v2,... (e.g. risk.target_points=1,2,3)`,
      );
    }
    if (axes.some((a) => a.key === key)) {
      throw new GridError(
        `--grid ${spec}: ${key} is given twice; list all its values in one --grid`,
      );
    }
    const values = spec.slice(eq + 1).split(",").map((v) => v.trim());
    const empty = values.findIndex((v) => v === "");
    if (empty >= 0) throw new GridError(`--grid ${spec}: value ${empty + 1} of ${key} is empty`);
    const dup = values.find((v, i) => values.indexOf(v) !== i);
    if (dup !== undefined) throw new GridError(`--grid ${spec}: ${key}=${dup} is listed twice`);
    axes.push({ key, values });
  }
  return axes;
}

/** Every combination of the axes' values, first axis slowest. */
export function combinations(axes: readonly GridAxis[]): [string, string][][] {
  let out: [string, string][][] = [[]];
  for (const axis of axes) {
    out = out.flatMap((prefix) =>
      axis.values.map((v): [string, string][] => [...prefix, [axis.key, v]])
    );
  }
  return out;
}

/**
 * Validates each axis value alone (so the error names the key and value that is wrong), then
 * builds every combination's config exactly as `backtest --config FILE --set ...` would, the
 * grid's assignments applied after `sets`, and its strategy loaded and checked as the
 * backtest loads it (lib/strategy/loader.ts: a `strategy.module` is imported here first).
 * Throws {@linkcode GridError} or ConfigError (a bad config file, `--set` or strategy).
 */
export async function buildCombos(
  configPath: string | undefined,
  sets: readonly string[],
  axes: readonly GridAxis[],
): Promise<Combo[]> {
  await loadStrategy(await loadConfig(configPath, { overrides: sets }));
  for (const axis of axes) {
    for (const value of axis.values) {
      await gridConfig(configPath, sets, [[axis.key, value]]);
    }
  }
  const combos: Combo[] = [];
  for (const params of combinations(axes)) {
    const { config, digest } = await gridConfig(configPath, sets, params);
    combos.push({ index: combos.length, params, config, digest });
  }
  return combos;
}

async function gridConfig(
  configPath: string | undefined,
  sets: readonly string[],
  params: readonly [string, string][],
) {
  const overrides = [...sets, ...params.map(([k, v]) => `${k}=${v}`)];
  try {
    const loaded = await loadConfig(configPath, { overrides });
    return { config: await loadStrategy(loaded), digest: loaded.digest };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const detail = e.message.startsWith(`${e.source}: `)
      ? e.message.slice(e.source.length + 2)
      : e.message;
    // The file and the --sets passed alone (buildCombos checks them first): the grid's
    // assignments caused this, be it in the config schema or in the strategy's parameters.
    const mine = params.length === 1
      ? `--grid ${params[0]![0]}=${params[0]![1]}`
      : `--grid combination ${comboLabel(params)}`;
    throw new GridError(`${mine}: ${detail}`);
  }
}

/** The combination as `key=value key=value` (the table's and the CSV's label). */
export function comboLabel(params: readonly [string, string][]): string {
  return params.map(([k, v]) => `${k}=${v}`).join(" ");
}
