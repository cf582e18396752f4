/**
 * Dense real data for the benchmarks: one shared GC day (COMEX gold, every trade of a whole
 * Globex day) repeated N times, each copy shifted by one calendar day, so the file is one
 * long, time-ordered tape with the bar and journal density of real data. The file goes to a
 * temporary folder, never into the project (the data is not ours to copy).
 *
 * ```sh
 * deno run --allow-read --allow-write bench/dense_data.ts OUT.csv [days]
 * ```
 *
 * @module
 */

/** The shared data folder, relative to this file (../shared/data next to the project). */
export const SHARED_TICKS = new URL("../../shared/data/ticks/", import.meta.url).pathname;

/** The day repeated: 39,702 trades of 2013-10-07. */
export const DENSE_DAY = "GC_GCZ13_2013-10-07_trades.csv";

/** `--set` arguments that make a backtest trade the GC file with gold's contract. */
export const GC_SETTINGS = [
  "contract.symbol=GC",
  "contract.exchange=COMEX",
  "contract.tick_size=0.1",
  "contract.multiplier=100",
  "strategy.short=true",
];

/** True when the shared data is present (benchmarks on it are skipped otherwise). */
export function haveSharedData(): boolean {
  try {
    return Deno.statSync(SHARED_TICKS + DENSE_DAY).isFile;
  } catch {
    return false;
  }
}

/**
 * Writes `days` copies of the shared GC day to `path`, copy k shifted by k days (every line's
 * date is rewritten; times stay). Returns the number of ticks written.
 */
export async function writeDenseFile(path: string, days: number): Promise<number> {
  const text = await Deno.readTextFile(SHARED_TICKS + DENSE_DAY);
  const newline = text.indexOf("\n");
  const header = text.slice(0, newline + 1);
  const body = text.slice(newline + 1);
  const day0 = body.slice(0, 10); // every stamp of the file is on this UTC date
  const lines = body.split("\n").filter((l) => l !== "");
  if (!lines.every((l) => l.startsWith(day0))) {
    throw new RangeError(`${DENSE_DAY}: not every trade is on ${day0}`);
  }
  const start = Date.parse(`${day0}T00:00:00Z`);
  const enc = new TextEncoder();
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  await file.write(enc.encode(header));
  for (let k = 0; k < days; k++) {
    const date = new Date(start + k * 86_400_000).toISOString().slice(0, 10);
    const copy = k === 0 ? body : body.replaceAll(`${day0}T`, `${date}T`);
    const bytes = enc.encode(copy.endsWith("\n") ? copy : copy + "\n");
    let done = 0;
    while (done < bytes.length) done += await file.write(bytes.subarray(done));
  }
  return lines.length * days;
}

if (import.meta.main) {
  const [out, days] = Deno.args;
  if (out === undefined) throw new TypeError("usage: dense_data.ts OUT.csv [days]");
  const n = await writeDenseFile(out, Number(days ?? 250));
  console.log(`${out}: ${n.toLocaleString("en-US")} ticks`);
}
