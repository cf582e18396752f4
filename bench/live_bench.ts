/**
 * Live-mode benchmark: tick-to-journal latency through the real client and the simulator,
 * and memory over a long accelerated session. Run: `deno run -A bench/live_bench.ts`.
 *
 * Latency: one tick per burst step is a "probe" whose processing time is measured from
 * the moment the adapter hands the tick over to the moment the engine has processed it
 * (journal writes included, synchronous). Bursts are replayed by the simulator at the
 * given rate.
 *
 * @module
 */
import { arraySource } from "../lib/sim/feed.ts";
import { startSimulator } from "../lib/sim/server.ts";
import { configSchema } from "../lib/config/schema.ts";
import { LiveRunner } from "../lib/live/runner.ts";
import { MemoryJournal } from "../lib/journal/writer.ts";
import { journalFormatOptions } from "../lib/cli/console.ts";
import { demoSession, generateSession } from "../lib/gen/generator.ts";
import type { Tick } from "../lib/types.ts";

/** Result of one latency measurement. */
export interface LiveLatency {
  rate: number;
  ticks: number;
  p50Us: number;
  p99Us: number;
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Replays `count` ticks at `rate`/s through the simulator and measures per-tick latency. */
export async function measureLiveLatency(rate: number, count: number): Promise<LiveLatency> {
  const base = demoSession(1);
  const ticks: Tick[] = [];
  const step = 1000 / rate;
  for (let i = 0; i < count; i++) {
    ticks.push({ ts: base.startMs + i * step, price: 5000 + (i % 8) * 0.25, size: 1 });
  }
  const sim = await startSimulator({
    port: 0,
    source: arraySource(ticks),
    speed: 1,
    logger: { info() {}, debug() {}, warn() {} },
  });
  const config = configSchema.parse({
    ib: { port: sim.port, max_req_per_sec: 50 },
    live: { warmup: "off", watchdog_ms: 0, contract_hours: false },
  });
  const lat: number[] = [];
  const journal = new MemoryJournal(journalFormatOptions(config));
  const runner = new LiveRunner({
    config,
    journal,
    runId: "BENCH",
    clock: { now: () => Date.now() },
    version: "bench",
    configDigest: "bench",
  });
  // Measure around the engine: the runner calls engine.onTick synchronously per tick.
  runner.onState(() => {});
  const wrap = () => {
    const e = runner.engine;
    if (e === undefined) return false;
    const orig = e.onTick.bind(e);
    e.onTick = (ts, p, s) => {
      const t0 = performance.now();
      orig(ts, p, s);
      lat.push(performance.now() - t0);
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

/** Heap use before and after a long session replayed at max speed through live mode. */
export async function measureLiveMemory(minutes: number): Promise<{ ticks: number; mb: number[] }> {
  const base = demoSession(2);
  const ticks = generateSession({ ...base, endMs: base.startMs + minutes * 60_000 });
  const sim = await startSimulator({
    port: 0,
    source: arraySource(ticks),
    speed: "max",
    clock: { now: () => base.startMs },
    logger: { info() {}, debug() {}, warn() {} },
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
  const mb: number[] = [];
  runner.start();
  const probe = setInterval(() => mb.push(Deno.memoryUsage().heapUsed / 1e6), 500);
  await sim.replayDone();
  await new Promise((r) => setTimeout(r, 500));
  clearInterval(probe);
  runner.stop("END_OF_DATA", "END");
  await sim.close();
  return { ticks: ticks.length, mb };
}

if (import.meta.main) {
  for (const rate of [1000, 5000, 20000]) {
    const r = await measureLiveLatency(rate, rate * 3);
    console.log(
      `live tick->journal at ${rate}/s: ${r.ticks} ticks, p50 ${r.p50Us.toFixed(1)} us, p99 ${
        r.p99Us.toFixed(1)
      } us`,
    );
  }
  const m = await measureLiveMemory(120);
  console.log(
    `live memory over ${m.ticks} ticks at max speed: heap MB ${
      m.mb.map((x) => x.toFixed(1)).join(" ")
    }`,
  );
}
