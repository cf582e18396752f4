/**
 * What scalpbot prints for people: a compact line per closed bar (at most
 * {@linkcode BAR_WIDTH} columns), a line per trade event (at most {@linkcode TRADE_WIDTH}),
 * a progress bar. Every time is in one zone, the console's ({@linkcode consoleZone}); the
 * journal keeps every detail. Pure formatting plus the stream subscriber that sends the lines
 * to the log (lib/cli/logging.ts); the caller decides where text goes.
 *
 * @module
 */
import type { Config } from "../config/schema.ts";
import type { EngineEvent } from "../events/types.ts";
import { type JournalFormatOptions, priceDecimalsForTick } from "../journal/format.ts";
import { formatIsoOffset } from "../time/zone.ts";
import type { Bar, IndicatorField, IndicatorSnapshot, JournalEvent, Side } from "../types.ts";

/** Widest bar line, in columns. */
export const BAR_WIDTH = 100;
/** Widest trade (journal event) line, in columns. */
export const TRADE_WIDTH = 120;

/** Journal formatting options derived from config (tick decimals, zone). */
export function journalFormatOptions(config: Config): JournalFormatOptions {
  return {
    timeZone: config.session.timezone,
    priceDecimals: priceDecimalsForTick(config.contract.tick_size),
  };
}

/**
 * The zone of every time on screen: `console.time_zone`, where `exchange` is the session's
 * zone (live: the contract's, once contract details patched the config) and `local` this
 * machine's.
 */
export function consoleZone(config: Config): string {
  const tz = config.console.time_zone;
  if (tz === "exchange") return config.session.timezone;
  if (tz === "local") return Intl.DateTimeFormat().resolvedOptions().timeZone;
  return tz;
}

/** How console lines are formatted. */
export interface ConsoleFormat {
  /** IANA zone of the times. */
  timeZone: string;
  /** Decimals of prices (the tick size's). */
  priceDecimals: number;
  /** The run's id: its trade ids print as `#001`; other runs' (resumed trades) in full. */
  runId?: string;
}

/** The console format of a run's config. */
export function consoleFormat(config: Config, runId?: string): ConsoleFormat {
  return {
    timeZone: consoleZone(config),
    priceDecimals: priceDecimalsForTick(config.contract.tick_size),
    ...(runId === undefined ? {} : { runId }),
  };
}

/** Columns of the `HH:MM:SS ` that starts every console line. */
export const STAMP_WIDTH = 9;

/** `HH:MM:SS` of `ms` in `timeZone`. */
export function clockTime(ms: number, timeZone: string): string {
  return formatIsoOffset(ms, timeZone).slice(11, 19);
}

/** Columns `text` takes on a terminal (code points: scalpbot prints no wide characters). */
export function columns(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** `text` cut to `width` columns, its end replaced by `…` when cut. */
export function fitWidth(text: string, width: number): string {
  if (text.length <= width) return text;
  const points = [...text];
  return points.length <= width ? text : points.slice(0, width - 1).join("") + "…";
}

function num(x: number | undefined, digits: number): string {
  return x === undefined ? "-" : x.toFixed(digits);
}

/** The columns of a run's bar lines: which indicators, how wide each value is. */
export interface BarLayout {
  /** Characters of a price (the close's, at the tick's decimals). */
  priceChars: number;
  /** Indexes (into the snapshot's fields) of the indicators shown, in declared order. */
  shown: readonly number[];
  /** Width of each shown indicator's column. */
  widths: readonly number[];
}

/** Width of the volume column. */
const VOLUME_CHARS = 6;
/** Room kept at a bar line's end for the strategy's mark and the signal (` X↑ SHORT`). */
const TAIL_ROOM = 10;

let layoutCache:
  | { fields: readonly IndicatorField[]; key: string; layout: BarLayout }
  | undefined;

/**
 * The columns of bar lines for prices of `priceChars` characters: OHLC, volume, then as many
 * of the strategy's indicators as fit in {@linkcode BAR_WIDTH} (levels in price units such as
 * EMA and VWAP first, then the others, each while it fits), with room left for the mark and
 * the signal. Chosen from widths, not values, so the columns stay put bar after bar.
 */
export function barLayout(
  fields: readonly IndicatorField[],
  priceChars: number,
  decimals: number,
): BarLayout {
  const key = `${priceChars}/${decimals}`;
  if (layoutCache?.fields === fields && layoutCache.key === key) return layoutCache.layout;
  let room = BAR_WIDTH - STAMP_WIDTH - 4 * (priceChars + 1) - (VOLUME_CHARS + 1) - TAIL_ROOM;
  const width = (f: IndicatorField) =>
    Math.max(
      columns(f.key),
      f.decimals === "price" ? priceChars : 3 + (f.decimals > 0 ? 1 + f.decimals : 0),
    );
  const order = fields.map((_, i) => i);
  order.sort((a, b) =>
    Number(fields[b]!.decimals === "price") - Number(fields[a]!.decimals === "price") || a - b
  );
  const chosen = new Set<number>();
  for (const i of order) {
    const n = width(fields[i]!) + 1;
    if (n > room) continue;
    chosen.add(i);
    room -= n;
  }
  const shown = fields.map((_, i) => i).filter((i) => chosen.has(i));
  const layout = { priceChars, shown, widths: shown.map((i) => width(fields[i]!)) };
  layoutCache = { fields, key, layout };
  return layout;
}

/**
 * The header of bar lines (without its time): the column names, aligned with
 * {@linkcode barText}'s values.
 */
export function barHeader(fields: readonly IndicatorField[], layout: BarLayout): string {
  const p = layout.priceChars;
  let line = ["open", "high", "low", "close"].map((n) => n.padStart(p)).join(" ");
  line += " " + "vol".padStart(VOLUME_CHARS);
  layout.shown.forEach((i, k) => line += " " + fields[i]!.key.padStart(layout.widths[k]!));
  return line;
}

/**
 * One console line for a closed bar, at most {@linkcode BAR_WIDTH} columns: the bar's start
 * time, open, high, low, close, volume, the indicators of {@linkcode barLayout} (prices at the
 * tick's decimals; `-` while one warms up), the strategy's mark and the signal acted upon.
 * The bars CSV (`--bars-out`) and the journal's ENTRY lines hold every value; the column
 * names are in the header line ({@linkcode barHeader}) printed above the bars.
 *
 * @example
 * ```ts
 * import { formatBarLine } from "./console.ts";
 * const bar = { start: Date.UTC(2025, 1, 17, 14, 31), lengthMs: 60_000, open: 5000.25,
 *   high: 5001, low: 4999.75, close: 5000.75, volume: 312, trades: 41 };
 * const snapshot = { fields: [{ key: "EMA9", column: "ema_fast", decimals: "price" as const }],
 *   values: [5000.125], mark: undefined };
 * formatBarLine(bar, snapshot, "LONG", { timeZone: "America/Chicago", priceDecimals: 2 });
 * // "08:31:00 5000.25 5001.00 4999.75 5000.75    312 5000.13 LONG"
 * ```
 */
export function formatBarLine(
  bar: Bar,
  s: IndicatorSnapshot,
  signal: Side | undefined,
  f: ConsoleFormat,
): string {
  return `${clockTime(bar.start, f.timeZone)} ${barText(bar, s, signal, f)}`;
}

/** {@linkcode formatBarLine} without its time (the log adds it). */
export function barText(
  bar: Bar,
  s: IndicatorSnapshot,
  signal: Side | undefined,
  f: ConsoleFormat,
): string {
  const d = f.priceDecimals;
  const close = bar.close.toFixed(d);
  const layout = barLayout(s.fields, close.length, d);
  const p = layout.priceChars;
  let line = `${bar.open.toFixed(d).padStart(p)} ${bar.high.toFixed(d).padStart(p)} ${
    bar.low.toFixed(d).padStart(p)
  } ${close} ${String(bar.volume).padStart(VOLUME_CHARS)}`;
  layout.shown.forEach((i, k) => {
    const field = s.fields[i]!;
    const v = num(s.values[i], field.decimals === "price" ? d : field.decimals);
    line += " " + v.padStart(layout.widths[k]!);
  });
  if (s.mark !== undefined) line += ` ${s.mark}`;
  if (signal !== undefined) line += ` ${signal}`;
  return fitWidth(line, BAR_WIDTH - STAMP_WIDTH);
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

function signed(x: number, digits: number): string {
  const t = x.toFixed(digits);
  return x > 0 ? `+${t}` : Number(t) === 0 ? (0).toFixed(digits) : t;
}

/** A hold time: `45s`, `4m12s`, `2h05m`. */
export function formatHold(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "-";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

function tradeName(id: string, f: ConsoleFormat): string {
  return f.runId !== undefined && id.startsWith(`${f.runId}-`)
    ? `#${id.slice(f.runId.length + 1)}`
    : id;
}

/** The text after the time and the marker of a journal event's console line. */
function eventText(e: JournalEvent, f: ConsoleFormat): string {
  const d = f.priceDecimals;
  const p = (x: number) => x.toFixed(d);
  switch (e.kind) {
    case "SESSION_START":
      return `START run ${e.runId} ${e.symbol} (tick ${e.tickSize}, x${e.multiplier} ${e.currency}), ` +
        `times in ${f.timeZone}, source ${e.source}`;
    case "ENTRY":
      return `ENTRY ${tradeName(e.tradeId, f)} ${e.side} ${e.size} @ ${p(e.entry)} stop ${
        p(e.stop)
      } target ${p(e.target)}`;
    case "FILL":
      return `FILL ${tradeName(e.tradeId, f)} ${e.qty} @ ${
        p(e.price)
      } (${e.filled} filled, ${e.remaining} working)`;
    case "CANCEL":
      return `CANCEL ${tradeName(e.tradeId, f)} ${e.qty} ${e.reason}`;
    case "EXIT": {
      let t = `EXIT ${tradeName(e.tradeId, f)} ${e.side} ${e.reason} ${e.qty} @ ${
        p(e.price)
      } from ${p(e.entryPrice)} ${signed(e.pnlPoints, d)} pt net ${signed(e.netPnl, 2)} held ${
        formatHold(e.time - e.entryTime)
      }`;
      if (e.by !== undefined) t += ` by ${e.by}`;
      if (e.remaining !== undefined) t += `, ${e.remaining} still open`;
      if (e.recovered === true) t += " (recovered)";
      return t;
    }
    case "STOP_MOVE":
    case "TARGET_MOVE":
      return `${e.kind === "STOP_MOVE" ? "STOP" : "TARGET"} ${tradeName(e.tradeId, f)} ${
        p(e.old)
      } -> ${p(e.price)} ${e.reason}`;
    case "SESSION_END":
      return `END run ${e.runId} ${e.reason}: ${e.ticks} ticks, ${e.bars} bars, ${e.trades} trades`;
  }
}

/**
 * One console line for a journal event, at most {@linkcode TRADE_WIDTH} columns: the event's
 * time, a marker (`>>` entry, ` +` fill, `<<` exit, ` ~` level move, `==` session), the
 * essentials. A line that would be longer (a long source or reason) ends in `…`; the journal
 * has it whole.
 */
export function formatEventLine(event: JournalEvent, f: ConsoleFormat): string {
  return `${clockTime(event.time, f.timeZone)} ${eventLineText(event, f)}`;
}

/** {@linkcode formatEventLine} without its time (the log adds it). */
export function eventLineText(event: JournalEvent, f: ConsoleFormat): string {
  return fitWidth(`${MARKS[event.kind]} ${eventText(event, f)}`, TRADE_WIDTH - STAMP_WIDTH);
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

/**
 * Where {@linkcode ConsoleOutput} sends its lines (without their time), each with the time
 * it is to be stamped with.
 */
export interface ConsoleLines {
  /** A bar line (level info, category `bar`). */
  bar(text: string, time: number): void;
  /** A trade or session line (level info, category `trade`). */
  trade(text: string, time: number): void;
  /** The console zone changed (RUN: live takes the contract's zone). */
  zone(timeZone: string): void;
}

/** Bar lines between two headers. */
const HEADER_EVERY = 40;

/** Options of {@linkcode ConsoleOutput}. */
export interface ConsoleOutputOptions {
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
  #out: ConsoleLines;
  #f: ConsoleFormat;
  /** Bar lines until the header is printed again (0: before the next bar). */
  #untilHeader = 0;
  #layout: BarLayout | undefined;

  /** Formats with `config` until a RUN event brings the run's own. */
  constructor(config: Config, out: ConsoleLines, options: ConsoleOutputOptions) {
    this.#o = options;
    this.#out = out;
    this.#f = consoleFormat(config);
  }

  /** The subscriber. */
  readonly onEvent = (e: EngineEvent): void => {
    switch (e.kind) {
      case "BAR":
        if (this.#o.bars) {
          const text = barText(e.bar, e.snapshot, e.signal, this.#f);
          const layout = layoutCache!.layout;
          // The column names above the first bar, every HEADER_EVERY bars and on a new layout.
          if (this.#untilHeader <= 0 || layout !== this.#layout) {
            this.#out.bar(barHeader(e.snapshot.fields, layout), e.bar.start);
            this.#untilHeader = HEADER_EVERY;
            this.#layout = layout;
          }
          this.#untilHeader--;
          this.#out.bar(text, e.bar.start);
        }
        return;
      case "RUN":
        this.#f = consoleFormat(e.config, e.runId);
        this.#out.zone(this.#f.timeZone);
        return;
      case "TICKS":
      case "CONNECTION":
        return;
      default:
        if (this.#o.events) this.#out.trade(eventLineText(e, this.#f), e.time);
    }
  };
}
