/**
 * The journal as the stream's first subscriber, opened on its first event: a run that fails
 * before that (a bad tick file, an unknown contract) leaves the file as it was. One class
 * for backtest and live; each says how to open its file.
 *
 * @module
 */
import type { Config } from "../config/schema.ts";
import type { JournalSink } from "../journal/writer.ts";
import type { JournalEvent } from "../types.ts";
import type { EventStream } from "./stream.ts";

/** A journal file once opened: a sink that can also be flushed (batch) and closed. */
export interface OpenedJournal extends JournalSink {
  /** Writes out buffered lines (batch journals); absent: nothing is buffered. */
  flush?(): void;
  /** Makes every line durable and closes the file. */
  close(): void;
}

/**
 * A {@linkcode JournalSink} that opens its file on the first event, with the config the run
 * actually uses (live mode patches the zone and tick size from contract details before
 * SESSION_START, so the file's format is known only then).
 *
 * @example
 * ```ts
 * import { JournalWriter } from "../journal/writer.ts";
 * import { EventStream } from "./stream.ts";
 * declare const config: import("../config/schema.ts").Config;
 * const events = new EventStream();
 * const journal = new LazyJournal(config, (c) =>
 *   JournalWriter.open("journal.text", {
 *     timeZone: c.session.timezone,
 *     priceDecimals: 2,
 *     durability: "batch",
 *   }));
 * journal.follow(events); // the RUN event's config, if the engine patched it
 * // new Engine({ config, journal, events, runId }) makes it the first subscriber.
 * ```
 */
export class LazyJournal implements JournalSink {
  #sink: OpenedJournal | undefined;
  #config: Config;
  #open: (config: Config) => OpenedJournal;

  /**
   * `open` runs once, on the first event, with `config` or the config of the last RUN event
   * seen by {@linkcode LazyJournal.follow}.
   */
  constructor(config: Config, open: (config: Config) => OpenedJournal) {
    this.#config = config;
    this.#open = open;
  }

  /** Takes the config of each RUN event on `events` (published before SESSION_START). */
  follow(events: EventStream): () => void {
    return events.subscribe((e) => {
      if (e.kind === "RUN") this.#config = e.config;
    });
  }

  /** True once the file is open. */
  get opened(): boolean {
    return this.#sink !== undefined;
  }

  /** Records one event (opening the file first, the first time). */
  write(event: JournalEvent): void {
    (this.#sink ??= this.#open(this.#config)).write(event);
  }

  /** Resolves once every event written so far is on disk (at once before the first). */
  durable(): Promise<void> {
    return this.#sink?.durable?.() ?? Promise.resolve();
  }

  /** Writes out buffered lines, if the file is open. */
  flush(): void {
    this.#sink?.flush?.();
  }

  /** Closes the file, if it was opened. */
  close(): void {
    this.#sink?.close();
  }
}
