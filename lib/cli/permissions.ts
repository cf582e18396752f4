/**
 * The exact Deno permissions each scalpbot command needs for its arguments and config, and
 * the complete `deno run` command line that grants them. Used by the launcher
 * (`lib/cli/launch.ts`, behind `deno task live` and `deno task demo`) to start the program
 * with nothing more, and by main.ts to print a command that works when a permission is
 * missing.
 *
 * @module
 */
import { dirname, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Config } from "../config/schema.ts";
import { DEFAULT_CONFIG_FILE, parseConfigText } from "../config/load.ts";
import { hostPort } from "../ib/host.ts";
import { planDashboard } from "./dashboard.ts";
import { chartLibraryPath } from "../report/html/assets.ts";

/** Absolute paths of modules under lib/, named relative to it, sorted. */
function libFiles(...names: string[]): string[] {
  return names.map((n) => fileURLToPath(new URL(`../${n}`, import.meta.url))).sort();
}

/**
 * Modules Deno reads when a worker starts: the worker module and its whole static import
 * graph (Deno checks read access to each). Without them the program falls back to slower
 * in-thread paths, so the launcher grants exactly these files. tests/launch_test.ts checks
 * the lists against `deno info`.
 */
export const WORKER_MODULES = {
  /** The backtest's tick parser (lib/ticks/parse_worker.ts) and its imports. */
  ticks: libFiles(
    "ticks/parse_worker.ts",
    "ticks/worker_reader.ts",
    "ticks/csv_reader.ts",
    "ticks/csv_parser.ts",
    "ticks/_fields.ts",
    "ticks/bounds.ts",
    "types.ts",
    "workers.ts",
  ),
  /** The live journal writer (lib/journal/journal_worker.ts) and its imports. */
  journal: libFiles(
    "journal/journal_worker.ts",
    "journal/background.ts",
    "journal/format.ts",
    "journal/line_fields.ts",
    "journal/writer.ts",
    "market/prices.ts",
    "time/day_start.ts",
    "time/hhmm.ts",
    "time/zone.ts",
    "types.ts",
    "workers.ts",
  ),
  /** The local sweep's job runner (lib/sweep/sweep_worker.ts) and its imports. */
  sweep: libFiles(
    "config/defaults.ts",
    "config/errors.ts",
    "config/fast_config.ts",
    "config/load.ts",
    "config/load_config.ts",
    "config/raw.ts",
    "config/schema.ts",
    "config/yaml_subset.ts",
    "engine/bar_aggregator.ts",
    "engine/engine.ts",
    "engine/exits.ts",
    "engine/indicator_set.ts",
    "engine/managers/from_config.ts",
    "engine/managers/stops.ts",
    "engine/managers/targets.ts",
    "engine/position_policy.ts",
    "engine/session_policy.ts",
    "engine/trade_exit.ts",
    "engine/trade_manager.ts",
    "engine/trade_state.ts",
    "events/stream.ts",
    "events/types.ts",
    "execution/paper_venue.ts",
    "execution/venue.ts",
    "indicators/_check.ts",
    "indicators/atr.ts",
    "indicators/cross.ts",
    "indicators/ema.ts",
    "indicators/indicator.ts",
    "indicators/liquid_hours.ts",
    "indicators/registry.ts",
    "indicators/rsi.ts",
    "indicators/rvol.ts",
    "indicators/session_schedule.ts",
    "indicators/vwap.ts",
    "journal/format.ts",
    "journal/line_fields.ts",
    "journal/writer.ts",
    "market/prices.ts",
    "strategy/api.ts",
    "strategy/errors.ts",
    "strategy/loader.ts",
    "strategy/registry.ts",
    "strategy/scalp.ts",
    "strategy/strategy.ts",
    "sweep/columns.ts",
    "sweep/grid.ts",
    "sweep/job.ts",
    "sweep/pool.ts",
    "sweep/sweep_worker.ts",
    "ticks/_fields.ts",
    "ticks/bounds.ts",
    "ticks/csv_parser.ts",
    "ticks/csv_reader.ts",
    "ticks/worker_reader.ts",
    "time/day_start.ts",
    "time/hhmm.ts",
    "time/zone.ts",
    "types.ts",
    "version.ts",
    "workers.ts",
  ),
} as const;

/** Environment variables read by the logging setup (lib/cli/logging.ts). */
export const LOG_ENV: readonly string[] = ["LOG_TOKENS", "LOG_STREAM"];

/**
 * Environment of every scalpbot process: Deno's update check would query DNS, and on a terminal
 * Deno would stop at an interactive prompt for any access outside the plan (for example the
 * output check's `stat` of a journal's folder) instead of refusing it.
 */
export const CHILD_ENV: Readonly<Record<string, string>> = {
  DENO_NO_UPDATE_CHECK: "1",
  DENO_NO_PROMPT: "1",
};

/** The permissions of one run, as lists of `--allow-*` values. */
export interface PermissionPlan {
  /** Paths for `--allow-read`. */
  read: string[];
  /** Paths for `--allow-write`. */
  write: string[];
  /** `host` or `host:port` values for `--allow-net` (IPv6 hosts in brackets). */
  net: string[];
  /** Variable names for `--allow-env`. */
  env: string[];
  /** Every variable (plain `--allow-env`): the Redis client lists them all when loaded. */
  allEnv?: boolean;
}

/** Options of {@linkcode planPermissions}. */
export interface PlanOptions {
  /** The command's validated config (live and backtest read host, port and journal path). */
  config: Config;
  /**
   * Whether a folder exists, or undefined when that cannot be told (then its write
   * permission is granted, so that the command can create it).
   */
  dirExists: (dir: string) => boolean | undefined;
}

/** Commands that read a config file (`--config`, `--set`). */
export const CONFIG_COMMANDS: ReadonlySet<string> = new Set([
  "live",
  "backtest",
  "download",
  "sweep",
]);

/** Options that take a value, per command: the rest are flags or positionals. */
const VALUE_OPTIONS: Record<string, readonly string[]> = {
  live: ["config", "set", "journal", "log-file"],
  demo: ["seed", "seconds", "journal", "log-file"],
  backtest: [
    "ticks",
    "from",
    "to",
    "seed",
    "days",
    "config",
    "set",
    "journal",
    "bars-out",
    "trades-csv",
    "trades-jsonl",
    "html",
    "log-file",
  ],
  report: ["run", "trades-csv", "trades-jsonl", "html", "tz"],
  sweep: [
    "ticks",
    "grid",
    "config",
    "set",
    "workers",
    "out",
    "html",
    "journals",
    "split",
    "oos-from",
    "top",
    "queue",
  ],
  worker: ["queue", "concurrency", "lock-seconds"],
  download: ["from", "to", "contract", "out", "config", "set"],
  sim: [
    "port",
    "host",
    "ticks",
    "seed",
    "symbol",
    "speed",
    "history",
    "max-version",
    "tbt-limit",
    "tz",
    "fault",
    "archive",
  ],
};

/** The values of `--name VALUE` / `--name=VALUE` in `args`, in order, and the positionals. */
export function scanArgs(
  command: string,
  args: readonly string[],
): { values: Map<string, string[]>; positionals: string[] } {
  const takesValue = new Set(VALUE_OPTIONS[command] ?? []);
  const values = new Map<string, string[]>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!a.startsWith("--")) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = a.slice(2, eq < 0 ? undefined : eq);
    if (!takesValue.has(name)) continue;
    const value = eq >= 0 ? a.slice(eq + 1) : args[++i];
    if (value === undefined) continue;
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  return { values, positionals };
}

/**
 * The permissions `scalpbot <command> <args>` needs, and nothing more: the config file,
 * the input files and the journal read; the journal (and other outputs) written, plus the
 * folder that holds one only when it must be created; the TWS address; the logging
 * variables. Throws a RangeError for a path Deno's flags cannot carry (one with a comma).
 *
 * @example
 * ```ts
 * import { parseConfigText } from "../config/load.ts";
 *
 * const config = parseConfigText("ib:\n  port: 4002\n", { source: "gw.yaml" });
 * const plan = planPermissions("live", ["--config", "gw.yaml"], {
 *   config,
 *   dirExists: () => true,
 * });
 * plan.net; // ["127.0.0.1:4002"]
 * ```
 */
export function planPermissions(
  command: string,
  args: readonly string[],
  options: PlanOptions,
): PermissionPlan {
  const { values, positionals } = scanArgs(command, args);
  const last = (name: string): string | undefined => values.get(name)?.at(-1);
  const plan: PermissionPlan = { read: [], write: [], net: [], env: [...LOG_ENV] };
  const output = (path: string) => {
    plan.write.push(path);
    // The outermost missing folder is created (and its permission checked) before the file.
    let folder: string | undefined;
    for (let dir = dirname(path); dir !== "." && dir !== dirname(dir); dir = dirname(dir)) {
      if (options.dirExists(dir) === true) break;
      folder = dir;
    }
    if (folder !== undefined) plan.write.push(folder);
  };
  // An output read too: the command checks that it is no other file of the run first.
  const checkedOutput = (path: string | undefined) => {
    if (path === undefined) return;
    plan.read.push(path);
    output(path);
  };
  // --html: the page, and the chart library it inlines (read from the npm package).
  const htmlOutput = (path: string | undefined) => {
    if (path === undefined) return;
    checkedOutput(path);
    const library = chartLibraryPath();
    if (library !== undefined) plan.read.push(library);
  };
  const config = options.config;
  // A user strategy module is imported at run time: read access to that file, and no other.
  const strategy = (configFile: string) => {
    const module = config.strategy.module;
    if (module !== undefined) plan.read.push(strategyModuleFile(module, configFile));
  };
  switch (command) {
    case "live": {
      const journal = last("journal") ?? config.journal.path;
      plan.read.push(last("config") ?? DEFAULT_CONFIG_FILE, journal, ...WORKER_MODULES.journal);
      output(journal);
      plan.net.push(hostPort(config.ib.host, config.ib.port));
      // The kill switch looks for its file (execution.venue: ib).
      if (config.execution.kill_file !== undefined) plan.read.push(config.execution.kill_file);
      strategy(last("config") ?? DEFAULT_CONFIG_FILE);
      planDashboard(plan, command, args);
      checkedOutput(last("log-file"));
      break;
    }
    case "demo": {
      const journal = last("journal") ?? "demo_trade_record.text";
      plan.read.push(DEFAULT_CONFIG_FILE, journal, ...WORKER_MODULES.journal);
      output(journal);
      // The simulator listens on a free loopback port and the bot connects to it.
      plan.net.push("127.0.0.1");
      strategy(DEFAULT_CONFIG_FILE);
      planDashboard(plan, command, args);
      checkedOutput(last("log-file"));
      break;
    }
    case "backtest": {
      const journal = last("journal") ?? config.journal.path;
      const ticks = (values.get("ticks") ?? []).map(globRoot);
      plan.read.push(last("config") ?? DEFAULT_CONFIG_FILE, ...ticks);
      plan.read.push(journal, ...WORKER_MODULES.ticks);
      output(journal);
      for (const name of ["bars-out", "trades-csv", "trades-jsonl", "log-file"]) {
        checkedOutput(last(name));
      }
      htmlOutput(last("html"));
      strategy(last("config") ?? DEFAULT_CONFIG_FILE);
      break;
    }
    case "download": {
      // The config and the store folder (manifest, day files), and TWS.
      const out = last("out") ?? "data";
      plan.read.push(last("config") ?? DEFAULT_CONFIG_FILE, out);
      output(out);
      plan.net.push(hostPort(config.ib.host, config.ib.port));
      break;
    }
    case "report":
      // report's default is the file name, not journal.path (it reads no config).
      plan.read.push(positionals[0] ?? "trade_record.text");
      checkedOutput(last("trades-csv"));
      checkedOutput(last("trades-jsonl"));
      htmlOutput(last("html"));
      break;
    case "sweep": {
      const configFile = last("config") ?? DEFAULT_CONFIG_FILE;
      plan.read.push(configFile, ...(values.get("ticks") ?? []), ...WORKER_MODULES.sweep);
      strategy(configFile);
      // A grid over strategy.module reads each module it names.
      for (const spec of values.get("grid") ?? []) {
        const m = /^\s*strategy\.module\s*=(.*)$/.exec(spec);
        const modules = m?.[1]?.split(",").map((v) => v.trim()).filter((v) => v !== "") ?? [];
        for (const module of modules) plan.read.push(strategyModuleFile(module, configFile));
      }
      // Read too: the sweep checks that they do not exist or are files before any job runs.
      checkedOutput(last("out"));
      checkedOutput(last("html"));
      checkedOutput(last("journals"));
      queueAddress(last("queue"), plan);
      break;
    }
    case "worker":
      // A job names its tick files (and strategy module) by absolute path, unknown here.
      plan.read.push("/");
      queueAddress(last("queue"), plan);
      break;
    case "sim": {
      plan.read.push(...(values.get("ticks") ?? []));
      // Its own port only; --port 0 (any free port) or a bad value (sim names it) gets the host.
      const host = last("host") ?? "127.0.0.1";
      const port = last("port") ?? "7497";
      plan.net.push(/^[1-9]\d{0,4}$/.test(port) ? hostPort(host, Number(port)) : host);
      break;
    }
  }
  for (const path of [...plan.read, ...plan.write]) {
    // Deno rejects an empty entry ("--allow-read=a,,b") with a stack trace.
    if (path === "") {
      const option = [...values].find(([, v]) => v.includes(""))?.[0];
      throw new RangeError(
        `${option === undefined ? "journal" : `--${option}`}: the file name is empty ("")`,
      );
    }
    if (path.includes(",")) {
      throw new RangeError(
        `path "${path}" contains a comma, which Deno's --allow-read/--allow-write lists ` +
          `cannot carry: rename it`,
      );
    }
  }
  return plan;
}

/**
 * Adds the Redis address of a `--queue redis://HOST:PORT` (port 6379 when left out) to
 * `plan.net`; a malformed one gets nothing (the command names it in one line).
 */
function queueAddress(url: string | undefined, plan: PermissionPlan): void {
  if (url === undefined) return;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return;
  }
  if (parsed.protocol !== "redis:" || parsed.hostname === "") return;
  plan.net.push(hostPort(parsed.hostname, Number(parsed.port || "6379")));
  // ioredis loads `debug`, which lists every variable (DEBUG_*): no name list will do.
  plan.allEnv = true;
}

/**
 * What a `--ticks` value needs read: the value itself, or for a glob (`data/MES_*.csv`) the
 * folder before its first wildcard (Deno's flags take paths, not patterns).
 */
function globRoot(path: string): string {
  const at = path.search(/[*?[{]/);
  if (at < 0) return path;
  const cut = path.lastIndexOf("/", at);
  return cut < 0 ? "." : cut === 0 ? "/" : path.slice(0, cut);
}

/**
 * The file `strategy.module` names, as lib/strategy/loader.ts resolves it: relative to the
 * folder of the config file (itself relative to the working directory).
 *
 * @example
 * ```ts
 * strategyModuleFile("./orb_strategy.ts", "examples/orb.yaml"); // "examples/orb_strategy.ts"
 * ```
 */
export function strategyModuleFile(module: string, configFile: string): string {
  return isAbsolute(module) ? module : join(dirname(configFile), module);
}

/** Adds one permission, as named by a NotCapable message, to `plan` (in place). */
export function addMissing(plan: PermissionPlan, kind: string, value: string): boolean {
  const list = kind === "read"
    ? plan.read
    : kind === "write"
    ? plan.write
    : kind === "net"
    ? plan.net
    : kind === "env"
    ? plan.env
    : undefined;
  if (list === undefined || value === "" || value.includes(",")) return false;
  list.push(value);
  return true;
}

/**
 * The permission flags of `plan`, in a fixed order, duplicates removed, empty kinds left
 * out.
 *
 * @example
 * ```ts
 * permissionFlags({ read: ["a", "a"], write: [], net: ["[::1]:7497"], env: ["X"] });
 * // ["--allow-read=a", "--allow-env=X", "--allow-net=[::1]:7497"]
 * ```
 */
export function permissionFlags(plan: PermissionPlan): string[] {
  const flags: string[] = [];
  const add = (kind: string, list: readonly string[]) => {
    const unique = [...new Set(list)];
    if (unique.length > 0) flags.push(`--allow-${kind}=${unique.join(",")}`);
  };
  add("read", plan.read);
  add("write", plan.write);
  if (plan.allEnv === true) flags.push("--allow-env");
  else add("env", plan.env);
  add("net", plan.net);
  return flags;
}

/** Quotes one word for a POSIX shell when it needs it. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./[\]-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * V8 options of every scalpbot process: the young generation is capped at 2 MiB per
 * semi-space. V8 doubles it (to 16 MiB) each time enough objects have survived its
 * collections, a count that only grows with a run's length, so without a cap a 1,000-day
 * backtest peaks about 13 MiB above a 10-day one for no live data (docs/performance.md).
 * The same flag is in deno.json's `scalpbot` and `compile` tasks.
 */
export const V8_FLAGS: readonly string[] = ["--v8-flags=--max-semi-space-size=2"];

/** The `deno run` arguments (after the executable) that start `command` with `plan`. */
export function denoRunArgs(
  plan: PermissionPlan,
  mainPath: string,
  command: string,
  args: readonly string[],
): string[] {
  return ["run", ...permissionFlags(plan), ...V8_FLAGS, mainPath, command, ...args];
}

/**
 * A complete shell command line: the environment assignments of {@linkcode CHILD_ENV},
 * then `deno` and `argv`, each word quoted as needed.
 */
export function shellCommand(argv: readonly string[]): string {
  const env = Object.entries(CHILD_ENV).map(([k, v]) => `${k}=${shellQuote(v)}`);
  return [...env, "deno", ...argv.map(shellQuote)].join(" ");
}

/**
 * The config a command would use (its `--config` and `--set`), for planning. When the file
 * cannot be read or is invalid, the built-in defaults with the overrides that apply, or the
 * plain defaults, stand in: the command itself reports the config problem. Synchronous, so
 * that main.ts can call it from its last-resort error handler.
 */
export function configForPlan(command: string, args: readonly string[]): Config {
  const { values } = scanArgs(command, args);
  const overrides = values.get("set") ?? [];
  const given = CONFIG_COMMANDS.has(command) ? values.get("config")?.at(-1) : undefined;
  const source = given ?? DEFAULT_CONFIG_FILE;
  try {
    let text = "";
    try {
      text = Deno.readTextFileSync(source);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    return parseConfigText(text, { source, overrides });
  } catch {
    try {
      return parseConfigText("", { source: "defaults", overrides });
    } catch {
      return parseConfigText("", { source: "defaults" });
    }
  }
}

/** Whether `dir` is a folder, or undefined when that cannot be told (no permission). */
export function statDir(dir: string): boolean | undefined {
  try {
    return Deno.statSync(dir).isDirectory;
  } catch (e) {
    return e instanceof Deno.errors.NotFound ? false : undefined;
  }
}

/** The path of main.ts to show in a suggested command: relative when under the cwd. */
export function mainPathForDisplay(mainModule: string, cwd: string): string {
  const path = mainModule.startsWith("file:")
    ? decodeURIComponent(new URL(mainModule).pathname)
    : mainModule;
  const base = cwd.endsWith("/") ? cwd : `${cwd}/`;
  return path.startsWith(base) ? path.slice(base.length) : path;
}

/**
 * The complete command line that runs `scalpbot <command> <args>` with the permissions it
 * needs, plus the one named by `missing` (the kind and value from a NotCapable message).
 */
export function suggestCommand(
  command: string,
  args: readonly string[],
  missing?: { kind: string; value: string },
): string {
  const config = configForPlan(command, args);
  let plan: PermissionPlan;
  try {
    plan = planPermissions(command, args, { config, dirExists: statDir });
  } catch {
    plan = { read: [], write: [], net: [], env: [...LOG_ENV] };
  }
  if (missing !== undefined) addMissing(plan, missing.kind, missing.value);
  const main = mainPathForDisplay(Deno.mainModule, Deno.cwd());
  return shellCommand(denoRunArgs(plan, main, command, args));
}

/** The permission kind and value named by a Deno NotCapable message, if it names one. */
export function parseNotCapable(message: string): { kind: string; value: string } | undefined {
  const m = /Requires (\w+) access to "([^"]*)"/.exec(message);
  return m === null ? undefined : { kind: m[1]!, value: m[2]! };
}

/**
 * A permission the command found missing before trying (e.g. the TWS address): main.ts
 * prints the message and the complete command that grants it, and exits with `exitCode`.
 */
export class PermissionMissing extends Deno.errors.NotCapable {
  /** Process exit code: 2, as for a configuration problem. */
  readonly exitCode = 2;
  /** Creates the error with a one-line message. */
  constructor(message: string) {
    super(message);
    this.name = "PermissionMissing";
  }
}
