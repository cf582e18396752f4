/**
 * Reading a tick file on a second thread: a Worker reads and parses the next chunks while
 * the caller's `onBatch` (the engine) runs on the main thread. Same contract as
 * {@linkcode readTickFile} (batches in file order, the same errors and stats); worth it for
 * big files only, since the Worker costs a few tens of ms to start.
 *
 * @module
 */
import type { TickBatch } from "../types.ts";
import { TickParseError, type TickReadStats } from "./csv_parser.ts";
import { readTickFile, type ReadTickFileOptions } from "./csv_reader.ts";
import { canStartWorker } from "../workers.ts";

/** Main -> worker: what to read. */
export interface ParseRequest {
  kind: "parse";
  path: string;
  skipMalformed: boolean;
  batchSize: number;
  /** Batches the main thread has consumed (index 0), so the worker may refill their slots. */
  consumed: Int32Array;
}

/**
 * A batch in shared memory: slot `slot` holds `count` ticks. The worker sends the slot's
 * buffer with the slot's first batch only; after that, a batch is two numbers. No message
 * goes back: the main thread counts what it has consumed in shared memory.
 */
export interface SharedBatch {
  slot: number;
  count: number;
  buffer?: SharedArrayBuffer;
}

/** The three columns of a slot of `size` ticks in `buffer`. */
export function slotBatch(buffer: SharedArrayBuffer, size: number): TickBatch {
  return {
    ts: new Float64Array(buffer, 0, size),
    price: new Float64Array(buffer, size * 8, size),
    size: new Float64Array(buffer, size * 16, size),
    count: 0,
  };
}

/** Worker -> main. */
export type WorkerMessage =
  | { kind: "batches"; batches: SharedBatch[]; read: number; total: number }
  | { kind: "end"; stats: TickReadStats }
  | {
    kind: "error";
    name: string;
    message: string;
    file?: string;
    line?: number;
    text?: string;
    reason?: string;
  };

/** The worker module. Deno checks read permission on it when the worker starts. */
const WORKER_URL = new URL("./parse_worker.ts", import.meta.url);

/** Files at least this big are parsed on a Worker by {@linkcode readTickFileFast}. */
export const WORKER_MIN_BYTES = 4 << 20;

/**
 * Reads `path` like {@linkcode readTickFile}, parsing on a Worker. Batches come in file
 * order, in memory shared with the worker (no copy, no transfer); as with `readTickFile`,
 * their arrays are reused: consume them in `onBatch`.
 *
 * @example
 * ```ts
 * let n = 0;
 * const stats = await readTickFileInWorker("ticks.csv", { onBatch: (b) => (n += b.count) });
 * ```
 */
export function readTickFileInWorker(
  path: string,
  options: ReadTickFileOptions,
): Promise<TickReadStats> {
  const { signal, onProgress, onBatch } = options;
  signal?.throwIfAborted();
  const worker = new Worker(WORKER_URL.href, {
    type: "module",
  });
  const batchSize = options.batchSize ?? 8192;
  const slots: TickBatch[] = [];
  const consumed = new Int32Array(new SharedArrayBuffer(4));
  return new Promise<TickReadStats>((resolve, reject) => {
    const stop = () => {
      signal?.removeEventListener("abort", onAbort);
      worker.terminate();
    };
    const fail = (e: unknown) => {
      stop();
      reject(e);
    };
    const onAbort = () => fail(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    worker.onmessage = (ev: MessageEvent<WorkerMessage>) => {
      const m = ev.data;
      if (m.kind === "batches") {
        try {
          for (const b of m.batches) {
            let batch = slots[b.slot];
            if (b.buffer !== undefined) batch = slots[b.slot] = slotBatch(b.buffer, batchSize);
            batch!.count = b.count;
            onBatch(batch!);
            Atomics.add(consumed, 0, 1);
            Atomics.notify(consumed, 0);
          }
          onProgress?.(m.read, m.total);
          signal?.throwIfAborted();
        } catch (e) {
          fail(e);
          return;
        }
      } else if (m.kind === "end") {
        stop();
        resolve(m.stats);
      } else {
        fail(rebuildError(m));
      }
    };
    worker.onerror = (ev: ErrorEvent) => {
      ev.preventDefault();
      fail(new Error(`tick reader worker: ${ev.message}`));
    };
    const req: ParseRequest = {
      kind: "parse",
      path,
      skipMalformed: options.skipMalformed ?? false,
      batchSize,
      consumed,
    };
    worker.postMessage(req);
  });
}

/**
 * {@linkcode readTickFileInWorker} for a regular file of at least {@linkcode WORKER_MIN_BYTES}
 * when the worker may start (read access to its module), else {@linkcode readTickFile}.
 */
export async function readTickFileFast(
  path: string,
  options: ReadTickFileOptions,
): Promise<TickReadStats> {
  const info = await Deno.stat(path);
  if (!info.isFile || info.size < WORKER_MIN_BYTES || !canStartWorker(WORKER_URL)) {
    return await readTickFile(path, options);
  }
  return await readTickFileInWorker(path, options);
}

/** The worker's error as the same class on this side (the message names place and value). */
function rebuildError(m: Extract<WorkerMessage, { kind: "error" }>): Error {
  if (m.name === "TickParseError" && m.file !== undefined && m.line !== undefined) {
    return new TickParseError(m.file, m.line, m.text ?? "", m.reason ?? "");
  }
  const denoClass = (Deno.errors as Record<string, unknown>)[m.name];
  if (typeof denoClass === "function") {
    return new (denoClass as new (message: string) => Error)(m.message);
  }
  if (m.name === "SyntaxError") return new SyntaxError(m.message);
  if (m.name === "RangeError") return new RangeError(m.message);
  if (m.name === "TypeError") return new TypeError(m.message);
  return new Error(m.message);
}
