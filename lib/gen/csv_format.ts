/**
 * Formats ticks as rows of the shared tick CSV format `ts_utc,price,size`, with ISO-8601
 * UTC times to the millisecond (`2025-02-17T14:30:00.125Z`). Pure string building, fast
 * enough for files of hundreds of MB: the minute's prefix and price texts are cached.
 *
 * @module
 */
import type { Tick, TickBatch } from "../types.ts";

/** Header line of the tick CSV format, with its newline. */
export const TICK_CSV_HEADER = "ts_utc,price,size\n";

/** Options of {@linkcode TickCsvFormatter}. */
export interface TickCsvFormatOptions {
  /** Fixed decimals for prices (e.g. 2 for a 0.25 tick); shortest exact text when absent. */
  decimals?: number | undefined;
}

const PRICE_CACHE_LIMIT = 100_000;
const ASCII = new TextEncoder();

/** Writes the decimal digits of a non-negative integer at `p`; returns the new offset. */
function writeUint(buf: Uint8Array, p: number, n: number): number {
  if (n < 10) {
    buf[p] = 48 + n;
    return p + 1;
  }
  let digits = 0;
  for (let m = n; m >= 1; m = Math.floor(m / 10)) digits++;
  for (let k = digits - 1; k >= 0; k--) {
    buf[p + k] = 48 + (n % 10);
    n = Math.floor(n / 10);
  }
  return p + digits;
}

/**
 * Turns ticks into CSV rows. Times are truncated to whole milliseconds.
 *
 * @example
 * ```ts
 * const f = new TickCsvFormatter({ decimals: 2 });
 * f.formatTick({ ts: Date.UTC(2025, 1, 17, 14, 30, 0, 5), price: 5000.25, size: 3 });
 * // "2025-02-17T14:30:00.005Z,5000.25,3\n"
 * ```
 */
export class TickCsvFormatter {
  #decimals: number | undefined;
  #minute = Number.NaN;
  #prefix = "";
  #prices = new Map<number, string>();
  #prefixBytes = new Uint8Array(0);
  #priceBytesCache = new Map<number, Uint8Array>();
  #buf = new Uint8Array(0);

  /** Checks `decimals` (0 to 20) and sets up the caches. */
  constructor(options: TickCsvFormatOptions = {}) {
    const d = options.decimals;
    if (d !== undefined && !(Number.isInteger(d) && d >= 0 && d <= 20)) {
      throw new RangeError(`TickCsvFormatter: decimals must be an integer 0..20, got ${d}`);
    }
    this.#decimals = d;
  }

  /** One row, ending in a newline. */
  formatTick(tick: Tick): string {
    return this.#row(tick.ts, tick.price, tick.size);
  }

  /** Rows for indices `0 .. batch.count-1`, concatenated. */
  formatBatch(batch: TickBatch): string {
    let out = "";
    for (let i = 0; i < batch.count; i++) {
      out += this.#row(batch.ts[i]!, batch.price[i]!, batch.size[i]!);
    }
    return out;
  }

  /**
   * Rows for indices `0 .. batch.count-1` as ASCII bytes, written straight into a reused
   * buffer (no string building: the fast path for big files). The returned view is valid
   * until the next call.
   */
  encodeBatch(batch: TickBatch): Uint8Array {
    // A row is at most 24 (time) + 1 + price + 1 + size + 1 bytes; prices and sizes are
    // bounded by their cached texts, so 96 bytes per row is ample for sane values.
    const need = batch.count * 96;
    if (this.#buf.length < need) this.#buf = new Uint8Array(need);
    const buf = this.#buf;
    const tsArr = batch.ts;
    const priceArr = batch.price;
    const sizeArr = batch.size;
    let p = 0;
    let minute = this.#minute;
    let pre: Uint8Array = this.#prefixBytes;
    let lastPrice = Number.NaN;
    let priceBytes: Uint8Array = pre;
    for (let i = 0; i < batch.count; i++) {
      const ms = Math.floor(tsArr[i]!);
      const m = Math.floor(ms / 60_000);
      if (m !== minute) {
        this.#setMinute(ms, m);
        minute = m;
        pre = this.#prefixBytes;
      }
      for (let k = 0; k < pre.length; k++) buf[p++] = pre[k]!;
      const inMinute = ms - m * 60_000;
      const sec = Math.floor(inMinute / 1000);
      const frac = inMinute - sec * 1000;
      buf[p++] = 48 + Math.floor(sec / 10);
      buf[p++] = 48 + (sec % 10);
      buf[p++] = 46; // .
      buf[p++] = 48 + Math.floor(frac / 100);
      buf[p++] = 48 + (Math.floor(frac / 10) % 10);
      buf[p++] = 48 + (frac % 10);
      buf[p++] = 90; // Z
      buf[p++] = 44; // ,
      const price = priceArr[i]!;
      // Consecutive trades mostly share a price: skip the cache look-up then.
      if (price !== lastPrice) {
        priceBytes = this.#priceBytes(price);
        lastPrice = price;
      }
      if (p + priceBytes.length + 40 > buf.length) return this.#grow(p, batch, i);
      for (let k = 0; k < priceBytes.length; k++) buf[p++] = priceBytes[k]!;
      buf[p++] = 44;
      const size = sizeArr[i]!;
      if (Number.isInteger(size) && size >= 0 && size < 1e15) {
        p = writeUint(buf, p, size);
      } else {
        const text = ASCII.encode(String(size));
        for (let k = 0; k < text.length; k++) buf[p++] = text[k]!;
      }
      buf[p++] = 10; // newline
    }
    return buf.subarray(0, p);
  }

  /** Rare slow path for oversized rows: fall back to text for the rest of the batch. */
  #grow(p: number, batch: TickBatch, from: number): Uint8Array {
    // Rewind to the start of row `from`: find the last newline before p.
    let start = p;
    while (start > 0 && this.#buf[start - 1] !== 10) start--;
    let rest = "";
    for (let i = from; i < batch.count; i++) {
      rest += this.#row(batch.ts[i]!, batch.price[i]!, batch.size[i]!);
    }
    const tail = ASCII.encode(rest);
    const out = new Uint8Array(start + tail.length);
    out.set(this.#buf.subarray(0, start));
    out.set(tail, start);
    return out;
  }

  #setMinute(ms: number, minute: number): void {
    if (!Number.isFinite(ms)) throw new RangeError(`TickCsvFormatter: time is ${ms}`);
    this.#minute = minute;
    // "YYYY-MM-DDTHH:MM:" from toISOString; within a minute only seconds and ms change.
    this.#prefix = new Date(minute * 60_000).toISOString().slice(0, 17);
    this.#prefixBytes = ASCII.encode(this.#prefix);
  }

  #priceBytes(price: number): Uint8Array {
    let bytes = this.#priceBytesCache.get(price);
    if (bytes === undefined) {
      bytes = ASCII.encode(this.#price(price));
      if (this.#priceBytesCache.size >= PRICE_CACHE_LIMIT) this.#priceBytesCache.clear();
      this.#priceBytesCache.set(price, bytes);
    }
    return bytes;
  }

  #row(ts: number, price: number, size: number): string {
    const ms = Math.floor(ts);
    const m = Math.floor(ms / 60_000);
    if (m !== this.#minute) this.#setMinute(ms, m);
    const inMinute = ms - m * 60_000;
    // 100000 + inMinute prints as "1SSmmm"; dropping the "1" leaves zero-padded SSmmm.
    const digits = String(100_000 + inMinute);
    return `${this.#prefix}${digits.slice(1, 3)}.${digits.slice(3)}Z,${
      this.#price(price)
    },${size}\n`;
  }

  #price(price: number): string {
    let text = this.#prices.get(price);
    if (text === undefined) {
      text = this.#decimals === undefined ? String(price) : price.toFixed(this.#decimals);
      if (this.#prices.size >= PRICE_CACHE_LIMIT) this.#prices.clear();
      this.#prices.set(price, text);
    }
    return text;
  }
}
