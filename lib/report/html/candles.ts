/**
 * Candles for the HTML report: the engine's bars, merged into longer candles when a run has
 * more bars than a page can draw quickly. Memory stays bounded by the cap whatever the run's
 * length, since merging happens as bars arrive.
 *
 * @module
 */
import type { Bar } from "../../types.ts";

/** Most candles a page gets by default (10,000 trades and 20,000 candles open in about 1 s). */
export const DEFAULT_MAX_CANDLES = 20_000;

/** Candles as columns, UTC start times in ms. */
export interface CandleColumns {
  /** Candle start, epoch ms UTC (a multiple of `lengthMs` once merged). */
  start: number[];
  /** Open prices. */
  open: number[];
  /** High prices. */
  high: number[];
  /** Low prices. */
  low: number[];
  /** Close prices. */
  close: number[];
  /** Candle length in ms: the bar length times the merge factor. */
  lengthMs: number;
  /** Bars that went in. */
  bars: number;
  /** Length of one bar in ms (0 before the first bar). */
  barMs: number;
}

/**
 * Collects bars as candles, at most `maxCandles`: past the cap, candles of twice the length
 * replace them (two neighbours merged, aligned to multiples of the new length from the epoch).
 *
 * @example
 * ```ts
 * const c = new CandleSampler(2);
 * for (let i = 0; i < 3; i++) {
 *   c.add({ start: i * 60_000, lengthMs: 60_000, open: i, high: i + 1, low: i - 1, close: i, volume: 1, trades: 1 });
 * }
 * c.columns().lengthMs; // 120000: three 1-minute bars became two 2-minute candles
 * ```
 */
export class CandleSampler {
  #c: CandleColumns = {
    start: [],
    open: [],
    high: [],
    low: [],
    close: [],
    lengthMs: 0,
    bars: 0,
    barMs: 0,
  };

  /** `maxCandles`: the cap (at least 2). */
  constructor(readonly maxCandles: number = DEFAULT_MAX_CANDLES) {
    if (!(maxCandles >= 2)) throw new RangeError(`maxCandles must be >= 2, got ${maxCandles}`);
  }

  /** Adds a closed bar (bars come in time order). */
  add(bar: Bar): void {
    const c = this.#c;
    if (c.bars === 0) {
      c.barMs = bar.lengthMs;
      c.lengthMs = bar.lengthMs;
    }
    c.bars++;
    this.#merge(Math.floor(bar.start / c.lengthMs) * c.lengthMs, bar);
    if (c.start.length > this.maxCandles) this.#halve();
  }

  #merge(
    start: number,
    b: { open: number; high: number; low: number; close: number },
  ): void {
    const c = this.#c;
    const last = c.start.length - 1;
    if (last >= 0 && c.start[last] === start) {
      if (b.high > c.high[last]!) c.high[last] = b.high;
      if (b.low < c.low[last]!) c.low[last] = b.low;
      c.close[last] = b.close;
      return;
    }
    c.start.push(start);
    c.open.push(b.open);
    c.high.push(b.high);
    c.low.push(b.low);
    c.close.push(b.close);
  }

  /** Doubles the candle length (again, until under the cap) and merges the candles so far. */
  #halve(): void {
    const old = this.#c;
    while (true) {
      const next: CandleColumns = {
        start: [],
        open: [],
        high: [],
        low: [],
        close: [],
        lengthMs: this.#c.lengthMs * 2,
        bars: old.bars,
        barMs: old.barMs,
      };
      const src = this.#c;
      this.#c = next;
      for (let i = 0; i < src.start.length; i++) {
        this.#merge(Math.floor(src.start[i]! / next.lengthMs) * next.lengthMs, {
          open: src.open[i]!,
          high: src.high[i]!,
          low: src.low[i]!,
          close: src.close[i]!,
        });
      }
      if (next.start.length <= this.maxCandles) return;
    }
  }

  /** The candles so far. */
  columns(): CandleColumns {
    return this.#c;
  }
}
