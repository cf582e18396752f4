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
 * @example
 * ```ts
 * const journal = JournalWriter.open("trade_record.text", { timeZone, priceDecimals: 2, periods });
 * journal.write(sessionStart);
 * journal.close();
 * ```
 */
export class JournalWriter implements JournalSink {
  #file: Deno.FsFile | undefined;
  #options: JournalFormatOptions;
  #path: string;
  #repaired: boolean;

  private constructor(
    file: Deno.FsFile,
    path: string,
    options: JournalFormatOptions,
    repaired: boolean,
  ) {
    this.#file = file;
    this.#path = path;
    this.#options = options;
    this.#repaired = repaired;
  }

  /**
   * Opens `path` for appending, creating it if needed. When the file ends without a newline
   * (a line torn by a crash), appends one first so the next line starts clean; the torn text
   * stays in the file and the reader reports it.
   */
  static open(path: string, options: JournalWriterOptions): JournalWriter {
    assertJournalFormatOptions(options);
    const file = Deno.openSync(path, { read: true, append: true, create: true });
    try {
      const size = file.statSync().size;
      let repaired = false;
      if (size > 0) {
        file.seekSync(-1, Deno.SeekMode.End);
        const last = new Uint8Array(1);
        const n = file.readSync(last);
        if (n === 1 && last[0] !== NEWLINE) {
          writeAll(file, new Uint8Array([NEWLINE]));
          file.syncDataSync();
          repaired = true;
        }
      }
      return new JournalWriter(file, path, options, repaired);
    } catch (e) {
      file.close();
      throw e;
    }
  }

  /** The file path. */
  get path(): string {
    return this.#path;
  }

  /** True when `open` found a torn last line and started a new line after it. */
  get repairedTornLine(): boolean {
    return this.#repaired;
  }

  /** Formats `event`, appends it with its newline in one write, then fdatasyncs. */
  write(event: JournalEvent): void {
    const file = this.#file;
    if (file === undefined) throw new TypeError(`Journal ${this.#path} is closed`);
    const bytes = encoder.encode(formatEvent(event, this.#options) + "\n");
    writeAll(file, bytes);
    file.syncDataSync();
  }

  /** Closes the file; further writes throw. Closing twice is harmless. */
  close(): void {
    this.#file?.close();
    this.#file = undefined;
  }
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
 * const journal = new MemoryJournal({ timeZone: "UTC", priceDecimals: 2, periods });
 * journal.write(event);
 * journal.text(); // "2025-...\n"
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
