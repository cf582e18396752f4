/**
 * `scalpbot report FILE`: summarises a journal (all runs, or one with --run).
 *
 * @module
 */
import { parseCommandArgs } from "./args.ts";
import { checkInputFile, checkOutputFile, sameFile } from "./fs.ts";
import { readJournal } from "../journal/reader.ts";
import { describeUnendedRun, findUnendedRuns } from "../journal/inspect.ts";
import { computeReport, formatReport, reportToJson } from "../report/report.ts";
import { TradesFile } from "../report/trades_out.ts";
import type { JournalEvent } from "../types.ts";
import { UsageError } from "./usage_error.ts";

/** Help text of the report command. */
export const REPORT_HELP = `scalpbot report [FILE] [options]

Summarises a trade journal (default: trade_record.text): trades, P/L, win rate, profit
factor, drawdown, hold times and more.

  --json        print the report as JSON
  --run ID      only the run with this RunID
  --lenient     skip unparsable lines (each is reported on stderr) instead of stopping
  --trades-csv FILE    write one line per closed trade as CSV
  --trades-jsonl FILE  write one JSON object per closed trade (JSON Lines)
`;

/** Runs the report command; returns the exit code. */
export async function runReport(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("report", args, {
    json: { type: "boolean" },
    run: { type: "string" },
    lenient: { type: "boolean" },
    "trades-csv": { type: "string" },
    "trades-jsonl": { type: "string" },
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
  const report = computeReport(events);
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
  for (const f of outputs) {
    f.open();
    for (const e of events) f.add(e);
    f.close();
  }
  if (values.json) console.log(reportToJson(report));
  else console.log(formatReport(report));
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
