/**
 * Benchmark of the tick CSV reader. `benchParse` times one file; run this module
 * directly to time a generated ~50 MB file in the shared-data format and compare with a
 * naive `split`/`Date.parse` loop:
 *
 * ```sh
 * deno run --allow-read --allow-write bench/parse_bench.ts [megabytes]
 * ```
 *
 * @module
 */

import { readTickFile } from "../lib/ticks/csv_reader.ts";

/** Result of {@linkcode benchParse}. */
export interface ParseBenchResult {
  /** Ticks parsed. */
  ticks: number;
  /** Wall time of the read, seconds. */
  seconds: number;
  /** Ticks per second. */
  ticksPerSec: number;
  /** Bytes read. */
  bytes: number;
}

/** Sum of all prices of the last run, kept so the work cannot be optimized away. */
export let priceChecksum = 0;

/** Reads and parses `path` with a consumer that only sums prices; returns the rate. */
export async function benchParse(path: string): Promise<ParseBenchResult> {
  let sum = 0;
  const t0 = performance.now();
  const stats = await readTickFile(path, {
    onBatch: (b) => {
      const p = b.price;
      for (let i = 0; i < b.count; i++) sum += p[i]!;
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  priceChecksum = sum;
  return { ticks: stats.ticks, seconds, ticksPerSec: stats.ticks / seconds, bytes: stats.bytes };
}

/** Naive reference: whole text, `split`, `Date.parse`, one object per tick. */
async function naiveParse(path: string): Promise<ParseBenchResult> {
  const t0 = performance.now();
  const text = await Deno.readTextFile(path);
  const lines = text.split("\n");
  let sum = 0;
  let ticks = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "") continue;
    const [ts, price, size] = line.split(",");
    const tick = { ts: Date.parse(ts!), price: parseFloat(price!), size: parseFloat(size!) };
    if (Number.isNaN(tick.ts) || Number.isNaN(tick.price)) throw new SyntaxError(line);
    sum += tick.price;
    ticks++;
  }
  const seconds = (performance.now() - t0) / 1000;
  priceChecksum = sum;
  return { ticks, seconds, ticksPerSec: ticks / seconds, bytes: text.length };
}

/** Writes a synthetic random-walk tick file of about `megabytes` MB with ns ISO stamps. */
async function writeSynthetic(path: string, megabytes: number): Promise<void> {
  const target = megabytes * 1_000_000;
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  const enc = new TextEncoder();
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296;
  let t = Date.UTC(2024, 0, 2, 0, 0, 0);
  let ns = 0;
  let price = 480000; // in quarter points
  let written = 0;
  let parts: string[] = ["ts_utc,price,size\n"];
  while (written < target) {
    const gap = Math.floor(rand() * 40);
    ns += gap * 1_000_000 + Math.floor(rand() * 1_000_000);
    if (ns >= 1_000_000_000) {
      t += Math.floor(ns / 1_000_000_000) * 1000;
      ns %= 1_000_000_000;
    }
    price += rand() < 0.5 ? -1 : 1;
    const iso = new Date(t).toISOString().slice(0, 19);
    const line = `${iso}.${String(ns).padStart(9, "0")}Z,${(price / 4).toFixed(2)},${
      1 + Math.floor(rand() * 9)
    }\n`;
    parts.push(line);
    written += line.length;
    if (parts.length >= 10000) {
      await file.write(enc.encode(parts.join("")));
      parts = [];
    }
  }
  await file.write(enc.encode(parts.join("")));
}

function show(label: string, r: ParseBenchResult): void {
  const mbps = r.bytes / r.seconds / 1e6;
  console.log(
    `${label}: ${r.ticks} ticks in ${r.seconds.toFixed(3)} s = ` +
      `${(r.ticksPerSec / 1e6).toFixed(2)} M ticks/s (${mbps.toFixed(0)} MB/s)`,
  );
}

if (import.meta.main) {
  const mb = Number(Deno.args[0] ?? 50);
  const path = await Deno.makeTempFile({ prefix: "scalpbot_parse_bench_", suffix: ".csv" });
  try {
    await writeSynthetic(path, mb);
    await benchParse(path); // warm-up
    let best = await benchParse(path);
    for (let i = 0; i < 4; i++) {
      const r = await benchParse(path);
      if (r.seconds < best.seconds) best = r;
    }
    show("readTickFile (best of 5)", best);
    const naive = await naiveParse(path);
    show("naive split/Date.parse", naive);
    console.log(`speed-up: ${(best.ticksPerSec / naive.ticksPerSec).toFixed(1)}x`);
  } finally {
    await Deno.remove(path);
  }
}
