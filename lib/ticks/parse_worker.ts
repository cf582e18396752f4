/**
 * Worker side of {@linkcode readTickFileInWorker}: reads and parses a tick file on its own
 * thread and posts the ticks of each chunk to the main thread, at most a few chunks ahead of
 * what the main thread has consumed. Messages are described in `worker_reader.ts`.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { CHUNK_BYTES } from "./csv_reader.ts";
import { TickCsvParser } from "./csv_parser.ts";
import type { TickBatch } from "../types.ts";
import {
  type AckMessage,
  buffersOf,
  type ParseRequest,
  type WorkerMessage,
} from "./worker_reader.ts";

/** Chunks posted and not yet acknowledged, at most. */
const AHEAD = 4;

let credit = AHEAD;
/** Batch arrays back from the main thread, ready for reuse. */
const pool: TickBatch[] = [];
let wake: (() => void) | undefined;

function post(m: WorkerMessage, transfer: Transferable[] = []): void {
  self.postMessage(m, transfer);
}

async function run(req: ParseRequest): Promise<void> {
  const size = req.batchSize;
  let out: TickBatch[] = [];
  const parser = new TickCsvParser({
    source: req.path,
    skipMalformed: req.skipMalformed,
    batchSize: size,
    // The parser reuses its arrays: each batch is copied into pooled arrays that travel to
    // the main thread and come back with its ack (no garbage per chunk on either side).
    onBatch: (b) => {
      const n = b.count;
      const t = pool.pop() ?? {
        ts: new Float64Array(size),
        price: new Float64Array(size),
        size: new Float64Array(size),
        count: 0,
      };
      t.ts.set(b.ts.subarray(0, n));
      t.price.set(b.price.subarray(0, n));
      t.size.set(b.size.subarray(0, n));
      t.count = n;
      out.push(t);
    },
  });
  const send = (read: number, total: number) => {
    const batches = out;
    out = [];
    credit--;
    post({ kind: "batches", batches, read, total }, buffersOf(batches));
  };
  using file = await Deno.open(req.path, { read: true });
  const total = (await file.stat()).size;
  const buf = new Uint8Array(CHUNK_BYTES);
  let read = 0;
  for (;;) {
    while (credit <= 0) await new Promise<void>((r) => (wake = r));
    const n = await file.read(buf);
    if (n === null) break;
    read += n;
    parser.push(buf.subarray(0, n));
    send(read, total);
  }
  const stats = parser.end();
  if (out.length > 0) send(read, total);
  post({ kind: "end", stats });
}

self.onmessage = (ev: MessageEvent<ParseRequest | AckMessage>) => {
  const m = ev.data;
  if (m.kind === "ack") {
    pool.push(...m.batches);
    credit++;
    wake?.();
    wake = undefined;
    return;
  }
  run(m).catch((e: unknown) => {
    const err = e instanceof Error ? e : new Error(String(e));
    const fields = err as Error & { file?: string; line?: number; text?: string; reason?: string };
    post({
      kind: "error",
      name: err.name,
      message: err.message,
      ...(fields.file !== undefined ? { file: fields.file } : {}),
      ...(fields.line !== undefined ? { line: fields.line } : {}),
      ...(fields.text !== undefined ? { text: fields.text } : {}),
      ...(fields.reason !== undefined ? { reason: fields.reason } : {}),
    });
  });
};
