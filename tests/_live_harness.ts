import assert from "node:assert/strict";
/**
 * Test harness for the live-mode tests: a simulator replaying given ticks on an injected
 * clock, a LiveRunner against it over loopback, and an offline reference engine over the
 * same ticks. Private to tests/live_*.
 *
 * @module
 */
import { EventStream } from "../lib/events/stream.ts";
import { isJournalEvent } from "../lib/events/types.ts";
import { type Config, configSchema } from "../lib/config/schema.ts";
import { Engine } from "../lib/engine/engine.ts";
import { MemoryJournal } from "../lib/journal/writer.ts";
import { journalFormatOptions } from "../lib/cli/console.ts";
import { LiveRunner, type ResumeState } from "../lib/live/runner.ts";
import { arraySource } from "../lib/sim/feed.ts";
import { type SimulatorHandle, startSimulator } from "../lib/sim/server.ts";
import { demoSession, generateSession } from "../lib/gen/generator.ts";
import type { Bar, Clock, JournalEvent, Tick } from "../lib/types.ts";
import { type FrameRewrite, type LiveProxy, startProxy } from "./_live_proxy.ts";

/** Quiet simulator logger (warnings still show). */
export const quietSimLog = {
  info() {},
  debug() {},
  warn(message: string, props?: Record<string, unknown>) {
    console.warn(`[sim] ${message}`, props ?? "");
  },
};

/** A generated MES session of `minutes` from the demo session's start (Mon 08:30 CT). */
export function generatedTicks(minutes: number, seed = 1): Tick[] {
  const base = demoSession(seed);
  return generateSession({ ...base, endMs: base.startMs + minutes * 60_000 });
}

/** A clock starting at `startMs` and running at wall speed (the simulator scales it). */
export function clockFrom(startMs: number): Clock {
  const wall0 = Date.now();
  return { now: () => startMs + (Date.now() - wall0) };
}

/** Config for live tests: defaults plus overrides, fast timers, warm-up off. */
export function liveConfig(port: number, patch: (c: Config) => void = () => {}): Config {
  const c = configSchema.parse({
    ib: { port, max_req_per_sec: 50 },
    strategy: { short: true, calibration_bars: 5 },
    bars: { seconds: 15 },
    live: {
      warmup: "off",
      timer_ms: 10,
      // 200 ms of wall time at the default 50x: a process descheduled on a busy machine
      // must not see its own replay's trades as late (3000 failed 1 run in 3 under load).
      grace_ms: 10_000,
      reconnect_min_ms: 50,
      reconnect_max_ms: 400,
      page_interval_ms: 0,
      watchdog_ms: 0,
      request_timeout_ms: 3000,
    },
  });
  patch(c);
  return c;
}

/** A live run in progress. */
export interface LiveRun {
  sim: SimulatorHandle;
  runner: LiveRunner;
  bars: Bar[];
  events: JournalEvent[];
  lines: string[];
  journal: MemoryJournal;
  /** Ends the run (END flushes the last bar like a backtest) and closes the simulator. */
  finish(reason?: string): Promise<void>;
}

/** Options of {@linkcode startLiveRun}. */
export interface LiveRunOptions {
  ticks: Tick[];
  /** Simulator speed factor; default 50. */
  speed?: number;
  /** Recorded ms before the start, served as history. */
  historyMs?: number;
  patch?: (c: Config) => void;
  /** The journal's open trade; a function gets the running simulator (for its shift). */
  resume?: ResumeState | ((sim: SimulatorHandle) => ResumeState);
  /** Runs the runner through a proxy that rewrites the simulator's frames. */
  rewrite?: FrameRewrite;
  /** Called after each history page a sync receives (to inject a fault there). */
  onHistoryPage?: (run: LiveRun, page: number) => void;
  runId?: string;
  tbtLimit?: number;
  print?: boolean;
  /** Simulator symbol of the feed (default MES). */
  symbol?: string;
}

/** Starts a simulator whose clock is the first tick's time, and a runner against it. */
export async function startLiveRun(o: LiveRunOptions): Promise<LiveRun> {
  const first = o.ticks[0]!.ts;
  const sim = await startSimulator({
    port: 0,
    source: arraySource(o.ticks),
    speed: o.speed ?? 50,
    historyMs: o.historyMs ?? 0,
    clock: clockFrom(first + (o.historyMs ?? 0)),
    logger: quietSimLog,
    pacing: true,
    symbol: o.symbol ?? "MES",
    ...(o.tbtLimit === undefined ? {} : { tbtLimit: o.tbtLimit }),
  });
  const proxy: LiveProxy | undefined = o.rewrite === undefined
    ? undefined
    : startProxy(sim.port, o.rewrite);
  const config = liveConfig(proxy?.port ?? sim.port, o.patch);
  const bars: Bar[] = [];
  const events: JournalEvent[] = [];
  const lines: string[] = [];
  const journal = new MemoryJournal(journalFormatOptions(config));
  const stream = new EventStream();
  stream.subscribe((e) => {
    if (e.kind === "BAR") bars.push(e.bar);
    else if (isJournalEvent(e)) events.push(e);
  });
  const runner = new LiveRunner({
    config,
    journal,
    runId: o.runId ?? "LIVE",
    clock: { now: () => sim.now() },
    version: "test",
    configDigest: "test",
    events: stream,
    log: (line) => {
      lines.push(line);
      if (o.print) console.log(line);
    },
    random: () => 0.5,
    resume: typeof o.resume === "function" ? o.resume(sim) : o.resume,
    onHistoryPage: (page) => {
      if (o.onHistoryPage !== undefined) o.onHistoryPage(run, page);
    },
  });
  const run: LiveRun = {
    sim,
    runner,
    bars,
    events,
    lines,
    journal,
    async finish(reason = "END_OF_DATA") {
      runner.stop(reason, "END");
      await new Promise((r) => setTimeout(r, 30));
      await proxy?.close();
      await sim.close();
    },
  };
  runner.start();
  return run;
}

/** Waits until `pred` holds (polling), or throws after `ms`. */
/**
 * Runs `fn` with the port of a simulator replaying 30 generated minutes (seed 4) at 5x from
 * their start; closes it afterwards.
 */
export async function withGeneratedSim(fn: (port: number) => Promise<void>): Promise<void> {
  const ticks = generatedTicks(30, 4);
  const sim = await startSimulator({
    port: 0,
    source: arraySource(ticks),
    speed: 5,
    clock: clockFrom(ticks[0]!.ts),
    logger: quietSimLog,
  });
  try {
    await fn(sim.port);
  } finally {
    await sim.close();
  }
}

export async function until(what: string, pred: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * The offline reference: the engine over `ticks` with stamps floored to the second (what
 * IB sends), shifted by `shiftMs`, closed at the end like a backtest.
 */
export function offlineRun(
  config: Config,
  ticks: readonly Tick[],
  shiftMs = 0,
): { bars: Bar[]; events: JournalEvent[] } {
  const bars: Bar[] = [];
  const events: JournalEvent[] = [];
  const engine = new Engine({
    config,
    journal: new MemoryJournal(journalFormatOptions(config)),
    runId: "LIVE",
  });
  engine.events.subscribe((e) => {
    if (e.kind === "BAR") bars.push(e.bar);
    else if (isJournalEvent(e)) events.push(e);
  });
  engine.start({ time: 0, version: "test", configDigest: "test", source: "test" });
  for (const t of ticks) engine.onTick(Math.floor(t.ts / 1000) * 1000 + shiftMs, t.price, t.size);
  engine.finish("END", "END_OF_DATA");
  return { bars, events };
}

/** Trade events (ENTRY, FILL, CANCEL, EXIT) only. */
export function tradeEvents(events: readonly JournalEvent[]): JournalEvent[] {
  return events.filter((e) => e.kind !== "SESSION_START" && e.kind !== "SESSION_END");
}

/** Asserts that at no point two trades were open (ENTRY before the previous EXIT/CANCEL). */
export function maxOpenTrades(events: readonly JournalEvent[]): number {
  const open = new Set<string>();
  let max = 0;
  for (const e of events) {
    if (e.kind === "ENTRY") open.add(e.tradeId);
    if (e.kind === "EXIT") open.delete(e.tradeId);
    if (e.kind === "CANCEL") open.delete(e.tradeId);
    max = Math.max(max, open.size);
  }
  return max;
}

/** Ticks fed to the engine so far (zero-size prints included). */
export function fed(run: LiveRun): number {
  const s = run.runner.engine?.stats;
  return s === undefined ? 0 : s.ticks + s.zeroSize;
}

/**
 * Trade events of trades entered before the last bar's end: a live timer may close the last
 * bar (and evaluate it) where a backtest flushes it at the end of data without a signal.
 */
export function tradesBefore(events: readonly JournalEvent[], end: number): JournalEvent[] {
  const keep = new Set<string>();
  for (const e of events) if (e.kind === "ENTRY" && e.time < end) keep.add(e.tradeId);
  return events.filter((e) => "tradeId" in e && keep.has(e.tradeId));
}

/** Result of {@linkcode faultRun}. */
export interface FaultResult {
  run: LiveRun;
  ref: { bars: Bar[]; events: JournalEvent[] };
}

/**
 * Replays `ticks` through the simulator, calls `inject` once the engine has seen `atFraction`
 * of them, waits for every tick, ends the run, and computes the offline reference.
 */
export async function faultRun(
  ticks: Tick[],
  inject: (run: LiveRun) => Promise<void> | void,
  o: Omit<LiveRunOptions, "ticks"> & { atFraction?: number } = {},
): Promise<FaultResult> {
  const run = await startLiveRun({
    ...o,
    ticks,
    patch: (c) => {
      c.live.warmup = "ticks";
      o.patch?.(c);
    },
  });
  try {
    const at = Math.floor(ticks.length * (o.atFraction ?? 0.4));
    await until("ticks before the fault", () => fed(run) >= at);
    await inject(run);
    await run.sim.replayDone();
    await until("every tick fed", () => fed(run) >= ticks.length, 20_000);
  } finally {
    await run.finish();
  }
  const ref = offlineRun(run.runner.engine!.config, ticks, run.sim.shiftMs);
  return { run, ref };
}

/**
 * Asserts a faulted live run survived: more than 5 bars, bars equal to the uninterrupted
 * offline reference, the same trades up to the last reference bar, never two trades open.
 */
export function assertSurvived(r: FaultResult): void {
  const { run, ref } = r;
  assert.ok(run.bars.length > 5, `only ${run.bars.length} bars`);
  assert.equal(run.runner.stats.lateTicks, 0, "late ticks: bars closed before their trades came");
  assert.deepEqual(run.bars, ref.bars);
  const last = ref.bars.at(-1)!;
  const end = last.start + last.lengthMs;
  assert.deepEqual(tradesBefore(run.events, end), tradesBefore(ref.events, end));
  assert.ok(maxOpenTrades(run.events) <= 1);
}
