/**
 * Streaming reader of tick CSV files (the Deno edge around {@linkcode TickCsvParser}).
 * Reads in 1 MiB chunks into one reused buffer, so memory does not grow with file size.
 * The accepted format is described in `csv_parser.ts`.
 *
 * @module
 */

import type { TickBatch } from "../types.ts";
import { TickCsvParser, type TickReadStats } from "./csv_parser.ts";

export {
  type MalformedLine,
  MAX_KEPT_MALFORMED,
  MAX_LINE_BYTES,
  parseTickCsvText,
  type ParseTickCsvTextOptions,
  TickCsvParser,
  type TickCsvParserOptions,
  TickParseError,
  type TickReadStats,
} from "./csv_parser.ts";

/** Bytes read per chunk. */
export const CHUNK_BYTES = 1 << 20;

/**
 * Read buffers of finished reads. A store's backtest reads hundreds of day files one after
 * the other: a fresh 1 MiB buffer per file is memory outside V8's heap that a young
 * collection does not free, so the peak grew with the number of days (+24 MiB from 5 to 50).
 */
const spareBuffers: Uint8Array[] = [];
const MAX_SPARE_BUFFERS = 4;

/** Options of {@linkcode readTickFile}. */
export interface ReadTickFileOptions {
  /** Receives each batch; the batch is reused, so consume it synchronously. */
  onBatch: (batch: TickBatch) => void;
  /** Skip and count malformed lines instead of throwing (default false). */
  skipMalformed?: boolean;
  /** Ticks per batch (default 8192). */
  batchSize?: number;
  /** Checked between chunks; when aborted, reading stops by throwing `signal.reason`. */
  signal?: AbortSignal;
  /** Called after each chunk with bytes read so far and the file size. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/**
 * Reads a tick CSV file and delivers its ticks in batches, in file order.
 * Throws `TickParseError` (a SyntaxError) at the first malformed line unless
 * `skipMalformed`; ticks before that line have been delivered.
 *
 * @example
 * ```ts
 * let n = 0;
 * const stats = await readTickFile("ticks.csv", { onBatch: (b) => (n += b.count) });
 * ```
 */
export async function readTickFile(
  path: string,
  options: ReadTickFileOptions,
): Promise<TickReadStats> {
  const { signal, onProgress } = options;
  signal?.throwIfAborted();
  const parser = new TickCsvParser({
    source: path,
    onBatch: options.onBatch,
    skipMalformed: options.skipMalformed ?? false,
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
  });
  const file = await Deno.open(path, { read: true });
  let buf: Uint8Array | undefined;
  let done = false;
  // A read from a pipe can block for ever; closing the file is what wakes it on abort.
  let closed = false;
  const close = () => {
    if (!closed) {
      closed = true;
      file.close();
    }
  };
  signal?.addEventListener("abort", close, { once: true });
  try {
    const total = (await file.stat()).size;
    buf = spareBuffers.pop() ?? new Uint8Array(CHUNK_BYTES);
    let read = 0;
    for (;;) {
      let n: number | null;
      try {
        n = await file.read(buf);
      } catch (e) {
        signal?.throwIfAborted();
        throw e;
      }
      if (n === null) {
        done = true;
        break;
      }
      read += n;
      parser.push(buf.subarray(0, n));
      onProgress?.(read, total);
      signal?.throwIfAborted();
    }
  } finally {
    signal?.removeEventListener("abort", close);
    close();
    // The parser copies what it keeps of a chunk (a line's start), so the buffer is free once
    // the file has been read to its end. Not after an abort or an error: a read cut short by
    // closing the file may still write into it.
    if (done && spareBuffers.length < MAX_SPARE_BUFFERS) spareBuffers.push(buf!);
  }
  return parser.end();
}
