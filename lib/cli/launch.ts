/**
 * The launcher behind `deno task live`, `demo`, `backtest`, `report`, `sim`, `download`,
 * `sweep` and `worker`:
 * reads the config the command will use (after `--config` and `--set`) and its journal path,
 * then starts scalpbot
 * in a child Deno with exactly the permissions that run needs (the TWS address or the
 * simulator's listen address, the config, input and journal files; see
 * {@linkcode planPermissions}) and `DENO_NO_UPDATE_CHECK=1`. SIGINT,
 * SIGTERM and SIGHUP are passed on to the child; the launcher exits with the child's code.
 *
 * The launcher itself may read files (the config, whether the journal's folder exists)
 * and start `deno`; it has no network, write or environment access beyond the two logging
 * variables the `yaml` package reads.
 *
 * ```sh
 * deno run --allow-read --allow-env=LOG_TOKENS,LOG_STREAM --allow-run=deno \
 *   lib/cli/launch.ts live --set ib.port=4002
 * deno run --allow-read --allow-env=LOG_TOKENS,LOG_STREAM --allow-run=deno \
 *   lib/cli/launch.ts --print-command live
 * ```
 *
 * @module
 */
import { ConfigError } from "../config/errors.ts";
import type { Config } from "../config/schema.ts";
import {
  CHILD_ENV,
  CONFIG_COMMANDS,
  configForPlan,
  denoRunArgs,
  planPermissions,
  scanArgs,
  shellCommand,
  statDir,
} from "./permissions.ts";
import { loadConfig } from "../config/load.ts";
import { UsageError } from "./usage_error.ts";

/** The program the launcher starts. */
export const MAIN_PATH: string = decodeURIComponent(
  new URL("../../main.ts", import.meta.url).pathname,
);

/** Commands the launcher knows how to plan. */
const LAUNCHABLE = new Set([
  "live",
  "demo",
  "backtest",
  "report",
  "sim",
  "download",
  "sweep",
  "worker",
]);

/** Options of {@linkcode launchArgs}. */
export interface LaunchArgsOptions {
  /** Path of main.ts in the child's command line (default {@linkcode MAIN_PATH}). */
  mainPath?: string;
  /** Whether a folder exists (default: a stat); see {@linkcode planPermissions}. */
  dirExists?: (dir: string) => boolean | undefined;
}

/**
 * The `deno` arguments that run `scalpbot <command> <args>` with the permissions it needs.
 * Loads the config as the command will (same one-line {@linkcode ConfigError} on a bad
 * file or override); `--help` needs no config.
 */
export async function launchArgs(
  command: string,
  args: readonly string[],
  options: LaunchArgsOptions = {},
): Promise<string[]> {
  if (!LAUNCHABLE.has(command)) {
    throw new UsageError(
      `the launcher starts ${[...LAUNCHABLE].join(", ")}; got "${command}"`,
    );
  }
  const help = args.includes("--help") || args.includes("-h");
  let config: Config;
  if (!help && CONFIG_COMMANDS.has(command)) {
    const { values } = scanArgs(command, args);
    config = (await loadConfig(values.get("config")?.at(-1), {
      overrides: values.get("set") ?? [],
    })).config;
  } else {
    config = configForPlan(command, []);
  }
  let plan;
  try {
    plan = planPermissions(command, args, { config, dirExists: options.dirExists ?? statDir });
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
  return denoRunArgs(plan, options.mainPath ?? MAIN_PATH, command, args);
}

/** Exit code of a child ended by `signal`, as a shell reports it. */
function signalExitCode(signal: Deno.Signal | null): number {
  const numbers: Partial<Record<Deno.Signal, number>> = {
    SIGHUP: 1,
    SIGINT: 2,
    SIGKILL: 9,
    SIGTERM: 15,
  };
  return 128 + (signal === null ? 1 : numbers[signal] ?? 1);
}

/**
 * Runs the launcher: `[--print-command] <command> [args]`. Prints the child's command line
 * on stderr, starts it and resolves to its exit code; with `--print-command`, prints the
 * command line on stdout and starts nothing.
 */
export async function runLauncher(argv: readonly string[]): Promise<number> {
  const printOnly = argv.includes("--print-command");
  const [command, ...args] = argv.filter((a) => a !== "--print-command");
  if (command === undefined) {
    throw new UsageError(
      "usage: launch.ts [--print-command] <live|demo|backtest|report|sim|download|sweep|worker> [args]",
    );
  }
  const childArgs = await launchArgs(command, args);
  if (printOnly) {
    console.log(shellCommand(childArgs));
    return 0;
  }
  console.error(`[launch] ${shellCommand(childArgs)}`);
  // `--allow-run=deno` names the deno on PATH; the running executable may sit behind a link.
  const self = Deno.execPath();
  const allowed = (await Deno.permissions.query({ name: "run", command: self })).state;
  const child = new Deno.Command(allowed === "granted" ? self : "deno", {
    args: childArgs,
    env: { ...CHILD_ENV },
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
    // Its own process group: a terminal's Ctrl+C reaches the child once, through us.
    detached: true,
  }).spawn();
  const forwarded = new Map<Deno.Signal, number>();
  const forward = (as: Deno.Signal) => () => {
    // `deno task` passes a Ctrl+C on as well: the same signal twice within 1 s is one.
    const now = Date.now();
    if (now - (forwarded.get(as) ?? -Infinity) < 1000) return;
    forwarded.set(as, now);
    try {
      child.kill(as);
    } catch {
      // Already gone: its status ends the launcher.
    }
  };
  const handlers: Array<[Deno.Signal, () => void]> = [["SIGINT", forward("SIGINT")]];
  // Windows delivers only SIGINT (and SIGBREAK) to listeners.
  if (Deno.build.os !== "windows") {
    handlers.push(["SIGTERM", forward("SIGTERM")]);
    // A closed terminal: stop cleanly, as for SIGTERM.
    handlers.push(["SIGHUP", forward("SIGTERM")]);
    // The kill switch of real orders (docs/orders.md): the bot, not the launcher, acts on it.
    handlers.push(["SIGUSR1", forward("SIGUSR1")]);
  }
  for (const [signal, handler] of handlers) Deno.addSignalListener(signal, handler);
  try {
    const status = await child.status;
    return status.signal === null ? status.code : signalExitCode(status.signal);
  } finally {
    for (const [signal, handler] of handlers) Deno.removeSignalListener(signal, handler);
  }
}

if (import.meta.main) {
  let code: number;
  try {
    code = await runLauncher(Deno.args);
  } catch (e) {
    if (!(e instanceof ConfigError || e instanceof UsageError)) throw e;
    console.error(`scalpbot: ${e.message}`);
    code = 2;
  }
  Deno.exit(code);
}
