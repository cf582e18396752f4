/**
 * Price grid check: do a tick file's prices lie on the configured contract's tick grid?
 * Gold (0.1 ticks) run with MES settings (0.25) otherwise goes unnoticed: every stop and
 * target is rounded to the wrong grid and P/L uses the wrong multiplier. The check samples
 * the first prints of a file, infers the grid they lie on, and names known contracts whose
 * tick fits, so that the warning can say which settings would.
 *
 * @module
 */
import type { TickBatch } from "../types.ts";

/** A contract whose tick size the warning can suggest. */
export interface KnownContract {
  /** IB symbol. */
  symbol: string;
  /** Exchange, as IB names it. */
  exchange: string;
  /** Minimum price increment, in points. */
  tickSize: number;
  /** Currency per point per contract. */
  multiplier: number;
}

/**
 * Contracts the warning may name, by tick size. Figures from the exchanges' contract
 * specifications (CME Group, SGX; the A50 tick is 1 point since October 2020).
 */
export const KNOWN_CONTRACTS: readonly KnownContract[] = [
  { symbol: "ES", exchange: "CME", tickSize: 0.25, multiplier: 50 },
  { symbol: "MES", exchange: "CME", tickSize: 0.25, multiplier: 5 },
  { symbol: "NQ", exchange: "CME", tickSize: 0.25, multiplier: 20 },
  { symbol: "MNQ", exchange: "CME", tickSize: 0.25, multiplier: 2 },
  { symbol: "RTY", exchange: "CME", tickSize: 0.1, multiplier: 50 },
  { symbol: "M2K", exchange: "CME", tickSize: 0.1, multiplier: 5 },
  { symbol: "YM", exchange: "CBOT", tickSize: 1, multiplier: 5 },
  { symbol: "MYM", exchange: "CBOT", tickSize: 1, multiplier: 0.5 },
  { symbol: "GC", exchange: "COMEX", tickSize: 0.1, multiplier: 100 },
  { symbol: "MGC", exchange: "COMEX", tickSize: 0.1, multiplier: 10 },
  { symbol: "SI", exchange: "COMEX", tickSize: 0.005, multiplier: 5000 },
  { symbol: "CL", exchange: "NYMEX", tickSize: 0.01, multiplier: 1000 },
  { symbol: "MCL", exchange: "NYMEX", tickSize: 0.01, multiplier: 100 },
  { symbol: "NKD", exchange: "CME", tickSize: 5, multiplier: 5 },
  { symbol: "XINA50", exchange: "SGX", tickSize: 1, multiplier: 1 },
];

/**
 * Grids a price sample is tried against, coarsest first: the inferred grid is the
 * coarsest one that (nearly) every sampled price lies on.
 */
export const CANDIDATE_TICKS: readonly number[] = [
  100,
  50,
  25,
  10,
  5,
  2.5,
  2,
  1,
  0.5,
  0.25,
  0.2,
  0.1,
  0.05,
  0.03125,
  0.025,
  0.02,
  0.015625,
  0.01,
  0.0078125,
  0.005,
  0.0025,
  0.001,
  0.0005,
  0.0001,
];

/** Prints sampled by default: the first 10,000 of a file. */
export const DEFAULT_SAMPLE = 10_000;

/**
 * Off-grid prints tolerated before a mismatch is declared: more than 1% of the sample and
 * more than 3 prints. A stray print or two (a correction, a bad print) does not warn; a
 * wrong contract puts most prints off the grid.
 */
export function tolerated(sampled: number): number {
  return Math.max(3, Math.floor(sampled / 100));
}

/** What a {@linkcode GridCheck} found. */
export interface GridCheckResult {
  /** The configured tick size. */
  tickSize: number;
  /** Prints sampled. */
  sampled: number;
  /** Sampled prints off the configured grid. */
  offGrid: number;
  /** More prints off the configured grid than {@linkcode tolerated} allows. */
  mismatch: boolean;
  /** The coarsest candidate grid the sample lies on (within tolerance); undefined if none. */
  inferredTick: number | undefined;
  /** Known contracts whose tick size equals the inferred grid. */
  fits: KnownContract[];
  /**
   * Every one of at least {@linkcode COARSE_MIN_SAMPLE} prints lies on a grid at least
   * {@linkcode COARSE_FACTOR} times the configured tick: the file is likely of a contract
   * with a coarser tick (and another multiplier), which off-grid counting cannot see.
   */
  coarse: boolean;
}

/** Prints needed before a coarser grid is taken as the contract's own. */
export const COARSE_MIN_SAMPLE = 1_000;
/** How much coarser than the configured tick the prices' grid must be to warn. */
export const COARSE_FACTOR = 4;

/** Options of {@linkcode GridCheck}. */
export interface GridCheckOptions {
  /** Prints to sample (default {@linkcode DEFAULT_SAMPLE}). */
  sample?: number;
}

/**
 * Counts, over the first prints of a file, those off the configured tick grid and those
 * off each candidate grid. Feed it every batch; it stops looking once the sample is full,
 * and it allocates nothing per print.
 *
 * @example
 * ```ts
 * const check = new GridCheck(0.25);
 * for (const p of [1300.1, 1300.2, 1300.3, 1300.4, 1300.6, 1300.7]) check.push(p);
 * check.result().mismatch; // true: gold's 0.1 prints on MES's 0.25 grid
 * check.result().inferredTick; // 0.1
 * ```
 */
export class GridCheck {
  #tick: number;
  #limit: number;
  #sampled = 0;
  #off = 0;
  #offCandidate = new Float64Array(CANDIDATE_TICKS.length);

  /** A check against `tickSize` (positive and finite). */
  constructor(tickSize: number, options: GridCheckOptions = {}) {
    if (!(tickSize > 0) || !Number.isFinite(tickSize)) {
      throw new RangeError(`Tick size must be a positive number, got ${tickSize}`);
    }
    this.#tick = tickSize;
    this.#limit = options.sample ?? DEFAULT_SAMPLE;
  }

  /** True once the sample is full: further prints are ignored. */
  get full(): boolean {
    return this.#sampled >= this.#limit;
  }

  /** Looks at one price (ignored once the sample is full). */
  push(price: number): void {
    if (this.#sampled >= this.#limit) return;
    this.#sampled++;
    if (!onGrid(price, this.#tick)) this.#off++;
    for (let i = 0; i < CANDIDATE_TICKS.length; i++) {
      if (!onGrid(price, CANDIDATE_TICKS[i]!)) this.#offCandidate[i]!++;
    }
  }

  /** Looks at the prices of a batch, up to the sample size. */
  pushBatch(batch: TickBatch): void {
    const n = Math.min(batch.count, this.#limit - this.#sampled);
    for (let i = 0; i < n; i++) this.push(batch.price[i]!);
  }

  /** The findings so far. */
  result(): GridCheckResult {
    const allowed = tolerated(this.#sampled);
    let inferredTick: number | undefined;
    for (let i = 0; i < CANDIDATE_TICKS.length; i++) {
      if (this.#sampled > 0 && this.#offCandidate[i]! <= allowed) {
        inferredTick = CANDIDATE_TICKS[i];
        break;
      }
    }
    return {
      tickSize: this.#tick,
      sampled: this.#sampled,
      offGrid: this.#off,
      mismatch: this.#off > allowed,
      inferredTick,
      coarse: !(this.#off > allowed) && this.#sampled >= COARSE_MIN_SAMPLE &&
        inferredTick !== undefined && inferredTick >= COARSE_FACTOR * this.#tick * (1 - 1e-9),
      fits: inferredTick === undefined
        ? []
        : KNOWN_CONTRACTS.filter((c) => c.tickSize === inferredTick),
    };
  }
}

/**
 * True when `price` is a whole multiple of `tick`, up to binary noise (1300.1 / 0.1 is
 * 13000.999999999998).
 */
export function onGrid(price: number, tick: number): boolean {
  const x = price / tick;
  return Math.abs(x - Math.round(x)) < 1e-6;
}

/** Options of {@linkcode gridWarning}: the configured contract and where the prices come from. */
export interface GridWarningOptions {
  /** Configured symbol. */
  symbol: string;
  /** Configured multiplier. */
  multiplier: number;
  /** Where the prices come from, e.g. the file. */
  source: string;
  /**
   * What to do about prices on grid `tick` (undefined: no candidate grid fits); default: the
   * backtest's `--set contract.tick_size=...`. The simulator names its `--symbol` instead.
   */
  remedy?: (tick: number | undefined) => string;
}

function backtestRemedy(tick: number | undefined): string {
  return tick === undefined
    ? "set contract.tick_size and contract.multiplier to the file's contract"
    : `--set contract.tick_size=${tick} with the file's symbol and multiplier`;
}

/**
 * The one-line warning for a mismatch, or undefined when the prices fit the configured
 * contract. `symbol` and `multiplier` are the configured contract's, `source` the file.
 *
 * @example
 * ```ts
 * const check = new GridCheck(0.25);
 * for (let k = 0; k < 10_000; k++) check.push(1300 + (k % 1000) / 10);
 * gridWarning(check.result(), { symbol: "MES", multiplier: 5, source: "gc.csv" });
 * // "warning: 8,000 of the first 10,000 prices in gc.csv are off the 0.25 tick grid of MES
 * // (multiplier 5), so stops, targets and P/L will be wrong; they lie on a 0.1 grid:
 * // --set contract.tick_size=0.1 with the file's symbol and multiplier (0.1-tick
 * // contracts: RTY 50, M2K 5, GC 100, MGC 10)"
 * ```
 */
export function gridWarning(
  r: GridCheckResult,
  config: GridWarningOptions,
): string | undefined {
  if (!r.mismatch && !r.coarse) return undefined;
  const n = (x: number) => x.toLocaleString("en-US");
  const contract = `${config.symbol} (multiplier ${config.multiplier})`;
  const head = r.mismatch
    ? `warning: ${n(r.offGrid)} of the first ${n(r.sampled)} prices in ${config.source} are ` +
      `off the ${r.tickSize} tick grid of ${contract}, so stops, targets and P/L will be wrong`
    : `warning: the first ${n(r.sampled)} prices in ${config.source} lie on a ` +
      `${r.inferredTick} grid, ${n(r.inferredTick! / r.tickSize)} times the ${r.tickSize} tick ` +
      `of ${contract}: is the file of another contract?`;
  const set = (config.remedy ?? backtestRemedy)(r.inferredTick);
  if (r.inferredTick === undefined) return `${head}; ${set}`;
  const fits = r.fits.map((c) => `${c.symbol} ${c.multiplier}`).join(", ");
  const tail = r.mismatch ? `they lie on a ${r.inferredTick} grid: ${set}` : `if so, ${set}`;
  return `${head}; ${tail}` +
    (fits === "" ? "" : ` (${r.inferredTick}-tick contracts: ${fits})`);
}

/**
 * A {@linkcode GridCheck} over a file's batches that warns once: as soon as the sample is
 * full, or at `finish` for a shorter file. What backtest uses.
 *
 * @example
 * ```ts
 * const contract = { symbol: "MES", multiplier: 5, tick_size: 0.25 };
 * const watch = new GridWatch(contract, "ticks.csv", (line) => console.error(line));
 * // for each batch read: watch.onBatch(batch); at the end: watch.finish();
 * ```
 */
export class GridWatch {
  #check: GridCheck;
  #options: GridWarningOptions;
  #warn: (line: string) => void;
  #done = false;

  /**
   * Watches prices against `contract`'s grid; `warn` receives the one line, if any, and
   * `remedy` (see {@linkcode GridWarningOptions}) says what to do.
   */
  constructor(
    contract: { symbol: string; multiplier: number; tick_size: number },
    source: string,
    warn: (line: string) => void,
    remedy?: (tick: number | undefined) => string,
  ) {
    this.#check = new GridCheck(contract.tick_size);
    this.#options = { symbol: contract.symbol, multiplier: contract.multiplier, source };
    if (remedy !== undefined) this.#options.remedy = remedy;
    this.#warn = warn;
  }

  /** Samples a batch; warns once the sample is full. */
  onBatch(batch: TickBatch): void {
    if (this.#done) return;
    this.#check.pushBatch(batch);
    if (this.#check.full) this.finish();
  }

  /** Decides on what was sampled (once; later calls do nothing). */
  finish(): void {
    if (this.#done) return;
    this.#done = true;
    const line = gridWarning(this.#check.result(), this.#options);
    if (line !== undefined) this.#warn(line);
  }
}
