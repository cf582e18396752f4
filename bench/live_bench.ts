/**
 * Live-mode benchmark: tick-to-journal latency through the simulator, the wire and the real
 * client, and memory over a long accelerated session.
 * Run: `deno run -A --v8-flags=--expose-gc bench/live_bench.ts` (or from `deno task bench`).
 *
 * Latency, per tick: from the tick's scheduled send time on the simulator's clock to the
 * moment the engine has processed it (journal writes included: they are synchronous). The
 * simulator runs at speed 1 on the system clock, so a tick recorded at `ts` is due at
 * simulator time `ts + shiftMs`; the bench reads `sim.now()` when the engine returns. The
 * figure thus includes the simulator's timer lateness and batching, the socket, the
 * client's decoding and the runner. Wire stamps are whole seconds, so each tick carries its
 * index in its size to find its recorded time. Clock resolution: `Date.now()`, 1 ms.
 *
 * Memory: a generated session streamed at max speed (no tick array held), heap and RSS
 * sampled every 250 ms against ticks processed; reports first / middle / last samples and
 * the least-squares slope of heap per million ticks. The simulator runs in the same process
 * with its history capped at 100,000 trades, so its share is flat.
 *
 * @module
 */
import { arraySource, type TickSource } from "../lib/sim/feed.ts";
import { startSimulator } from "../lib/sim/server.ts";
import { configSchema } from "../lib/config/schema.ts";
import { LiveRunner } from "../lib/live/runner.ts";
import { MemoryJournal } from "../lib/journal/writer.ts";
import { journalFormatOptions } from "../lib/cli/console.ts";
import { demoSession, TickGenerator } from "../lib/gen/generator.ts";
import type { Tick } from "../lib/types.ts";

/** Result of one latency measurement. */
export interface LiveLatency {
  /** Ticks per second replayed. */
  rate: number;
  /** Ticks measured. */
  ticks: number;
  /** Median and 99th percentile, microseconds (1 ms resolution, see the module doc). */
  p50Us: number;
  p99Us: number;
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

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Replays `count` ticks at `rate`/s and measures scheduled-send -> engine-done latency. */
export async function measureLiveLatency(rate: number, count: number): Promise<LiveLatency> {
  const base = demoSession(1);
  const ticks: Tick[] = [];
  const step = 1000 / rate;
  // Half a second of lead so the subscription is in place before the burst.
  const t0 = base.startMs + 2000;
  for (let i = 0; i < count; i++) {
    ticks.push({ ts: t0 + i * step, price: 5000 + (i % 8) * 0.25, size: i + 1 });
  }
  // performance.now() gives the simulator clock sub-millisecond resolution.
  const wall0 = performance.now();
  const sim = await startSimulator({
    port: 0,
    source: arraySource(ticks),
    speed: 1,
    clock: { now: () => base.startMs + (performance.now() - wall0) },
    logger: quiet,
    pacing: false,
  });
  const config = configSchema.parse({
    ib: { port: sim.port, max_req_per_sec: 50 },
    live: { warmup: "off", watchdog_ms: 0, contract_hours: false, timer_ms: 50 },
  });
  const lat: number[] = [];
  const runner = new LiveRunner({
    config,
    journal: new MemoryJournal(journalFormatOptions(config)),
    runId: "BENCH",
    clock: { now: () => sim.now() },
    version: "bench",
    configDigest: "bench",
  });
  const wrap = () => {
    const e = runner.engine;
    if (e === undefined) return false;
    const orig = e.onTick.bind(e);
    e.onTick = (ts, p, s) => {
      orig(ts, p, s);
      const recorded = ticks[s - 1]?.ts;
      if (recorded !== undefined) lat.push(sim.now() - (recorded + sim.shiftMs));
    };
    return true;
  };
  runner.start();
  while (!wrap()) await new Promise((r) => setTimeout(r, 5));
  await sim.replayDone();
  await new Promise((r) => setTimeout(r, 300));
  runner.stop("END_OF_DATA", "END");
  await sim.close();
  const s = Float64Array.from(lat).sort();
  return { rate, ticks: s.length, p50Us: quantile(s, 0.5) * 1000, p99Us: quantile(s, 0.99) * 1000 };
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
    latency.push(await measureLiveLatency(rate, rate * (options.seconds ?? 3)));
  }
  const memory = await measureLiveMemory(options.memoryTicks ?? 1_500_000);
  return { latency, memory };
}

if (import.meta.main) {
  const memoryTicks = Number(Deno.args[0] ?? 1_500_000);
  const r = await benchLive({ memoryTicks });
  for (const l of r.latency) {
    console.log(
      `live tick->engine (sim send -> wire -> client -> journal) at ${l.rate}/s: ${l.ticks} ticks, ` +
        `p50 ${l.p50Us.toFixed(0)} us, p99 ${l.p99Us.toFixed(0)} us (sub-ms clock)`,
    );
  }
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
