/**
 * `--bars-out`: every closed bar with its indicators as CSV, buffered (bars are not
 * journal events, so they need no per-line fsync).
 *
 * @module
 */
import { tickDecimals } from "../engine/prices.ts";
import type { Bar, IndicatorSnapshot, Side } from "../types.ts";

/** The exact header of the bars CSV. */
export const BARS_CSV_HEADER =
  "ts_utc,open,high,low,close,volume,trades,ema_fast,ema_slow,rsi,atr,vwap,rvol,signal";

const FLUSH_BYTES = 1 << 16;

/** A price with the tick's decimals, or in full when it is off the grid (never rounded). */
function priceCell(x: number, decimals: number): string {
  const s = x.toFixed(decimals);
  return Number(s) === x ? s : String(x);
}

function cell(x: number | undefined): string {
  return x === undefined ? "" : String(x);
}

/** One CSV row (no newline) for a bar: ISO UTC start, prices, indicators, signal. */
export function formatBarRow(
  bar: Bar,
  s: IndicatorSnapshot,
  signal: Side | undefined,
  priceDecimals: number,
): string {
  const d = priceDecimals;
  return `${new Date(bar.start).toISOString()},${priceCell(bar.open, d)},${
    priceCell(bar.high, d)
  },${priceCell(bar.low, d)},${priceCell(bar.close, d)},${bar.volume},${bar.trades},${
    cell(s.emaFast)
  },${cell(s.emaSlow)},${cell(s.rsi)},${cell(s.atr)},${cell(s.vwap)},${cell(s.rvol)},${
    signal ?? ""
  }`;
}

/** Writes bar rows to a file, truncating it first. */
export class BarsCsvWriter {
  #file: Deno.FsFile;
  #parts: string[] = [];
  #pending = 0;
  #decimals: number;
  #enc = new TextEncoder();

  private constructor(file: Deno.FsFile, decimals: number) {
    this.#file = file;
    this.#decimals = decimals;
    this.#push(BARS_CSV_HEADER);
  }

  /** Creates (or truncates) `path` and writes the header. */
  static create(path: string, tickSize: number): BarsCsvWriter {
    const file = Deno.openSync(path, { write: true, create: true, truncate: true });
    return new BarsCsvWriter(file, tickDecimals(tickSize));
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
