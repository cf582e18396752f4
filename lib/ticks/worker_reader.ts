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
}

/** Main -> worker: a chunk consumed; its batch arrays go back for reuse. */
export interface AckMessage {
  kind: "ack";
  batches: TickBatch[];
}

/** The buffers of `batches`, to transfer (not copy) between threads. */
export function buffersOf(batches: readonly TickBatch[]): ArrayBuffer[] {
  return batches.flatMap((b) => [b.ts.buffer, b.price.buffer, b.size.buffer]) as ArrayBuffer[];
}

/** Worker -> main. */
export type WorkerMessage =
  | { kind: "batches"; batches: TickBatch[]; read: number; total: number }
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
 * order; as with `readTickFile`, their arrays are reused (consume them in `onBatch`).
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
          for (const b of m.batches) onBatch(b);
          onProgress?.(m.read, m.total);
          signal?.throwIfAborted();
        } catch (e) {
          fail(e);
          return;
        }
        const ack: AckMessage = { kind: "ack", batches: m.batches };
        worker.postMessage(ack, buffersOf(m.batches));
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
      batchSize: options.batchSize ?? 8192,
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
