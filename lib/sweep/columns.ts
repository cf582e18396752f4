/**
 * A tick file parsed once into three columns (time, price, size) in shared memory, so that
 * every sweep worker replays it without parsing or copying it again.
 *
 * @module
 */
import { readTickFileFast } from "../ticks/worker_reader.ts";
import type { TickBatch } from "../types.ts";

/** One tick file's parsed columns; the arrays' buffers are SharedArrayBuffers. */
export interface TickColumns {
  /** The file as given. */
  path: string;
  /** Epoch ms UTC. */
  ts: Float64Array;
  /** Trade prices. */
  price: Float64Array;
  /** Trade sizes. */
  size: Float64Array;
  /** Ticks held. */
  count: number;
  /** Malformed lines skipped (with skipMalformed). */
  malformed: number;
}

/** Options of {@linkcode loadColumns}. */
export interface LoadColumnsOptions {
  /** Skip and count malformed lines instead of stopping (as `backtest --skip-malformed`). */
  skipMalformed?: boolean;
  /** Stops the read. */
  signal?: AbortSignal;
}

/**
 * Parses `path` with the backtest's reader into shared columns. Throws the reader's one-line
 * errors, and a RangeError when the file holds no trade with a size above 0 (the backtest
 * refuses such a file too).
 */
export async function loadColumns(
  path: string,
  options: LoadColumnsOptions = {},
): Promise<TickColumns> {
  let cap = 1 << 16;
  let ts = new Float64Array(cap);
  let price = new Float64Array(cap);
  let size = new Float64Array(cap);
  let n = 0;
  let traded = false;
  const stats = await readTickFileFast(path, {
    skipMalformed: options.skipMalformed ?? false,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    onBatch(b: TickBatch) {
      if (n + b.count > cap) {
        while (n + b.count > cap) cap *= 2;
        ts = grow(ts, cap);
        price = grow(price, cap);
        size = grow(size, cap);
      }
      ts.set(b.ts.subarray(0, b.count), n);
      price.set(b.price.subarray(0, b.count), n);
      const s = b.size.subarray(0, b.count);
      size.set(s, n);
      if (!traded) traded = s.some((x) => x > 0);
      n += b.count;
    },
  });
  if (!traded) {
    throw new RangeError(`tick file ${path} holds no trades (no line with a size above 0)`);
  }
  return {
    path,
    ts: shared(ts, n),
    price: shared(price, n),
    size: shared(size, n),
    count: n,
    malformed: stats.malformed,
  };
}

function grow(a: Float64Array<ArrayBuffer>, cap: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(cap);
  b.set(a);
  return b;
}

function shared(a: Float64Array, n: number): Float64Array {
  const out = new Float64Array(new SharedArrayBuffer(Math.max(1, n) * 8), 0, n);
  out.set(a.subarray(0, n));
  return out;
}
