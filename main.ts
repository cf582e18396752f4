/**
 * scalpbot's command-line entry: parses the subcommand, loads its module lazily, and maps
 * every error to one clear line and an exit code (2: usage or config, 1: anything else),
 * never a stack trace.
 *
 * @module
 */
import { ConfigError } from "./lib/config/errors.ts";
import { RunError, UsageError } from "./lib/cli/usage_error.ts";
import { StrategyError } from "./lib/strategy/errors.ts";
import { VERSION } from "./lib/version.ts";

const HELP = `scalpbot ${VERSION}: paper-trades futures scalps from Interactive Brokers data

Usage: scalpbot <command> [options]    (scalpbot <command> --help for its options)

Commands:
  backtest   run the engine over a tick file, or over a generated session
  report     summarise a trade journal (default trade_record.text)
  live       paper-trade live on TWS / IB Gateway data (reconnects by itself)
  download   fetch historical trades from TWS / IB Gateway into a local tick store
  demo       live mode against the built-in TWS simulator, about a minute, no TWS needed
  sim        run the TWS simulator on loopback (tick file replay or generated session)
  sweep      backtest every combination of a parameter grid over tick files, on all cores
  worker     run sweep jobs from a Redis queue (scalpbot sweep --queue), on any machine
  help       show this help
  --version  print the version
`;

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  backtest: async () => (await import("./lib/cli/backtest.ts")).runBacktest,
  report: async () => (await import("./lib/cli/report_command.ts")).runReport,
  live: async () => (await import("./lib/cli/live.ts")).runLive,
  download: async () => (await import("./lib/cli/download.ts")).runDownload,
  demo: async () => (await import("./lib/cli/demo.ts")).runDemo,
  sweep: async () => (await import("./lib/cli/sweep.ts")).runSweep,
  worker: async () => (await import("./lib/cli/worker.ts")).runWorker,
  sim: async () => {
    await (await import("./lib/cli/logging.ts")).setupLogging();
    return (await import("./lib/sim/command.ts")).runSimCommand;
  },
};

/** Runs scalpbot with `args` (without the program name); resolves to the exit code. */
export async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === "--version" || name === "-V" || name === "version") {
    console.log(`scalpbot ${VERSION}`);
    return 0;
  }
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    console.log(HELP);
    return 0;
  }
  const load = COMMANDS[name];
  if (load === undefined) {
    console.error(`scalpbot: unknown command "${name}" (try: scalpbot help)`);
    return 2;
  }
  try {
    return await (await load())(rest);
  } catch (e) {
    if (e instanceof Deno.errors.NotCapable) return await reportNotCapable(e, name, rest);
    return reportError(e);
  }
}

/**
 * A missing permission: the message, then the complete command line that grants what
 * `scalpbot <name> <rest>` needs (lib/cli/permissions.ts, loaded only on this path).
 */
async function reportNotCapable(e: Error, name: string, rest: string[]): Promise<number> {
  const { parseNotCapable, PermissionMissing, suggestCommand } = await import(
    "./lib/cli/permissions.ts"
  );
  console.error(`scalpbot: ${oneLine(e.message)}`);
  const command = suggestCommand(name, rest, parseNotCapable(e.message));
  if (Deno.build.standalone) {
    console.error("  This binary's permissions are set when it is built. From the project folder,");
    console.error(`  this command grants what the run needs: ${command}`);
  } else {
    console.error(`  Run with the permissions it needs: ${command}`);
  }
  return e instanceof PermissionMissing ? e.exitCode : 1;
}

/** Prints `e` as one line (two for a bug) and returns the exit code; exported for tests. */
export function reportError(e: unknown): number {
  if (e instanceof ConfigError || e instanceof UsageError) {
    console.error(`scalpbot: ${oneLine(e.message)}`);
    return 2;
  }
  if (e instanceof TypeError && "code" in e && String(e.code).startsWith("ERR_PARSE_ARGS")) {
    console.error(`scalpbot: ${oneLine(e.message)}`);
    return 2;
  }
  if (e instanceof RunError || e instanceof StrategyError) {
    console.error(`scalpbot: ${oneLine(e.message)}`);
    return 1;
  }
  if (e instanceof Deno.errors.NotCapable) {
    console.error(`scalpbot: ${e.message}`);
    // Only errors thrown outside main's await chain land here; main names the full command.
    console.error("  (scalpbot runs with narrow permissions; grant the one named above with the");
    console.error("   matching deno flag, e.g. --allow-read=PATH)");
    return 1;
  }
  if (isDenoError(e)) {
    // File system and network errors: Deno's message names the path or the address.
    console.error(`scalpbot: ${oneLine(e.message)}`);
    return 1;
  }
  if (e instanceof SyntaxError || e instanceof RangeError) {
    // Bad data (tick files, journal lines): the message names the place and the value.
    console.error(`scalpbot: ${oneLine(e.message)}`);
    return 1;
  }
  return reportUnexpected(e);
}

/**
 * An error no check foresaw is a bug: one line naming it and a hint, exit 1. The stack
 * trace is shown only on request (SCALPBOT_DEBUG=1, when the env permission allows it).
 */
function reportUnexpected(e: unknown): number {
  const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  console.error(`scalpbot: unexpected error: ${oneLine(what)}`);
  if (debugWanted() && e instanceof Error && e.stack !== undefined) {
    console.error(e.stack);
  } else {
    console.error(
      "  (a bug in scalpbot: please report it with the command line; " +
        "SCALPBOT_DEBUG=1 with --allow-env=SCALPBOT_DEBUG shows where it happened)",
    );
  }
  return 1;
}

function debugWanted(): boolean {
  const desc = { name: "env", variable: "SCALPBOT_DEBUG" } as const;
  if (Deno.permissions.querySync(desc).state !== "granted") return false;
  return (Deno.env.get("SCALPBOT_DEBUG") ?? "") !== "";
}

/** An error class Deno throws for OS and permission failures (NotFound, AddrInUse, ...). */
function isDenoError(e: unknown): e is Error {
  return e instanceof Error &&
    Object.values(Deno.errors).some((c) => typeof c === "function" && e instanceof c);
}

/** Collapses line breaks: every error is one line on the console. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, " ").trim();
}

/**
 * Last line of defence for errors thrown outside `main`'s await chain (a timer, a
 * listener, a promise nobody awaits): one line and exit 1 instead of Deno's stack trace.
 */
function exitOnStrayError(): void {
  const stray = (error: unknown) => Deno.exit(reportError(error));
  globalThis.addEventListener("unhandledrejection", (ev) => {
    ev.preventDefault();
    stray(ev.reason);
  });
  globalThis.addEventListener("error", (ev) => {
    ev.preventDefault();
    stray(ev.error);
  });
}

if (import.meta.main) {
  exitOnStrayError();
  Deno.exit(await main(Deno.args));
}
