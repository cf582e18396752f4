/**
 * Finds and reads the config file, validates it (`parseConfigText` in load.ts) and
 * fingerprints the result. Kept apart from load.ts so that a run loads neither the YAML
 * parser nor the zod schema unless it needs them: without a config file or `--set` its
 * config is the built-in defaults (lib/config/defaults.ts, checked against the schema by
 * tests/config_test.ts); a usual config file and overrides take the fast path
 * (lib/config/fast_config.ts); anything else, errors included, goes to load.ts.
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import type { Config } from "./schema.ts";
import type { ParseConfigOptions } from "./load.ts";
import { ConfigError } from "./errors.ts";
import { defaultConfig } from "./defaults.ts";
import { firstLine, isPlainObject } from "./raw.ts";

export { firstLine, isPlainObject } from "./raw.ts";

/** File looked for in the working directory when no path is given. */
export const DEFAULT_CONFIG_FILE = "config.yaml";

/** Options for {@linkcode loadConfig}. */
export interface LoadConfigOptions {
  /** `key.path=value` strings (from repeated `--set`), applied in order. */
  overrides?: readonly string[];
  /** Directory that relative paths and the default `config.yaml` are resolved against. */
  cwd?: string;
}

/** A validated config with where it came from and its fingerprint. */
export interface LoadedConfig {
  /** The validated config, defaults applied. */
  config: Config;
  /** {@linkcode configDigest} of `config`. */
  digest: string;
  /** The file read, or "defaults" when there was none. */
  source: string;
}

/**
 * Loads and validates a config file. With `path` undefined, reads `config.yaml` from the
 * working directory if it exists, else uses the defaults (source "defaults").
 * Throws {@linkcode ConfigError} when the file is missing (explicit path), unreadable or invalid.
 */
export async function loadConfig(
  path: string | undefined,
  options: LoadConfigOptions = {},
): Promise<LoadedConfig> {
  const cwd = options.cwd ?? Deno.cwd();
  if (path !== undefined && path.trim() === "") {
    throw new ConfigError("--config needs a file name", { source: "--config" });
  }
  const source = path ?? DEFAULT_CONFIG_FILE;
  let text: string | undefined;
  try {
    text = await Deno.readTextFile(resolve(cwd, source));
  } catch (e) {
    const missing = e instanceof Deno.errors.NotFound;
    if (!(missing && path === undefined)) {
      const why = missing
        ? "file not found"
        : e instanceof Deno.errors.IsADirectory
        ? "it is a directory, not a file"
        : firstLine(e instanceof Error ? e.message : String(e));
      throw new ConfigError(`cannot read config: ${why}`, { source, cause: e });
    }
  }
  const parseOptions: ParseConfigOptions = text === undefined ? { source: "defaults" } : { source };
  if (options.overrides !== undefined) parseOptions.overrides = options.overrides;
  // No file and no --set: the built-in defaults. Otherwise the fast path (a YAML subset
  // reader and hand-written rules, fast_config.ts) and, when it cannot tell, the full one:
  // yaml and zod cost about 60 ms of start-up and word the errors.
  const config = text === undefined && (options.overrides ?? []).length === 0
    ? defaultConfig()
    : (await import("./fast_config.ts")).fastParseConfig(text ?? "", parseOptions) ??
      (await import("./load.ts")).parseConfigText(text ?? "", parseOptions);
  const module = config.strategy.module === undefined
    ? undefined
    : await readModule(strategyModulePath(config.strategy.module, parseOptions.source, cwd));
  return { config, digest: await configDigest(config, module), source: parseOptions.source };
}

/**
 * The absolute path of a `strategy.module` value: relative to the folder of the config file
 * `source` (resolved against `cwd`), or to `cwd` when the config is the defaults.
 */
export function strategyModulePath(module: string, source: string, cwd: string): string {
  const base = source === "defaults" ? cwd : dirname(resolve(cwd, source));
  return resolve(base, module);
}

/** The module's bytes; undefined when unreadable (the strategy loader then names why). */
async function readModule(path: string): Promise<Uint8Array | undefined> {
  try {
    return await Deno.readFile(path);
  } catch {
    return undefined;
  }
}

/**
 * Short stable fingerprint of a config: the first 12 hex digits of the SHA-256 of its
 * canonical JSON (keys sorted), followed, when given, by a line break and the bytes of the
 * user strategy module (`strategy.module`), so two strategy files run with the same config
 * get different digests. Equal effective configs give equal digests, however the YAML was
 * written. WebCrypto rather than node:crypto: loading node:crypto costs a backtest's
 * start-up about 5 ms.
 */
export async function configDigest(config: Config, moduleCode?: Uint8Array): Promise<string> {
  const json = new TextEncoder().encode(canonicalJson(config));
  let bytes = json;
  if (moduleCode !== undefined) {
    bytes = new Uint8Array(json.length + 1 + moduleCode.length);
    bytes.set(json);
    bytes[json.length] = 0x0a;
    bytes.set(moduleCode, json.length + 1);
  }
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  let hex = "";
  for (const b of hash.subarray(0, 6)) hex += b.toString(16).padStart(2, "0");
  return hex;
}

/** JSON with object keys sorted at every level; arrays keep their order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (!isPlainObject(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = v[k];
    return sorted;
  });
}
