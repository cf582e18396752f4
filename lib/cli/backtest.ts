/**
 * `scalpbot backtest`: the engine over a tick file, or over the built-in generated session
 * when no file is given. Writes the journal (and optionally every bar as CSV), prints the
 * report. Edge code: files, signals and the console live here, not in the engine.
 *
 * @module
 */
import { checkInputFile, checkOutputFile, ensureParentDirSync, sameFile } from "./fs.ts";
import { onStopSignal } from "./signals.ts";
import { intOption, parseCommandArgs } from "./args.ts";
import { loadConfig } from "../config/load_config.ts";
import { loadStrategy } from "../strategy/loader.ts";
import type { Config } from "../config/schema.ts";
import { Engine, type SessionInfo } from "../engine/engine.ts";
import { EventStream } from "../events/stream.ts";
import { isJournalEvent } from "../events/types.ts";
import { LazyJournal } from "../events/journal.ts";
import { JournalWriter } from "../journal/writer.ts";
import { formatReport, reportToJson } from "../report/report.ts";
import { ReportAccumulator } from "../report/accumulator.ts";
import type { TickReadStats } from "../ticks/csv_reader.ts";
import { InputError, resolveTickInputs, type TickInput } from "../data/inputs.ts";
import { parseDate } from "../data/calendar.ts";
import { TradingDays } from "../data/trading_day.ts";
import { TradesFile } from "../report/trades_out.ts";
import { HtmlReportFile } from "../report/html/write.ts";
import { ChartLibraryError } from "../report/html/assets.ts";
import { backtestFiles } from "./backtest_files.ts";
import type { TickBatch } from "../types.ts";
import { BarsCsvOutput } from "./bars_csv.ts";
import { ConsoleOutput, consoleZone, journalFormatOptions } from "./console.ts";
import { ConsoleLog } from "./logging.ts";
import { Screen } from "./screen.ts";
import { makeRunId } from "./run_id.ts";
import { RunError, UsageError } from "./usage_error.ts";
import { yieldEvery } from "./yield.ts";
import { VERSION } from "../version.ts";

/** Help text of the backtest command. */
export const BACKTEST_HELP = `scalpbot backtest [--ticks DIR|GLOB|FILE]... [options]

Runs the engine over recorded ticks (CSV: ts_utc,price,size) or, without --ticks, over a
session the program generates itself (deterministic for --seed). Many files make one run
and one journal, read in time order (files that overlap in time are refused). Writes the
journal and prints the report.

  --ticks PATH         tick CSV file, folder of them, glob (quoted: "data/MES_*.csv") or a
                       download store (a folder with manifest.json: its complete days, one
                       contract per day, a trade closed at a roll); repeatable
  --from DATE          first trading day yyyy-mm-dd (store: by day; files: by tick)
  --to DATE            last trading day yyyy-mm-dd, inclusive
  --seed N             seed of the generated session when no --ticks (default 1)
  --days N             generate N days from the session's start instead of its 3.5 hours
  --config FILE        config file (default: ./config.yaml if present, else built-in defaults)
  --set KEY=VALUE      override a config key, e.g. --set strategy.short=true (repeatable)
  --journal FILE       journal path (default: journal.path from config)
  --append             add this run to an existing journal
  --overwrite          replace an existing journal
  --bars-out FILE      write every closed bar with its indicators as CSV
  --skip-malformed     skip and count malformed tick lines instead of stopping
  --print-bars         print a line per closed bar
  --quiet              print only the report
  --json               print the report as JSON
  --log-file FILE      also append every console line to FILE (dated, with its level; even
                       with --quiet); console.time_zone and console.log_level apply
  --trades-csv FILE    write one line per closed trade as CSV
  --trades-jsonl FILE  write one JSON object per closed trade (JSON Lines)
  --html FILE          write the run's report as one self-contained HTML page (candles, trades)
`;

/** Runs the backtest command; returns the process exit code. */
export async function runBacktest(args: string[]): Promise<number> {
  const { values } = parseCommandArgs("backtest", args, {
    ticks: { type: "string", multiple: true },
    from: { type: "string" },
    to: { type: "string" },
    "trades-csv": { type: "string" },
    "trades-jsonl": { type: "string" },
    html: { type: "string" },
    seed: { type: "string" },
    days: { type: "string" },
    config: { type: "string" },
    set: { type: "string", multiple: true },
    journal: { type: "string" },
    append: { type: "boolean" },
    overwrite: { type: "boolean" },
    "bars-out": { type: "string" },
    "skip-malformed": { type: "boolean" },
    "print-bars": { type: "boolean" },
    quiet: { type: "boolean" },
    json: { type: "boolean" },
    "log-file": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(BACKTEST_HELP);
    return 0;
  }
  if (values.append && values.overwrite) {
    throw new UsageError("--append and --overwrite cannot be used together");
  }
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (values.seed?.trim() === "" || !Number.isSafeInteger(seed)) {
    throw new UsageError(`--seed must be an integer, got "${values.seed}"`);
  }
  const days = values.days === undefined ? undefined : intOption(values.days, "--days", 1, 1, 3650);
  if (days !== undefined && values.ticks !== undefined) {
    throw new UsageError("--days applies to the generated session; it cannot go with --ticks");
  }
  for (const [name, text] of [["--from", values.from], ["--to", values.to]] as const) {
    if (text === undefined) continue;
    try {
      parseDate(text);
    } catch {
      throw new UsageError(`${name} must be a date yyyy-mm-dd, got "${text}"`);
    }
  }
  if (values.from !== undefined && values.to !== undefined && values.from > values.to) {
    throw new UsageError(`--from ${values.from} is after --to ${values.to}`);
  }
  if ((values.from !== undefined || values.to !== undefined) && values.ticks === undefined) {
    throw new UsageError("--from and --to select days of --ticks; give --ticks");
  }
  // Inputs first: the config and the tick files are read and checked before any output is
  // created, truncated or opened (a missing tick file must not cost the journal).
  const loaded = await loadConfig(values.config, { overrides: values.set ?? [] });
  const config = await loadStrategy(loaded);
  if (values.ticks !== undefined) {
    for (const spec of values.ticks) {
      if (isGlob(spec) || (await Deno.stat(spec).then((i) => i.isDirectory, () => false))) {
        continue;
      }
      await checkInputFile(spec, "tick file");
    }
  }
  const journalPath = values.journal ?? config.journal.path;
  const barsPath = values["bars-out"];
  const outputs: [string, string][] = [["--journal", journalPath]];
  for (const name of ["bars-out", "trades-csv", "trades-jsonl", "html", "log-file"] as const) {
    const path = values[name];
    if (path !== undefined) outputs.push([`--${name}`, path]);
  }
  for (const [i, [name, path]] of outputs.entries()) {
    await checkOutputFile(path, i === 0 ? "journal" : name);
    for (const [other, otherPath] of outputs.slice(0, i)) {
      if (await sameFile(path, otherPath)) {
        throw new UsageError(
          `${name} ${path} is ${other === "--journal" ? "the journal" : `also ${other}`}; ` +
            `choose another file`,
        );
      }
    }
    await checkNotInput(values.ticks ?? [], path);
  }
  let inputs: TickInput[] | undefined;
  if (values.ticks !== undefined) {
    try {
      inputs = await resolveTickInputs(values.ticks, {
        ...(values.from !== undefined ? { from: values.from } : {}),
        ...(values.to !== undefined ? { to: values.to } : {}),
      });
    } catch (e) {
      if (e instanceof InputError) throw new RunError(e.message);
      throw e;
    }
    // The files a folder or a glob stands for are no output either.
    for (const [, path] of outputs) await checkNotInput(inputs.map((t) => t.path), path);
  }
  const replace = await checkJournal(
    journalPath,
    values.append === true,
    values.overwrite === true,
  );

  // Console lines go out with the journal's batches: one write per input chunk, not one
  // per line. Every input is checked: the log file may be opened (on its first line).
  const quiet = values.quiet === true || values.json === true;
  const screen = new Screen({ buffered: true });
  const consoleLog = await ConsoleLog.open({
    level: config.console.log_level,
    timeZone: consoleZone(config),
    clock: { now: () => Date.now() },
    screen,
    ...(values["log-file"] === undefined ? {} : { logFile: values["log-file"] }),
    buffered: true,
    quiet,
  });
  const logged = values["log-file"] !== undefined;
  // The report is built as events come, so memory does not grow with the run's length.
  const tradingDays = new TradingDays(config.session.timezone, config.session.starts);
  const tally = new ReportAccumulator({
    dayOf: (t) => tradingDays.dayOf(t),
    hourOf: (t) => tradingDays.hourOf(t),
  });
  const tradesFiles: TradesFile[] = [];
  if (values["trades-csv"] !== undefined) {
    tradesFiles.push(new TradesFile(values["trades-csv"], "csv"));
  }
  if (values["trades-jsonl"] !== undefined) {
    tradesFiles.push(new TradesFile(values["trades-jsonl"], "jsonl"));
  }
  // Every output subscribes to the engine's events; the journal (first subscriber) opens,
  // and with --overwrite empties, its file on the first event, so a run that fails before
  // its first tick leaves the file as it was. The input can be replayed, so lines go out in
  // batches: one write per input chunk, one fdatasync at the end.
  const events = new EventStream();
  const journal = new LazyJournal(config, (c) => {
    ensureParentDirSync(journalPath);
    if (replace) Deno.truncateSync(journalPath, 0);
    return JournalWriter.open(journalPath, { ...journalFormatOptions(c), durability: "batch" });
  });
  const html = values.html === undefined ? undefined : await htmlReport(values.html, config);
  if (html !== undefined) events.subscribe(html.onEvent);
  const barsOut = barsPath === undefined ? undefined : new BarsCsvOutput(barsPath);
  if (barsOut !== undefined) events.subscribe(barsOut.onEvent);
  events.subscribe(tally.onEvent);
  if (tradesFiles.length > 0) {
    events.subscribe((e) => {
      if (e.kind === "RUN") { for (const f of tradesFiles) f.open(); }
      else if (isJournalEvent(e)) { for (const f of tradesFiles) f.add(e); }
    });
  }
  if (!quiet || logged) {
    const bars = consoleLog.lines("bar");
    const trades = consoleLog.lines("trade");
    const output = new ConsoleOutput(config, {
      bar: (text, time) => bars.info(text, time),
      trade: (text, time) => trades.info(text, time),
      zone: (zone) => consoleLog.setZone(zone),
    }, { bars: values["print-bars"] === true, events: true });
    events.subscribe(output.onEvent);
  }
  const flush = () => {
    journal.flush();
    for (const f of tradesFiles) f.flush();
    consoleLog.flush();
  };
  const runId = makeRunId(Date.now(), crypto.getRandomValues(new Uint8Array(2)));
  // The journal becomes the stream's first subscriber. Outputs open on the RUN event that
  // engine.start publishes, once the first tick has been read: every input has been checked.
  const engine = new Engine({ config, journal, events, runId });
  const start = (info: SessionInfo) => engine.start(info);

  const abort = new AbortController();
  const stopListening = onStopSignal((name) => abort.abort(new Interrupted(name)));
  let endReason = "END_OF_DATA";
  let readStats: TickReadStats | undefined;
  const started = performance.now();
  try {
    try {
      if (values.ticks !== undefined) {
        readStats = await backtestFiles(engine, start, inputs!, {
          skipMalformed: values["skip-malformed"] === true,
          signal: abort.signal,
          progress: !quiet && Deno.stderr.isTerminal(),
          digest: loaded.digest,
          source: sourceName(values.ticks, inputs!),
          ...(values.from !== undefined || values.to !== undefined
            ? {
              range: {
                days: tradingDays,
                ...(values.from !== undefined ? { from: values.from } : {}),
                ...(values.to !== undefined ? { to: values.to } : {}),
              },
            }
            : {}),
          flush,
        });
      } else {
        await backtestGenerated(
          engine,
          start,
          { seed, days, config, digest: loaded.digest },
          abort.signal,
          flush,
        );
      }
    } catch (e) {
      if (!(e instanceof Interrupted)) {
        // Bad data stops the run, but the journal still ends cleanly before the error shows.
        endReason = "ERROR";
        throw e;
      }
      endReason = e.signalName;
    } finally {
      // Whatever stopped the run, the open trade is closed and the journal ends cleanly.
      if (endReason === "END_OF_DATA") engine.finish("END", endReason);
      else engine.finish("MANUAL", endReason);
    }
  } finally {
    stopListening();
    // Durable here, once: at the end, on Ctrl+C/SIGTERM and on errors alike.
    await consoleLog.close();
    journal.close();
    barsOut?.close();
    for (const f of tradesFiles) f.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const report = tally.report();
  await html?.write();
  if (values.json) {
    console.log(reportToJson(report));
  } else {
    console.log("");
    console.log(formatReport(report, { timeZone: consoleLog.timeZone }));
    const s = engine.stats;
    const parts = [
      `${s.ticks.toLocaleString("en-US")} ticks`,
      `${s.bars} bars`,
      `${s.zeroSize} zero-size ignored`,
      `${s.late} late (policy ${config.bars.late_ticks})`,
      `${s.backInTime} back in time`,
    ];
    if (readStats && readStats.malformed > 0) {
      parts.push(`${readStats.malformed} malformed skipped`);
    }
    // The parser refuses what the engine would; a count here means a source let one through.
    if (s.rejected > 0) parts.push(`${s.rejected} rejected (not a trade)`);
    console.log(`\nData: ${parts.join(", ")}; ${seconds.toFixed(2)} s.`);
    console.log(`Journal: ${journalPath} (run ${runId})`);
    if (endReason !== "END_OF_DATA") console.log(`Stopped by ${endReason}.`);
  }
  return 0;
}

/**
 * The --html page of the run, in the exchange's zone and trading days; reads the chart
 * library now, before the run touches any output.
 */
async function htmlReport(path: string, config: Config): Promise<HtmlReportFile> {
  const days = new TradingDays(config.session.timezone, config.session.starts);
  const page = new HtmlReportFile(path, {
    title: "scalpbot backtest",
    timeZone: config.session.timezone,
    accumulator: { dayOf: (t) => days.dayOf(t), hourOf: (t) => days.hourOf(t) },
  });
  try {
    await page.loadLibrary();
  } catch (e) {
    throw e instanceof ChartLibraryError ? new RunError(e.message) : e;
  }
  return page;
}

/** The SESSION_START source: `file:PATH` for one file, else the values and the file count. */
function sourceName(specs: readonly string[], inputs: readonly TickInput[]): string {
  if (specs.length === 1 && inputs.length === 1 && inputs[0]!.path === specs[0]) {
    return `file:${specs[0]}`;
  }
  const store = inputs.some((t) => t.fromStore) ? "store " : "";
  return `${store}files:${specs.join(" ")} (${inputs.length} files)`;
}

/** Refuses an output that is one of the tick files. */
async function checkNotInput(inputs: readonly string[], output: string): Promise<void> {
  for (const input of inputs) {
    if (!isGlob(input) && await sameFile(input, output)) {
      throw new UsageError(`--ticks ${input} is also an output (${output}); choose another`);
    }
  }
}

/** True for a `--ticks` value with wildcards in its file name. */
function isGlob(path: string): boolean {
  return /[*?[]/.test(path.slice(path.lastIndexOf("/") + 1));
}

class Interrupted extends Error {
  constructor(readonly signalName: string) {
    super(`Interrupted by ${signalName}`);
  }
}

/**
 * Refuses a journal that holds other runs (without --append or --overwrite) or that is not
 * a journal (without --overwrite). Touches nothing: returns true when the run is to empty
 * the file before its first line.
 */
async function checkJournal(path: string, append: boolean, overwrite: boolean): Promise<boolean> {
  if (overwrite) {
    try {
      return (await Deno.stat(path)).isFile;
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return false;
      throw e;
    }
  }
  // Loaded here: a run with --overwrite (the benchmarks', scripts') never reads the old journal.
  const { describeUnendedRun, inspectJournal } = await import("../journal/inspect.ts");
  const found = await inspectJournal(path);
  if (!found.exists) return false;
  const size = (await Deno.stat(path)).size;
  if (size > 0 && (found.events === 0 || found.errors.length > 0)) {
    const bad = found.errors[0];
    throw new UsageError(
      `${path} is not a scalpbot journal${bad ? ` (${bad.message})` : ""}; ` +
        `choose another --journal, or --overwrite to replace it`,
    );
  }
  // A run killed mid-way (backtest journals are written in batches) is named, not hidden.
  for (const run of found.unended) console.error(`note: ${describeUnendedRun(path, run)}`);
  if (found.events === 0 || append) return false;
  const last = found.runs.at(-1) ?? "an unknown run";
  throw new UsageError(
    `Journal ${path} already holds ${found.runs.length} run(s) (last: ${last}); ` +
      `pass --append to add this run, --overwrite to replace it, or --journal FILE`,
  );
}

interface GeneratedRun {
  seed: number;
  /** Days to generate from the session's start; undefined: the demo session's 3.5 hours. */
  days: number | undefined;
  config: Config;
  digest: string;
}

async function backtestGenerated(
  engine: Engine,
  start: (info: SessionInfo) => void,
  run: GeneratedRun,
  signal: AbortSignal,
  flush: () => void,
): Promise<void> {
  const { seed, days, config } = run;
  // Loaded here: a backtest of tick files needs no generator.
  const { demoSession, TickGenerator } = await import("../gen/generator.ts");
  const session = demoSession(seed);
  const options = {
    ...session,
    ...(days === undefined ? {} : { endMs: session.startMs + days * 86_400_000 }),
    tickSize: config.contract.tick_size,
    timeZone: config.session.timezone,
  };
  const gen = new TickGenerator(options);
  const source = `generated:seed=${seed}${days === undefined ? "" : `,days=${days}`}`;
  start(sessionInfo(options.startMs, source, run.digest));
  const size = 8192;
  const batch: TickBatch = {
    ts: new Float64Array(size),
    price: new Float64Array(size),
    size: new Float64Array(size),
    count: 0,
  };
  // A microtask (`await Promise.resolve()`) never lets the signal handler run: only a turn
  // of the event loop does, taken every few ms of work so that Ctrl+C lands quickly.
  const pause = yieldEvery(YIELD_MS);
  for (;;) {
    batch.count = gen.fillBatch(batch, size);
    if (batch.count === 0) break;
    engine.onBatch(batch);
    flush();
    await pause();
    signal.throwIfAborted();
  }
}

/** Most work between two turns of the event loop, in ms (a signal waits at most this). */
const YIELD_MS = 20;

function sessionInfo(time: number, source: string, digest: string): SessionInfo {
  return { time, version: VERSION, configDigest: digest, source };
}
