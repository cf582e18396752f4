/**
 * Writes ticks to a file in the shared CSV format (`ts_utc,price,size`). Edge code: the
 * only file in `lib/gen` that touches `Deno.*`.
 *
 * @module
 */
import type { Tick, TickBatch } from "../types.ts";
import { TICK_CSV_HEADER, TickCsvFormatter } from "./csv_format.ts";
import { TickGenerator } from "./generator.ts";

/** Options of {@linkcode writeTickCsv}. */
export interface WriteTickCsvOptions {
  /** Fixed price decimals, e.g. 2 for a 0.25 tick; shortest exact text when absent. */
  decimals?: number | undefined;
  /** Stop after this many ticks. */
  maxTicks?: number | undefined;
  /** With a generator: stop before the first tick at or after this time (epoch ms). */
  untilMs?: number | undefined;
}

const CHUNK_TICKS = 65_536;

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) done += await file.write(bytes.subarray(done));
}

/**
 * Writes a header and one row per tick to `path` (created or truncated) and returns the
 * number of ticks written. An endless generator needs `maxTicks` or `untilMs`.
 *
 * @example
 * ```ts
 * import { demoSession, TickGenerator } from "./generator.ts";
 * await writeTickCsv("ticks.csv", new TickGenerator(demoSession(1)), { decimals: 2 });
 * ```
 */
export async function writeTickCsv(
  path: string | URL,
  source: TickGenerator | Iterable<Tick>,
  options: WriteTickCsvOptions = {},
): Promise<number> {
  const maxTicks = options.maxTicks ?? Infinity;
  const untilMs = options.untilMs ?? Infinity;
  if (!(maxTicks >= 0)) throw new RangeError(`writeTickCsv: maxTicks is ${options.maxTicks}`);
  if (
    source instanceof TickGenerator && source.endMs === undefined &&
    maxTicks === Infinity && untilMs === Infinity
  ) {
    throw new RangeError(`writeTickCsv: the generator is endless; give maxTicks or untilMs`);
  }
  const formatter = new TickCsvFormatter({ decimals: options.decimals });
  const encoder = new TextEncoder();
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  let written = 0;
  try {
    await writeAll(file, encoder.encode(TICK_CSV_HEADER));
    if (source instanceof TickGenerator) {
      const batch: TickBatch = {
        ts: new Float64Array(CHUNK_TICKS),
        price: new Float64Array(CHUNK_TICKS),
        size: new Float64Array(CHUNK_TICKS),
        count: 0,
      };
      while (written < maxTicks) {
        const n = source.fillBatch(batch, Math.min(CHUNK_TICKS, maxTicks - written), untilMs);
        if (n === 0) break;
        await writeAll(file, formatter.encodeBatch(batch));
        written += n;
      }
    } else {
      let text = "";
      let pending = 0;
      for (const tick of source) {
        if (written >= maxTicks) break;
        text += formatter.formatTick(tick);
        written++;
        if (++pending === CHUNK_TICKS) {
          await writeAll(file, encoder.encode(text));
          text = "";
          pending = 0;
        }
      }
      if (text.length > 0) await writeAll(file, encoder.encode(text));
    }
  } finally {
    file.close();
  }
  return written;
}
