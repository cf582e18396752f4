/**
 * The strategy registry: `strategy.name` to a {@linkcode StrategyDefinition}. Adding a
 * strategy means adding a file that calls `registerStrategy`; the built-in `scalp` is
 * registered here.
 *
 * @module
 */
import { ConfigError } from "../config/errors.ts";
import type { Config } from "../config/schema.ts";
import { scalpStrategy } from "./scalp.ts";
import type { Strategy, StrategyDefinition } from "./strategy.ts";

const NAME_RE = /^[a-z][a-z0-9_]*$/;
const registry = new Map<string, StrategyDefinition<unknown>>();

/**
 * Registers a strategy. Throws a TypeError for a malformed or already registered name.
 */
export function registerStrategy<P>(def: StrategyDefinition<P>): void {
  if (!NAME_RE.test(def.name)) {
    throw new TypeError(`Strategy name ${JSON.stringify(def.name)} must match ${NAME_RE}`);
  }
  if (registry.has(def.name)) {
    throw new TypeError(`Strategy ${JSON.stringify(def.name)} is already registered`);
  }
  registry.set(def.name, def as StrategyDefinition<unknown>);
}

/** Names of the registered strategies, sorted. */
export function strategyNames(): string[] {
  return [...registry.keys()].sort();
}

/**
 * Builds the strategy `config.strategy.name` names, its `strategy.params` validated by its
 * own schema. Throws a one-line {@linkcode ConfigError} for an unknown name or rejected
 * parameters (`source` names where the config came from).
 */
export function createStrategy(config: Config, source = "config"): Strategy {
  const name = config.strategy.name;
  const def = registry.get(name);
  if (def === undefined) {
    throw new ConfigError(
      `strategy.name = ${JSON.stringify(name)} is not a known strategy (known: ${
        strategyNames().join(", ")
      })`,
      { source, keyPath: "strategy.name" },
    );
  }
  const parsed = def.schema.safeParse(config.strategy.params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const keyPath = ["strategy", "params", ...issue.path.map(String)].join(".");
    const more = parsed.error.issues.length - 1;
    throw new ConfigError(`${keyPath}: ${issue.message} (strategy ${name})`, {
      source,
      keyPath,
      more,
      cause: parsed.error,
    });
  }
  return def.create(parsed.data, config);
}

registerStrategy(scalpStrategy);
