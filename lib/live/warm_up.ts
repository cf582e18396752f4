/**
 * Warm-up of the engine's event path before the live feed starts (issue 11: at 5,000 ticks/s
 * the worst tick that writes a journal event stays under 1 ms inside the bot).
 *
 * Why: V8 compiles a function the first time it runs and optimises it only after many runs.
 * The code of an entry, a fill, a stop or target move and an exit runs a few times a day, so
 * live, without a warm-up, the first trades pay for compiling it on the tick that causes
 * them (about 1 ms on the first entry). {@linkcode warmUpEngine} runs that code on a
 * throw-away engine first: the built-in `scalp` strategy on a synthetic price swing, with the
 * live config's stop, target, scale-out, fill and entry settings, so that every event kind
 * the live engine writes is produced many times.
 *
 * Nothing of it reaches the run: the throw-away engine has its own event stream (no console,
 * no dashboard), a journal that keeps nothing, the paper venue whatever `execution.venue`
 * says (no order leaves the process), and it is dropped when the function returns.
 *
 * @module
 */
import type { Config } from "../config/schema.ts";
import { Engine } from "../engine/engine.ts";
import type { JournalEvent } from "../types.ts";

/** Options for {@linkcode warmUpEngine}. */
export interface WarmUpOptions {
  /** Seconds of synthetic ticks (20 a second, 1 s bars, swings of seconds). Default 120. */
  seconds?: number;
}

/** What the warm-up ran, for logs and tests. */
export interface WarmUpResult {
  /** Synthetic ticks fed. */
  ticks: number;
  /** Bars closed. */
  bars: number;
  /** Journal events the throw-away engine produced, by kind (none are kept). */
  events: Record<string, number>;
  /** Wall time it took, ms. */
  ms: number;
  /** Why it stopped early, if it did (it never throws: the live run starts regardless). */
  error?: string;
}

/** Fixed synthetic start: a Tuesday 15:00 UTC (any instant does: every hour is liquid). */
const T0 = Date.UTC(2024, 0, 2, 15, 0, 0);
const TICKS_PER_SECOND = 20;
/**
 * Two swings (amplitude in ticks, period in ms) whose periods do not divide the bar: a
 * single one repeats every few bars and the indicators settle into a cycle without signals.
 */
const SWINGS: readonly [number, number][] = [[12, 2700], [10, 11_300]];

/**
 * The live config, changed so that trades happen within seconds: 1 s bars, short
 * indicators, the built-in strategy both ways with no filter, any hour liquid, the paper
 * venue, a target a few ticks away. The managers (stop and target modes, scale-out), fills,
 * entry trigger and order type stay the live ones, so their code is what gets warm.
 */
export function warmUpConfig(config: Config): Config {
  const c = structuredClone(config);
  const tick = c.contract.tick_size;
  c.bars = { ...c.bars, seconds: 1 };
  c.indicators = {
    ...c.indicators,
    ema_fast: 2,
    ema_slow: 3,
    rsi_period: 2,
    atr_period: 2,
    rvol_lookback: 2,
    rvol_threshold: 0,
  };
  c.strategy = {
    ...c.strategy,
    name: "scalp",
    params: {},
    long: true,
    short: true,
    rsi_long_min: 0,
    rsi_short_max: 100,
    overbought_filter: false,
    pullback_to: "ema_fast",
    calibration_bars: 3,
  };
  // Only the built-in strategy: a user module is not run before the user's own start.
  delete c.strategy.module;
  c.risk = { ...c.risk, target_points: 4 * tick };
  c.session = { ...c.session, liquid_hours: [] };
  c.live = { ...c.live, flatten_minutes: 0 };
  const { max_position: _max, daily_loss_limit: _loss, kill_file: _kill, ...execution } =
    c.execution;
  c.execution = { ...execution, venue: "paper" };
  return c;
}

/**
 * Runs the engine's bar, entry, fill, stop/target and exit code on a throw-away engine, so
 * that the live engine's first trades do not pay for compiling it. Takes some tens of ms;
 * call it before the live feed starts.
 *
 * @example
 * ```ts
 * import { defaultConfig } from "../config/defaults.ts";
 * const r = warmUpEngine(defaultConfig());
 * r.events.ENTRY! > 0 && r.events.EXIT! > 0; // true
 * ```
 */
export function warmUpEngine(config: Config, options: WarmUpOptions = {}): WarmUpResult {
  const started = performance.now();
  try {
    return run(warmUpConfig(config), options, started);
  } catch (e) {
    // Only an optimisation: whatever went wrong, the live run starts as it would without it.
    return { ticks: 0, bars: 0, events: {}, ms: performance.now() - started, error: String(e) };
  }
}

function run(c: Config, options: WarmUpOptions, started: number): WarmUpResult {
  const events: Record<string, number> = {};
  const journal = {
    write(e: JournalEvent): void {
      events[e.kind] = (events[e.kind] ?? 0) + 1;
    },
  };
  const engine = new Engine({ config: c, journal, runId: "WARMUP" });
  engine.start({ time: T0, version: "warm-up", configDigest: "warm-up", source: "warm-up" });
  const tick = c.contract.tick_size;
  const base = Math.round(1000 / tick) * tick;
  const count = Math.round((options.seconds ?? 120) * TICKS_PER_SECOND);
  const step = 1000 / TICKS_PER_SECOND;
  for (let i = 0; i < count; i++) {
    const ts = T0 + i * step;
    let swing = 0;
    for (const [amplitude, period] of SWINGS) {
      swing += amplitude * Math.sin((2 * Math.PI * (i * step)) / period);
    }
    engine.onTick(ts, base + Math.round(swing) * tick, 1 + (i % 3));
    // The live bar timer's path: closes a bar whose end has passed without a new tick.
    if (i % TICKS_PER_SECOND === TICKS_PER_SECOND - 1) {
      engine.closeDueBars(ts);
      engine.flattenDue(ts);
    }
  }
  const end = T0 + count * step;
  engine.finish("END", "END_OF_DATA", end);
  return { ticks: count, bars: engine.stats.bars, events, ms: performance.now() - started };
}
