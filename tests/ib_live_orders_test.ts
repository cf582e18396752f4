/**
 * Real orders in a live run: the LiveRunner with `execution.venue: ib` (IbOrders on the
 * runner's connection) against the TWS simulator: parity with `venue: paper` on the same
 * tape (the same trades: entries, exits, reasons, P/L before commission), the live-account
 * guard, and a restart that adopts the working bracket of the journal's open trade.
 *
 * The tape makes the fill model deterministic: every price is held for four prints one second
 * apart, and a bar (20 s) starts on a level's second print. A next-tick market entry is
 * placed on that print; paper fills it there, the simulator at the next print, which has the
 * same price (two prints, 50 ms at 40x, leave room for the order's way to the simulator). Stops and targets fill at the print that reaches them in both.
 */
import assert from "node:assert/strict";
import { type Config } from "../lib/config/schema.ts";
import { IbOrders } from "../lib/execution/ib_live.ts";
import { EventStream } from "../lib/events/stream.ts";
import { isJournalEvent } from "../lib/events/types.ts";
import { journalFormatOptions } from "../lib/cli/console.ts";
import { MemoryJournal } from "../lib/journal/writer.ts";
import { LiveRunner, type ResumeState } from "../lib/live/runner.ts";
import { arraySource } from "../lib/sim/feed.ts";
import { type SimulatorHandle, startSimulator } from "../lib/sim/server.ts";
import type { EntryEvent, ExitEvent, FillEvent, JournalEvent, Tick } from "../lib/types.ts";
import { clockFrom, generatedTicks, liveConfig, quietSimLog, until } from "./_live_harness.ts";

const T0 = Date.UTC(2026, 2, 3, 15, 0, 0);
const SPEED = 40;
/** The flat levels are history when the simulator starts. */
const HISTORY_MS = 120_000;

/**
 * 30 flat levels (history when the simulator starts; the warm-up feeds them), then
 * `levels` prices sampled from a generated session, each held for four one-second prints.
 */
function levelTape(levels: number): Tick[] {
  const g = generatedTicks(120, 3);
  const prices: number[] = [];
  for (let i = 0; i < 30; i++) prices.push(g[0]!.price);
  for (let i = 0; i < g.length && prices.length < 30 + levels; i += 80) prices.push(g[i]!.price);
  const ticks: Tick[] = [];
  prices.forEach((p, i) => {
    // One second early: a bar starts on a level's second print, so a level change (where
    // exits happen) is never a bar's first print. There the simulator's fill could reach the
    // bot before the print that closes the bar, freeing the position a print earlier than a
    // paper fill does.
    for (let k = 0; k < 4; k++) ticks.push({ ts: T0 + (4 * i + k - 1) * 1000, price: p, size: 1 });
  });
  return ticks;
}

function patch(venue: "paper" | "ib") {
  return (c: Config) => {
    c.bars.seconds = 20;
    c.strategy.entry_price = "next_tick";
    c.fills.entry_slippage_ticks = 0;
    c.fills.stop_slippage_ticks = 0;
    c.fills.target_fill = "touch";
    c.indicators.rvol_threshold = 0;
    c.execution.venue = venue;
    // Both runs must feed the engine the same trades from the tape's start, whenever they
    // connect: the warm-up fetches the whole history (the flat levels) first.
    c.live.warmup = "ticks";
    c.live.warmup_bars = 100;
  };
}

interface Run {
  events: JournalEvent[];
  lines: string[];
  /** What IbOrders asked the run to stop for. */
  refused: string[];
  orders: IbOrders | undefined;
}

function simFor(ticks: Tick[], account?: string) {
  return startSimulator({
    port: 0,
    source: arraySource(ticks),
    speed: SPEED,
    historyMs: HISTORY_MS,
    // Started just under a second early: the simulator then shifts the tape by exactly 0 s
    // (it rounds its start up to a whole second): the tape's seconds stay where they are.
    clock: clockFrom(ticks[0]!.ts + HISTORY_MS - 999),
    logger: quietSimLog,
    // Two runs on one simulator must not wait for each other's history pacing.
    pacing: false,
    ...(account === undefined ? {} : { account }),
  });
}

interface Bot extends Run {
  runner: LiveRunner;
  /**
   * Stops the order client and the runner: END closes an open trade, MANUAL with `keep`
   * leaves it open (its bracket working at the simulator).
   */
  stop(exit?: "MANUAL" | "END"): Promise<void>;
}

/** A live runner on `sim`; with venue ib, IbOrders on its connection. */
function startBot(
  sim: SimulatorHandle,
  venue: "paper" | "ib",
  o: { runId?: string; resume?: ResumeState; knownExecIds?: string[]; keep?: boolean } = {},
): Bot {
  const config = liveConfig(sim.port, patch(venue));
  if (o.keep === true) config.live.on_stop = "keep";
  const events: JournalEvent[] = [];
  const lines: string[] = [];
  const refused: string[] = [];
  const journal = new MemoryJournal(journalFormatOptions(config));
  const stream = new EventStream();
  const box: { orders?: IbOrders; runner?: LiveRunner } = {};
  stream.subscribe((e) => {
    if (!isJournalEvent(e)) return;
    events.push(e);
    box.orders?.onEvent(e);
  });
  const runner = new LiveRunner({
    config,
    journal,
    runId: o.runId ?? "LIVE",
    clock: { now: () => sim.now() },
    version: "test",
    configDigest: "test",
    events: stream,
    log: (line) => lines.push(line),
    random: () => 0.5,
    resume: o.resume,
    ...(venue === "paper" ? {} : {
      venue: (contract) => {
        const orders = new IbOrders({
          config,
          adapter: box.runner!.connection.adapter,
          contract,
          liveAccountFlag: false,
          clock: () => sim.now(),
          log: (line) => lines.push(line),
          signal: false,
          onRefused: (line) => refused.push(line),
          ...(o.knownExecIds === undefined ? {} : { knownExecIds: o.knownExecIds }),
          ...(o.resume?.since === undefined ? {} : { execSince: o.resume.since }),
        });
        orders.attach(box.runner!.connection);
        box.orders = orders;
        return orders.venue;
      },
    }),
  });
  box.runner = runner;
  runner.start();
  return {
    events,
    lines,
    refused,
    get orders() {
      return box.orders;
    },
    runner,
    async stop(exit = "END") {
      box.orders?.stop();
      runner.stop("END_OF_DATA", exit);
      await new Promise((r) => setTimeout(r, 30));
    },
  };
}

async function liveRun(venue: "paper" | "ib", ticks: Tick[], account?: string): Promise<Run> {
  const sim = await simFor(ticks, account);
  const bot = startBot(sim, venue);
  try {
    await sim.replayDone();
    // The last prints' fills reach the bot a moment later.
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    await bot.stop();
    await sim.close();
  }
  return bot;
}

/** The closed trades, venue-independent: side, entry fill, exit, reason, gross P/L. */
function trades(events: readonly JournalEvent[]): string[] {
  return events.filter((e): e is ExitEvent =>
    e.kind === "EXIT" && (e.reason === "STOP" || e.reason === "TARGET")
  ).map((e) =>
    `${e.tradeId} ${e.side} ${e.qty}@${e.entryPrice} -> ${e.reason} ${e.price} gross ${e.grossPnl}`
  );
}

Deno.test("live parity: the same tape with venue paper and venue ib (real orders on the simulator) gives the same trades", async () => {
  const ticks = levelTape(200);
  const paper = await liveRun("paper", ticks);
  const ib = await liveRun("ib", ticks);
  const p = trades(paper.events);
  const i = trades(ib.events);
  assert.ok(p.length >= 3, `the tape trades (paper: ${p.length} closed trades)`);
  assert.deepEqual(i, p);
  // The ib run's FILL and EXIT lines carry IB's exec ids and commission (0.62 a side).
  const exits = ib.events.filter((e): e is ExitEvent => e.kind === "EXIT" && e.reason !== "END");
  assert.ok(exits.every((e) => e.execId !== undefined && e.commission === 1.24));
  assert.ok(ib.lines.some((l) => l.startsWith("[orders] reconciled: 0 order(s) adopted")));
});

Deno.test("live with venue ib on a live (non-DU) account: no order is sent, the run is told to stop", async () => {
  const ticks = levelTape(40);
  const r = await liveRun("ib", ticks, "U7654321");
  assert.deepEqual(r.events.filter((e) => e.kind === "FILL"), []);
  assert.deepEqual(r.refused, [
    "TWS is logged in to a live account (U...), not a paper one (DU...): real orders there need " +
    "execution.allow_live_account: true in the config and --live-account on the command line",
  ]);
});

Deno.test("live restart with a working bracket: the next run adopts it from the journal's open trade, sends no second one, and books its exit", async () => {
  const sim = await simFor(levelTape(200));
  try {
    // LIVE-002 (a short from 15:08:20 to its stop at 15:10:08) is open when the first run dies.
    const a = startBot(sim, "ib", { keep: true });
    const fillOf = (b: Run) =>
      b.events.find((e): e is FillEvent => e.kind === "FILL" && e.tradeId === "LIVE-002");
    await until("LIVE-002's entry fill", () => fillOf(a) !== undefined, 30_000);
    await a.stop("MANUAL");
    await until("the first run's session to close", () => sim.stats().activeSessions === 0);
    const entry = a.events.find((e): e is EntryEvent =>
      e.kind === "ENTRY" && e.tradeId === "LIVE-002"
    )!;
    const fill = fillOf(a)!;
    assert.ok(fill.execId !== undefined);
    const resume: ResumeState = {
      state: {
        tradeId: "LIVE-002",
        side: entry.side,
        ordered: 1,
        filled: 1,
        filledValue: fill.price,
        entryPrice: fill.price,
        stop: entry.stop,
        target: entry.target,
        entryTime: fill.time,
        fills: 1,
      },
      lastSeq: 0,
      since: fill.time,
    };
    const b = startBot(sim, "ib", { runId: "LIVE2", resume, knownExecIds: [fill.execId!] });
    await until("LIVE-002's exit", () => b.events.some((e) => e.kind === "EXIT"), 30_000);
    await b.stop();
    assert.ok(
      b.lines.some((l) => l.startsWith("[orders] reconciled: 2 order(s) adopted, 0 missed")),
      b.lines.filter((l) => l.startsWith("[orders]")).join("\n"),
    );
    const mine = b.events.filter((e) => "tradeId" in e && e.tradeId === "LIVE-002");
    // No ENTRY and no entry FILL again: only the exit, at the stop the first run placed.
    assert.deepEqual(mine.map((e) => e.kind), ["EXIT"]);
    const exit = mine[0] as ExitEvent;
    assert.deepEqual([exit.reason, exit.side, exit.price, exit.entryPrice], [
      "STOP",
      "SHORT",
      5001,
      4999.25,
    ]);
  } finally {
    await sim.close();
  }
});

Deno.test("live stop with on_stop close and venue ib: the position is closed at the simulator before the run ends", async () => {
  const sim = await simFor(levelTape(200));
  try {
    const a = startBot(sim, "ib");
    await until(
      "LIVE-002's entry fill",
      () => a.events.some((e) => e.kind === "FILL" && e.tradeId === "LIVE-002"),
      30_000,
    );
    assert.equal(await a.orders!.closeAll(5000), true);
    await a.stop("MANUAL");
    const exit = a.events.find((e): e is ExitEvent =>
      e.kind === "EXIT" && e.tradeId === "LIVE-002"
    );
    assert.equal(exit?.reason, "MANUAL");
    assert.ok(exit?.execId !== undefined, "closed by a real order");
    // Nothing left at the simulator: no position, no working order of the bot's client id.
    await until("the run's session to close", () => sim.stats().activeSessions === 0);
    const check = startBot(sim, "ib", { runId: "CHECK" });
    await until(
      "the check's reconciliation",
      () => check.lines.some((l) => l.startsWith("[orders] reconciled:")),
      10_000,
    );
    await check.stop();
    assert.ok(
      check.lines.some((l) =>
        l.startsWith("[orders] reconciled: 0 order(s) adopted") &&
        l.endsWith("position 0 at IB vs 0 journaled")
      ),
      check.lines.filter((l) => l.startsWith("[orders]")).join("\n"),
    );
    assert.ok(!check.lines.some((l) => l.includes("belongs to no journal trade")));
  } finally {
    await sim.close();
  }
});
