/**
 * `scalpbot report FILE`: summarises a journal (all runs, or one with --run).
 *
 * @module
 */
import { parseCommandArgs } from "./args.ts";
import { checkInputFile, checkOutputFile, ensureParentDir, sameFile } from "./fs.ts";
import { readJournal } from "../journal/reader.ts";
import { describeUnendedRun, findUnendedRuns } from "../journal/inspect.ts";
import { formatReport, reportToJson } from "../report/report.ts";
import { ReportAccumulator } from "../report/accumulator.ts";
import { TradingDays } from "../data/trading_day.ts";
import { isTimeZone } from "../time/zone.ts";
import { type ReportDay, runDay } from "../report/run_day.ts";
import { HtmlReportFile } from "../report/html/write.ts";
import { ChartLibraryError } from "../report/html/assets.ts";
import { TradesFile } from "../report/trades_out.ts";
import type { JournalEvent } from "../types.ts";
import { RunError, UsageError } from "./usage_error.ts";

/** Help text of the report command. */
export const REPORT_HELP = `scalpbot report [FILE] [options]

Summarises a trade journal (default: trade_record.text): trades, P/L, win rate, profit
factor, drawdown, hold times and more.

  --json        print the report as JSON
  --run ID      only the run with this RunID
  --lenient     skip unparsable lines (each is reported on stderr) instead of stopping
  --trades-csv FILE    write one line per closed trade as CSV
  --trades-jsonl FILE  write one JSON object per closed trade (JSON Lines)
  --html FILE   write the report as one self-contained HTML page (charts, trade table)
  --tz ZONE     times, trading days and hours in this IANA zone, days from midnight

Without --tz, times, trading days and hours are the run's: the zone and trading day start
its SESSION_START records (TimeZone, DayStart), as the run's own report counted them; the
first run's when runs differ (a note on stderr says so). A journal without them: UTC.
`;

/** Runs the report command; returns the exit code. */
export async function runReport(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("report", args, {
    json: { type: "boolean" },
    run: { type: "string" },
    lenient: { type: "boolean" },
    "trades-csv": { type: "string" },
    "trades-jsonl": { type: "string" },
    html: { type: "string" },
    tz: { type: "string" },
    help: { type: "boolean", short: "h" },
  }, true);
  if (values.help) {
    console.log(REPORT_HELP);
    return 0;
  }
  if (positionals.length > 1) {
    throw new UsageError(
      `report takes one journal file, got ${positionals.length}: ${
        positionals.map((p) => JSON.stringify(p)).join(", ")
      }`,
    );
  }
  const path = positionals[0] ?? "trade_record.text";
  if (values.tz !== undefined && !isTimeZone(values.tz)) {
    throw new UsageError(
      `--tz must be an IANA time zone such as America/Chicago, got "${values.tz}"`,
    );
  }
  await checkInputFile(path, "journal");
  const contents = await readJournal(path, { lenient: values.lenient === true });
  for (const e of contents.errors) console.error(`warning: ${e.message}`);
  for (const t of contents.repairedTorn) {
    console.error(
      `warning: ${path}:${t.line}: torn line from an earlier crash, not counted: ${
        JSON.stringify(t.text)
      }`,
    );
  }
  if (contents.torn !== undefined) {
    console.error(
      `warning: ${path}:${contents.torn.line}: torn last line (a crash mid-write), not counted: ` +
        JSON.stringify(contents.torn.text),
    );
  }
  for (const run of findUnendedRuns(contents.events, contents.eventLines)) {
    console.error(`note: ${describeUnendedRun(path, run)}`);
  }
  const events = values.run === undefined
    ? contents.events
    : eventsOfRun(contents.events, values.run);
  // --tz: that zone from midnight; else the run's own days (lib/report/run_day.ts).
  const day: ReportDay = values.tz === undefined
    ? runDay(events)
    : { timeZone: values.tz, dayStart: 0 };
  if (day.note !== undefined) {
    console.error(`note: ${day.note} (--tz ZONE counts every run in one zone from midnight)`);
  }
  const timeZone = day.timeZone;
  const days = new TradingDays(timeZone, day.dayStart);
  const zoned = { dayOf: (t: number) => days.dayOf(t), hourOf: (t: number) => days.hourOf(t) };
  const acc = new ReportAccumulator(zoned);
  for (const e of events) acc.add(e);
  const report = acc.report();
  // Written once the journal has been read whole: a bad journal touches no output.
  const outputs = [
    new TradesFile(values["trades-csv"] ?? "", "csv"),
    new TradesFile(values["trades-jsonl"] ?? "", "jsonl"),
  ].filter((f) => f.path !== "");
  for (const [i, f] of outputs.entries()) {
    const name = `--trades-${f.format}`;
    await checkOutputFile(f.path, name);
    if (await sameFile(f.path, path)) {
      throw new UsageError(`${name} ${f.path} is the journal; choose another file`);
    }
    if (i > 0 && await sameFile(f.path, outputs[0]!.path)) {
      throw new UsageError(`${name} ${f.path} is also --trades-csv; choose another file`);
    }
  }
  const html = values.html === undefined ? undefined : new HtmlReportFile(values.html, {
    title: `scalpbot report — ${path}`,
    timeZone,
    accumulator: zoned,
    noBarsNote: "No candles: a journal records trades, not bars (scalpbot backtest --html " +
      "draws the run's candles). The grey line joins the fill prices.",
  });
  if (html !== undefined) {
    await checkOutputFile(html.path, "--html");
    const others: [string, string][] = [["the journal", path]];
    for (const f of outputs) others.push([`also --trades-${f.format}`, f.path]);
    for (const [name, other] of others) {
      if (await sameFile(html.path, other)) {
        throw new UsageError(`--html ${html.path} is ${name}; choose another file`);
      }
    }
    // Read before any output is written: a missing library touches nothing.
    try {
      await html.loadLibrary();
    } catch (e) {
      throw e instanceof ChartLibraryError ? new RunError(e.message) : e;
    }
  }
  // Every folder first, as backtest does: a missing one must not cost a file written before.
  for (const f of outputs) await ensureParentDir(f.path);
  for (const f of outputs) {
    f.open();
    for (const e of events) f.add(e);
    f.close();
  }
  if (html !== undefined) {
    for (const e of events) html.add(e);
    await html.write();
  }
  if (values.json) console.log(reportToJson(report));
  else console.log(formatReport(report, { timeZone }));
  return 0;
}

function eventsOfRun(events: readonly JournalEvent[], runId: string): JournalEvent[] {
  const out: JournalEvent[] = [];
  let inRun = false;
  for (const e of events) {
    if (e.kind === "SESSION_START") inRun = e.runId === runId;
    if (inRun) out.push(e);
  }
  if (out.length === 0) throw new UsageError(`No run with RunID ${runId} in the journal`);
  return out;
}
