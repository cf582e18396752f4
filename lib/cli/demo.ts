/**
 * `scalpbot demo`: the whole live path in about a minute, with no TWS and no data file.
 * Starts the TWS simulator on a free loopback port with the built-in generated session at
 * an accelerated speed, runs live mode against it over TCP, drops the connection once and
 * sends 1100 -> 1101 once (the bot reconnects, resubscribes and backfills), then ends with
 * the report.
 *
 * @module
 */
import { basename } from "node:path";
import { parseCommandArgs } from "./args.ts";
import { checkOutputFile } from "./fs.ts";
import { inspectJournal } from "../journal/inspect.ts";
import { configDigest, loadConfig } from "../config/load.ts";
import { loadStrategy } from "../strategy/loader.ts";
import type { Config } from "../config/schema.ts";
import { demoSession, TickGenerator } from "../gen/generator.ts";
import type { LiveRunner } from "../live/runner.ts";
import type { TickSource } from "../sim/feed.ts";
import { startSimulator } from "../sim/server.ts";
import type { Tick } from "../types.ts";
import { checkLogFile, openLiveConsole, runLiveSession } from "./live.ts";
import { lineLogger } from "./logging.ts";
import { UsageError } from "./usage_error.ts";
import { EventStream } from "../events/stream.ts";
import { DASHBOARD_HELP, openDashboard, takeDashboardArgs } from "./dashboard.ts";

/** The demo's journal, replaced by each run. */
const DEMO_JOURNAL = "demo_trade_record.text";

/** Help text of the demo command. */
export const DEMO_HELP = `scalpbot demo [options]

Runs live mode against the built-in TWS simulator replaying a generated MES session
(3.5 hours at about 200x: about a minute), injects a disconnect and an IB 1101
(connectivity restored, data lost), and prints the report. Needs no TWS and no file.

  --seed N        seed of the generated session (default 1)
  --seconds N     target wall-clock length in seconds (default 60)
  --journal FILE  journal path (default demo_trade_record.text, replaced each run; a file
                  of that name only, when it already holds runs)
  --no-bars       do not print bar lines
  --log-file FILE also append every console line to FILE (dated, with its level)
  --orders        real orders (execution.venue: ib) on the simulator's order book: brackets,
                  fills with exec ids, and the connection dropped at the first entry fill,
                  while its bracket is working (docs/orders.md)
${DASHBOARD_HELP}`;

/** Runs the demo; returns the process exit code. */
export async function runDemo(args: string[]): Promise<number> {
  const { rest, dashboard } = takeDashboardArgs("demo", args);
  const { values } = parseCommandArgs("demo", rest, {
    seed: { type: "string" },
    seconds: { type: "string" },
    journal: { type: "string" },
    "no-bars": { type: "boolean" },
    "log-file": { type: "string" },
    orders: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(DEMO_HELP);
    return 0;
  }
  const seed = Number(values.seed ?? 1);
  const seconds = Number(values.seconds ?? 60);
  if (values.seed?.trim() === "" || !Number.isSafeInteger(seed)) {
    throw new UsageError(`--seed must be an integer, got "${values.seed}"`);
  }
  if (!(seconds >= 5 && seconds <= 3600)) {
    throw new UsageError(`--seconds must be between 5 and 3600, got "${values.seconds}"`);
  }
  const journalPath = values.journal ?? DEMO_JOURNAL;
  // Inputs (the config) first; the journal is replaced only once everything is checked.
  const session = demoSession(seed);
  const historyMs = 15 * 60_000;
  const liveMs = session.endMs! - session.startMs - historyMs;
  const speed = Math.max(1, Math.round(liveMs / (seconds * 1000)));
  const orders = values.orders === true;
  const overrides = [...demoOverrides(speed), ...(orders ? ["execution.venue=ib"] : [])];
  const loaded = await loadConfig(undefined, { overrides });
  const chosen = await loadStrategy(loaded);
  await checkOutputFile(journalPath, "journal");
  const found = await inspectJournal(journalPath);
  if (found.exists && (found.events === 0 || found.errors.length > 0)) {
    const size = (await Deno.stat(journalPath)).size;
    if (size > 0) {
      throw new UsageError(
        `${journalPath} is not a scalpbot journal; the demo replaces its journal, so choose ` +
          `another --journal`,
      );
    }
  } else if (found.runs.length > 0 && basename(journalPath) !== DEMO_JOURNAL) {
    // Only the demo's own file is replaced without asking: --journal trade_record.text must
    // not cost a live record.
    throw new UsageError(
      `${journalPath} holds ${found.runs.length} run(s) and the demo replaces its journal; ` +
        `choose another --journal, or remove the file first`,
    );
  }
  const logFile = values["log-file"];
  if (logFile !== undefined) await checkLogFile(logFile, journalPath);
  const gen = new TickGenerator(session);
  const source: TickSource = { next: (): Tick | undefined => gen.next() };
  const wall0 = Date.now();
  const sim = await startSimulator({
    port: 0,
    source,
    speed,
    historyMs,
    // The simulator's clock starts at the session's live start (a Monday morning in Chicago).
    clock: { now: () => session.startMs + historyMs + (Date.now() - wall0) },
    logger: {
      info: () => {},
      debug: () => {},
      warn: (m: string) => lineLogger("sim").warning(`[sim] ${m}`),
    },
  });
  // Every line from here on is stamped with the simulator's clock, as the bot sees it.
  const con = await openLiveConsole(chosen, { now: () => sim.now() }, logFile);
  const say = lineLogger("demo");
  say.info(
    `[demo] TWS simulator on 127.0.0.1:${sim.port}: generated MES session (seed ${seed}) ` +
      `at ${speed}x; 15 min of history for the warm-up`,
  );
  // The simulator's port is known only now; the rest of the config was checked before.
  const config = demoContract(chosen, sim.port);
  if (loaded.config.contract.month !== undefined) {
    say.warning(
      `[demo] ignoring contract.month ${loaded.config.contract.month} from the config: ` +
        `the demo trades the simulator's MES front month`,
    );
  }
  const timers: Array<ReturnType<typeof setTimeout>> = [];
  const at = (fraction: number, fn: () => void) =>
    timers.push(setTimeout(fn, Math.round(seconds * 1000 * fraction)));
  let exitCode = 1;
  let sessionStarted = false;
  const events = new EventStream();
  let server: Awaited<ReturnType<typeof openDashboard>> | undefined;
  try {
    if (dashboard) {
      server = await openDashboard(config, events, dashboard, (line) => say.info(line));
    }
    // Replaced only once the simulator listens: a refused port or net permission keeps it.
    await Deno.remove(journalPath).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
    sessionStarted = true;
    exitCode = await runLiveSession({
      config,
      digest: await configDigest(config),
      journalPath,
      clock: { now: () => sim.now() },
      printBars: values["no-bars"] !== true,
      events,
      console: con,
      onRunner: (runner: LiveRunner) => {
        if (orders) {
          say.info("[demo] >>> fault armed: the API connection drops at the first entry fill");
          sim.faults.schedule("drop@parent-fill");
        } else {
          at(0.3, () => {
            say.info("[demo] >>> fault: dropping the API connection");
            sim.faults.dropAll();
          });
        }
        at(0.6, () => {
          say.info("[demo] >>> fault: IB connectivity lost (1100)");
          sim.faults.connectivityLost();
        });
        at(0.63, () => {
          say.info("[demo] >>> fault: IB connectivity restored, data lost (1101)");
          sim.faults.restoredDataLost();
        });
        runner.onState((s) => {
          if (s === "connected") say.info("[demo] <<< bot in sync with the market");
        });
      },
      until: async (runner) => {
        await sim.replayDone();
        // Let the last trades reach the engine, then end like a backtest at the end of data.
        const deadline = Date.now() + 5000;
        let last = -1;
        while (Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 200));
          const n = runner.engine?.stats.ticks ?? 0;
          if (n === last && runner.state === "connected") break;
          last = n;
        }
        return { reason: "END_OF_DATA", exit: "END" };
      },
    });
  } finally {
    for (const t of timers) clearTimeout(t);
    // Closed by the session; here only when the run failed before it started.
    if (!sessionStarted) {
      con.screen.close();
      await con.log.close();
    }
    await server?.close();
    await sim.close();
  }
  return exitCode;
}

/**
 * The demo's contract: MES futures on CME in USD, front month. An override cannot unset a
 * key, so a `contract.month` from config.yaml is dropped here (it would name an expiry the
 * simulator does not list, or not the one it replays).
 */
export function demoContract(config: Config, port?: number): Config {
  const { month: _ignored, ...contract } = config.contract;
  return {
    ...config,
    ib: { ...config.ib, host: "127.0.0.1", port: port ?? config.ib.port },
    contract: { ...contract, symbol: "MES", sec_type: "FUT", exchange: "CME", currency: "USD" },
  };
}

/**
 * The demo's settings over config.yaml's (the port is the simulator's, set once it runs).
 * Grace and timer are in simulator time: the bot's clock is the simulator's accelerated one.
 */
function demoOverrides(speed: number): string[] {
  return [
    `ib.host=127.0.0.1`,
    // The demo's market is a script, whatever config.yaml trades.
    `contract.symbol=MES`,
    `contract.sec_type=FUT`,
    `contract.exchange=CME`,
    `contract.currency=USD`,
    // 100 wall ms of grace: an accelerated clock turns event-loop jitter into late ticks.
    `live.grace_ms=${Math.min(60_000, 100 * speed)}`,
    `live.warmup_bars=12`,
    `live.timer_ms=20`,
    // Backoff and page spacing are wall-clock waits.
    `live.reconnect_min_ms=500`,
    `live.reconnect_max_ms=4000`,
    `live.page_interval_ms=450`,
    `live.watchdog_ms=0`,
    // Tick size, multiplier, zone and hours of the simulator's contract, not config.yaml's.
    `live.contract_hours=true`,
  ];
}
