/**
 * Loads the strategy a config names before the engine is built: for `strategy.module`, the
 * user's TypeScript file (imported dynamically, relative to the config file's folder), its
 * `strategy.params` checked by its own zod schema, its indicators checked against the
 * registry. Every problem is one {@linkcode ConfigError} line naming the config file, the
 * key and the module, before any output is touched.
 *
 * A module imports types only from lib/strategy/api.ts and gets zod and the indicator
 * registry through its default export's argument, so the only file it needs read access to
 * is itself (the launcher grants exactly that). A compiled binary holds only the modules
 * built into it: it cannot load a strategy file from disk.
 *
 * @module
 */
import { relative } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError } from "../config/errors.ts";
import { type LoadedConfig, strategyModulePath } from "../config/load_config.ts";
import type { Config } from "../config/schema.ts";
import {
  createIndicator,
  type IndicatorDefinition,
  registerIndicator,
} from "../indicators/registry.ts";
import { parseStrategyParams, strategyDefinition, useStrategyModule } from "./registry.ts";
import type { Strategy, StrategyDefinition } from "./strategy.ts";

const NAME_RE = /^[a-z][a-z0-9_]*$/;
/** Indicators registered by user modules, by name, with the module that registered them. */
const moduleIndicators = new Map<string, string>();

/** Options of {@linkcode loadStrategy}. */
export interface LoadStrategyOptions {
  /** Folder a relative config path is resolved against (default: the working directory). */
  cwd?: string;
}

/**
 * Gets the config's strategy ready for the engine and checks it once: the parameters, a
 * trial instance and its indicators. With `strategy.module`, imports the module and
 * registers it; returns the config to run with (its `strategy.module` the absolute path the
 * engine's registry knows it by). Throws one-line {@linkcode ConfigError}s.
 */
export async function loadStrategy(
  loaded: LoadedConfig,
  options: LoadStrategyOptions = {},
): Promise<Config> {
  const { config, source } = loaded;
  const module = config.strategy.module;
  if (module === undefined) {
    check(strategyDefinition(config, source), config, source, "strategy.name");
    return config;
  }
  const cwd = options.cwd ?? Deno.cwd();
  const path = strategyModulePath(module, source, cwd);
  const fail = (what: string, cause?: unknown): never => {
    throw new ConfigError(`strategy.module = ${JSON.stringify(module)}: ${what}`, {
      source,
      keyPath: "strategy.module",
      cause,
    });
  };
  const shown = displayPath(path, cwd);
  try {
    if (!(await Deno.stat(path)).isFile) fail(`${shown} is not a file`);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    fail(e instanceof Deno.errors.NotFound ? `file not found (${shown})` : firstLine(e), e);
  }
  let exports: Record<string, unknown>;
  try {
    exports = await import(pathToFileURL(path).href);
  } catch (e) {
    fail(`cannot load ${shown}: ${importProblem(e)}`, e);
  }
  const factory = exports!["default"];
  if (typeof factory !== "function") {
    fail(
      `${shown} has no strategy: its default export must be a function ` +
        `({ z, defineStrategy }) => defineStrategy({ name, schema, create }) (docs/strategies.md)`,
    );
  }
  const register = (def: IndicatorDefinition) => {
    if (moduleIndicators.get(def.name) === path) return; // the same module, loaded again
    try {
      registerIndicator(def);
    } catch (e) {
      throw new ConfigError(
        `strategy.module = ${JSON.stringify(module)}: ${shown} cannot register its indicator: ${
          firstLine(e)
        }`,
        { source, keyPath: "strategy.module", cause: e },
      );
    }
    moduleIndicators.set(def.name, path);
  };
  let def: unknown;
  try {
    // Loaded here, not at start: the API brings zod, which a built-in strategy run never needs.
    const { strategyApi } = await import("./api.ts");
    def = (factory as (api: unknown) => unknown)(strategyApi(register));
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    fail(`${shown}'s default export threw: ${firstLine(e)}`, e);
  }
  const problem = definitionProblem(def);
  if (problem !== undefined) fail(`${shown} ${problem}`);
  const strategy = def as StrategyDefinition<unknown>;
  const name = config.strategy.name;
  if (name !== "scalp" && name !== strategy.name) {
    throw new ConfigError(
      `strategy.name = ${JSON.stringify(name)} does not match the strategy of strategy.module ` +
        `(${strategy.name}): leave strategy.name out`,
      { source, keyPath: "strategy.name" },
    );
  }
  const effective: Config = { ...config, strategy: { ...config.strategy, module: path } };
  check(strategy, effective, source, "strategy.module", `${shown}: `);
  useStrategyModule(path, strategy);
  return effective;
}

/** Validates the parameters, builds a trial instance and checks its indicators. */
function check(
  def: StrategyDefinition<unknown>,
  config: Config,
  source: string,
  keyPath: string,
  where = "",
): void {
  const params = parseStrategyParams(def, config.strategy.params, source);
  const fail = (what: string, cause?: unknown): never => {
    throw new ConfigError(`${where}strategy ${def.name} ${what}`, { source, keyPath, cause });
  };
  let s: Strategy;
  try {
    s = def.create(params, config);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    return fail(`failed to start: ${firstLine(e)}`, e);
  }
  if (typeof s !== "object" || s === null || typeof s.onBar !== "function") {
    fail("must return { indicators, onBar } from create");
  }
  if (!Array.isArray(s.indicators)) fail("must declare its indicators (a list, maybe empty)");
  for (const r of s.indicators) {
    const spec = (r as { spec?: unknown })?.spec;
    if (typeof spec !== "string") {
      fail(`declares an indicator without a spec (${JSON.stringify(r)})`);
      continue;
    }
    try {
      createIndicator(spec);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      fail(`declares an indicator it cannot have: ${e.message}`, e);
    }
  }
}

/** What is wrong with a default export's result, or undefined when it is a definition. */
function definitionProblem(def: unknown): string | undefined {
  if (typeof def !== "object" || def === null) {
    return "has no strategy: its default export must return defineStrategy({ name, schema, create })";
  }
  const d = def as Record<string, unknown>;
  if (typeof d["name"] !== "string" || !NAME_RE.test(d["name"])) {
    return `names its strategy ${JSON.stringify(d["name"])}: expected lower-case letters, ` +
      `digits and _ (such as orb)`;
  }
  const schema = d["schema"] as { safeParse?: unknown } | undefined;
  if (typeof schema?.safeParse !== "function") {
    return `gives strategy ${d["name"]} no zod schema (schema: z.strictObject({...}))`;
  }
  if (typeof d["create"] !== "function") {
    return `gives strategy ${d["name"]} no create(params, config) function`;
  }
  return undefined;
}

/** A dynamic import's failure in one line: Deno's first line, plus where for a syntax error. */
function importProblem(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const first = firstLine(text);
  const at = /\n\s*at (file:\/\/\S+?)(?::(\d+):(\d+))?\s*$/.exec(text);
  const where = at === null
    ? ""
    : ` at ${displayPath(decodeURIComponent(new URL(at[1]!).pathname), Deno.cwd())}${
      at[2] === undefined ? "" : `:${at[2]}:${at[3]}`
    }`;
  const standalone = Deno.build.standalone && /Module not found/.test(first)
    ? " (a compiled scalpbot holds only the modules built into it: run the strategy with " +
      "deno task from the project folder)"
    : "";
  const kind = e instanceof Error && !/^\w*Error: /.test(first) && e.name !== "TypeError"
    ? `${e.name}: `
    : "";
  return `${kind}${first}${where}${standalone}`;
}

/** `path` relative to `cwd` when it is inside it, else as it is. */
function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel !== "" && !rel.startsWith("..") ? rel : path;
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split(/\r?\n/, 1)[0]!.trim();
}
