/**
 * Restart recovery against the simulator with the real client: a journal file left with an
 * open trade (ENTRY + FILL, no EXIT) by an earlier run is read the way `scalpbot live` reads
 * it (inspectJournal + resumeFrom); the runner manages that trade on the next ticks (its
 * target exit is journaled under the same trade id), opens nothing until it is closed, and
 * its new trade ids repeat none of the earlier ones.
 */
import assert from "node:assert/strict";
import { EventName, SecType } from "@stoqey/ib";
import { journalFormatOptions } from "../lib/cli/console.ts";
import { resumeFrom } from "../lib/cli/live.ts";
import type { Config } from "../lib/config/schema.ts";
import { inspectJournal, summarizeJournal } from "../lib/journal/inspect.ts";
import { parseJournalText } from "../lib/journal/reader.ts";
import { JournalWriter } from "../lib/journal/writer.ts";
import type { JournalEvent } from "../lib/types.ts";
import {
  fed,
  generatedTicks,
  liveConfig,
  type LiveRun,
  type LiveRunOptions,
  maxOpenTrades,
  offlineRun,
  startLiveRun,
  until,
} from "./_live_harness.ts";
import { connectClient } from "./_sim_client.ts";

const TICKS = generatedTicks(8, 29);

Deno.test("live restart recovery: the open trade of the journal is exited under its own id, nothing opens before", async () => {
  // Choose a target the market reaches only after the plain engine's first entry: so a run
  // that forgot the open trade would have traded before it closed.
  const plain = offlineRun(liveConfig(7497), TICKS);
  const firstEntry = plain.events.find((e) => e.kind === "ENTRY");
  assert.ok(firstEntry !== undefined, "the session has no signal: pick another seed");
  const p0 = TICKS[0]!.price;
  const before = TICKS.filter((t) => t.ts <= firstEntry.time + 20_000);
  const hi = Math.max(...before.map((t) => t.price));
  const lo = Math.min(...before.map((t) => t.price));
  // The side whose target (just beyond the range so far) the market reaches first.
  const up = TICKS.findIndex((t) => t.price > hi);
  const down = TICKS.findIndex((t) => t.price < lo);
  const long = up >= 0 && (down < 0 || up < down);
  const side = long ? "LONG" : "SHORT";
  const target = long ? hi + 0.25 : lo - 0.25;
  // The default fills.target_fill (through): a print beyond the target, not at it.
  const reached = (price: number) => long ? price > target : price < target;
  const hit = TICKS.findIndex((t) => reached(t.price));
  assert.ok(hit > 0 && hit < TICKS.length * 0.8, `target ${target} reached at tick ${hit}`);
  const path = TICKS.slice(0, hit + 1).map((t) => t.price);
  const stop = long ? Math.min(...path) - 0.25 : Math.max(...path) + 0.25;

  // The earlier run's journal: one closed trade, one open (LONG 1 @ p0).
  const dir = await Deno.makeTempDir();
  const file = `${dir}/trade_record.text`;
  const cfg = liveConfig(7497);
  const t0 = TICKS[0]!.ts - 3_600_000;
  const ctx = { emaFast: p0, emaSlow: p0, rsi: 50, atr: 1, vwap: p0, rvol: 1 };
  const old: JournalEvent[] = [
    {
      kind: "SESSION_START",
      time: t0,
      runId: "OLDRUN",
      version: "test",
      configDigest: "test",
      source: "test",
      symbol: "MES",
      multiplier: 5,
      tickSize: 0.25,
      currency: "USD",
    },
    {
      kind: "ENTRY",
      time: t0 + 1000,
      tradeId: "OLDRUN-001",
      side: "SHORT",
      entry: p0,
      stop: p0 + 2,
      target: p0 - 2,
      size: 1,
      context: ctx,
    },
    {
      kind: "FILL",
      time: t0 + 1000,
      tradeId: "OLDRUN-001",
      price: p0,
      qty: 1,
      filled: 1,
      remaining: 0,
    },
    {
      kind: "EXIT",
      time: t0 + 9000,
      tradeId: "OLDRUN-001",
      side: "SHORT",
      reason: "TARGET",
      price: p0 - 2,
      qty: 1,
      entryPrice: p0,
      entryTime: t0 + 1000,
      pnlPoints: 2,
      pnlTicks: 8,
      grossPnl: 10,
      commission: 0,
      netPnl: 10,
    },
    {
      kind: "ENTRY",
      time: t0 + 10_000,
      tradeId: "OLDRUN-002",
      side,
      entry: p0,
      stop,
      target,
      size: 1,
      context: ctx,
    },
    {
      kind: "FILL",
      time: t0 + 10_000,
      tradeId: "OLDRUN-002",
      price: p0,
      qty: 1,
      filled: 1,
      remaining: 0,
    },
  ];
  const w = JournalWriter.open(file, journalFormatOptions(cfg));
  for (const e of old) w.write(e);
  w.close();

  try {
    const found = await inspectJournal(file);
    assert.equal(found.openTrades.length, 1);
    const resume = resumeFrom(found.openTrades);
    assert.ok(resume !== undefined);
    const run = await startLiveRun({
      ticks: TICKS,
      speed: 60,
      runId: "NEWRUN",
      resume,
    });
    try {
      await run.sim.replayDone();
      await until("every tick fed", () => fed(run) >= TICKS.length - 200, 20_000);
    } finally {
      await run.finish();
    }
    const shift = run.sim.shiftMs;
    const start = run.events.find((e) => e.kind === "SESSION_START")!.time;
    // Expected exit, worked out from the ticks: the first print the runner sees (stamped at
    // or after its live start) at or above the target; the stop is below every print before.
    const first = TICKS.find((t) => Math.floor(t.ts / 1000) * 1000 + shift >= start)!;
    assert.ok(!reached(first.price), "the target was already hit at the live start");
    const exitTick = TICKS.find((t) =>
      Math.floor(t.ts / 1000) * 1000 + shift >= start && reached(t.price)
    )!;
    const exitTime = Math.floor(exitTick.ts / 1000) * 1000 + shift;
    const exits = run.events.filter((e) => e.kind === "EXIT");
    const oldExit = exits.find((e) => e.kind === "EXIT" && e.tradeId === "OLDRUN-002");
    assert.ok(oldExit !== undefined && oldExit.kind === "EXIT", "the resumed trade never exited");
    assert.equal(oldExit.reason, "TARGET");
    assert.equal(oldExit.price, target);
    assert.equal(oldExit.time, exitTime);
    assert.equal(oldExit.entryPrice, p0);
    assert.equal(oldExit.qty, 1);
    assert.equal(oldExit.side, side);
    assert.equal(
      oldExit.netPnl,
      // points x multiplier 5 x 1 contract, less commission on both sides, to 1e-8.
      Math.round(
        ((long ? target - p0 : p0 - target) * 5 - 2 * cfg.fills.commission_per_contract) * 1e8,
      ) / 1e8,
    );

    // Nothing opened while it was open, though the plain engine had a signal by then.
    const entries = run.events.filter((e) => e.kind === "ENTRY");
    for (const e of entries) assert.ok(e.time >= exitTime, `ENTRY ${e.tradeId} at ${e.time}`);
    const ref = offlineRun(run.runner.engine!.config, TICKS, shift);
    assert.ok(
      ref.events.some((e) => e.kind === "ENTRY" && e.time >= start && e.time < exitTime),
      "no signal while the resumed trade was open: the test proves nothing",
    );
    assert.ok(entries.length >= 1, "no new trade after the resumed one closed");

    // Trade ids never repeat, and never two trades open across both runs.
    const ids = [...old, ...run.events].filter((e) => e.kind === "ENTRY").map((e) =>
      "tradeId" in e ? e.tradeId : ""
    );
    assert.equal(new Set(ids).size, ids.length, ids.join(","));
    assert.ok(maxOpenTrades([...old, ...run.events]) <= 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ---- prints while the bot was down, an interrupted first sync, a stop during the sync ----

/** The recording's first minutes are history when the simulator starts: the bot was down. */
const DOWN_MS = 180_000;
const REC = generatedTicks(6, 29);
const sec = (ts: number) => Math.floor(ts / 1000) * 1000;

/** An earlier run's journal with one trade open: ENTRY and FILL at `at` (simulator time). */
function openTradeJournal(
  side: "LONG" | "SHORT",
  entry: number,
  stop: number,
  target: number,
  at: number,
): JournalEvent[] {
  const ctx = { emaFast: entry, emaSlow: entry, rsi: 50, atr: 1, vwap: entry, rvol: 1 };
  return [
    {
      kind: "SESSION_START",
      time: at - 60_000,
      runId: "OLD",
      version: "test",
      configDigest: "test",
      source: "ib:127.0.0.1:7497",
      symbol: "MES",
      multiplier: 5,
      tickSize: 0.25,
      currency: "USD",
    },
    {
      kind: "ENTRY",
      time: at,
      tradeId: "OLD-001",
      side,
      entry,
      stop,
      target,
      size: 1,
      context: ctx,
    },
    {
      kind: "FILL",
      time: at,
      tradeId: "OLD-001",
      price: entry,
      qty: 1,
      filled: 1,
      remaining: 0,
    },
  ];
}

/** The resume state `scalpbot live` builds from that journal. */
function resumeOf(events: JournalEvent[]) {
  const r = resumeFrom(summarizeJournal(events).openTrades);
  assert.ok(r !== undefined);
  return r;
}

/** Runs the recording with the given open trade (times relative to the recording) until it exits. */
async function recover(
  trade: { side: "LONG" | "SHORT"; entry: number; stop: number; target: number; at: number },
  patch: (c: Config) => void,
) {
  const run = await startLiveRun({
    ticks: REC,
    historyMs: DOWN_MS,
    runId: "NEW",
    patch,
    resume: (sim) =>
      resumeOf(
        openTradeJournal(trade.side, trade.entry, trade.stop, trade.target, trade.at + sim.shiftMs),
      ),
  });
  try {
    await until("the resumed trade's exit", () => run.events.some((e) => e.kind === "EXIT"));
  } finally {
    await run.finish();
  }
  const exit = run.events.find((e) => e.kind === "EXIT");
  assert.ok(exit !== undefined && exit.kind === "EXIT");
  return { run, exit, shift: run.sim.shiftMs };
}

/** The recovered EXIT line reads back from the journal text with its mark. */
function assertJournaledRecovered(run: LiveRun): void {
  const line = run.journal.lines.find((l) => l.includes("| EXIT |"));
  assert.ok(line !== undefined && line.includes("Recovered=1"), line);
  const back = parseJournalText(run.journal.lines.join("\n") + "\n").events;
  const exit = back.find((e) => e.kind === "EXIT");
  assert.ok(exit?.kind === "EXIT" && exit.recovered === true);
}

/**
 * The earlier run's fill: the first print 20 s into the recording, its second `at` and price,
 * the prints from that second on (`since`) and those of the next 100 s (`window`).
 */
function fillAt20s(rec = REC) {
  const k0 = rec.findIndex((t) => t.ts >= rec[0]!.ts + 20_000);
  const at = sec(rec[k0]!.ts);
  const since = rec.filter((t) => sec(t.ts) >= at);
  return { at, entry: rec[k0]!.price, since, window: since.filter((t) => t.ts < at + 100_000) };
}

Deno.test("live restart recovery: a target hit while the bot was down exits at the first touching print", async () => {
  // The earlier run filled LONG 20 s into the recording, then the bot died. Its target is the
  // highest print of the next 100 s, its stop below every print until then.
  const { at, entry, since, window } = fillAt20s();
  const target = Math.max(...window.map((t) => t.price));
  assert.ok(target >= entry + 1, `target ${target} too close to entry ${entry}`);
  const hit = since.find((t) => t.price >= target)!;
  const stop = Math.min(...since.filter((t) => t.ts <= hit.ts).map((t) => t.price)) - 0.25;
  assert.ok(hit.ts < REC[0]!.ts + DOWN_MS - 30_000, "the target was not hit while down");

  // Warm-up of 2 bars (30 s): the check reaches further back than the warm-up.
  const { run, exit, shift } = await recover(
    { side: "LONG", entry, stop, target, at },
    (c) => {
      c.live.warmup = "ticks";
      c.live.warmup_bars = 2;
      // The target is the window's highest print: touched, perhaps never traded through.
      c.fills.target_fill = "touch";
    },
  );
  assert.equal(exit.tradeId, "OLD-001");
  assert.equal(exit.reason, "TARGET");
  assert.equal(exit.price, target);
  assert.equal(exit.time, sec(hit.ts) + shift);
  assert.equal(exit.recovered, true);
  const start = run.events.find((e) => e.kind === "SESSION_START")!.time;
  assert.ok(exit.time < start, "found in the history, before the live start");
  assertJournaledRecovered(run);
});

Deno.test("live restart recovery: a stop hit while down stays a loss though price then recovers past the target", async () => {
  // Filled LONG 20 s in; the stop is the lowest print of the next 100 s; the target is above
  // every print before that low, and the market reaches it afterwards.
  const { at, entry, since, window } = fillAt20s();
  const stop = Math.min(...window.map((t) => t.price));
  assert.ok(stop <= entry - 1, `stop ${stop} too close to entry ${entry}`);
  const hit = since.find((t) => t.price <= stop)!;
  const target = Math.max(...since.filter((t) => t.ts <= hit.ts).map((t) => t.price)) + 0.25;
  assert.ok(
    since.some((t) => t.ts > hit.ts && t.price >= target),
    "price never recovers to the target: the test proves nothing",
  );

  // No warm-up at all: the recovery check fetches the history on its own.
  const { run, exit, shift } = await recover(
    { side: "LONG", entry, stop, target, at },
    (c) => {
      c.live.warmup = "off";
      c.fills.stop_slippage_ticks = 1;
    },
  );
  assert.equal(exit.tradeId, "OLD-001");
  assert.equal(exit.reason, "STOP");
  // A stop fills at the touching print less the slippage (1 tick).
  assert.equal(exit.price, hit.price - 0.25);
  assert.equal(exit.time, sec(hit.ts) + shift);
  assert.equal(exit.recovered, true);
  assert.ok(exit.netPnl < 0);
  assert.equal(run.events.filter((e) => e.kind === "EXIT").length, 1);
  assertJournaledRecovered(run);
});

/** A trade whose stop and target no print of the recording reaches: it stays open. */
function farTrade(rec = REC) {
  const prices = rec.map((t) => t.price);
  const { at, entry } = fillAt20s(rec);
  const far = { stop: Math.min(...prices) - 5, target: Math.max(...prices) + 5 };
  return { side: "LONG" as const, entry, ...far, at };
}

/** A restart on the recording with `t` open in its journal, warm-up on; `o` adds hooks. */
function restartWith(
  t: ReturnType<typeof farTrade>,
  patch: (c: Config) => void,
  o: Pick<LiveRunOptions, "onHistoryPage" | "rewrite">,
): Promise<LiveRun> {
  return startLiveRun({
    ticks: REC,
    historyMs: DOWN_MS,
    runId: "NEW",
    patch: (c) => {
      c.live.warmup = "ticks";
      patch(c);
    },
    resume: (sim) =>
      resumeOf(openTradeJournal(t.side, t.entry, t.stop, t.target, t.at + sim.shiftMs)),
    ...o,
  });
}

/** Waits for the first sync (`synced` names it), the replay's end and the last tick fed. */
async function feedAll(run: LiveRun, synced: string): Promise<void> {
  await until(synced, () => run.runner.stats.syncs >= 1, 30_000);
  await run.sim.replayDone();
  const last = sec(REC.at(-1)!.ts) + run.sim.shiftMs;
  await until("the last tick fed", () => (run.runner.engine?.lastTickTime ?? 0) >= last, 20_000);
}

/**
 * The journal's trade was resumed and nothing opened beside it: it ends under its own id at
 * the end, although the plain engine signals in the live part (a run that lost the trade
 * would have traded).
 */
function assertTradeKept(run: LiveRun): void {
  assert.ok(run.lines.some((l) => l.includes("resumed open trade OLD-001")));
  assert.deepEqual(run.events.filter((e) => e.kind === "ENTRY"), []);
  const exits = run.events.filter((e) => e.kind === "EXIT");
  assert.equal(exits.length, 1);
  assert.ok(exits[0]!.kind === "EXIT" && exits[0]!.tradeId === "OLD-001");
  const start = run.events.find((e) => e.kind === "SESSION_START")!.time;
  const ref = offlineRun(run.runner.engine!.config, REC, run.sim.shiftMs);
  assert.ok(ref.events.some((e) => e.kind === "ENTRY" && e.time > start), "no signal live");
}

Deno.test("live restart recovery: a first sync cut after two warm-up pages is redone; the open trade is kept, no second one opens", async () => {
  const t = farTrade();
  let drops = 0;
  const run = await restartWith(t, () => {}, {
    onHistoryPage: (r, page) => {
      if (page === 2 && drops === 0) {
        drops++;
        r.sim.faults.dropAll();
      }
    },
  });
  try {
    await feedAll(run, "in sync after the drop");
  } finally {
    await run.finish();
  }
  assert.equal(drops, 1);
  assert.ok(run.runner.stats.connects >= 2, `${run.runner.stats.connects} connect(s)`);
  assert.ok(run.runner.stats.warmupTicks > 0, "the redone first sync skipped the warm-up");
  assertTradeKept(run);
});

Deno.test("live restart recovery: a pacing violation (162) inside the first sync waits and goes on; the trade is kept, none opens", async () => {
  const t = farTrade();
  let other: Awaited<ReturnType<typeof connectClient>> | undefined;
  let spent: Promise<void> | undefined;
  // Time between pages for another client to spend the contract's budget (5 in 2 s).
  const run = await restartWith(t, (c) => c.live.page_interval_ms = 1500, {
    onHistoryPage: (r, page) => {
      if (page !== 1 || spent !== undefined) return;
      spent = (async () => {
        other = await connectClient(r.sim.port, { clientId: 98 });
        const c = { conId: r.runner.contract!.conId, exchange: "CME", secType: SecType.FUT };
        for (let i = 0; i < 5; i++) {
          const end = `20250217-14:3${i}:00`;
          other.ib.reqHistoricalTicks(i + 1, c, "", end, 10, "TRADES" as never, 0, false);
        }
        // Answered with ticks, or with a 162 of their own once the bot's page counts too.
        const answered = () =>
          other!.named(EventName.historicalTicksLast).length +
          other!.errors.filter((e) => e.reqId >= 1 && e.reqId <= 5).length;
        await other.waitFor("5 answers", () => answered() >= 5);
      })();
      spent.catch(() => {}); // thrown by the `await spent` below
    },
  });
  try {
    await feedAll(run, "in sync after the 162");
    await spent;
  } finally {
    await other?.close();
    await run.finish();
  }
  assert.ok(run.runner.stats.pacingRetries >= 1, "no 162 was provoked");
  const at = (text: string) => run.lines.findIndex((l) => l.includes(text));
  assert.ok(at("pacing violation (162)") < at("in sync"), "the 162 came after the first sync");
  assert.ok(run.runner.stats.warmupTicks > 0);
  assertTradeKept(run);
});

Deno.test("live: stopping during a restart's unfinished first sync opens nothing and leaves the trade open", async () => {
  const rec = generatedTicks(10, 29);
  const t = farTrade(rec);
  const run = await startLiveRun({
    ticks: rec,
    historyMs: 60_000,
    speed: 100,
    runId: "NEW",
    patch: (c) => {
      c.live.warmup = "ticks";
      // The second history page waits 60 s: the sync is still running when the stop comes.
      c.live.page_interval_ms = 60_000;
    },
    resume: (sim) =>
      resumeOf(openTradeJournal(t.side, t.entry, t.stop, t.target, t.at + sim.shiftMs)),
  });
  let liveFrom = 0;
  let stopAt = 0;
  try {
    await until("syncing", () => run.runner.state === "syncing");
    liveFrom = run.sim.now();
    // 420 s of live trades (4.2 s at 100x) pile up in the buffer: 28 bars.
    await until("420 s of buffered trades", () => run.sim.now() >= liveFrom + 420_000);
    assert.equal(run.runner.state, "syncing");
    stopAt = run.sim.now();
    run.runner.stop("SIGINT", "MANUAL");
  } finally {
    await run.finish();
  }
  assert.equal(run.runner.state, "stopped");
  assert.deepEqual(run.events.filter((e) => e.kind === "ENTRY" || e.kind === "EXIT"), []);
  // Nothing journaled: the open trade stays open for the next start.
  assert.deepEqual(run.journal.lines, []);
  assert.ok(run.lines.some((l) => l.includes("trade OLD-001 stays open in the journal")));
  // Those buffered trades alone make the plain engine signal: fed to an engine that had not
  // resumed the trade (as before), they opened one.
  const buffered = rec.filter((x) => {
    const ts = sec(x.ts) + run.sim.shiftMs;
    return ts >= liveFrom && ts < stopAt;
  });
  const ref = offlineRun(liveConfig(7497), buffered);
  assert.ok(ref.events.some((e) => e.kind === "ENTRY"), "no signal in the buffered trades");
});

Deno.test("live: stopping during an unfinished backfill feeds the buffered trades only to the open trade", async () => {
  const rec = generatedTicks(12, 7);
  const run = await startLiveRun({
    ticks: rec,
    speed: 100,
    patch: (c) => {
      c.live.warmup = "off";
      // The backfill's second page waits 30 s: the sync is still running when the stop comes.
      c.live.page_interval_ms = 30_000;
    },
  });
  let dropAt = 0;
  let liveAgain = 0;
  let stopAt = 0;
  try {
    const t0 = run.sim.now();
    await until("300 s traded", () => run.sim.now() >= t0 + 300_000);
    dropAt = run.sim.now();
    // TWS restarts: 150 s of trades (1.5 s at 100x) are missed, more than one history page.
    void run.sim.faults.refuseFor(1500);
    await until("reconnected", () => run.runner.stats.connects >= 2);
    liveAgain = run.sim.now();
    await until("200 s buffered", () => run.sim.now() >= liveAgain + 200_000);
    assert.equal(run.runner.state, "syncing");
    stopAt = run.sim.now();
    run.runner.stop("SIGINT", "MANUAL");
  } finally {
    await run.finish();
  }
  // Nothing opened after the drop; at most the trade open then was closed.
  const entries = run.events.filter((e) => e.kind === "ENTRY");
  assert.deepEqual(entries.filter((e) => e.time >= dropAt), []);
  assert.ok(maxOpenTrades(run.events) <= 1);
  // The engine as it was at the drop, fed the buffered trades in full (as before), signals.
  const shift = run.sim.shiftMs;
  const seen = (x: { ts: number }) => sec(x.ts) + shift;
  const asBefore = rec.filter((x) =>
    seen(x) < dropAt || (seen(x) >= liveAgain && seen(x) < stopAt)
  );
  const ref = offlineRun(run.runner.engine!.config, asBefore);
  assert.ok(
    ref.events.some((e) => e.kind === "ENTRY" && e.time + shift >= liveAgain),
    "no signal in the buffered trades: the test proves nothing",
  );
});

Deno.test("live restart recovery: a first sync whose history request times out is redone in full", async () => {
  const t = farTrade();
  let swallowed = 0;
  const run = await restartWith(t, (c) => c.live.request_timeout_ms = 1000, {
    // The first history answer (HISTORICAL_TICKS_LAST, 98) never arrives.
    rewrite: (f) => {
      if (f[0] !== "98" || swallowed > 0) return f;
      swallowed++;
      return null;
    },
  });
  try {
    await feedAll(run, "in sync after the timeout");
  } finally {
    await run.finish();
  }
  assert.equal(swallowed, 1);
  assert.ok(run.lines.some((l) => l.includes("sync failed")), run.lines.join("\n"));
  assert.equal(run.runner.stats.connects, 1);
  assert.ok(run.runner.stats.warmupTicks > 0, "the redone first sync skipped the warm-up");
  assertTradeKept(run);
});
