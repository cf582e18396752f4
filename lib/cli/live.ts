/**
 * `scalpbot live`: paper trading on TWS / IB Gateway data. Edge code: permissions, signals,
 * the journal file and the console live here; the logic is in `lib/live/runner.ts`.
 *
 * @module
 */
import { checkInputFile, checkOutputFile, ensureParentDir, sameFile } from "./fs.ts";
import { onStopSignal } from "./signals.ts";
import { hostPort } from "../ib/host.ts";
import { maskAccounts } from "../ib/mask.ts";
import { PermissionMissing } from "./permissions.ts";
import { parseCommandArgs } from "./args.ts";
import { loadConfig } from "../config/load.ts";
import { loadStrategy } from "../strategy/loader.ts";
import type { Config } from "../config/schema.ts";
import { EventStream } from "../events/stream.ts";
import { LazyJournal } from "../events/journal.ts";
import type { OpenTradeState } from "../engine/paper_trader.ts";
import { inspectJournal, type JournalInspection, type OpenTrade } from "../journal/inspect.ts";
import { openLiveJournal } from "../journal/background.ts";
import { LiveRunner, type ResumeState } from "../live/runner.ts";
import { type IbOrdersHookup, ibOrdersHookup } from "../execution/ib_live.ts";
import { type PaperKillSwitch, paperKillSwitch } from "../execution/paper_live.ts";
import type { IbConnection } from "../ib/connection.ts";
import { isJournalEvent } from "../events/types.ts";
import { formatReport } from "../report/report.ts";
import { ReportAccumulator } from "../report/accumulator.ts";
import { TradingDays } from "../data/trading_day.ts";
import { RunDays } from "../report/run_day.ts";
import type { Clock, SessionStartEvent } from "../types.ts";
import { VERSION } from "../version.ts";
import { ConsoleOutput, consoleZone, journalFormatOptions } from "./console.ts";
import { ConsoleLog, lineLogger } from "./logging.ts";
import { formatIsoOffset } from "../time/zone.ts";

/** An ISO-8601 UTC instant as the runner writes them (`2025-02-17T15:50:46.000Z`). */
const ISO_UTC = /\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z\b/g;
import { Screen, StatusLine } from "./screen.ts";
import { makeRunId } from "./run_id.ts";
import { UsageError } from "./usage_error.ts";
import { DASHBOARD_HELP, openDashboard, takeDashboardArgs } from "./dashboard.ts";

/** Help text of the live command. */
export const LIVE_HELP = `scalpbot live [options]

Paper-trades live on TWS or IB Gateway data (tick-by-tick trades). Reconnects by itself;
Ctrl+C or SIGTERM ends the run, closes the open trade as MANUAL (live.on_stop: keep leaves it
for the next start), and prints the report. A trade left open in the journal is resumed,
and every trade printed since its last journal line is checked against its stop and target
(an exit found so is journaled with Recovered=1).

The journal continues without a flag when it is new, or when its last run is a live run
(Source=ib:...) of the same symbol with the same config (Config= digest): a restart of the
same bot. Anything else (a backtest, another contract, a changed config) needs --append.

  --config FILE        config file (default: ./config.yaml if present, else built-in defaults)
  --set KEY=VALUE      override a config key, e.g. --set ib.port=4002 (repeatable)
  --journal FILE       journal path (default: journal.path from config)
  --append             add this run to a journal that holds other runs
  --print-bars         print a line per closed bar (default on; --no-bars to hide)
  --no-bars            do not print bar lines
  --log-file FILE      also append every console line to FILE (dated, with its level);
                       console.time_zone and console.log_level apply
  --live-account       with execution.venue: ib, let real orders go to a live (non-DU) account;
                       execution.allow_live_account: true is needed too (docs/orders.md)
${DASHBOARD_HELP}`;

/** Why a run may not reach TWS: the flag the user must grant, or undefined when allowed. */
export async function netPermissionProblem(
  host: string,
  port: number,
): Promise<string | undefined> {
  // An IPv6 literal needs brackets: "::1:7497" made the query throw a URIError.
  const address = hostPort(host, port);
  const status = await Deno.permissions.query({ name: "net", host: address });
  if (status.state === "granted") return undefined;
  // main.ts follows this line with the complete command that grants it.
  return `no network permission for TWS at ${address}: grant ` +
    `--allow-net=${address} (deno task live does), or change ib.host / ib.port in the config.`;
}

/** Options of {@linkcode runLiveSession}. */
export interface LiveSessionOptions {
  /** The validated config of the run. */
  config: Config;
  /** Its digest, written in SESSION_START. */
  digest: string;
  /** The journal file the run appends to. */
  journalPath: string;
  /** Local clock (the system clock live; the simulator clock in the demo). */
  clock: Clock;
  /** `--print-bars`: print each closed bar. */
  printBars: boolean;
  /** `--live-account`: real orders may go to a live account (with execution.allow_live_account). */
  liveAccount?: boolean;
  /** Resolves with the reason that ends the run (default: SIGINT / SIGTERM). */
  until?: (runner: LiveRunner) => Promise<{ reason: string; exit: "MANUAL" | "END" }>;
  /** Called once the runner exists (the demo injects faults through it). */
  onRunner?: (runner: LiveRunner) => void;
  /**
   * The stream the run publishes on (default: a new one): a caller subscribes its own
   * outputs (the dashboard) to it. The journal is always its first subscriber.
   */
  events?: EventStream;
  /** The journal as already inspected (default: read here). */
  found?: JournalInspection;
  /** The console, when the caller opened it first (the demo); closed at the end here. */
  console?: LiveConsole;
  /** `--log-file`, already checked as an output (ignored when `console` is given). */
  logFile?: string;
}

/** The console of a live run: the log and the screen it writes to. */
export interface LiveConsole {
  /** The log (logtape sinks: screen and `--log-file`). */
  log: ConsoleLog;
  /** stdout, with a status line when it is a terminal. */
  screen: Screen;
}

/**
 * Opens the console of a live run: lines stamped by `clock` in the console zone, a status
 * line when stdout is a terminal, `--log-file` (checked as an output before) appended to.
 */
export async function openLiveConsole(
  config: Config,
  clock: Clock,
  logFile?: string,
): Promise<LiveConsole> {
  const screen = new Screen({ statusLine: Deno.stdout.isTerminal() });
  const log = await ConsoleLog.open({
    level: config.console.log_level,
    timeZone: consoleZone(config),
    clock,
    screen,
    ...(logFile === undefined ? {} : { logFile }),
  });
  return { log, screen };
}

/**
 * The runner's lines, by their tag: trouble is a warning, the rest information. The UTC
 * instants some of them quote are shown in the console's zone, as every other time.
 */
function runnerLine(raw: string, timeZone: string): void {
  const line = raw.replace(ISO_UTC, (iso) => {
    const ms = Date.parse(iso);
    return Number.isNaN(ms) ? iso : formatIsoOffset(ms, timeZone).slice(0, 19).replace("T", " ");
  });
  const tag = /^\[([a-z]+)\]/.exec(line)?.[1] ?? "live";
  const trouble = tag === "watchdog" ||
    /failed|error|lost|broken|disconnected|violation|dropped|capped|in use|gap remains/i.test(line);
  const log = lineLogger(tag);
  if (trouble) log.warning(line);
  else log.info(line);
}

/** Runs a live session until a signal (or `until`); prints the report; returns the exit code. */
export async function runLiveSession(o: LiveSessionOptions): Promise<number> {
  const con = o.console ?? await openLiveConsole(o.config, o.clock, o.logFile);
  try {
    return await liveSession(o, con);
  } finally {
    // Closed before the report on the normal path; here when the run failed.
    con.screen.close();
    await con.log.close();
  }
}

async function liveSession(o: LiveSessionOptions, con: LiveConsole): Promise<number> {
  const config = o.config;
  const note = lineLogger("live");
  const found = o.found ?? await inspectJournal(o.journalPath);
  const symbol = config.contract.symbol;
  // Only a live run's trade on this contract is ours to manage (an --append may mix others).
  const open = found.openTrades.filter((t) => {
    const ok = isLiveRun(found.starts.find((s) => s.runId === t.runId), symbol);
    if (!ok) {
      note.warning(`[live] trade ${t.entry.tradeId} is not a live ${symbol} trade: not resumed`);
    }
    return ok;
  });
  const resume = resumeFrom(open);
  if (open.length > 1) {
    note.warning(`[live] journal has ${open.length} open trades; resuming the last`);
  }
  await ensureParentDir(o.journalPath);
  // The report is accumulated: a live run of weeks keeps a few numbers per trade, not events.
  // Days and hours in the exchange's zone, as the backtest and every console line show them.
  // The run's SESSION_START names the trading day after contract details patched the config
  // (IB's zone and hours): the report follows it, as `scalpbot report` of the journal does.
  const tradingDays = new RunDays(new TradingDays(config.session.timezone, config.session.starts));
  const tally = new ReportAccumulator({
    dayOf: (t) => tradingDays.dayOf(t),
    hourOf: (t) => tradingDays.hourOf(t),
  });
  const events = o.events ?? new EventStream();
  // Formatted, written and fdatasynced on a worker thread: never on the tick path. Opened on
  // the first event, in the zone and tick size of the engine's config (patched from contract
  // details), which the RUN event brings.
  const journal = new LazyJournal(
    config,
    (c) => openLiveJournal(o.journalPath, journalFormatOptions(c)),
  );
  journal.follow(events);
  events.subscribe(tradingDays.onEvent);
  events.subscribe(tally.onEvent);
  const bars = lineLogger("bar");
  const trades = lineLogger("trade");
  events.subscribe(
    new ConsoleOutput(config, {
      bar: (text, time) => bars.info(text, time),
      trade: (text, time) => trades.info(text, time),
      // The contract's zone (live.contract_hours) from here on, when the console follows it.
      zone: (zone) => con.log.setZone(zone),
    }, { bars: o.printBars, events: true }).onEvent,
  );
  const status = con.screen.hasStatusLine
    ? new StatusLine({ screen: con.screen, clock: o.clock, config })
    : undefined;
  if (status !== undefined) {
    if (resume !== undefined) status.resume(resume.state);
    events.subscribe(status.onEvent, { ticks: true });
  }
  // Trade ids are `<runId>-<n>`: a run id already in the journal would repeat them.
  let runId = makeRunId(o.clock.now(), crypto.getRandomValues(new Uint8Array(2)));
  while (found.runs.includes(runId)) {
    runId = makeRunId(o.clock.now(), crypto.getRandomValues(new Uint8Array(2)));
  }
  let fatal: Error | undefined;
  let wakeFatal: () => void = () => {};
  // execution.venue: ib: real orders through the runner's connection (docs/orders.md).
  const ib: IbOrdersHookup | undefined = config.execution.venue !== "ib"
    ? undefined
    : ibOrdersHookup({
      config,
      connection: (): IbConnection => runner.connection,
      liveAccountFlag: o.liveAccount === true,
      clock: () => o.clock.now(),
      durable: () => journal.durable(),
      log: (line) => runnerLine(maskAccounts(line), con.log.timeZone),
      subscribe: (fn) => events.subscribe((e) => isJournalEvent(e) && fn(e)),
      resume: resume === undefined ? undefined : { fills: open.at(-1)!.fills, since: resume.since },
      pastExits: found.exits.filter((x) =>
        isLiveRun(found.starts.find((s) => s.runId === x.runId), symbol)
      ),
      onRefused: (line) => {
        fatal = new Error(line);
        wakeFatal();
      },
    });
  // execution.venue: paper: the kill switch (SIGUSR1, execution.kill_file) acts on the paper venue.
  const paperKill: PaperKillSwitch | undefined = ib !== undefined ? undefined : paperKillSwitch({
    config,
    clock: () => o.clock.now(),
    log: (line) => runnerLine(line, con.log.timeZone),
  });
  const runner = new LiveRunner({
    config,
    journal,
    events,
    runId,
    clock: o.clock,
    version: VERSION,
    configDigest: o.digest,
    // Runner lines quote TWS texts: every one goes through the one account mask.
    log: (line) => runnerLine(maskAccounts(line), con.log.timeZone),
    resume,
    onFatal: (e) => {
      fatal = e;
      wakeFatal();
    },
    venue: ib?.venue ?? paperKill!.venue,
  });
  o.onRunner?.(runner);
  const stopCleanups: Array<() => void> = [];
  const stopped = new Promise<{ reason: string; exit: "MANUAL" | "END" }>((resolve) => {
    stopCleanups.push(onStopSignal((reason) => resolve({ reason, exit: "MANUAL" })));
    wakeFatal = () => resolve({ reason: "ERROR", exit: "MANUAL" });
    o.until?.(runner).then(resolve);
  });
  status?.start();
  runner.start();
  const end = await stopped;
  for (const f of stopCleanups) f();
  note.info(`[live] stopping (${end.reason})`);
  await ib?.beforeStop();
  paperKill?.stop();
  runner.stop(end.reason, end.exit);
  journal.close();
  status?.stop();
  con.screen.close();
  const timeZone = con.log.timeZone;
  await con.log.close();
  // The report is a document, not log lines: it follows the stamped lines unstamped.
  console.log("");
  console.log(formatReport(tally.report(), { timeZone }));
  const s = runner.stats;
  const e = runner.engine?.stats;
  console.log(
    `\nLive: ${e?.ticks ?? 0} ticks (${s.warmupTicks} warm-up, ${s.backfilledTicks} backfilled), ` +
      `${e?.bars ?? 0} bars (${s.timerBars} closed by the timer), ${s.lateTicks} late, ` +
      `${s.connects} connect(s), ${s.disconnects} disconnect(s), ${s.syncs} sync(s).`,
  );
  console.log(`Journal: ${o.journalPath} (run ${runId})`);
  if (fatal !== undefined) {
    console.error(`scalpbot: ${(fatal as Error).message}`);
    return 1;
  }
  return 0;
}

/** True when `start` opened a live run (Source `ib:...`) on `symbol`. */
function isLiveRun(start: SessionStartEvent | undefined, symbol: string): boolean {
  return start !== undefined && start.source.startsWith("ib:") && start.symbol === symbol;
}

/**
 * Why `live` may not write to a journal holding `found`, or undefined when it may: a file
 * that is not a journal is refused; runs other than a restart of this one (its last run is
 * a live run of `symbol` with config digest `digest`) need `append`.
 */
export function liveJournalProblem(
  path: string,
  found: JournalInspection,
  o: { symbol: string; digest: string; append: boolean },
): string | undefined {
  if (!found.exists) return undefined;
  const bad = found.errors[0];
  if (bad !== undefined) {
    return `${path} is not a scalpbot journal (${bad.message}); choose another --journal`;
  }
  if (found.events === 0 || o.append) return undefined;
  const last = found.starts.at(-1);
  if (isLiveRun(last, o.symbol) && last!.configDigest === o.digest) return undefined;
  const what = last === undefined
    ? "events without a SESSION_START"
    : `run ${last.runId} (source ${last.source}, ${last.symbol}, config ${last.configDigest})`;
  return `Journal ${path} holds ${what}, not a live ${o.symbol} run with this config ` +
    `(${o.digest}); pass --append to add this run to it, or choose another --journal FILE`;
}

/** Builds the resume state of the last open trade in a journal, if any. */
export function resumeFrom(open: readonly OpenTrade[]): ResumeState | undefined {
  const t = open.at(-1);
  if (t === undefined) return undefined;
  const e = t.entry;
  const exited = t.exited ?? 0;
  let filledValue = t.fills.reduce((sum, f) => sum + f.price * f.qty, 0);
  // After a scale-out part, the rest keeps the average entry of every fill.
  if (exited > 0) filledValue = (filledValue / (t.filled + exited)) * t.filled;
  const state: OpenTradeState = {
    tradeId: e.tradeId,
    side: e.side,
    ordered: e.size - t.cancels.reduce((sum, c) => sum + c.qty, 0) - exited,
    filled: t.filled,
    filledValue,
    entryPrice: t.filled > 0 ? filledValue / t.filled : e.entry,
    // The levels the managers last moved to (STOP_MOVE / TARGET_MOVE), else the ENTRY's.
    stop: t.stop ?? e.stop,
    target: t.target ?? e.target,
    entryTime: t.fills[0]?.time ?? NaN,
    fills: t.fills.length,
  };
  // Every print from the trade's last journaled event on is checked against stop and target;
  // a level move counts: replaying earlier prints against a stop moved into profit since
  // would exit on prints that came before the stop was there.
  const since = Math.max(
    e.time,
    t.levelsTime ?? -Infinity,
    ...t.fills.map((f) => f.time),
    ...t.cancels.map((c) => c.time),
  );
  // A new run id starts its own numbering, so ids cannot repeat.
  return { state, lastSeq: 0, since };
}

/** Runs the live command; returns the process exit code. */
export async function runLive(args: string[]): Promise<number> {
  const { rest, dashboard } = takeDashboardArgs("live", args);
  // Strict, and an option given twice is an error (only --set repeats).
  const { values } = parseCommandArgs("live", rest, {
    config: { type: "string" },
    set: { type: "string", multiple: true },
    journal: { type: "string" },
    append: { type: "boolean" },
    "print-bars": { type: "boolean" },
    "no-bars": { type: "boolean" },
    "log-file": { type: "string" },
    "live-account": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(LIVE_HELP);
    return 0;
  }
  const loaded = await loadConfig(values.config, { overrides: values.set ?? [] });
  const config = await loadStrategy(loaded);
  const problem = await netPermissionProblem(config.ib.host, config.ib.port);
  if (problem !== undefined) throw new PermissionMissing(problem);
  // Every input is checked before the journal is created or written.
  const journalPath = values.journal ?? config.journal.path;
  await checkOutputFile(journalPath, "journal");
  const exists = await Deno.stat(journalPath).then(() => true, () => false);
  if (exists) await checkInputFile(journalPath, "journal");
  const found = await inspectJournal(journalPath);
  const refused = liveJournalProblem(journalPath, found, {
    symbol: config.contract.symbol,
    digest: loaded.digest,
    append: values.append === true,
  });
  if (refused !== undefined) throw new UsageError(refused);
  const logFile = values["log-file"];
  if (logFile !== undefined) await checkLogFile(logFile, journalPath);
  const events = new EventStream();
  const clock = { now: () => Date.now() };
  // Open first: the dashboard's address is a console line too (stamped, in --log-file).
  const con = await openLiveConsole(config, clock, logFile);
  let board: Awaited<ReturnType<typeof openDashboard>> | undefined;
  try {
    if (dashboard) {
      const say = lineLogger("dashboard");
      board = await openDashboard(config, events, dashboard, (line) => say.info(line));
    }
    const followed = board;
    return await runLiveSession({
      config,
      digest: loaded.digest,
      journalPath,
      found,
      clock,
      printBars: values["no-bars"] !== true,
      liveAccount: values["live-account"] === true,
      events,
      console: con,
      ...(followed ? { onRunner: (runner: LiveRunner) => followed.follow(runner) } : {}),
    });
  } finally {
    await board?.close();
    // Closed by the session already, unless the dashboard failed to start.
    con.screen.close();
    await con.log.close();
  }
}

/** Refuses a `--log-file` that cannot be written or that is the journal. Touches nothing. */
export async function checkLogFile(path: string, journalPath: string): Promise<void> {
  await checkOutputFile(path, "--log-file");
  if (await sameFile(path, journalPath)) {
    throw new UsageError(`--log-file ${path} is the journal; choose another file`);
  }
}
