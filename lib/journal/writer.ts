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
  /** Records one event; returns once it is stored (durably, for a file). */
  write(event: JournalEvent): void;
}

/** Options of {@link JournalWriter.open}: how lines are formatted. */
export type JournalWriterOptions = JournalFormatOptions;

const encoder = new TextEncoder();
const NEWLINE = 0x0a;

/**
 * Appends one line per event to a journal file and flushes it to disk (`fdatasync`) before
 * `write` returns, so a crash never loses an event the engine has acted on. Events are
 * rare (entries and exits, not ticks), so a synchronous flush costs nothing that matters.
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
 * journal.close();
 * ```
 */
export class JournalWriter implements JournalSink {
  #file: Deno.FsFile | undefined;
  #options: JournalFormatOptions;
  #path: string;
  #tornLine: number | undefined;
  /** A newline is still owed to the torn last line. */
  #needNewline: boolean;
  /** The torn line still has to be named by a SESSION_START. */
  #needMarker: boolean;

  private constructor(
    file: Deno.FsFile,
    path: string,
    options: JournalFormatOptions,
    tornLine: number | undefined,
  ) {
    this.#file = file;
    this.#path = path;
    this.#options = options;
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

  /** True when `open` found a torn last line (the first write ends it with a newline). */
  get repairedTornLine(): boolean {
    return this.#tornLine !== undefined;
  }

  /** 1-based line number of the torn last line `open` found, if any. */
  get tornLine(): number | undefined {
    return this.#tornLine;
  }

  /**
   * Formats `event`, appends it with its newline in one write (preceded by the newline owed
   * to a torn line, and with `Repaired=<line>` if it is the first SESSION_START after one),
   * then fdatasyncs.
   */
  write(event: JournalEvent): void {
    const file = this.#file;
    if (file === undefined) throw new TypeError(`Journal ${this.#path} is closed`);
    const mark = this.#needMarker && event.kind === "SESSION_START";
    const line = formatEvent(
      mark ? { ...event, repairedLine: this.#tornLine! } : event,
      this.#options,
    );
    const bytes = encoder.encode((this.#needNewline ? "\n" : "") + line + "\n");
    writeAll(file, bytes);
    file.syncDataSync();
    this.#needNewline = false;
    if (mark) this.#needMarker = false;
  }

  /** Closes the file; further writes throw. Closing twice is harmless. */
  close(): void {
    this.#file?.close();
    this.#file = undefined;
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
