/**
 * What scalpbot prints for people: one line per closed bar, trade events marked, a
 * progress bar. Pure formatting plus a tiny writer; the caller decides where text goes.
 *
 * @module
 */
import type { Config } from "../config/schema.ts";
import { formatEvent, type JournalFormatOptions, priceDecimalsForTick } from "../journal/format.ts";
import { formatIsoOffset } from "../time/zone.ts";
import { type EngineEvent, isJournalEvent } from "../events/types.ts";
import type { Bar, IndicatorSnapshot, JournalEvent, Side } from "../types.ts";

/** Journal formatting options derived from config (tick decimals, zone). */
export function journalFormatOptions(config: Config): JournalFormatOptions {
  return {
    timeZone: config.session.timezone,
    priceDecimals: priceDecimalsForTick(config.contract.tick_size),
  };
}

function num(x: number | undefined, digits: number): string {
  return x === undefined ? "-" : x.toFixed(digits);
}

/**
 * One console line for a closed bar: local start time, OHLCV, the strategy's indicators
 * (label and value, price-like ones with one decimal more than prices), its mark, signal.
 *
 * @example
 * ```ts
 * import type { JournalFormatOptions } from "../journal/format.ts";
 * import type { Bar, IndicatorSnapshot } from "../types.ts";
 * declare const bar: Bar, snapshot: IndicatorSnapshot, options: JournalFormatOptions;
 * formatBarLine(bar, snapshot, "LONG", options);
 * // "08:31:00 O 5000.25 H 5001.00 L 4999.75 C 5000.75 V 312 n 41 | EMA9 ... | LONG"
 * ```
 */
export function formatBarLine(
  bar: Bar,
  s: IndicatorSnapshot,
  signal: Side | undefined,
  options: JournalFormatOptions,
): string {
  const d = options.priceDecimals;
  const t = formatIsoOffset(bar.start, options.timeZone).slice(11, 19);
  let line = `${t} O ${bar.open.toFixed(d)} H ${bar.high.toFixed(d)} L ${bar.low.toFixed(d)} C ${
    bar.close.toFixed(d)
  } V ${bar.volume} n ${bar.trades} |`;
  s.fields.forEach((f, i) => {
    line += ` ${f.key} ${num(s.values[i], f.decimals === "price" ? d + 1 : f.decimals)}`;
  });
  if (s.mark !== undefined) line += ` ${s.mark}`;
  return signal === undefined ? line : `${line} | ${signal}`;
}

const MARKS: Record<JournalEvent["kind"], string> = {
  SESSION_START: "==",
  ENTRY: ">>",
  FILL: " +",
  CANCEL: " x",
  EXIT: "<<",
  STOP_MOVE: " ~",
  TARGET_MOVE: " ~",
  SESSION_END: "==",
};

/** One console line for a journal event: a marker, then the journal line itself. */
export function formatEventLine(event: JournalEvent, options: JournalFormatOptions): string {
  return `${MARKS[event.kind]} ${formatEvent(event, options)}`;
}

/**
 * A progress bar for stderr: `[########------------]  40%  1,234,567 ticks`.
 */
export function formatProgress(fraction: number, ticks: number, width = 30): string {
  const f = Math.min(1, Math.max(0, fraction));
  const full = Math.round(f * width);
  return `[${"#".repeat(full)}${"-".repeat(width - full)}] ${(f * 100).toFixed(0).padStart(3)}%  ${
    ticks.toLocaleString("en-US")
  } ticks`;
}

/** Options of {@linkcode ConsoleOutput}. */
export interface ConsoleOutputOptions {
  /** Where lines go (one call per line, no newline). */
  line: (text: string) => void;
  /** Print a line per closed bar. */
  bars: boolean;
  /** Print a line per journal event. */
  events: boolean;
}

/**
 * The console as a stream subscriber: formats bars and journal events with the config of
 * the run's RUN event (live patches the zone and tick size from contract details).
 */
export class ConsoleOutput {
  #o: ConsoleOutputOptions;
  #fmt: JournalFormatOptions;

  /** Formats with `config` until a RUN event brings the run's own. */
  constructor(config: Config, options: ConsoleOutputOptions) {
    this.#o = options;
    this.#fmt = journalFormatOptions(config);
  }

  /** The subscriber. */
  readonly onEvent = (e: EngineEvent): void => {
    if (e.kind === "BAR") {
      if (this.#o.bars) this.#o.line(formatBarLine(e.bar, e.snapshot, e.signal, this.#fmt));
    } else if (e.kind === "RUN") {
      this.#fmt = journalFormatOptions(e.config);
    } else if (isJournalEvent(e)) {
      if (this.#o.events) this.#o.line(formatEventLine(e, this.#fmt));
    }
  };
}
