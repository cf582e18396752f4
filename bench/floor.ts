/**
 * The floor a backtest is measured against, as its own process: read and parse a tick file,
 * build 30 s bars and an EMA(9) of their closes, nothing else. Prints ticks, bars and seconds.
 *
 * ```sh
 * deno run --allow-read bench/floor.ts TICKS.csv
 * ```
 *
 * @module
 */
import { BarAggregator, PushResult } from "../lib/engine/bar_aggregator.ts";
import { Ema } from "../lib/indicators/ema.ts";
import { readTickFile } from "../lib/ticks/csv_reader.ts";

/** Ticks, bars closed and the last EMA of a floor run over `path`. */
export async function runFloor(
  path: string,
): Promise<{ ticks: number; bars: number; ema: number | undefined }> {
  const agg = new BarAggregator({ barMs: 30_000 });
  const ema = new Ema(9);
  let bars = 0;
  const stats = await readTickFile(path, {
    onBatch: (b) => {
      const { ts, price, size, count } = b;
      for (let i = 0; i < count; i++) {
        if (agg.push(ts[i]!, price[i]!, size[i]!) === PushResult.CLOSED) {
          bars++;
          ema.update(agg.lastClosed!.close);
        }
      }
    },
  });
  return { ticks: stats.ticks, bars, ema: ema.value };
}

if (import.meta.main) {
  const path = Deno.args[0];
  if (path === undefined) throw new TypeError("usage: floor.ts TICKS.csv");
  const t0 = performance.now();
  const r = await runFloor(path);
  const s = (performance.now() - t0) / 1000;
  console.log(`ticks=${r.ticks} bars=${r.bars} ema=${r.ema} seconds=${s.toFixed(3)}`);
}
