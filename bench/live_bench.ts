/**
 * Live-mode benchmark: tick-to-journal latency through the simulator, the wire and the real
 * client, and memory over a long accelerated session.
 * Run: `deno run -A --v8-flags=--expose-gc bench/live_bench.ts` (or from `deno task bench`).
 *
 * Latency, per tick, every instant on `performance.now()` (simulator and client share this
 * process and its event loop): the tick's scheduled send on the simulator's clock (speed 1,
 * a tick recorded at `ts` is due at `ts + shiftMs`), the moment the simulator's pump takes
 * it, the moment the adapter delivers it to the runner, and the engine's return (a journal
 * write queues the event; it is posted to the writer thread when the task ends). The spans: end to end; simulator timer lateness (its pump runs on
 * `setTimeout`, 1 ms granularity); wire (socket, event loop, client decoding, including the
 * ticks decoded before it from the same read); and the bot's own. Wire stamps are whole
 * seconds, so each tick carries its index in its size to find its recorded time.
 *
 * Memory: a generated session streamed at max speed (no tick array held), heap and RSS
 * sampled every 250 ms against ticks processed; reports first / middle / last samples and
 * the least-squares slope of heap per million ticks. The simulator runs in the same process
 * with its history capped at 100,000 trades, so its share is flat.
 *
 * @module
 */
import type { TickSource } from "../lib/sim/feed.ts";
import { startSimulator } from "../lib/sim/server.ts";
import { configSchema } from "../lib/config/schema.ts";
import { LiveRunner } from "../lib/live/runner.ts";
import { BackgroundJournal } from "../lib/journal/background.ts";
import type { JournalEvent } from "../lib/types.ts";
import { journalFormatOptions } from "../lib/cli/console.ts";
import { demoSession, TickGenerator } from "../lib/gen/generator.ts";
import type { Tick } from "../lib/types.ts";

/** Median and 99th percentile of one latency span, microseconds. */
export interface Percentiles {
  p50Us: number;
  p99Us: number;
}

/** Result of one latency measurement; every span on `performance.now()`. */
export interface LiveLatency {
  /** Ticks per second replayed. */
  rate: number;
  /** Ticks measured. */
  ticks: number;
  /** End to end: the simulator's scheduled send -> engine and journal done. */
  p50Us: number;
  p99Us: number;
  /** Scheduled send -> the simulator's pump takes the tick (its timer lateness). */
  simulator: Percentiles;
  /** Taken by the pump -> the adapter delivers it (socket, event loop, client decoding). */
  wire: Percentiles;
  /** The bot's own: the adapter delivers the tick -> engine and journal done. */
  bot: Percentiles;
  /** Worst bot span of any tick, microseconds. */
  botMaxUs: number;
  /**
   * The bot span of the ticks that wrote a journal event (entry, fill, stop or target move,
   * exit); `firstUs`: the first of them (the coldest code, without a warm-up).
   */
  eventTicks: { count: number; p50Us: number; p99Us: number; maxUs: number; firstUs: number };
  /** Journal lines written (on disk, `background` durability). */
  journalLines: number;
  /** ENTRY and EXIT events among them. */
  entries: number;
  exits: number;
  /** Bars closed. */
  bars: number;
}

/** One memory sample. */
export interface MemorySample {
  ticks: number;
  heapMb: number;
  rssMb: number;
}

/** Memory over a long session. */
export interface LiveMemory {
  ticks: number;
  samples: MemorySample[];
  first: MemorySample;
  middle: MemorySample;
  last: MemorySample;
  /** Least-squares slope of heap MB per million ticks (flat: near 0). */
  heapSlopeMbPerMTicks: number;
  rssSlopeMbPerMTicks: number;
}

const quiet = { info() {}, debug() {}, warn() {} };

function percentiles(xs: Float64Array): Percentiles {
  const s = xs.slice().sort();
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]! * 1000;
  return { p50Us: q(0.5), p99Us: q(0.99) };
}

/**
 * Replays `count` ticks at `rate`/s and measures, per tick, the scheduled send, the moment
 * the simulator's pump takes it, the adapter's delivery and the engine's return.
 */
export async function measureLiveLatency(
  rate: number,
  count: number,
  options: { warmUp?: boolean } = {},
): Promise<LiveLatency> {
  const base = demoSession(1);
  const ticks: Tick[] = [];
  const step = 1000 / rate;
  // Two seconds of lead so the subscription is in place before the burst.
  const t0 = base.startMs + 2000;
  // A 3 s swing of +-4 points on the 0.25 grid, plus a slower 11.3 s one: with 1 s bars and
  // short indicators, trades open and close every few seconds, so the journal is written
  // while ticks stream (the 3 s swing alone repeats every 3 bars and its signals die out).
  for (let i = 0; i < count; i++) {
    const ts = t0 + i * step;
    const swing = 16 * Math.sin((2 * Math.PI * (ts - t0)) / 3000) +
      10 * Math.sin((2 * Math.PI * (ts - t0)) / 11_300);
    ticks.push({ ts, price: 5000 + Math.round(swing) * 0.25, size: i + 1 });
  }
  // The pump calls `next()` right after handing tick i-1 to the sessions: that call's time
  // is when tick i-1 was taken.
  const taken = new Float64Array(count + 1);
  let nextIndex = 0;
  const source: TickSource = {
    next: () => {
      taken[nextIndex] = performance.now();
      return ticks[nextIndex++];
    },
  };
  // performance.now() gives the simulator clock sub-millisecond resolution.
  const wall0 = performance.now();
  const sim = await startSimulator({
    port: 0,
    source,
    speed: 1,
    clock: { now: () => base.startMs + (performance.now() - wall0) },
    logger: quiet,
    pacing: false,
  });
  const config = configSchema.parse({
    ib: { port: sim.port, max_req_per_sec: 50 },
    live: { warmup: "off", watchdog_ms: 0, contract_hours: false, timer_ms: 50 },
    bars: { seconds: 1 },
    indicators: {
      ema_fast: 2,
      ema_slow: 3,
      rsi_period: 2,
      atr_period: 2,
      rvol_lookback: 2,
      rvol_threshold: 0,
      vwap: false,
    },
    strategy: { short: true, calibration_bars: 3, rsi_long_min: 0, rsi_short_max: 100 },
    risk: { target_points: 1 },
  });
  // The real journal on disk, written as `scalpbot live` writes it (on a worker thread).
  const journalPath = await Deno.makeTempFile({ prefix: "scalpbot_live_bench_" });
  const file = BackgroundJournal.open(journalPath, journalFormatOptions(config));
  let wrote = false;
  const kinds = new Map<string, number>();
  const journal = {
    write(e: JournalEvent) {
      wrote = true;
      kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1);
      file.write(e);
    },
    durable: () => file.durable(),
  };
  const sched: number[] = [];
  const took: number[] = [];
  const received: number[] = [];
  const done: number[] = [];
  const eventTick: boolean[] = [];
  let receivedAt = 0;
  const runner = new LiveRunner({
    config,
    journal,
    runId: "BENCH",
    clock: { now: () => sim.now() },
    version: "bench",
    configDigest: "bench",
    onTickReceived: () => {
      receivedAt = performance.now();
    },
    ...(options.warmUp === undefined ? {} : { warmUp: options.warmUp }),
  });
  const wrap = () => {
    const e = runner.engine;
    if (e === undefined) return false;
    const orig = e.onTick.bind(e);
    e.onTick = (ts, p, s) => {
      wrote = false;
      orig(ts, p, s);
      const end = performance.now();
      const recorded = ticks[s - 1]?.ts;
      if (recorded === undefined) return;
      // Simulator time -> performance.now(): the simulator clock is wall0-based.
      sched.push(recorded + sim.shiftMs - base.startMs + wall0);
      took.push(taken[s]!);
      received.push(receivedAt);
      done.push(end);
      eventTick.push(wrote);
    };
    return true;
  };
  runner.start();
  while (!wrap()) await new Promise((r) => setTimeout(r, 5));
  await sim.replayDone();
  await new Promise((r) => setTimeout(r, 300));
  runner.stop("END_OF_DATA", "END");
  await sim.close();
  await file.durable();
  file.close();
  const journalLines = (await Deno.readTextFile(journalPath)).split("\n").length - 1;
  await Deno.remove(journalPath);
  const span = (from: number[], to: number[]) => Float64Array.from(to, (t, i) => t - from[i]!);
  const total = percentiles(span(sched, done));
  const bot = span(received, done);
  const onEvent = bot.filter((_, i) => eventTick[i]!);
  const max = (xs: Float64Array) => xs.reduce((a, b) => Math.max(a, b), 0) * 1000;
  return {
    rate,
    ticks: done.length,
    ...total,
    simulator: percentiles(span(sched, took)),
    wire: percentiles(span(took, received)),
    bot: percentiles(bot),
    botMaxUs: max(bot),
    eventTicks: {
      count: onEvent.length,
      ...percentiles(onEvent),
      maxUs: max(onEvent),
      firstUs: (onEvent[0] ?? NaN) * 1000,
    },
    journalLines,
    entries: kinds.get("ENTRY") ?? 0,
    exits: kinds.get("EXIT") ?? 0,
    bars: runner.engine?.stats.bars ?? 0,
  };
}

/** One line per latency result, with its decomposition (milliseconds). */
export function formatLatency(l: LiveLatency): string {
  const f = (us: number) => (us / 1000).toFixed(3);
  const pp = (p: Percentiles) => `p50 ${f(p.p50Us)} / p99 ${f(p.p99Us)}`;
  const ev = l.eventTicks;
  const goal = l.rate === 5000
    ? ` (goal: the worst tick that writes an event < 1 ms inside the bot: ${
      ev.maxUs < 1000 ? "met" : "NOT met"
    })`
    : "";
  return `at ${l.rate}/s, ${l.ticks} ticks, ${l.bars} bars, ${l.entries} entries, ${l.exits} exits, ` +
    `${l.journalLines} journal lines on disk:\n  inside the bot (adapter -> engine and journal ` +
    `written): all ticks ${pp(l.bot)} / worst ${f(l.botMaxUs)} ms; the ${ev.count} ticks that ` +
    `wrote an event: first ${f(ev.firstUs)} / p50 ${f(ev.p50Us)} / p99 ${f(ev.p99Us)} / worst ${
      f(ev.maxUs)
    } ms${goal}` +
    `\n  end to end ${pp(l)} ms` +
    `\n  spans (percentiles of each, so they need not add up): simulator timer ${pp(l.simulator)}` +
    ` ms, wire and client decode ${pp(l.wire)} ms, bot (adapter -> engine and journal) ` +
    `${pp(l.bot)} ms`;
}

function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** Streams about `count` generated ticks at max speed through live mode, sampling memory. */
export async function measureLiveMemory(count: number): Promise<LiveMemory> {
  const base = demoSession(2);
  const gen = new TickGenerator({ ...base, endMs: undefined });
  let produced = 0;
  const source: TickSource = {
    next: () => (produced++ < count ? gen.next() : undefined),
  };
  const sim = await startSimulator({
    port: 0,
    source,
    speed: "max",
    clock: { now: () => base.startMs },
    logger: quiet,
    maxHistoryTicks: 100_000,
  });
  const config = configSchema.parse({
    ib: { port: sim.port, max_req_per_sec: 50 },
    live: { warmup: "off", watchdog_ms: 0, grace_ms: 60_000 },
  });
  const runner = new LiveRunner({
    config,
    journal: { write() {} },
    runId: "MEM",
    clock: { now: () => base.startMs },
    version: "bench",
    configDigest: "bench",
  });
  const gc = (globalThis as { gc?: () => void }).gc;
  const samples: MemorySample[] = [];
  const sample = () => {
    gc?.();
    const m = Deno.memoryUsage();
    const e = runner.engine?.stats;
    samples.push({
      ticks: e === undefined ? 0 : e.ticks + e.zeroSize,
      heapMb: m.heapUsed / 2 ** 20,
      rssMb: m.rss / 2 ** 20,
    });
  };
  runner.start();
  const probe = setInterval(sample, 250);
  await sim.replayDone();
  await new Promise((r) => setTimeout(r, 500));
  clearInterval(probe);
  sample();
  runner.stop("END_OF_DATA", "END");
  await sim.close();
  // Slope over the samples after the first tenth of the run (start-up allocations excluded).
  const steady = samples.filter((s) => s.ticks >= count * 0.1);
  const xs = steady.map((s) => s.ticks / 1e6);
  return {
    ticks: samples.at(-1)!.ticks,
    samples,
    first: steady[0] ?? samples[0]!,
    middle: steady[Math.floor(steady.length / 2)] ?? samples[0]!,
    last: samples.at(-1)!,
    heapSlopeMbPerMTicks: slope(xs, steady.map((s) => s.heapMb)),
    rssSlopeMbPerMTicks: slope(xs, steady.map((s) => s.rssMb)),
  };
}

/** Every live figure of `deno task bench`: latency at 1k, 5k and 20k ticks/s, and memory. */
export async function benchLive(
  options: { memoryTicks?: number; seconds?: number } = {},
): Promise<{ latency: LiveLatency[]; memory: LiveMemory }> {
  const latency: LiveLatency[] = [];
  for (const rate of [1000, 5000, 20000]) {
    // The 5,000/s run, the goal's, is the longest: more trades, so more event ticks.
    const seconds = options.seconds ?? (rate === 5000 ? 15 : 6);
    latency.push(await measureLiveLatency(rate, rate * seconds));
  }
  const memory = await measureLiveMemory(options.memoryTicks ?? 1_500_000);
  return { latency, memory };
}

/** The latency run of one fresh process (`--one RATE SECONDS on|off`), parsed. */
async function latencyInFreshProcess(
  rate: number,
  seconds: number,
  warmUp: boolean,
): Promise<LiveLatency> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL(import.meta.url).pathname,
      "--one",
      String(rate),
      String(seconds),
      warmUp ? "on" : "off",
    ],
    env: { DENO_NO_UPDATE_CHECK: "1" },
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`live bench process failed (${out.code})`);
  return JSON.parse(new TextDecoder().decode(out.stdout)) as LiveLatency;
}

/**
 * The warm-up's effect (lib/live/warm_up.ts): `pairs` fresh processes with it and without it,
 * alternating, each one latency run at `rate` (a fresh process: its JIT is cold, as a live
 * start's). Medians over the processes of the event ticks' worst and first spans, in µs.
 */
export async function benchWarmUp(
  rate = 5000,
  seconds = 15,
  pairs = 5,
): Promise<{ on: LiveLatency[]; off: LiveLatency[] }> {
  const on: LiveLatency[] = [];
  const off: LiveLatency[] = [];
  for (let i = 0; i < pairs; i++) {
    off.push(await latencyInFreshProcess(rate, seconds, false));
    on.push(await latencyInFreshProcess(rate, seconds, true));
  }
  return { on, off };
}

/** One line on a set of runs of {@linkcode benchWarmUp}. */
export function formatWarmUp(label: string, runs: LiveLatency[]): string {
  const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const ms = (us: number) => (us / 1000).toFixed(3);
  const worst = runs.map((r) => r.eventTicks.maxUs);
  const first = runs.map((r) => r.eventTicks.firstUs);
  const met = worst.filter((w) => w < 1000).length;
  return `${label}: ${runs.length} processes, event ticks per run ${
    median(runs.map((r) => r.eventTicks.count))
  }; worst event tick median ${ms(median(worst))} ms (each: ${
    worst.map(ms).join(", ")
  }); first event tick median ${ms(median(first))} ms; runs under 1 ms: ${met}/${runs.length}`;
}

if (import.meta.main) {
  // `--latency RATE [SECONDS] [RUNS]`: only the latency at one rate, RUNS times in this
  // process; `--warm-up [RATE] [SECONDS] [PAIRS]`: with and without the warm-up in fresh
  // processes; otherwise every live figure, `[MEMORY_TICKS]`.
  const [mode, a1, a2, a3] = Deno.args;
  if (mode === "--one") {
    const l = await measureLiveLatency(Number(a1), Number(a1) * Number(a2), {
      warmUp: a3 === "on",
    });
    console.log(JSON.stringify(l));
    Deno.exit(0);
  }
  if (mode === "--latency") {
    const rate = Number(a1 ?? 5000);
    for (let i = 0; i < Number(a3 ?? 1); i++) {
      const l = await measureLiveLatency(rate, rate * Number(a2 ?? 15));
      console.log(`live tick latency ${formatLatency(l)}`);
    }
    Deno.exit(0);
  }
  if (mode === "--warm-up") {
    const r = await benchWarmUp(Number(a1 ?? 5000), Number(a2 ?? 15), Number(a3 ?? 5));
    console.log(formatWarmUp("without warm-up", r.off));
    console.log(formatWarmUp("with warm-up   ", r.on));
    Deno.exit(0);
  }
  const memoryTicks = Number(Deno.args[0] ?? 1_500_000);
  const r = await benchLive({ memoryTicks });
  for (const l of r.latency) console.log(`live tick latency ${formatLatency(l)}`);
  const m = r.memory;
  const f = (s: MemorySample) =>
    `${s.ticks} ticks: heap ${s.heapMb.toFixed(1)} MiB, RSS ${s.rssMb.toFixed(1)} MiB`;
  console.log(`live memory over ${m.ticks} ticks at max speed (${m.samples.length} samples):`);
  console.log(`  first  ${f(m.first)}\n  middle ${f(m.middle)}\n  last   ${f(m.last)}`);
  console.log(
    `  slope: heap ${m.heapSlopeMbPerMTicks.toFixed(2)} MiB, RSS ${
      m.rssSlopeMbPerMTicks.toFixed(2)
    } MiB per million ticks`,
  );
}
