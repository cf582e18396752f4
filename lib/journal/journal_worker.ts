/**
 * Worker side of {@linkcode BackgroundJournal}: formats, writes and fdatasyncs journal
 * events on its own thread. Events that arrive together (one message holds those of one task
 * on the main thread) share one write and one fdatasync
 * (group commit); each durable write is reported back with the number of the last event it
 * holds. Messages are described in `background.ts`.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import type { JournalEvent } from "../types.ts";
import { CLOSED, FAILED, type ToJournalWorker } from "./background.ts";
import { JournalWriter } from "./writer.ts";

let writer: JournalWriter | undefined;
let received = 0;
let scheduled = false;
let failed = false;

function fail(e: unknown): void {
  failed = true;
  const err = e instanceof Error ? e : new Error(String(e));
  self.postMessage({ kind: "error", name: err.name, message: err.message });
}

/** Writes and fdatasyncs everything received so far, then reports it. */
function commit(): void {
  scheduled = false;
  if (failed || writer === undefined) return;
  try {
    writer.flush();
    writer.syncNow();
    self.postMessage({ kind: "synced", upTo: received });
  } catch (e) {
    fail(e);
  }
}

self.onmessage = (ev: MessageEvent<ToJournalWorker>) => {
  const m = ev.data;
  if (failed) {
    if (m.kind === "close") signalClosed(m.done, FAILED);
    return;
  }
  try {
    if (m.kind === "open") {
      writer = JournalWriter.open(m.path, { ...m.options, durability: "batch" });
    } else if (m.kind === "events") {
      for (const e of m.events) writer!.write(e as JournalEvent);
      received = m.upTo;
      // Messages already queued run before a timer: they join this commit.
      if (!scheduled) {
        scheduled = true;
        setTimeout(commit, 0);
      }
    } else {
      commit();
      writer?.close();
      writer = undefined;
      signalClosed(m.done, failed ? FAILED : CLOSED);
    }
  } catch (e) {
    fail(e);
    if (m.kind === "close") signalClosed(m.done, FAILED);
  }
};

function signalClosed(done: Int32Array, state: number): void {
  Atomics.store(done, 0, state);
  Atomics.notify(done, 0);
}
