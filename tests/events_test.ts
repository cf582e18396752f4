/**
 * The engine's event stream (lib/events): delivery order (the journal first), TICKS only to
 * those who asked, the engine's RUN/BAR/TICKS events against values worked out by hand, the
 * report built from the stream equal to the report of the journal, and the live runner's
 * CONNECTION events.
 */
import assert from "node:assert/strict";
import { EventStream } from "../lib/events/stream.ts";
import { type EngineEvent, isJournalEvent } from "../lib/events/types.ts";
import { Engine } from "../lib/engine/engine.ts";
import { parseConfigText } from "../lib/config/load.ts";
import { MemoryJournal } from "../lib/journal/writer.ts";
import { computeReport } from "../lib/report/report.ts";
import { ReportAccumulator } from "../lib/report/accumulator.ts";
import { demoSession, TickGenerator } from "../lib/gen/generator.ts";
import type { TickBatch } from "../lib/types.ts";
import { generatedTicks, startLiveRun, until } from "./_live_harness.ts";

const T0 = Date.UTC(2025, 1, 17, 14, 30);
const conn = (state: "connecting" | "connected"): EngineEvent => ({
  kind: "CONNECTION",
  time: 0,
  from: "idle",
  state,
});

Deno.test("EventStream: subscribers in order, `first` before all, TICKS only to those who asked, unsubscribe", () => {
  const s = new EventStream();
  const seen: string[] = [];
  const offB = s.subscribe((e) => seen.push(`b ${e.kind}`));
  s.subscribe((e) => seen.push(`c ${e.kind}`), { ticks: true });
  s.subscribe((e) => seen.push(`a ${e.kind}`), { first: true });
  assert.equal(s.wantsTicks, true);
  s.publish(conn("connecting"));
  const batch: TickBatch = {
    ts: new Float64Array(1),
    price: new Float64Array(1),
    size: new Float64Array(1),
    count: 1,
  };
  s.publish({ kind: "TICKS", batch, lastTime: 0, lastPrice: 1, forming: undefined });
  offB();
  s.publish(conn("connected"));
  assert.deepEqual(seen, [
    "a CONNECTION",
    "b CONNECTION",
    "c CONNECTION",
    "c TICKS",
    "a CONNECTION",
    "c CONNECTION",
  ]);
});

Deno.test("EventStream: a subscriber that throws stops the publish and the error reaches the publisher", () => {
  const s = new EventStream();
  const seen: string[] = [];
  s.subscribe(() => {
    throw new Error("disk full");
  });
  s.subscribe((e) => seen.push(e.kind));
  assert.throws(() => s.publish(conn("connecting")), /disk full/);
  assert.deepEqual(seen, []);
});

Deno.test("Engine: RUN before SESSION_START, the journal holds each event before any other subscriber sees it, one BAR per bar", () => {
  const config = parseConfigText("bars: {seconds: 60}", { source: "test" });
  const journal = new MemoryJournal({ timeZone: "UTC", priceDecimals: 2 });
  const events = new EventStream();
  const kinds: string[] = [];
  let bars = 0;
  events.subscribe((e) => {
    kinds.push(e.kind);
    if (e.kind === "BAR") bars++;
    // The journal subscribed first: it already holds what the others are told.
    if (isJournalEvent(e)) assert.equal(journal.events.at(-1), e);
  });
  const engine = new Engine({ config, journal, events, runId: "R" });
  engine.start({ time: T0, version: "t", configDigest: "d", source: "test" });
  // Three prints in three minutes: the second and third close one bar each; finish the last.
  engine.onTick(T0 + 1_000, 5000, 1);
  engine.onTick(T0 + 61_000, 5001, 1);
  engine.onTick(T0 + 121_000, 5002, 1);
  engine.finish("END", "END_OF_DATA");
  assert.deepEqual(kinds.slice(0, 2), ["RUN", "SESSION_START"]);
  assert.equal(kinds.at(-1), "SESSION_END");
  assert.equal(bars, 3);
  assert.equal(engine.stats.bars, 3);
  assert.ok(!kinds.includes("TICKS"), "nobody asked for ticks");
});

Deno.test("Engine: TICKS once per batch with the forming bar, worked out by hand", () => {
  const config = parseConfigText("bars: {seconds: 60}", { source: "test" });
  const engine = new Engine({
    config,
    journal: new MemoryJournal({ timeZone: "UTC", priceDecimals: 2 }),
    runId: "R",
  });
  const ticks: EngineEvent[] = [];
  engine.events.subscribe((e) => {
    if (e.kind === "TICKS") ticks.push(e);
  }, { ticks: true });
  engine.start({ time: T0, version: "t", configDigest: "d", source: "test" });
  const batch: TickBatch = {
    ts: Float64Array.from([T0 + 1_000, T0 + 2_000, T0 + 59_000, T0 + 61_000]),
    price: Float64Array.from([5000, 5003, 4999, 5001]),
    size: Float64Array.from([2, 1, 4, 3]),
    count: 3, // the fourth tick is not part of this batch
  };
  engine.onBatch(batch);
  assert.equal(ticks.length, 1);
  const t = ticks[0]!;
  assert.ok(t.kind === "TICKS");
  assert.equal(t.batch, batch);
  assert.equal(t.lastTime, T0 + 59_000);
  assert.equal(t.lastPrice, 4999);
  // One bar, 14:30:00-14:31:00: open 5000, high 5003, low 4999, close 4999, 7 lots, 3 prints.
  assert.deepEqual(t.forming, {
    start: T0,
    lengthMs: 60_000,
    open: 5000,
    high: 5003,
    low: 4999,
    close: 4999,
    volume: 7,
    trades: 3,
  });
  // A single print (live) is a TICKS event of its own; it opened the next bar.
  engine.onTick(T0 + 61_000, 5001, 3);
  const u = ticks[1]!;
  assert.ok(u.kind === "TICKS");
  assert.equal(u.batch.count, 1);
  assert.equal(u.batch.price[0], 5001);
  assert.deepEqual(u.forming, {
    start: T0 + 60_000,
    lengthMs: 60_000,
    open: 5001,
    high: 5001,
    low: 5001,
    close: 5001,
    volume: 3,
    trades: 1,
  });
});

Deno.test("ReportAccumulator on the stream gives the report of the journal's events", () => {
  const config = parseConfigText("strategy: {short: true}", { source: "test" });
  const journal = new MemoryJournal({ timeZone: "UTC", priceDecimals: 2 });
  const tally = new ReportAccumulator();
  const engine = new Engine({ config, journal, runId: "R" });
  engine.events.subscribe(tally.onEvent);
  const session = demoSession(3);
  const gen = new TickGenerator({ ...session, tickSize: 0.25, timeZone: "America/Chicago" });
  engine.start({ time: session.startMs, version: "t", configDigest: "d", source: "gen" });
  const batch: TickBatch = {
    ts: new Float64Array(4096),
    price: new Float64Array(4096),
    size: new Float64Array(4096),
    count: 0,
  };
  while ((batch.count = gen.fillBatch(batch, 4096)) > 0) engine.onBatch(batch);
  engine.finish("END", "END_OF_DATA");
  const report = tally.report();
  assert.ok(report.trades > 3, `the generated session trades (${report.trades})`);
  assert.deepEqual(report, computeReport(journal.events));
});

Deno.test("LiveRunner publishes every connection state change, chained, ending stopped", async () => {
  const run = await startLiveRun({ ticks: generatedTicks(3), speed: 200 });
  const seen: EngineEvent[] = [];
  run.runner.events.subscribe((e) => {
    if (e.kind === "CONNECTION") seen.push(e);
  });
  try {
    await until("connected", () => run.runner.state === "connected");
  } finally {
    await run.finish();
  }
  const states = seen.map((e) => (e.kind === "CONNECTION" ? `${e.from}->${e.state}` : ""));
  assert.ok(states.includes("syncing->connected"), states.join(" "));
  assert.equal(states.at(-1), "connected->stopped");
  for (let i = 1; i < seen.length; i++) {
    const [a, b] = [seen[i - 1]!, seen[i]!];
    assert.ok(a.kind === "CONNECTION" && b.kind === "CONNECTION");
    assert.equal(b.from, a.state, "each change starts where the last one ended");
    assert.ok(b.time >= a.time);
  }
});
