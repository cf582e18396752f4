/**
 * Benchmark of the streaming indicators against npm `trading-signals` on the same input
 * in the same run: updates per second for EMA, RSI and ATR, and the largest difference of
 * their values where the two definitions agree. Run directly for a 1M-bar random walk:
 *
 * ```sh
 * deno run bench/indicators_bench.ts [bars]
 * ```
 *
 * @module
 */
import { ATR, EMA, RSI } from "trading-signals";
import { Atr } from "../lib/indicators/atr.ts";
import { Ema } from "../lib/indicators/ema.ts";
import { LiquidHours } from "../lib/indicators/liquid_hours.ts";
import { Rsi } from "../lib/indicators/rsi.ts";
import { SessionSchedule } from "../lib/indicators/session_schedule.ts";

/** One line of {@linkcode benchIndicators}'s result. */
export interface IndicatorBenchRow {
  /** Indicator and period, e.g. "EMA(9)". */
  name: string;
  /** Our updates per second (best of the timed runs). */
  oursPerSec: number;
  /** trading-signals updates per second (best of the timed runs). */
  theirsPerSec: number;
  /** oursPerSec / theirsPerSec. */
  ratio: number;
  /** Largest |ours - theirs| over the compared bars; null when nothing was compared. */
  maxAbsDiff: number | null;
  /** Which bars were compared, and why. */
  note: string;
}

/** Result of {@linkcode benchIndicators}. */
export interface IndicatorBenchResult {
  /** One row per indicator. */
  rows: IndicatorBenchRow[];
}

/** Checksum of the last timed runs, kept so the work cannot be optimized away. */
export let benchChecksum = 0;

const RUNS = 7;

/**
 * Updates per second of `ours` and `theirs` over `bars` bars: one untimed run each so
 * that both are compiled, then `RUNS` timed runs, alternating so that both see the same
 * machine load; the best run of each counts.
 */
function ratePair(bars: number, ours: () => number, theirs: () => number): [number, number] {
  benchChecksum += ours() + theirs();
  let bestOurs = Infinity;
  let bestTheirs = Infinity;
  for (let r = 0; r < RUNS; r++) {
    let t0 = performance.now();
    benchChecksum += ours();
    bestOurs = Math.min(bestOurs, performance.now() - t0);
    t0 = performance.now();
    benchChecksum += theirs();
    bestTheirs = Math.min(bestTheirs, performance.now() - t0);
  }
  return [bars / (bestOurs / 1000), bars / (bestTheirs / 1000)];
}

// The timed loops: one top-level function each, so that every loop gets its own type
// feedback. Each sums the outputs so that the work cannot be optimized away.

function oursEma(closes: Float64Array, period: number): number {
  const ema = new Ema(period);
  let s = 0;
  for (let i = 0; i < closes.length; i++) s += ema.update(closes[i]!) ?? 0;
  return s;
}

function theirsEma(closes: Float64Array, period: number): number {
  const ema = new EMA(period);
  let s = 0;
  for (let i = 0; i < closes.length; i++) s += ema.add(closes[i]!) ?? 0;
  return s;
}

function oursRsi(closes: Float64Array, period: number): number {
  const rsi = new Rsi(period);
  let s = 0;
  for (let i = 0; i < closes.length; i++) s += rsi.update(closes[i]!) ?? 0;
  return s;
}

function theirsRsi(closes: Float64Array, period: number): number {
  const rsi = new RSI(period);
  let s = 0;
  for (let i = 0; i < closes.length; i++) s += rsi.add(closes[i]!) ?? 0;
  return s;
}

function oursAtr(
  highs: Float64Array,
  lows: Float64Array,
  closes: Float64Array,
  period: number,
): number {
  const atr = new Atr(period);
  let s = 0;
  for (let i = 0; i < closes.length; i++) s += atr.update(highs[i]!, lows[i]!, closes[i]!) ?? 0;
  return s;
}

function theirsAtr(candles: readonly HighLowClose[], period: number): number {
  const atr = new ATR(period);
  let s = 0;
  for (let i = 0; i < candles.length; i++) s += atr.add(candles[i]!) ?? 0;
  return s;
}

/**
 * Bars after which a seed difference has shrunk below 1e-15 of itself, for a smoothing
 * that keeps `1 - alpha` of the previous value each bar.
 */
function settleBars(alpha: number): number {
  return Math.ceil(Math.log(1e-15) / Math.log(1 - alpha));
}

function maxDiff(a: Float64Array, b: Float64Array, from: number): number | null {
  let max: number | null = null;
  for (let i = from; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (Number.isNaN(d)) continue; // one side still warming up
    if (max === null || d > max) max = d;
  }
  return max;
}

interface HighLowClose {
  high: number;
  low: number;
  close: number;
}

const orNaN = (x: number | null | undefined) => (x === null || x === undefined ? NaN : x);

/**
 * Times ours and trading-signals' EMA(9), EMA(21), RSI(9) and ATR(9) over the same bars
 * and compares their values. trading-signals' ATR takes candle objects; those are built
 * once before timing so that only the indicators are timed.
 */
export function benchIndicators(
  closes: Float64Array,
  highs: Float64Array,
  lows: Float64Array,
): IndicatorBenchResult {
  const n = closes.length;
  if (highs.length !== n || lows.length !== n) {
    throw new RangeError(
      `benchIndicators: closes, highs and lows differ in length (${n}, ${highs.length}, ${lows.length})`,
    );
  }
  const candles: HighLowClose[] = Array.from({ length: n }, (_, i) => ({
    high: highs[i]!,
    low: lows[i]!,
    close: closes[i]!,
  }));
  const rows: IndicatorBenchRow[] = [];

  for (const period of [9, 21]) {
    const [oursRate, theirsRate] = ratePair(
      n,
      () => oursEma(closes, period),
      () => theirsEma(closes, period),
    );
    const ours = new Float64Array(n);
    const theirs = new Float64Array(n);
    const a = new Ema(period);
    const b = new EMA(period);
    for (let i = 0; i < n; i++) {
      ours[i] = orNaN(a.update(closes[i]!));
      b.add(closes[i]!);
      theirs[i] = b.isStable ? orNaN(b.getResult()) : NaN;
    }
    const from = period - 1 + settleBars(2 / (period + 1));
    rows.push({
      name: `EMA(${period})`,
      oursPerSec: oursRate,
      theirsPerSec: theirsRate,
      ratio: oursRate / theirsRate,
      maxAbsDiff: maxDiff(ours, theirs, from),
      note: `theirs seeds with the first price, ours (TA-Lib) with the SMA of ${period}; ` +
        `compared from bar ${from}, once the seed has decayed below 1e-15 of itself; ` +
        `theirs allocates a number per update, so its rate depends on the heap (about half ` +
        `in a fresh process, before the 1M candle objects built here grow the young generation)`,
    });
  }

  {
    const period = 9;
    const [oursRate, theirsRate] = ratePair(
      n,
      () => oursRsi(closes, period),
      () => theirsRsi(closes, period),
    );
    const ours = new Float64Array(n);
    const theirs = new Float64Array(n);
    const a = new Rsi(period);
    const b = new RSI(period);
    let flat = 0;
    for (let i = 0; i < n; i++) {
      ours[i] = orNaN(a.update(closes[i]!));
      theirs[i] = orNaN(b.add(closes[i]!));
      // Both averages 0: TA-Lib (ours) says 0, trading-signals 100. Leave those bars out.
      if (ours[i] === 0 && theirs[i] === 100) {
        theirs[i] = NaN;
        flat++;
      }
    }
    rows.push({
      name: `RSI(${period})`,
      oursPerSec: oursRate,
      theirsPerSec: theirsRate,
      ratio: oursRate / theirsRate,
      maxAbsDiff: maxDiff(ours, theirs, 0),
      note: `same Wilder definition; compared on every bar from the first value` +
        (flat > 0 ? ` except ${flat} flat bar(s) (TA-Lib 0, theirs 100)` : ""),
    });
  }

  {
    const period = 9;
    const [oursRate, theirsRate] = ratePair(
      n,
      () => oursAtr(highs, lows, closes, period),
      () => theirsAtr(candles, period),
    );
    const ours = new Float64Array(n);
    const theirs = new Float64Array(n);
    const a = new Atr(period);
    const b = new ATR(period);
    for (let i = 0; i < n; i++) {
      ours[i] = orNaN(a.update(highs[i]!, lows[i]!, closes[i]!));
      theirs[i] = orNaN(b.add(candles[i]!));
    }
    const from = period + settleBars(1 / period);
    rows.push({
      name: `ATR(${period})`,
      oursPerSec: oursRate,
      theirsPerSec: theirsRate,
      ratio: oursRate / theirsRate,
      maxAbsDiff: maxDiff(ours, theirs, from),
      note: `theirs counts bar 0's high-low as a true range (first value a bar earlier), ` +
        `TA-Lib does not; compared from bar ${from}, once the seed has decayed`,
    });
  }
  return { rows };
}

/** A seeded random walk of `bars` 1-minute bars on a 0.25 tick grid (mulberry32). */
export function randomWalkBars(
  bars: number,
  seed = 1,
): { closes: Float64Array; highs: Float64Array; lows: Float64Array } {
  let state = seed >>> 0;
  const rand = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const closes = new Float64Array(bars);
  const highs = new Float64Array(bars);
  const lows = new Float64Array(bars);
  let price = 5000;
  for (let i = 0; i < bars; i++) {
    const open = price;
    price += (Math.floor(rand() * 9) - 4) * 0.25;
    if (price < 100) price = 100;
    closes[i] = price;
    highs[i] = Math.max(open, price) + Math.floor(rand() * 4) * 0.25;
    lows[i] = Math.min(open, price) - Math.floor(rand() * 4) * 0.25;
  }
  return { closes, highs, lows };
}

/**
 * Per-tick cost of the session helpers: calls per second of `SessionSchedule.isNewSession`
 * and `LiquidHours.isLiquid` on `ticks` timestamps 50 ms apart (Chicago, from 2025-03-06,
 * so the run crosses session starts and the March DST change).
 */
export function benchSessionHelpers(
  ticks: number,
): { isNewSessionPerSec: number; isLiquidPerSec: number; sessions: number } {
  const timeZone = "America/Chicago";
  const start = Date.UTC(2025, 2, 6);
  const schedule = new SessionSchedule({ timeZone, starts: ["17:00"] });
  const liquid = new LiquidHours({ timeZone, windows: ["08:30-15:00", "17:00-05:15"] });
  let sessions = 0;
  let t0 = performance.now();
  for (let i = 0; i < ticks; i++) if (schedule.isNewSession(start + i * 50)) sessions++;
  const sessionMs = performance.now() - t0;
  let liquidCount = 0;
  t0 = performance.now();
  for (let i = 0; i < ticks; i++) if (liquid.isLiquid(start + i * 50)) liquidCount++;
  const liquidMs = performance.now() - t0;
  benchChecksum += liquidCount;
  return {
    isNewSessionPerSec: ticks / (sessionMs / 1000),
    isLiquidPerSec: ticks / (liquidMs / 1000),
    sessions,
  };
}

function fmtRate(x: number): string {
  return `${(x / 1e6).toFixed(1)} M/s`;
}

if (import.meta.main) {
  const bars = Number(Deno.args[0] ?? 1_000_000);
  if (!Number.isSafeInteger(bars) || bars < 100) {
    throw new RangeError(`bars must be an integer >= 100, got "${Deno.args[0]}"`);
  }
  const { closes, highs, lows } = randomWalkBars(bars);
  const { rows } = benchIndicators(closes, highs, lows);
  console.log(`${bars} bars, best of ${RUNS} runs each\n`);
  console.log(
    ["indicator", "ours", "trading-signals", "ratio", "max |diff|"].map((h) => h.padEnd(16)).join(
      "",
    ),
  );
  for (const r of rows) {
    console.log(
      [
        r.name,
        fmtRate(r.oursPerSec),
        fmtRate(r.theirsPerSec),
        `${r.ratio.toFixed(1)}x`,
        r.maxAbsDiff === null ? "-" : r.maxAbsDiff.toExponential(2),
      ].map((c) => c.padEnd(16)).join(""),
    );
  }
  console.log("");
  for (const r of rows) console.log(`${r.name}: ${r.note}`);
  const ticks = 20_000_000;
  const h = benchSessionHelpers(ticks);
  console.log(
    `\n${ticks} ticks 50 ms apart (${h.sessions} session starts crossed): ` +
      `isNewSession ${fmtRate(h.isNewSessionPerSec)}, isLiquid ${fmtRate(h.isLiquidPerSec)}`,
  );
}
