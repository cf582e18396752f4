/**
 * The strategy registry: `strategy.name` to a {@linkcode StrategyDefinition}. Adding a
 * strategy means adding a file that calls `registerStrategy`; the built-in `scalp` is
 * registered here.
 *
 * @module
 */
import { ConfigError, describeIssue } from "../config/errors.ts";
import type { z } from "zod";
import type { Config } from "../config/schema.ts";
import { scalpStrategy } from "./scalp.ts";
import type { Strategy, StrategyDefinition } from "./strategy.ts";

const NAME_RE = /^[a-z][a-z0-9_]*$/;
const registry = new Map<string, StrategyDefinition<unknown>>();
/** User strategies loaded by lib/strategy/loader.ts, by their resolved `strategy.module`. */
const modules = new Map<string, StrategyDefinition<unknown>>();

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
 * Makes `def` the strategy of configs whose `strategy.module` is `module` (the loader's
 * resolved path); a later load of the same path replaces it.
 */
export function useStrategyModule(module: string, def: StrategyDefinition<unknown>): void {
  modules.set(module, def);
}

/**
 * Builds the strategy the config names: the user module `strategy.module` (loaded first by
 * lib/strategy/loader.ts), else the registered `strategy.name`; its `strategy.params`
 * validated by its own schema. Throws a one-line {@linkcode ConfigError} for an unknown
 * name, a module not loaded, or rejected parameters (`source` names where the config came
 * from).
 */
export function createStrategy(config: Config, source = "config"): Strategy {
  const def = strategyDefinition(config, source);
  return def.create(parseStrategyParams(def, config.strategy.params, source), config);
}

/** The definition `config` names (see {@linkcode createStrategy}). */
export function strategyDefinition(config: Config, source = "config"): StrategyDefinition<unknown> {
  const module = config.strategy.module;
  if (module !== undefined) {
    const loaded = modules.get(module);
    if (loaded === undefined) {
      throw new ConfigError(
        `strategy.module = ${JSON.stringify(module)} was not loaded (lib/strategy/loader.ts)`,
        { source, keyPath: "strategy.module" },
      );
    }
    return loaded;
  }
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
  return def;
}

/**
 * Validates `params` (the config's `strategy.params`) with the strategy's schema. Throws a
 * one-line {@linkcode ConfigError} worded as every config error: the key, the value, what
 * is allowed (`strategy.params.minutes = 0 is not allowed: must be at least 1 (strategy orb)`).
 */
export function parseStrategyParams<P>(
  def: StrategyDefinition<P>,
  params: unknown,
  source: string,
): P {
  const schema = def.schema;
  if (schema === undefined) {
    // The config schema makes `params` a record; the wording is zod's strictObject's.
    const keys = params !== null && typeof params === "object" ? Object.keys(params) : [];
    if (keys.length === 0) return {} as P;
    throw new ConfigError(`unknown key "strategy.params.${keys[0]}" (strategy ${def.name})`, {
      source,
      keyPath: `strategy.params.${keys[0]}`,
    });
  }
  const parsed = schema.safeParse(params, { reportInput: true });
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const issue = issues[0]!;
  const prefix = ["strategy", "params"];
  const { detail, keyPath } = describeIssue({ ...issue, path: [...prefix, ...issue.path] }, {
    allowedKeys: (path) => objectKeys(schema, path.slice(prefix.length)),
  });
  throw new ConfigError(`${detail} (strategy ${def.name})`, {
    source,
    keyPath,
    more: issues.length - 1,
    cause: parsed.error,
  });
}

/** The keys of the object schema at `path` inside `schema` (none: undefined). */
function objectKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  let s = unwrap(schema);
  for (const seg of path) {
    if (!isObject(s) || typeof seg !== "string") return undefined;
    const shape = s.shape as Record<string, z.ZodType>;
    if (!Object.hasOwn(shape, seg)) return undefined;
    s = unwrap(shape[seg]!);
  }
  if (!isObject(s)) return undefined;
  const keys = Object.keys(s.shape);
  return keys.length > 0 ? keys : undefined;
}

/** A zod object schema, told by its definition (no `instanceof`: zod is imported for types only). */
function isObject(schema: z.ZodType): schema is z.ZodObject {
  return schema._zod.def.type === "object";
}

/** Looks through defaults and optionals. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    const inner: z.ZodType | undefined = (s._zod.def as { innerType?: z.ZodType }).innerType;
    if (inner === undefined) return s;
    s = inner;
  }
}

registerStrategy(scalpStrategy);
