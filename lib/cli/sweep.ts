/**
 * `scalpbot sweep`: every combination of a parameter grid over tick files, on all cores
 * (Workers sharing the parsed columns) or, with `--queue`, on BullMQ workers on any number
 * of machines. Prints a ranked table; writes CSV and per-combination journals on request.
 *
 * @module
 */
import { join } from "node:path";
import { intOption, parseCommandArgs } from "./args.ts";
import { onStopSignal } from "./signals.ts";
import { journalFormatOptions } from "./console.ts";
import { checkInputFile, checkOutputFile, ensureParentDirSync, sameFile } from "./fs.ts";
import { RunError, UsageError } from "./usage_error.ts";
import { checkQueueUrl, QueueUrlError } from "../sweep/queue_url.ts";
import { loadColumns } from "../sweep/columns.ts";
import { buildCombos, type Combo, GridError, parseGrid } from "../sweep/grid.ts";
import type { JobResult } from "../sweep/job.ts";
import { JobError, runLocalSweep } from "../sweep/pool.ts";
import { type Figures, summarise } from "../sweep/results.ts";
import { renderSweepPage } from "../report/html/sweep_page.ts";
import {
  dateIn,
  dateOrder,
  parseSplit,
  type Split,
  SplitError,
  splitFiles,
} from "../sweep/split.ts";
import { formatCsv, formatTable, rankRows, type SweepRow } from "../sweep/table.ts";
import { JournalWriter } from "../journal/writer.ts";

/** Help text of the sweep command. */
export const SWEEP_HELP = `scalpbot sweep --ticks DIR|FILE... --grid KEY=V1,V2,... [options]

Backtests every combination of the grid over every tick file (one job per combination and
file, spread over all cores) and prints the combinations ranked by net P/L. Each job runs
exactly as \`scalpbot backtest --ticks FILE\` with the same config would.

  --ticks DIR|FILE     tick CSV file, or a folder of them (*.csv) (repeatable)
  --grid KEY=V1,V2     a config key and the values to try (repeatable: every combination)
  --config FILE        config file (default: ./config.yaml if present, else built-in defaults)
  --set KEY=VALUE      override a config key for every combination (repeatable)
  --workers N          worker threads (default: the number of cores)
  --out FILE           write every combination's figures as CSV
  --html FILE          write the ranked combinations as one self-contained HTML page
  --journals DIR       write each combination's journal as DIR/combo_NNN.text
  --split F            in-sample = the first fraction F of the days (e.g. 0.7), rest out of sample
  --oos-from DATE      out of sample = the days from DATE (YYYY-MM-DD)
  --top N              rows of the table shown (default 20; --out has all)
  --skip-malformed     skip and count malformed tick lines instead of stopping
  --queue URL          run the jobs on \`scalpbot worker\`s through Redis (redis://HOST:PORT)
  --quiet              no progress bar
`;

/** Runs the sweep command; returns the process exit code. */
export async function runSweep(args: string[]): Promise<number> {
  const { values } = parseCommandArgs("sweep", args, {
    ticks: { type: "string", multiple: true },
    grid: { type: "string", multiple: true },
    config: { type: "string" },
    set: { type: "string", multiple: true },
    workers: { type: "string" },
    out: { type: "string" },
    html: { type: "string" },
    journals: { type: "string" },
    split: { type: "string" },
    "oos-from": { type: "string" },
    top: { type: "string" },
    "skip-malformed": { type: "boolean" },
    queue: { type: "string" },
    quiet: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(SWEEP_HELP);
    return 0;
  }
  if ((values.ticks ?? []).length === 0) {
    throw new UsageError("sweep: --ticks DIR|FILE is required");
  }
  if ((values.grid ?? []).length === 0) throw new UsageError("sweep: --grid KEY=V1,V2 is required");
  const workers = intOption(values.workers, "--workers", navigator.hardwareConcurrency || 1);
  const top = intOption(values.top, "--top", 20);
  let split;
  let combos: Combo[];
  try {
    split = parseSplit(values.split, values["oos-from"]);
    combos = await buildCombos(values.config, values.set ?? [], parseGrid(values.grid ?? []));
  } catch (e) {
    if (e instanceof GridError || e instanceof SplitError) throw new UsageError(e.message);
    throw e;
  }
  const paths = await tickPaths(values.ticks ?? []);
  if (split !== undefined && paths.length < 2) {
    throw new UsageError(
      `--split/--oos-from need at least two tick files (days), got ${paths.length}`,
    );
  }
  // Every output is checked before any work, and written only at the end.
  if (values.out !== undefined) await checkOutputFile(values.out, "--out");
  if (values.html !== undefined) await checkOutputFile(values.html, "--html");
  if (
    values.html !== undefined && values.out !== undefined && await sameFile(values.html, values.out)
  ) {
    throw new UsageError(`--html ${values.html} is also --out; choose another file`);
  }
  const journalPaths = values.journals === undefined
    ? []
    : combos.map((c) =>
      join(values.journals!, `combo_${String(c.index + 1).padStart(3, "0")}.text`)
    );
  for (const p of journalPaths) {
    await checkOutputFile(p, "--journals");
    if (await exists(p)) {
      throw new RunError(`--journals: ${p} already exists; choose another folder`);
    }
  }

  const progress = !values.quiet && Deno.stderr.isTerminal() ? progressBar() : undefined;
  const started = performance.now();
  let results: JobResult[][];
  if (values.queue !== undefined) {
    try {
      checkQueueUrl(values.queue); // before BullMQ's import, which reads the environment
    } catch (e) {
      if (e instanceof QueueUrlError) throw new RunError(e.message);
      throw e;
    }
    const { runQueueSweep } = await import("../sweep/queue.ts");
    // Ctrl+C / SIGTERM: take this sweep's waiting jobs off the queue before exiting.
    const stop = new AbortController();
    let code = 130;
    const stopListening = onStopSignal((sig) => {
      code = sig === "SIGTERM" ? 143 : 130;
      stop.abort();
    });
    let run;
    try {
      run = await runQueueSweep(values.queue, combos, paths, {
        skipMalformed: values["skip-malformed"] === true,
        signal: stop.signal,
        ...(progress === undefined ? {} : { onProgress: progress }),
      });
    } catch (e) {
      if (e instanceof QueueUrlError) throw new RunError(e.message);
      throw e;
    } finally {
      stopListening();
    }
    if (run.stopped !== undefined) {
      console.error(
        `scalpbot: sweep stopped: ${run.stopped.removed} waiting job(s) removed from the queue` +
          `, ${run.stopped.running} running job(s) finish on their workers; nothing written`,
      );
      return code;
    }
    if (run.failed.length > 0) {
      for (const f of run.failed) console.error(`scalpbot: job failed: ${f}`);
      throw new RunError(`${run.failed.length} of ${combos.length * paths.length} jobs failed`);
    }
    results = run.results;
  } else {
    const files = [];
    for (const p of paths) {
      files.push(await loadColumns(p, { skipMalformed: values["skip-malformed"] === true }));
    }
    try {
      results = await runLocalSweep(combos, files, {
        workers,
        ...(progress === undefined ? {} : { onProgress: progress }),
      });
    } catch (e) {
      if (e instanceof JobError) throw new RunError(e.message);
      throw e;
    }
  }
  const seconds = (performance.now() - started) / 1000;

  // Days in date order: the file's last tick (SESSION_END time) in the session's zone.
  const tz = combos[0]!.config.session.timezone;
  const dates = results[0]!.map((r) => dateIn(r.events.at(-1)!.time, tz));
  let samples: Split;
  try {
    samples = split === undefined
      ? { inSample: dateOrder(dates), outOfSample: [] }
      : splitFiles(dates, split);
  } catch (e) {
    if (e instanceof SplitError) throw new UsageError(e.message);
    throw e;
  }
  const pick = (r: JobResult[], idx: number[]): Figures => summarise(idx.map((i) => r[i]!));
  const rows: SweepRow[] = combos.map((c) => {
    const r = results[c.index]!;
    if (split === undefined) {
      return {
        combo: c.index + 1,
        params: c.params,
        main: pick(r, [...samples.inSample, ...samples.outOfSample]),
      };
    }
    return {
      combo: c.index + 1,
      params: c.params,
      main: pick(r, samples.inSample),
      oos: pick(r, samples.outOfSample),
    };
  });
  const ranked = rankRows(rows);
  const order = [...samples.inSample, ...samples.outOfSample];

  if (values.out !== undefined) {
    ensureParentDirSync(values.out);
    await Deno.writeTextFile(values.out, formatCsv(ranked));
  }
  if (values.html !== undefined) {
    ensureParentDirSync(values.html);
    const grid = (values.grid ?? []).join(" ");
    await Deno.writeTextFile(
      values.html,
      renderSweepPage(ranked, "scalpbot sweep", `${grid} · ${paths.length} file(s)`),
    );
  }
  combos.forEach((c, i) => {
    const path = journalPaths[i];
    if (path === undefined) return;
    ensureParentDirSync(path);
    const w = JournalWriter.open(path, { ...journalFormatOptions(c.config), durability: "batch" });
    for (const f of order) for (const e of results[c.index]![f]!.events) w.write(e);
    w.close();
  });

  const ticks = results.reduce((a, r) => a + r.reduce((b, j) => b + j.ticks, 0), 0);
  if (split !== undefined) {
    const days = (idx: number[]) =>
      `${dates[idx[0]!]} to ${dates[idx.at(-1)!]} (${idx.length} days)`;
    console.log(
      `In sample: ${days(samples.inSample)}; out of sample: ${
        days(samples.outOfSample)
      }. Ranked by in-sample net P/L.`,
    );
  }
  console.log(formatTable(ranked, top));
  console.log(
    `\n${combos.length} combinations x ${paths.length} files = ${
      combos.length * paths.length
    } jobs, ` +
      `${ticks.toLocaleString("en-US")} ticks replayed; ${seconds.toFixed(2)} s` +
      (values.queue === undefined
        ? ` on ${Math.min(workers, combos.length * paths.length)} worker(s).`
        : " through the queue."),
  );
  if (values.out !== undefined) console.log(`Results: ${values.out}`);
  if (values.html !== undefined) console.log(`Page: ${values.html}`);
  if (values.journals !== undefined) console.log(`Journals: ${values.journals}/combo_NNN.text`);
  return 0;
}

/** The tick files named: files as given, folders' *.csv files by name. */
async function tickPaths(given: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of given) {
    let info;
    try {
      info = await Deno.stat(p);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw new RunError(`--ticks ${p}: no such file or folder`);
      }
      throw e;
    }
    if (info.isDirectory) {
      const names: string[] = [];
      for await (const ent of Deno.readDir(p)) {
        if (ent.isFile && ent.name.toLowerCase().endsWith(".csv")) names.push(ent.name);
      }
      if (names.length === 0) throw new RunError(`--ticks ${p}: the folder holds no .csv file`);
      out.push(...names.sort().map((n) => join(p, n)));
    } else {
      await checkInputFile(p, "tick file");
      out.push(p);
    }
  }
  const dup = out.find((p, i) => out.indexOf(p) !== i);
  if (dup !== undefined) throw new UsageError(`--ticks: ${dup} is named twice`);
  return out;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** A progress bar on stderr, redrawn when the percentage changes. */
function progressBar(): (done: number, total: number) => void {
  let shown = -1;
  const enc = new TextEncoder();
  return (done, total) => {
    const pct = Math.floor((done / total) * 100);
    if (pct === shown) return;
    shown = pct;
    const width = 30;
    const full = Math.round((done / total) * width);
    const end = done >= total ? "\n" : "";
    Deno.stderr.writeSync(
      enc.encode(
        `\r[${"#".repeat(full)}${"-".repeat(width - full)}] ${
          String(pct).padStart(3)
        }%  ${done}/${total} jobs${end}`,
      ),
    );
  };
}
