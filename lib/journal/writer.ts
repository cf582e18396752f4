/**
 * Journal sinks: `JournalWriter` appends durable lines to a file (edge code, uses Deno),
 * `MemoryJournal` keeps them in memory for tests and file-less engines.
 *
 * @module
 */
import type { JournalEvent } from "../types.ts";
import { assertJournalFormatOptions, formatEvent, type JournalFormatOptions } from "./format.ts";

/** Where the engine sends journal events. */
export interface JournalSink {
  /** Records one event, in order (durably before it returns for a `sync` file journal). */
  write(event: JournalEvent): void;
  /**
   * Resolves once every event written before the call is on disk. Whatever the engine does
   * outside the process because of an event (sending an order to IB) awaits this first, so
   * the journal always shows an order or an entry before it is sent. Absent: always durable.
   */
  durable?(): Promise<void>;
}

/**
 * When a file journal's lines reach the disk:
 * - `sync`: each `write` writes its line and fdatasyncs before returning (one disk flush per
 *   event).
 * - `batch` (backtest, the input can be replayed): lines collect in memory and go out in one
 *   write per {@link JournalWriter.flush} (the backtest flushes after each input chunk) or
 *   per {@link BATCH_BYTES}; one fdatasync at `close` (end, Ctrl+C/SIGTERM, error).
 *
 * Live mode writes on another thread instead: `BackgroundJournal` (background.ts).
 */
export type JournalDurability = "sync" | "batch";

/** Options of {@link JournalWriter.open}: how lines are formatted and made durable. */
export interface JournalWriterOptions extends JournalFormatOptions {
  /** Default `sync`. */
  durability?: JournalDurability;
}

/** A `batch` journal writes its buffer out once it holds this many characters. */
export const BATCH_BYTES = 1 << 20;

const encoder = new TextEncoder();
const NEWLINE = 0x0a;

/**
 * Appends one line per event to a journal file. Every line goes out whole with its newline
 * in one write call, and lines reach the file in event order, so the file is always a
 * prefix of the run's events; when each line reaches the disk depends on the
 * {@link JournalDurability} (`sync` by default: before `write` returns).
 *
 * A file that ends without a newline holds a line torn by a crash. The writer ends that line
 * with the first write (so the torn text is never glued to a new line) and marks the next
 * SESSION_START it writes with `Repaired=<line>`, so readers know the line is not an event
 * even if it happens to parse. The engine writes SESSION_START first, so the two normally
 * go out in the same write call.
 *
 * @example
 * ```ts
 * const periods = { emaFast: 9, emaSlow: 21, rsi: 9, atr: 9 };
 * const journal = JournalWriter.open("trade_record.text", {
 *   timeZone: "America/Chicago",
 *   priceDecimals: 2,
 *   periods,
 *   durability: "batch",
 * });
 * journal.write({
 *   kind: "SESSION_START",
 *   time: Date.UTC(2025, 1, 17, 15),
 *   runId: "20250217T150000-ab12",
 *   version: "0.1.0",
 *   configDigest: "87436b762faa",
 *   source: "file:ticks.csv",
 *   symbol: "MES",
 *   multiplier: 5,
 *   tickSize: 0.25,
 *   currency: "USD",
 * });
 * journal.flush(); // in the file (the OS has it); close() puts it on disk
 * journal.close();
 * ```
 */
export class JournalWriter implements JournalSink {
  #file: Deno.FsFile | undefined;
  #options: JournalFormatOptions;
  #durability: JournalDurability;
  #path: string;
  #tornLine: number | undefined;
  /** A newline is still owed to the torn last line. */
  #needNewline: boolean;
  /** The torn line still has to be named by a SESSION_START. */
  #needMarker: boolean;
  /**
   * `batch`: lines not yet written, encoded into one reused buffer at once, so a line's text
   * dies young and a long run leaves no old garbage behind (peak memory stays flat).
   */
  #pending: Uint8Array | undefined;
  #pendingBytes = 0;
  /** Writes made so far, and how many of them an fdatasync has covered. */
  #written = 0;
  #synced = 0;

  private constructor(
    file: Deno.FsFile,
    path: string,
    options: JournalWriterOptions,
    tornLine: number | undefined,
  ) {
    this.#file = file;
    this.#path = path;
    this.#options = options;
    this.#durability = options.durability ?? "sync";
    this.#tornLine = tornLine;
    this.#needNewline = tornLine !== undefined;
    this.#needMarker = tornLine !== undefined;
  }

  /**
   * Opens `path` for appending, creating it if needed, and notes whether it ends with a
   * torn line (no final newline). Nothing is written until the first `write`: a run that
   * dies before writing leaves the file as it found it, still torn for the next reader.
   */
  static open(path: string, options: JournalWriterOptions): JournalWriter {
    assertJournalFormatOptions(options);
    const durability = options.durability ?? "sync";
    if (durability !== "sync" && durability !== "batch") {
      throw new RangeError(`Journal durability must be sync or batch: ${durability}`);
    }
    const file = Deno.openSync(path, { read: true, append: true, create: true });
    try {
      return new JournalWriter(file, path, options, findTornLine(file));
    } catch (e) {
      file.close();
      throw e;
    }
  }

  /** The file path. */
  get path(): string {
    return this.#path;
  }

  /** When lines reach the disk. */
  get durability(): JournalDurability {
    return this.#durability;
  }

  /** True when `open` found a torn last line (the first write ends it with a newline). */
  get repairedTornLine(): boolean {
    return this.#tornLine !== undefined;
  }

  /** 1-based line number of the torn last line `open` found, if any. */
  get tornLine(): number | undefined {
    return this.#tornLine;
  }

  /**
   * Formats `event` and appends it with its newline (preceded by the newline owed to a torn
   * line, and with `Repaired=<line>` if it is the first SESSION_START after one): written
   * and fdatasynced (`sync`), or kept for the next flush (`batch`).
   */
  write(event: JournalEvent): void {
    const file = this.#file;
    if (file === undefined) throw new TypeError(`Journal ${this.#path} is closed`);
    const mark = this.#needMarker && event.kind === "SESSION_START";
    const line = formatEvent(
      mark ? { ...event, repairedLine: this.#tornLine! } : event,
      this.#options,
    );
    const text = (this.#needNewline ? "\n" : "") + line + "\n";
    this.#needNewline = false;
    if (mark) this.#needMarker = false;
    if (this.#durability === "batch") {
      this.#append(text);
      if (this.#pendingBytes >= BATCH_BYTES) this.flush();
      return;
    }
    writeAll(file, encoder.encode(text));
    this.#written++;
    file.syncDataSync();
    this.#synced = this.#written;
  }

  /**
   * `batch`: writes the lines kept so far in one write call (no fdatasync: they reach the OS,
   * so a killed process loses none of them; `close` makes them durable). Others: nothing to do.
   */
  flush(): void {
    const file = this.#file;
    if (file === undefined || this.#pending === undefined || this.#pendingBytes === 0) return;
    const bytes = this.#pending.subarray(0, this.#pendingBytes);
    this.#pendingBytes = 0;
    writeAll(file, bytes);
    this.#written++;
  }

  #append(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    const need = this.#pendingBytes + text.length * 3;
    let buf = this.#pending;
    if (buf === undefined || buf.length < need) {
      const bigger = new Uint8Array(Math.max(need, BATCH_BYTES + 64 * 1024));
      if (buf !== undefined) bigger.set(buf.subarray(0, this.#pendingBytes));
      buf = this.#pending = bigger;
    }
    this.#pendingBytes += encoder.encodeInto(text, buf.subarray(this.#pendingBytes)).written;
  }

  /** Writes the lines kept so far and fdatasyncs: every event written is now on disk. */
  syncNow(): void {
    this.flush();
    const file = this.#file;
    if (file !== undefined && this.#written > this.#synced) {
      file.syncDataSync();
      this.#synced = this.#written;
    }
  }

  /** Resolves once every event written so far is on disk ({@link syncNow}, then resolved). */
  durable(): Promise<void> {
    this.syncNow();
    return Promise.resolve();
  }

  /**
   * Writes what is left, fdatasyncs (unless every write is already durable) and closes the
   * file; further writes throw. Closing twice is harmless.
   */
  close(): void {
    const file = this.#file;
    if (file === undefined) return;
    try {
      this.syncNow();
    } finally {
      this.#file = undefined;
      file.close();
    }
  }
}

/**
 * The 1-based number of the last line when the file does not end with a newline, else
 * undefined. Counts newlines the way the reader splits lines; journals are small.
 */
function findTornLine(file: Deno.FsFile): number | undefined {
  if (file.statSync().size === 0) return undefined;
  file.seekSync(0, Deno.SeekMode.Start);
  const buf = new Uint8Array(64 * 1024);
  let newlines = 0;
  let last = NEWLINE;
  for (;;) {
    const n = file.readSync(buf);
    if (n === null || n === 0) break;
    for (let i = 0; i < n; i++) if (buf[i] === NEWLINE) newlines++;
    last = buf[n - 1]!;
  }
  return last === NEWLINE ? undefined : newlines + 1;
}

/** One logical write of the whole buffer; loops only if the OS accepts a short write. */
function writeAll(file: Deno.FsFile, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += file.writeSync(bytes.subarray(done));
}

/**
 * Journal kept in memory: the formatted lines and the events as written.
 *
 * @example
 * ```ts
 * const periods = { emaFast: 9, emaSlow: 21, rsi: 9, atr: 9 };
 * const journal = new MemoryJournal({ timeZone: "UTC", priceDecimals: 2, periods });
 * journal.write({
 *   kind: "SESSION_END",
 *   time: Date.UTC(2025, 1, 17, 15),
 *   runId: "20250217T150000-ab12",
 *   reason: "END_OF_DATA",
 *   ticks: 0,
 *   bars: 0,
 *   trades: 0,
 * });
 * journal.text(); // "2025-02-17T15:00:00+00:00 | SESSION_END | ...\n"
 * ```
 */
export class MemoryJournal implements JournalSink {
  #options: JournalFormatOptions;
  #lines: string[] = [];
  #events: JournalEvent[] = [];

  /** Lines are formatted with `options`, exactly as a file journal would write them. */
  constructor(options: JournalFormatOptions) {
    assertJournalFormatOptions(options);
    this.#options = options;
  }

  /** Formats and keeps `event`. */
  write(event: JournalEvent): void {
    this.#lines.push(formatEvent(event, this.#options));
    this.#events.push(event);
  }

  /** Lines written so far, without newlines. */
  get lines(): readonly string[] {
    return this.#lines;
  }

  /** Events written so far. */
  get events(): readonly JournalEvent[] {
    return this.#events;
  }

  /** The journal file content these lines would make. */
  text(): string {
    return this.#lines.map((l) => l + "\n").join("");
  }
}
