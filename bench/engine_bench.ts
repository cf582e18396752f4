/**
 * Backtest throughput by stage, all in one run over the same generated CSV file:
 * parse only, parse + bar aggregation, the whole engine (with a real journal, batched as the
 * backtest writes it), and the engine alone on ticks already in memory.
 *
 * @module
 */
import { parseConfigText } from "../lib/config/load.ts";
import { BarAggregator } from "../lib/engine/bar_aggregator.ts";
import { Engine } from "../lib/engine/engine.ts";
import { writeTickCsv } from "../lib/gen/csv_writer.ts";
import { TickGenerator } from "../lib/gen/generator.ts";
import { JournalWriter } from "../lib/journal/writer.ts";
import { readTickFile } from "../lib/ticks/csv_reader.ts";
import type { TickBatch } from "../lib/types.ts";
import { journalFormatOptions } from "../lib/cli/console.ts";
import { benchParse } from "./parse_bench.ts";

/** One stage's figure. */
export interface StageRate {
  stage: string;
  ticks: number;
  seconds: number;
  ticksPerSec: number;
}

/** Writes `ticks` generated MES-like trades to `path` in the shared CSV format. */
export async function writeBenchFile(path: string, ticks: number, seed = 7): Promise<number> {
  const gen = new TickGenerator({
    seed,
    startMs: Date.UTC(2025, 1, 17, 14, 30),
    tickSize: 0.25,
    startPrice: 5000,
    timeZone: "America/Chicago",
    intensity: 20,
  });
  await writeTickCsv(path, gen, { maxTicks: ticks, decimals: 2 });
  return (await Deno.stat(path)).size;
}

function rate(stage: string, ticks: number, t0: number): StageRate {
  const seconds = (performance.now() - t0) / 1000;
  return { stage, ticks, seconds, ticksPerSec: ticks / seconds };
}

/** Runs every stage over `path`; `tmpDir` takes the benchmark journal. */
export async function benchEngineStages(path: string, tmpDir: string): Promise<StageRate[]> {
  const out: StageRate[] = [];
  const p = await benchParse(path);
  out.push({ stage: "parse only", ticks: p.ticks, seconds: p.seconds, ticksPerSec: p.ticksPerSec });

  const config = parseConfigText("", { source: "bench", overrides: ["strategy.short=true"] });
  let t0 = performance.now();
  const agg = new BarAggregator({ barMs: config.bars.seconds * 1000 });
  let bars = 0;
  const s1 = await readTickFile(path, {
    onBatch: (b) => {
      const { ts, price, size, count } = b;
      for (let i = 0; i < count; i++) if (agg.push(ts[i]!, price[i]!, size[i]!) === 1) bars++;
    },
  });
  out.push(rate(`parse + aggregate (${bars} bars)`, s1.ticks, t0));

  const journalPath = `${tmpDir}/bench_journal.text`;
  // Batched as `scalpbot backtest` writes it: one write per chunk, one fdatasync at the end.
  const journal = JournalWriter.open(journalPath, {
    ...journalFormatOptions(config),
    durability: "batch",
  });
  const engine = new Engine({ config, journal, runId: "BENCH" });
  t0 = performance.now();
  let first = true;
  const s2 = await readTickFile(path, {
    onBatch: (b) => {
      if (first) {
        first = false;
        engine.start({ time: b.ts[0]!, version: "bench", configDigest: "-", source: path });
      }
      engine.onBatch(b);
    },
  });
  engine.finish("END", "END_OF_DATA");
  journal.close();
  out.push(rate(`whole engine from CSV (${engine.stats.trades} trades)`, s2.ticks, t0));

  // The engine alone: ticks decoded into memory first, so the parse cost is excluded.
  const batches: TickBatch[] = [];
  await readTickFile(path, {
    batchSize: 65_536,
    onBatch: (b) =>
      batches.push({
        ts: b.ts.slice(0, b.count),
        price: b.price.slice(0, b.count),
        size: b.size.slice(0, b.count),
        count: b.count,
      }),
  });
  const journal2 = JournalWriter.open(`${tmpDir}/bench_journal2.text`, {
    ...journalFormatOptions(config),
    durability: "batch",
  });
  const engine2 = new Engine({ config, journal: journal2, runId: "BENCH2" });
  engine2.start({ time: batches[0]!.ts[0]!, version: "bench", configDigest: "-", source: "mem" });
  t0 = performance.now();
  for (const b of batches) engine2.onBatch(b);
  engine2.finish("END", "END_OF_DATA");
  out.push(rate("engine only, ticks in memory", engine2.stats.ticks + engine2.stats.zeroSize, t0));
  journal2.close();
  return out;
}
