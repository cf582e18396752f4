/**
 * The backtest over tick files: one run over many files, in time order (resolved by
 * lib/data/inputs.ts), streamed one file after another through the same engine, so memory
 * does not grow with the number of days. A trade still open when the contract changes (a
 * roll in a store) is closed at the old contract's last print (reason END: that contract's
 * data ended), so none is held across a roll.
 *
 * @module
 */
import type { Engine, SessionInfo } from "../engine/engine.ts";
import type { TickInput } from "../data/inputs.ts";
import type { TradingDays } from "../data/trading_day.ts";
import { GridWatch } from "../ticks/grid_check.ts";
import { MAX_KEPT_MALFORMED, readTickFile, type TickReadStats } from "../ticks/csv_reader.ts";
import { readTickFileFast } from "../ticks/worker_reader.ts";
import type { TickBatch } from "../types.ts";
import { formatProgress } from "./console.ts";
import { RunError } from "./usage_error.ts";
import { VERSION } from "../version.ts";

/** Options of {@linkcode backtestFiles}. */
export interface FilesRunOptions {
  skipMalformed: boolean;
  signal: AbortSignal;
  progress: boolean;
  digest: string;
  /** SESSION_START source, e.g. `file:ticks.csv` or `store:data (20 days)`. */
  source: string;
  /** Plain files keep only ticks of these trading days (store days are chosen by date). */
  range?: { days: TradingDays; from?: string; to?: string };
  /** Called after each chunk of input: writes the journal lines and console lines so far. */
  flush: () => void;
}

/** Replays `inputs` in order; returns the summed read stats. */
export async function backtestFiles(
  engine: Engine,
  start: (info: SessionInfo) => void,
  inputs: readonly TickInput[],
  o: FilesRunOptions,
): Promise<TickReadStats> {
  let first = true;
  // The run (and its outputs) starts at the first trade with a size: files of zero-size
  // prints only are refused untouched. The zero-size prints before it are counted as usual.
  let firstTs: number | undefined;
  let zeroBefore = 0;
  let lastShown = -1;
  const sizes = await Promise.all(inputs.map((t) => Deno.stat(t.path).then((s) => s.size)));
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  let doneBytes = 0;
  const total: TickReadStats = { lines: 0, ticks: 0, malformed: 0, firstMalformed: [], bytes: 0 };
  const filter = o.range === undefined ? undefined : new DayFilter(o.range);
  let contract: string | undefined;
  // One file: parsed on a Worker when big. Many (a store's days): in this thread, since a
  // Worker per file left its isolate's memory behind (peak RSS +40 MiB over 50 days of 4 MiB
  // files, bench/store_rss.ts), and memory must stay flat however many days.
  const read = inputs.length === 1 ? readTickFileFast : readTickFile;
  for (const [i, input] of inputs.entries()) {
    if (input.contract !== undefined && contract !== undefined && input.contract !== contract) {
      // A roll: nothing is carried into the next contract's prices.
      engine.closeOpenTrade("END", engine.lastTickTime);
    }
    contract = input.contract ?? contract;
    // Prices off the contract's tick grid (gold under MES settings) warn once, on stderr.
    const grid = new GridWatch(engine.config.contract, input.path, (l) => console.error(l));
    const useFilter = filter !== undefined && !input.fromStore;
    const stats = await read(input.path, {
      skipMalformed: o.skipMalformed,
      signal: o.signal,
      onBatch(raw: TickBatch) {
        const batch = useFilter ? filter.apply(raw) : raw;
        grid.onBatch(batch);
        if (first) {
          if (batch.count === 0) return;
          firstTs ??= batch.ts[0]!;
          if (!batch.size.subarray(0, batch.count).some((s) => s > 0)) {
            zeroBefore += batch.count;
            return;
          }
          first = false;
          start({ time: firstTs, version: VERSION, configDigest: o.digest, source: o.source });
          for (; zeroBefore > 0; zeroBefore--) engine.onTick(firstTs, 0, 0);
        }
        engine.onBatch(batch);
      },
      onProgress(read) {
        o.flush();
        if (!o.progress || totalBytes <= 0) return;
        const at = doneBytes + read;
        const pct = Math.floor((at / totalBytes) * 100);
        if (pct === lastShown) return;
        lastShown = pct;
        const end = at >= totalBytes ? "\n" : "";
        Deno.stderr.writeSync(
          new TextEncoder().encode(
            `\r${formatProgress(at / totalBytes, engine.stats.ticks)}${end}`,
          ),
        );
      },
    });
    doneBytes += sizes[i]!;
    grid.finish();
    total.lines += stats.lines;
    total.ticks += stats.ticks;
    total.malformed += stats.malformed;
    total.bytes += stats.bytes;
    for (const m of stats.firstMalformed) {
      if (total.firstMalformed.length < MAX_KEPT_MALFORMED) total.firstMalformed.push(m);
    }
  }
  if (first) {
    // Nothing to replay: refuse before any output is touched rather than journal an empty
    // run (stamped 1970) over what --overwrite would replace.
    const skipped = total.malformed > 0 ? `, ${total.malformed} malformed lines skipped` : "";
    const zero = zeroBefore > 0 ? `, ${zeroBefore} of size 0` : "";
    const what = inputs.length === 1
      ? `tick file ${inputs[0]!.path} holds`
      : `the ${inputs.length} tick files hold`;
    const range = filter === undefined ? "" : " in the --from/--to range";
    throw new RunError(`${what} no trades${range} (no line with a size above 0${zero}${skipped})`);
  }
  return total;
}

/** Keeps the ticks of a batch whose trading day is in range (copied into its own batch). */
class DayFilter {
  #r: { days: TradingDays; from?: string; to?: string };
  #out: TickBatch = {
    ts: new Float64Array(0),
    price: new Float64Array(0),
    size: new Float64Array(0),
    count: 0,
  };
  constructor(range: { days: TradingDays; from?: string; to?: string }) {
    this.#r = range;
  }

  apply(b: TickBatch): TickBatch {
    const { days, from, to } = this.#r;
    if (this.#out.ts.length < b.count) {
      this.#out = {
        ts: new Float64Array(b.count),
        price: new Float64Array(b.count),
        size: new Float64Array(b.count),
        count: 0,
      };
    }
    const out = this.#out;
    let n = 0;
    for (let i = 0; i < b.count; i++) {
      const day = days.dayOf(b.ts[i]!);
      if ((from !== undefined && day < from) || (to !== undefined && day > to)) continue;
      out.ts[n] = b.ts[i]!;
      out.price[n] = b.price[i]!;
      out.size[n] = b.size[i]!;
      n++;
    }
    out.count = n;
    return out;
  }
}
