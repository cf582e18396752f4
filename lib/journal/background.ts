/**
 * The live journal: events are formatted, written and fdatasynced on a Worker, so a tick that
 * writes an event pays for queueing it, not for formatting, the disk or waking a thread.
 *
 * @module
 */
import type { JournalEvent } from "../types.ts";
import { assertJournalFormatOptions, type JournalFormatOptions } from "./format.ts";
import { type JournalSink, JournalWriter } from "./writer.ts";
import { canStartWorker } from "../workers.ts";

/** The worker module. Deno checks read permission on it when the worker starts. */
const WORKER_URL = new URL("./journal_worker.ts", import.meta.url);

/**
 * The live journal: a {@linkcode BackgroundJournal} when its worker can start, else a
 * {@linkcode JournalWriter} that fdatasyncs each event before `write` returns (the same
 * guarantees, paid on the tick path).
 */
export function openLiveJournal(
  path: string,
  options: JournalFormatOptions,
): JournalSink & { close(): void } {
  return canStartWorker(WORKER_URL)
    ? BackgroundJournal.open(path, options)
    : JournalWriter.open(path, { ...options, durability: "sync" });
}

/** Main -> worker. */
export type ToJournalWorker =
  | { kind: "open"; path: string; options: JournalFormatOptions }
  | { kind: "events"; upTo: number; events: JournalEvent[] }
  | { kind: "close"; done: Int32Array };

/** Worker -> main. */
export type FromJournalWorker =
  | { kind: "synced"; upTo: number }
  | { kind: "error"; name: string; message: string };

/** A caller of `durable()` waiting for event number `upTo` to be on disk. */
interface Waiter {
  upTo: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** What the worker stores in `close`'s shared cell: closed after a clean write, or failed. */
export const CLOSED = 1;
/** See {@link CLOSED}. */
export const FAILED = 2;

/** Longest `close` waits for the worker's last write and fdatasync, ms. */
const CLOSE_TIMEOUT_MS = 10_000;

/**
 * A journal file written by a Worker (`background` durability). `write` queues the event and
 * returns; the queue is posted to the worker once the current task ends (a microtask), so the
 * events of one socket read travel in one message, and posting, which wakes the worker thread
 * (on a busy machine, in place of this one for a while), is not paid inside a tick. `durable()`
 * and `close()` post the queue first. The worker appends events in order, each line whole with its newline, and
 * fdatasyncs once per group of events that arrived together (group commit). The file is
 * always a prefix of the events written. `durable()` resolves once every event written
 * before the call is on disk: whatever leaves the process because of an event (an order
 * sent to IB) awaits it first. The worker repairs a torn last line exactly as
 * {@linkcode JournalWriter} does.
 *
 * @example
 * ```ts
 * const journal = BackgroundJournal.open("trade_record.text", {
 *   timeZone: "America/Chicago",
 *   priceDecimals: 2,
 *   periods: { emaFast: 9, emaSlow: 21, rsi: 9, atr: 9 },
 * });
 * journal.write({
 *   kind: "SESSION_END",
 *   time: Date.UTC(2025, 1, 17, 15),
 *   runId: "20250217T150000-ab12",
 *   reason: "END_OF_DATA",
 *   ticks: 0,
 *   bars: 0,
 *   trades: 0,
 * });
 * await journal.durable(); // on disk: an order that depends on it may now be sent
 * journal.close();
 * ```
 */
export class BackgroundJournal implements JournalSink {
  #worker: Worker | undefined;
  #path: string;
  #written = 0;
  #synced = 0;
  #error: Error | undefined;
  #waiters: Waiter[] = [];
  /** Written, not yet posted: the first `write` of a task schedules their post (a microtask). */
  #queue: JournalEvent[] = [];
  #postQueued = (): void => this.#postQueue();

  private constructor(worker: Worker, path: string) {
    this.#worker = worker;
    this.#path = path;
    worker.onmessage = (ev: MessageEvent<FromJournalWorker>) => this.#onMessage(ev.data);
    worker.onerror = (ev: ErrorEvent) => {
      ev.preventDefault();
      this.#fail(new Error(`journal worker: ${ev.message}`));
    };
  }

  /**
   * Starts the worker on `path` (appending, created if needed). The file is opened by the
   * worker; an error there (permission, a folder) shows in the next `write` or `durable()`.
   */
  static open(path: string, options: JournalFormatOptions): BackgroundJournal {
    assertJournalFormatOptions(options);
    const worker = new Worker(WORKER_URL.href, {
      type: "module",
    });
    const j = new BackgroundJournal(worker, path);
    j.#post({ kind: "open", path, options });
    return j;
  }

  /** The file path. */
  get path(): string {
    return this.#path;
  }

  /**
   * Queues `event` for the writer thread and returns; the queue is posted when the current
   * task ends. Throws once the worker has failed.
   */
  write(event: JournalEvent): void {
    if (this.#error !== undefined) throw this.#error;
    if (this.#worker === undefined) throw new TypeError(`Journal ${this.#path} is closed`);
    if (this.#queue.length === 0) queueMicrotask(this.#postQueued);
    this.#queue.push(event);
    this.#written++;
  }

  /** Resolves once every event written before the call is on disk; rejects if writing failed. */
  durable(): Promise<void> {
    this.#postQueue();
    if (this.#error !== undefined) return Promise.reject(this.#error);
    if (this.#synced >= this.#written) return Promise.resolve();
    const upTo = this.#written;
    return new Promise((resolve, reject) => this.#waiters.push({ upTo, resolve, reject }));
  }

  /**
   * Waits (blocking, at most 10 s) until the worker has written and fdatasynced every event,
   * then stops it. Throws the worker's error, if any. Closing twice is harmless.
   */
  close(): void {
    const worker = this.#worker;
    if (worker === undefined) return;
    this.#postQueue();
    this.#worker = undefined;
    const done = new Int32Array(new SharedArrayBuffer(4));
    worker.postMessage({ kind: "close", done } satisfies ToJournalWorker);
    const waited = Atomics.wait(done, 0, 0, CLOSE_TIMEOUT_MS);
    worker.terminate();
    if (waited === "timed-out") {
      this.#fail(new Error(`Journal ${this.#path}: the writer did not finish in 10 s`));
    } else if (Atomics.load(done, 0) === FAILED) {
      // Its message may still be queued behind this call: the cell says it failed.
      this.#fail(new Error(`Journal ${this.#path}: writing failed`));
    }
    if (this.#error !== undefined) throw this.#error;
    this.#synced = this.#written;
    this.#settle();
  }

  #post(m: ToJournalWorker): void {
    this.#worker!.postMessage(m);
  }

  /** Posts the queued events in one message (a no-op when empty, closed or failed). */
  #postQueue(): void {
    const events = this.#queue;
    if (events.length === 0) return;
    this.#queue = [];
    if (this.#worker === undefined || this.#error !== undefined) return;
    this.#post({ kind: "events", upTo: this.#written, events });
  }

  #onMessage(m: FromJournalWorker): void {
    if (m.kind === "synced") {
      this.#synced = Math.max(this.#synced, m.upTo);
      this.#settle();
    } else {
      const err = m.name === "RangeError" ? new RangeError(m.message) : new Error(m.message);
      this.#fail(err);
    }
  }

  #fail(e: Error): void {
    this.#error ??= e;
    this.#settle();
  }

  #settle(): void {
    const keep: Waiter[] = [];
    for (const w of this.#waiters) {
      if (this.#error !== undefined) w.reject(this.#error);
      else if (w.upTo <= this.#synced) w.resolve();
      else keep.push(w);
    }
    this.#waiters = keep;
  }
}
