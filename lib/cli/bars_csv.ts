/**
 * `--bars-out`: every closed bar with its strategy's indicators as CSV, buffered (bars are
 * not journal events, so they need no per-line fsync). The indicator columns are the
 * strategy's (see `Engine.indicatorFields`).
 *
 * @module
 */
import { tickDecimals } from "../market/prices.ts";
import type { EngineEvent } from "../events/types.ts";
import type { Bar, IndicatorField, IndicatorSnapshot, Side } from "../types.ts";

/** The exact header of the bars CSV of the built-in `scalp` strategy. */
export const BARS_CSV_HEADER =
  "ts_utc,open,high,low,close,volume,trades,ema_fast,ema_slow,rsi,atr,vwap,rvol,signal";

/** The header for a strategy's indicator fields: bar columns, indicator columns, signal. */
export function barsCsvHeader(fields: readonly IndicatorField[]): string {
  let h = "ts_utc,open,high,low,close,volume,trades";
  for (const f of fields) h += `,${f.column}`;
  return h + ",signal";
}

const FLUSH_BYTES = 1 << 16;

/** A price with the tick's decimals, or in full when it is off the grid (never rounded). */
function priceCell(x: number, decimals: number): string {
  const s = x.toFixed(decimals);
  return Number(s) === x ? s : String(x);
}

function cell(x: number | undefined): string {
  return x === undefined ? "" : String(x);
}

/** One CSV row (no newline) for a bar: ISO UTC start, prices, indicators (in the snapshot's field order), signal. */
export function formatBarRow(
  bar: Bar,
  s: IndicatorSnapshot,
  signal: Side | undefined,
  priceDecimals: number,
): string {
  const d = priceDecimals;
  let row = `${new Date(bar.start).toISOString()},${priceCell(bar.open, d)},${
    priceCell(bar.high, d)
  },${priceCell(bar.low, d)},${priceCell(bar.close, d)},${bar.volume},${bar.trades}`;
  const v = s.values;
  for (let i = 0; i < v.length; i++) row += `,${cell(v[i])}`;
  return `${row},${signal ?? ""}`;
}

/** Writes bar rows to a file, truncating it first. */
export class BarsCsvWriter {
  #file: Deno.FsFile;
  #parts: string[] = [];
  #pending = 0;
  #decimals: number;
  #enc = new TextEncoder();

  private constructor(file: Deno.FsFile, decimals: number, header: string) {
    this.#file = file;
    this.#decimals = decimals;
    this.#push(header);
  }

  /**
   * Creates (or truncates) `path` and writes the header for `fields` (default: the `scalp`
   * header).
   */
  static create(path: string, tickSize: number, fields?: readonly IndicatorField[]): BarsCsvWriter {
    const header = fields === undefined ? BARS_CSV_HEADER : barsCsvHeader(fields);
    const file = Deno.openSync(path, { write: true, create: true, truncate: true });
    return new BarsCsvWriter(file, tickDecimals(tickSize), header);
  }

  /** Adds one bar row. */
  write(bar: Bar, s: IndicatorSnapshot, signal: Side | undefined): void {
    this.#push(formatBarRow(bar, s, signal, this.#decimals));
  }

  /** Flushes and closes the file. */
  close(): void {
    this.#flush();
    this.#file.close();
  }

  #push(line: string): void {
    this.#parts.push(line);
    this.#pending += line.length + 1;
    if (this.#pending >= FLUSH_BYTES) this.#flush();
  }

  #flush(): void {
    if (this.#parts.length === 0) return;
    const bytes = this.#enc.encode(this.#parts.join("\n") + "\n");
    let off = 0;
    while (off < bytes.length) off += this.#file.writeSync(bytes.subarray(off));
    this.#parts = [];
    this.#pending = 0;
  }
}

/**
 * The bars CSV as a stream subscriber: the file is created on the RUN event (with the
 * strategy's columns and the run's tick size), so a run that fails before it touches
 * nothing; each BAR adds a row.
 */
export class BarsCsvOutput {
  #writer: BarsCsvWriter | undefined;

  /** Bars of the run go to `path` (created or truncated on RUN). */
  constructor(readonly path: string) {}

  /** The subscriber. */
  readonly onEvent = (e: EngineEvent): void => {
    if (e.kind === "BAR") this.#writer?.write(e.bar, e.snapshot, e.signal);
    else if (e.kind === "RUN" && this.#writer === undefined) {
      this.#writer = BarsCsvWriter.create(this.path, e.config.contract.tick_size, e.fields);
    }
  };

  /** Flushes and closes the file, if it was created. */
  close(): void {
    this.#writer?.close();
  }
}
