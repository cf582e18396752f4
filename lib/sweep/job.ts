/**
 * One sweep job: one combination's config over one tick file, run exactly as
 * `scalpbot backtest --ticks FILE` runs it (same engine, same session start, same end), with
 * the journal kept in memory instead of on disk.
 *
 * @module
 */
import type { Config } from "../config/schema.ts";
import { Engine } from "../engine/engine.ts";
import { loadStrategy } from "../strategy/loader.ts";
import type { JournalEvent, TickBatch } from "../types.ts";
import { VERSION } from "../version.ts";
import type { TickColumns } from "./columns.ts";

/** What a job returns: its journal events, in order. */
export interface JobResult {
  /** Every event the backtest would have journaled. */
  events: JournalEvent[];
  /** Ticks processed (size > 0). */
  ticks: number;
}

/** The strategy modules this thread has loaded, by absolute path. */
const loadedModules = new Map<string, Promise<Config>>();

/**
 * Loads the combination's `strategy.module` (an absolute path: the sweep resolved it) into
 * this thread's strategy registry, once per module, exactly as the backtest loads it: a
 * Worker or a queue worker has a registry of its own. A config without one needs nothing.
 */
export async function prepareStrategy(config: Config): Promise<void> {
  const module = config.strategy.module;
  if (module === undefined) return;
  let loading = loadedModules.get(module);
  if (loading === undefined) {
    loading = loadStrategy({ config, digest: "", source: "defaults" });
    loadedModules.set(module, loading);
    loading.catch(() => loadedModules.delete(module));
  }
  await loading;
}

/** Ticks handed to the engine per call (the backtest's reader batches are 8192). */
const SLICE = 8192;

/**
 * Runs `config` over the columns of one file. `runId` only labels the trades.
 *
 * @example
 * ```ts
 * import { parseConfigText } from "../config/load.ts";
 * const config = parseConfigText("", { source: "defaults" });
 * const t = Date.UTC(2025, 1, 17, 14, 30);
 * const col = (x: number) => new Float64Array([x]);
 * const cols = { path: "x.csv", ts: col(t), price: col(5000), size: col(1), count: 1, malformed: 0 };
 * runJob(config, "digest", cols, "R1").events.length > 0; // true
 * ```
 */
export function runJob(
  config: Config,
  digest: string,
  cols: TickColumns,
  runId: string,
): JobResult {
  const events: JournalEvent[] = [];
  const engine = new Engine({
    config,
    journal: { write: (e) => void events.push(e) },
    runId,
  });
  // As the backtest: the session starts at the file's first line (zero-size prints ignored).
  engine.start({
    time: cols.ts[0]!,
    version: VERSION,
    configDigest: digest,
    source: `file:${cols.path}`,
  });
  for (let i = 0; i < cols.count; i += SLICE) {
    const end = Math.min(cols.count, i + SLICE);
    const batch: TickBatch = {
      ts: cols.ts.subarray(i, end),
      price: cols.price.subarray(i, end),
      size: cols.size.subarray(i, end),
      count: end - i,
    };
    engine.onBatch(batch);
  }
  engine.finish("END", "END_OF_DATA");
  return { events, ticks: engine.stats.ticks };
}
