/**
 * Deterministic synthetic futures tape: a seeded stream of trades whose prices sit on the
 * contract's tick grid, with trending and ranging regimes, an intraday volume profile,
 * bursts and quiet spells, long-tailed sizes, a daily break and closed weekends.
 *
 * Model, in short (all price quantities in ticks):
 * - A latent fair value moves by a regime drift (trends: 1.5-5 ticks/min, in impulse and
 *   pullback legs; ranges: mean reversion to the range's centre, half-life ~2 min) plus
 *   per-trade noise. Trades print at the bid (floor of fair) or the ask (bid + 1),
 *   buyers more likely in the drift's direction, so the tape bounces like a 1-tick book.
 * - Arrivals are Poisson with a piecewise-constant rate: `intensity` x the calendar's
 *   activity (U shape in liquid hours, light overnight) x regime x spell. Bursts multiply
 *   the rate 8-30x for 1-10 s and push the price; quiet spells stop trading for 8-60 s.
 * - Rates change only at segment ends (minute boundaries, regime, leg and spell
 *   switches); the exponential gap is memoryless, so redrawing at a boundary is exact.
 *
 * @module
 */
import { tickDecimals } from "../market/prices.ts";
import type { Tick, TickBatch } from "../types.ts";
import { assertTimeZone, localParts, zonedTimeToUtc } from "../time/zone.ts";
import { Random } from "./random.ts";
import { type LocalWindow, SessionCalendar } from "./session_profile.ts";

/** Options of {@linkcode TickGenerator}. */
export interface TickGeneratorOptions {
  /** PRNG seed (safe integer); the same options give the same stream. */
  seed: number;
  /** First possible trade time, epoch ms UTC (moved to the next open minute if closed). */
  startMs: number;
  /** Stream end, exclusive, epoch ms UTC; endless when absent. */
  endMs?: number | undefined;
  /** Minimum price increment, e.g. 0.25. */
  tickSize: number;
  /** Starting price; snapped to the tick grid. */
  startPrice: number;
  /** IANA zone of the session times, e.g. America/Chicago. */
  timeZone: string;
  /** Daily break with no trades, e.g. `{ start: "16:00", end: "17:00" }` (CME). */
  sessionBreak?: LocalWindow | undefined;
  /** Weekend closure; defaults to true when `sessionBreak` is given. */
  closedWeekends?: boolean | undefined;
  /** Regular session, e.g. `{ start: "08:30", end: "15:00" }`: U-shaped volume. */
  liquidHours?: LocalWindow | undefined;
  /** Activity outside liquid hours relative to liquid midday (default 0.12). */
  overnightFactor?: number | undefined;
  /** Mean trades per second at the base of the profile (liquid midday); default 4. */
  intensity?: number | undefined;
  /** Scales every price move (drifts, noise, impulses); default 1. */
  volatility?: number | undefined;
}

const MINUTE_MS = 60_000;
const MAX_SIZE = 500;
/** Per-trade noise is scaled so that one second at activity 1 has this std, in ticks. */
const NOISE_PER_SQRT_SECOND = 0.39;
/** Range mean reversion rate per ms: half-life ln2 * 180 s ~ 2 min. */
const RANGE_KAPPA = 1 / 180_000;

const RANGE = 0;
const TREND = 1;
const NO_SPELL = 0;
const BURST = 1;
const QUIET = 2;

function checkPositive(value: number | undefined, name: string): void {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
    throw new RangeError(`TickGenerator: ${name} must be a positive finite number, got ${value}`);
  }
}

/**
 * Seeded, endless (or `endMs`-bounded) stream of synthetic trades.
 *
 * @example
 * ```ts
 * const gen = new TickGenerator(demoSession(1));
 * const first = gen.next(); // { ts, price, size } or undefined at the end
 * ```
 */
export class TickGenerator {
  #rng: Random;
  #calendar: SessionCalendar;
  #timeZone: string;
  #tickUnits: number;
  #scale: number;
  #intensityPerMs: number;
  #vol: number;
  #sigmaPerTrade: number;
  #endMs: number;

  // Clock and segment.
  #t: number;
  #segEnd = 0;
  #minuteEnd = 0;
  #activity = 1;
  #closed = false;

  // Price state, in ticks.
  #fair: number;
  #anchor: number;
  #lastEvolve: number;

  // Regime and leg.
  #regime = RANGE;
  #regimeEnd = 0;
  #trendDir = 1;
  #trendDrift = 0;
  #center = 0;
  #legFactor = 1;
  #legEnd = Infinity;

  // Spells.
  #spell = NO_SPELL;
  #spellEnd = Infinity;
  #spellMult = 1;
  #burstDrift = 0;
  #nextBurstAt = Infinity;
  #nextQuietAt = Infinity;

  // Derived per segment.
  #lambda = 0;
  #drift = 0;
  #kappa = 0;
  #buyP = 0.5;
  #alpha = 1.2;

  // One tick of look-ahead, so `untilMs` can stop before a tick without losing it.
  #has = false;
  #done = false;
  #nTs = 0;
  #nPrice = 0;
  #nSize = 0;

  /** Validates options (RangeError/SyntaxError naming the field) and seeds the stream. */
  constructor(options: TickGeneratorOptions) {
    if (!Number.isFinite(options.startMs)) {
      throw new RangeError(`TickGenerator: startMs must be finite, got ${options.startMs}`);
    }
    if (options.endMs !== undefined && !(options.endMs >= options.startMs)) {
      throw new RangeError(
        `TickGenerator: endMs ${options.endMs} is before startMs ${options.startMs}`,
      );
    }
    checkPositive(options.tickSize, "tickSize");
    checkPositive(options.startPrice, "startPrice");
    checkPositive(options.intensity, "intensity");
    checkPositive(options.volatility, "volatility");
    assertTimeZone(options.timeZone);
    this.#rng = new Random(options.seed);
    this.#calendar = new SessionCalendar({
      sessionBreak: options.sessionBreak,
      closedWeekends: options.closedWeekends,
      liquidHours: options.liquidHours,
      overnightFactor: options.overnightFactor,
    });
    this.#timeZone = options.timeZone;
    // Price = ticks * tickUnits / scale: integer arithmetic, then one exact-decimal division.
    this.#scale = 10 ** tickDecimals(options.tickSize);
    this.#tickUnits = Math.round(options.tickSize * this.#scale);
    const intensity = options.intensity ?? 4;
    this.#intensityPerMs = intensity / 1000;
    this.#vol = options.volatility ?? 1;
    // Noise per trade shrinks with the base rate so volatility does not depend on intensity.
    this.#sigmaPerTrade = (NOISE_PER_SQRT_SECOND * this.#vol) / Math.sqrt(intensity);
    this.#endMs = options.endMs ?? Infinity;
    this.#t = Math.ceil(options.startMs);
    this.#lastEvolve = this.#t;
    this.#fair = Math.max(1, Math.round(options.startPrice / options.tickSize)) + 0.5;
    this.#anchor = this.#fair;
    this.#startRegime(RANGE);
    this.#control();
  }

  /** Exclusive end of the stream (epoch ms), or undefined when endless. */
  get endMs(): number | undefined {
    return this.#endMs === Infinity ? undefined : this.#endMs;
  }

  /** True once the stream has ended (only with `endMs`). */
  get done(): boolean {
    if (!this.#has && !this.#done) this.#done = !this.#advance();
    return this.#done;
  }

  /** Time of the next tick without consuming it, or undefined at the end. */
  peekTs(): number | undefined {
    if (this.done) return undefined;
    return this.#nTs;
  }

  /** Next trade, or undefined once `endMs` is reached. */
  next(): Tick | undefined {
    if (this.done) return undefined;
    this.#has = false;
    return { ts: this.#nTs, price: this.#nPrice, size: this.#nSize };
  }

  /**
   * Fills `batch` from index 0 with up to `maxCount` ticks (default: its capacity),
   * stopping before the first tick at or after `untilMs` (that tick is kept for later).
   * Sets and returns `batch.count`; 0 means the end, or nothing before `untilMs`.
   */
  fillBatch(batch: TickBatch, maxCount: number = batch.ts.length, untilMs = Infinity): number {
    const max = Math.min(maxCount, batch.ts.length, batch.price.length, batch.size.length);
    let n = 0;
    while (n < max) {
      if (!this.#has) {
        if (this.#done || !this.#advance()) {
          this.#done = true;
          break;
        }
      }
      if (this.#nTs >= untilMs) break;
      batch.ts[n] = this.#nTs;
      batch.price[n] = this.#nPrice;
      batch.size[n] = this.#nSize;
      this.#has = false;
      n++;
    }
    batch.count = n;
    return n;
  }

  /** Iterates the remaining ticks (endless without `endMs`). */
  *[Symbol.iterator](): Generator<Tick, void, undefined> {
    for (;;) {
      const tick = this.next();
      if (tick === undefined) return;
      yield tick;
    }
  }

  /** Computes the next tick into the look-ahead slot; false at the end of the stream. */
  #advance(): boolean {
    const rng = this.#rng;
    let t: number;
    for (;;) {
      t = this.#lambda > 0 ? this.#t + rng.exponential(this.#lambda) : Infinity;
      if (t < this.#segEnd) break;
      this.#evolve(this.#segEnd);
      this.#t = this.#segEnd;
      if (this.#t >= this.#endMs) return false;
      this.#control();
    }
    this.#t = t;
    this.#evolve(t);
    this.#fair += this.#sigmaPerTrade * rng.normal();
    if (this.#fair < 1) this.#fair = 1;
    const bid = Math.floor(this.#fair);
    const ticks = rng.float() < this.#buyP ? bid + 1 : bid;
    this.#nTs = Math.floor(t);
    this.#nPrice = (ticks * this.#tickUnits) / this.#scale;
    this.#nSize = rng.paretoInt(this.#alpha, MAX_SIZE);
    this.#has = true;
    return true;
  }

  /** Applies drift and mean reversion from the last update to `t`. */
  #evolve(t: number): void {
    const dt = t - this.#lastEvolve;
    if (dt <= 0) return;
    this.#fair += this.#drift * dt;
    if (this.#kappa > 0) {
      const k = this.#kappa * dt;
      this.#fair += (this.#center - this.#fair) * (k < 1 ? k : 1);
    }
    this.#lastEvolve = t;
  }

  /** At a segment end: update calendar, regime, leg and spells; derive the next segment. */
  #control(): void {
    const rng = this.#rng;
    if (this.#t >= this.#minuteEnd) {
      this.#enterMinute();
      if (this.#closed) this.#skipClosed();
      // Memoryless schedules: redraw each minute at the minute's rates.
      if (this.#spell === NO_SPELL) this.#scheduleSpells();
    }
    const now = this.#t;
    if (now >= this.#regimeEnd) {
      const next = this.#regime === TREND
        ? (rng.chance(0.7) ? RANGE : TREND)
        : (rng.chance(0.75) ? TREND : RANGE);
      this.#startRegime(next);
    }
    if (this.#regime === TREND && now >= this.#legEnd) this.#startLeg(this.#legFactor < 0);
    if (this.#spell !== NO_SPELL && now >= this.#spellEnd) {
      this.#spell = NO_SPELL;
      this.#spellMult = 1;
      this.#burstDrift = 0;
      this.#spellEnd = Infinity;
      this.#scheduleSpells();
    }
    if (this.#spell === NO_SPELL) {
      if (now >= this.#nextBurstAt) this.#startBurst();
      else if (now >= this.#nextQuietAt) this.#startQuiet();
    }
    this.#derive();
  }

  #enterMinute(): void {
    const minuteStart = Math.floor(this.#t / MINUTE_MS) * MINUTE_MS;
    this.#minuteEnd = minuteStart + MINUTE_MS;
    const p = localParts(minuteStart, this.#timeZone);
    this.#closed = this.#calendar.isClosed(p.minuteOfDay, p.weekday);
    this.#activity = this.#calendar.activity(p.minuteOfDay);
  }

  /** Jumps to the first open minute, with an opening gap and fresh regime and spells. */
  #skipClosed(): void {
    // Minute steps: a weekend is ~2,900 cheap calendar look-ups, and DST needs no care.
    while (this.#closed) {
      if (this.#minuteEnd >= this.#endMs) {
        this.#t = this.#endMs;
        return;
      }
      this.#t = this.#minuteEnd;
      this.#enterMinute();
    }
    this.#lastEvolve = this.#t;
    this.#fair += this.#rng.normal(0, 3 * this.#vol);
    if (this.#fair < 1) this.#fair = 1;
    this.#spell = NO_SPELL;
    this.#spellMult = 1;
    this.#burstDrift = 0;
    this.#spellEnd = Infinity;
    this.#startRegime(RANGE);
  }

  #scheduleSpells(): void {
    const a = this.#activity;
    const now = this.#t;
    // Bursts: one per ~2.5 min at activity 1, more when busy.
    this.#nextBurstAt = now + this.#rng.exponential(a / 150_000);
    // Quiet spells: one per ~15 min at activity 1, far likelier when thin (capped 1/90 s).
    this.#nextQuietAt = now + this.#rng.exponential(Math.min(1 / 90_000, 1 / (900_000 * a * a)));
  }

  #startBurst(): void {
    const rng = this.#rng;
    const seconds = Math.min(10, 1 + rng.exponential(0.5));
    this.#spell = BURST;
    this.#spellEnd = this.#t + seconds * 1000;
    this.#spellMult = rng.uniform(8, 30);
    const dir = this.#regime === TREND
      ? (rng.chance(0.75) ? this.#trendDir : -this.#trendDir)
      : (rng.chance(0.5) ? 1 : -1);
    this.#burstDrift = (dir * rng.uniform(1, 5) * this.#vol) / (seconds * 1000);
    this.#nextBurstAt = Infinity;
    this.#nextQuietAt = Infinity;
  }

  #startQuiet(): void {
    const seconds = Math.min(60, 8 + this.#rng.exponential(1 / 15));
    this.#spell = QUIET;
    this.#spellEnd = this.#t + seconds * 1000;
    this.#spellMult = 0;
    this.#burstDrift = 0;
    this.#nextBurstAt = Infinity;
    this.#nextQuietAt = Infinity;
  }

  #startRegime(regime: number): void {
    const rng = this.#rng;
    this.#regime = regime;
    if (regime === TREND) {
      // Lean towards the start price so an endless stream stays in a sane band.
      const dev = (this.#fair - this.#anchor) / (0.02 * this.#anchor);
      this.#trendDir = rng.chance(0.5 - 0.35 * Math.tanh(dev)) ? 1 : -1;
      this.#trendDrift = (rng.uniform(1.5, 5) * this.#vol) / MINUTE_MS;
      this.#regimeEnd = this.#t + Math.min(30, 3 + rng.exponential(1 / 8)) * MINUTE_MS;
      this.#startLeg(true);
    } else {
      this.#center = this.#fair;
      this.#legFactor = 1;
      this.#legEnd = Infinity;
      this.#regimeEnd = this.#t + Math.min(40, 5 + rng.exponential(1 / 10)) * MINUTE_MS;
    }
  }

  /** Trend legs: impulses (1.7x drift, 30-150 s) alternate with pullbacks (-0.8x, 15-60 s). */
  #startLeg(impulse: boolean): void {
    const rng = this.#rng;
    this.#legFactor = impulse ? 1.7 : -0.8;
    this.#legEnd = this.#t + (impulse ? rng.uniform(30, 150) : rng.uniform(15, 60)) * 1000;
  }

  #derive(): void {
    const a = this.#activity;
    const trend = this.#regime === TREND;
    this.#lambda = this.#closed
      ? 0
      : this.#intensityPerMs * a * (trend ? 1.25 : 0.85) * this.#spellMult;
    // Drift scales with sqrt(activity): thin overnight tape trends more slowly.
    const trendDrift = trend ? this.#trendDir * this.#trendDrift * this.#legFactor : 0;
    this.#drift = trendDrift * Math.sqrt(a) + this.#burstDrift;
    this.#kappa = trend ? 0 : RANGE_KAPPA;
    const perMinute = this.#drift * MINUTE_MS;
    this.#buyP = 0.5 + 0.35 * Math.tanh(perMinute / 6);
    this.#alpha = this.#spell === BURST ? 1.0 : 1.2;
    let end = this.#minuteEnd;
    if (this.#regimeEnd < end) end = this.#regimeEnd;
    if (trend && this.#legEnd < end) end = this.#legEnd;
    if (this.#spell !== NO_SPELL) {
      if (this.#spellEnd < end) end = this.#spellEnd;
    } else {
      if (this.#nextBurstAt < end) end = this.#nextBurstAt;
      if (this.#nextQuietAt < end) end = this.#nextQuietAt;
    }
    if (this.#endMs < end) end = this.#endMs;
    this.#segEnd = end;
  }
}

/** Options of {@linkcode generateSession}: generator options plus a tick cap. */
export interface GenerateSessionOptions extends TickGeneratorOptions {
  /** Stop after this many ticks (required when `endMs` is absent). */
  maxTicks?: number | undefined;
}

/**
 * Generates a bounded session as an array (convenient in tests; use
 * {@linkcode TickGenerator.fillBatch} for volume).
 *
 * @example
 * ```ts
 * const ticks = generateSession(demoSession(7));
 * ```
 */
export function generateSession(options: GenerateSessionOptions): Tick[] {
  const max = options.maxTicks ?? Infinity;
  if (options.endMs === undefined && !Number.isFinite(max)) {
    throw new RangeError("generateSession: needs endMs or maxTicks, or it would never end");
  }
  const gen = new TickGenerator(options);
  const out: Tick[] = [];
  while (out.length < max) {
    const tick = gen.next();
    if (tick === undefined) break;
    out.push(tick);
  }
  return out;
}

/**
 * Options for an MES-like demo session: tick 0.25 at ~5000, America/Chicago, CME break
 * 16:00-17:00, liquid hours 08:30-15:00, from the RTH open on Monday 2025-02-17 08:30 to
 * 12:00 Chicago (3.5 h: a busy open, then a quieter late morning).
 *
 * @example
 * ```ts
 * const gen = new TickGenerator(demoSession(3));
 * ```
 */
export function demoSession(seed = 1): TickGeneratorOptions {
  const timeZone = "America/Chicago";
  return {
    seed,
    startMs: zonedTimeToUtc(2025, 2, 17, 8, 30, timeZone),
    endMs: zonedTimeToUtc(2025, 2, 17, 12, 0, timeZone),
    tickSize: 0.25,
    startPrice: 5000,
    timeZone,
    sessionBreak: { start: "16:00", end: "17:00" },
    liquidHours: { start: "08:30", end: "15:00" },
    intensity: 4,
  };
}
