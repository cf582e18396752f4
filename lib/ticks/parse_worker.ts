/**
 * Worker side of {@linkcode readTickFileInWorker}: reads and parses a tick file on its own
 * thread and posts the ticks of each chunk to the main thread, in a ring of shared-memory
 * slots at most {@linkcode RING} batches ahead of what the main thread has consumed. Messages
 * are described in `worker_reader.ts`.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { CHUNK_BYTES } from "./csv_reader.ts";
import { TickCsvParser } from "./csv_parser.ts";
import type { TickBatch } from "../types.ts";
import {
  type ParseRequest,
  type SharedBatch,
  slotBatch,
  type WorkerMessage,
} from "./worker_reader.ts";

/** Batches parsed ahead of the main thread, at most: a ring of shared-memory slots. */
export const RING = 32;

/** The ring's slots, created as first needed. */
const slots: TickBatch[] = [];

function post(m: WorkerMessage): void {
  self.postMessage(m);
}

async function run(req: ParseRequest): Promise<void> {
  const size = req.batchSize;
  const consumed = req.consumed;
  let out: SharedBatch[] = [];
  let made = 0;
  let read = 0;
  let total = 0;
  const send = () => {
    const batches = out;
    out = [];
    post({ kind: "batches", batches, read, total });
  };
  const parser = new TickCsvParser({
    source: req.path,
    skipMalformed: req.skipMalformed,
    batchSize: size,
    // The parser reuses its arrays: batch k is copied into slot k % RING of shared memory,
    // which the main thread reads in place. The slot is free once the main thread has
    // consumed batch k - RING (it counts consumed batches in `consumed`); until then this
    // thread waits, so it never runs more than RING batches ahead.
    onBatch: (b) => {
      for (;;) {
        const done = Atomics.load(consumed, 0);
        if (made - done < RING) break;
        if (out.length > 0) send(); // what the main thread waits for must be on its way
        Atomics.wait(consumed, 0, done, 1000);
      }
      const id = made % RING;
      let buffer: SharedArrayBuffer | undefined;
      if (slots[id] === undefined) {
        buffer = new SharedArrayBuffer(size * 24);
        slots[id] = slotBatch(buffer, size);
      }
      const t = slots[id]!;
      const n = b.count;
      t.ts.set(b.ts.subarray(0, n));
      t.price.set(b.price.subarray(0, n));
      t.size.set(b.size.subarray(0, n));
      out.push(buffer === undefined ? { slot: id, count: n } : { slot: id, count: n, buffer });
      made++;
    },
  });
  using file = await Deno.open(req.path, { read: true });
  total = (await file.stat()).size;
  const buf = new Uint8Array(CHUNK_BYTES);
  for (;;) {
    const n = await file.read(buf);
    if (n === null) break;
    read += n;
    parser.push(buf.subarray(0, n));
    send();
  }
  const stats = parser.end();
  if (out.length > 0) send();
  post({ kind: "end", stats });
}

self.onmessage = (ev: MessageEvent<ParseRequest>) => {
  run(ev.data).catch((e: unknown) => {
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
