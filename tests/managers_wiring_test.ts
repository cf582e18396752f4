/**
 * Stop, target and entry managers (issue 7) wired into the rest: their journal lines
 * round-trip, config builds them (a bad scale-out is one line), pullback limit entries, a
 * restart resumes moved and scaled-out trades, and the engine feeds a swing stop its bars. The
 * modes themselves: managers_test.ts.
 */
import assert from "node:assert/strict";
import { parseConfigText } from "../lib/config/load.ts";
import { managersFrom } from "../lib/engine/managers/from_config.ts";
import { BreakevenStop, TrailingAtrStop } from "../lib/engine/managers/stops.ts";
import { RMultipleTarget } from "../lib/engine/managers/targets.ts";
import { resumeFrom } from "../lib/cli/live.ts";
import { formatEvent, parseJournalLine } from "../lib/journal/format.ts";
import { summarizeJournal } from "../lib/journal/inspect.ts";
import { ScalpStrategy } from "../lib/strategy/scalp.ts";
import type { ExitEvent, JournalEvent, LevelMoveEvent } from "../lib/types.ts";
import { bar, exits, moves, pts, T, TICK, trader } from "./_managers.ts";

Deno.test("journal: STOP_MOVE, TARGET_MOVE, EXIT By= and Remaining= round-trip; old EXIT lines read as before", () => {
  const o = { timeZone: "America/Chicago", priceDecimals: 2 };
  const move: LevelMoveEvent = {
    kind: "STOP_MOVE",
    time: T,
    tradeId: "r1-001",
    old: 4498,
    price: 4499.75,
    reason: "BREAKEVEN",
  };
  const line = formatEvent(move, o);
  assert.equal(
    line,
    "2025-02-17T12:01:00-06:00 | STOP_MOVE | TradeID=r1-001 | Old=4498.00 | New=4499.75 | Reason=BREAKEVEN",
  );
  assert.deepEqual(parseJournalLine(line, 1, "j"), move);
  const tm = { ...move, kind: "TARGET_MOVE" as const, old: 4503, price: 4506, reason: "SCALE_OUT" };
  assert.deepEqual(parseJournalLine(formatEvent(tm, o), 1, "j"), tm);
  const exit: ExitEvent = {
    kind: "EXIT",
    time: T,
    tradeId: "r1-001",
    side: "LONG",
    reason: "TARGET",
    price: 4503,
    qty: 1,
    entryPrice: 4500,
    entryTime: T - 1000,
    pnlPoints: 3,
    pnlTicks: 12,
    grossPnl: 15,
    commission: 1.24,
    netPnl: 13.76,
    remaining: 2,
    by: "scale_out",
  };
  const xl = formatEvent(exit, o);
  assert.ok(xl.endsWith(" | Net=13.76 | Remaining=2 | By=scale_out"), xl);
  assert.deepEqual(parseJournalLine(xl, 1, "j"), exit);
  // Without them, the line is today's and parses without the keys.
  const { remaining: _r, by: _b, ...plain } = exit;
  const pl = formatEvent(plain, o);
  assert.ok(pl.endsWith(" | Net=13.76"), pl);
  assert.deepEqual(parseJournalLine(pl, 1, "j"), plain);
  assert.throws(() => parseJournalLine(pl + " | By=Bad-Name", 3, "j"), /EXIT By is "Bad-Name"/);
});

Deno.test("config: defaults build no managers; modes build theirs; a bad scale-out is one line", () => {
  const parse = (text: string) => parseConfigText(text, { source: "config.yaml" });
  assert.deepEqual(managersFrom(parse("")), {});
  const m = managersFrom(parse(
    "risk:\n  contracts: 2\n  stop: {mode: breakeven, breakeven_after: 4, breakeven_unit: points}\n" +
      "  target: {mode: r_multiple, r_multiple: 1.5}\n  scale_out: {contracts: 1}\n",
  ));
  assert.ok(m.stops instanceof BreakevenStop);
  assert.equal((m.stops as BreakevenStop).after, 4);
  assert.equal((m.stops as BreakevenStop).offsetTicks, 1); // the default
  const o = managersFrom(parse("risk:\n  stop: {mode: breakeven, breakeven_offset_ticks: 3}\n"));
  assert.equal((o.stops as BreakevenStop).offsetTicks, 3);
  // On the entry is what the offset exists to avoid: 0 is refused, in one line.
  assert.throws(
    () => parse("risk:\n  stop: {mode: breakeven, breakeven_offset_ticks: 0}\n"),
    (e: Error) =>
      !e.message.includes("\n") && e.message.includes("risk.stop.breakeven_offset_ticks") &&
      e.message.includes("0"),
  );
  assert.ok(m.targets instanceof RMultipleTarget);
  assert.deepEqual(m.scaleOut, { contracts: 1, runnerPoints: 6 });
  assert.equal(m.tagExits, true);
  assert.throws(
    () => parse("risk:\n  scale_out:\n    contracts: 1\n"),
    (e: Error) =>
      !e.message.includes("\n") && e.message.includes("risk.scale_out.contracts") &&
      e.message.includes("must be less than risk.contracts (1)"),
  );
  assert.throws(
    () => parse("risk:\n  stop:\n    mode: chandelier\n"),
    (e: Error) => !e.message.includes("\n") && e.message.includes("risk.stop.mode"),
  );
  // A pullback to VWAP with VWAP off could never enter: one line naming both keys' fix.
  assert.throws(
    () =>
      parse("strategy:\n  trigger: pullback\n  pullback_to: vwap\nindicators:\n  vwap: false\n"),
    (e: Error) =>
      e.message ===
        'config.yaml: strategy.pullback_to = "vwap" is not allowed: vwap needs indicators.vwap: true (or pullback_to: ema_fast)',
  );
  // Not a pullback: pullback_to is unused, so VWAP off is fine.
  assert.equal(
    parse("strategy:\n  pullback_to: vwap\nindicators:\n  vwap: false\n").strategy.pullback_to,
    "vwap",
  );
});

Deno.test("pullback entry: a limit at the cross bar's EMA fills only where that price trades, else expires", () => {
  const config = parseConfigText(
    "strategy:\n  trigger: pullback\n  pullback_bars: 2\n  calibration_bars: 1\n",
    { source: "t" },
  );
  const strategy = new ScalpStrategy(config);
  // Bar 1: fast below slow; bar 2: fast crosses above, close above VWAP, RSI 60, RVOL 2.
  const ctx = (values: (number | undefined)[], close: number) => ({
    bar: { ...bar(close - 1, close), close },
    values,
    value: () => undefined,
    index: 1,
    canEnter: true,
  });
  assert.equal(strategy.onBar(ctx([4499, 4500, 60, 1, 4498, 2], 4500)), undefined);
  const intent = strategy.onBar(ctx([4500.62, 4500.5, 60, 1, 4498, 2], 4502))!;
  assert.equal(intent.side, "LONG");
  assert.equal(intent.limit, 4500.62);
  assert.equal(intent.expiryBars, 2);

  // Fills: the buy limit goes on the grid below its level (4500.50) and fills there.
  const a = trader({ entryPrice: "next_tick" });
  a.t.signal(intent, 4502, T, {});
  const entry = a.events[0]!;
  assert.ok(entry.kind === "ENTRY");
  assert.deepEqual([entry.entry, entry.stop, entry.target], [4500.5, 4499, 4503.5]);
  a.t.onTick(T + 1, 4501.75, 1); // above the limit: no fill
  a.t.onTick(T + 2, 4500.75, 1);
  assert.equal(a.events.length, 1);
  a.t.onTick(T + 3, 4500.25, 1); // through it: fills at the limit
  const fill = a.events[1]!;
  assert.ok(fill.kind === "FILL");
  assert.deepEqual([fill.price, fill.qty], [4500.5, 1]);

  // Expires: no print at 4500.50 within 2 bar closes -> CANCEL EXPIRED, the trader is free.
  const b = trader({ entryPrice: "next_tick" });
  b.t.signal(intent, 4502, T, {});
  b.t.onTick(T + 1, 4501, 1);
  b.t.onBarClose(T + 30_000);
  assert.equal(b.t.busy, true);
  b.t.onBarClose(T + 60_000);
  const c = b.events[1]!;
  assert.ok(c.kind === "CANCEL");
  assert.deepEqual([c.reason, c.qty], ["EXPIRED", 1]);
  assert.equal(b.t.busy, false);
  assert.equal(b.t.tradesOpened, 0);
});

Deno.test("restart: a scaled-out, moved trade resumes with the rest, the moved levels, and no manager moves", () => {
  const o = { timeZone: "America/Chicago", priceDecimals: 2 };
  const { t, events } = trader({
    contracts: 3,
    stops: new BreakevenStop(TICK, 2, "points"),
    scaleOut: { contracts: 1, runnerPoints: 6 },
  });
  t.signal(pts("LONG", 2, 3), 4500, T, {});
  t.onTick(T + 1, 4502, 1); // breakeven: 4498 -> 4500.25, a tick of profit locked
  t.onTick(T + 2, 4503, 1); // 1 of 3 out at 4503, target -> 4506
  // Through the journal text, as a restart reads it.
  const lines = events.map((e) => formatEvent(e, o));
  const open = summarizeJournal(lines.map((l, i) => parseJournalLine(l, i + 1, "j"))).openTrades;
  const r = resumeFrom(open)!;
  assert.deepEqual(
    [r.state.ordered, r.state.filled, r.state.filledValue, r.state.entryPrice],
    [2, 2, 9000, 4500],
  );
  assert.deepEqual([r.state.stop, r.state.target], [4500.25, 4506]);
  // The resumed trade keeps those levels: a trailing stop does not move it on new highs.
  const b = trader({ contracts: 3, stops: new TrailingAtrStop(TICK) });
  b.t.resume(r.state, 1);
  b.t.onTick(T + 10, 4505, 1);
  assert.deepEqual(moves(b.events, "STOP_MOVE"), []);
  b.t.onTick(T + 11, 4506, 1);
  const x = exits(b.events)[0]!;
  assert.deepEqual([x.qty, x.price, x.grossPnl], [2, 4506, 60]);
  // Or the stop in profit: the rest exits there with its tick, 2 x 0.25 x $5 = 2.50.
  const c = trader({ contracts: 3, stops: new TrailingAtrStop(TICK) });
  c.t.resume(r.state, 1);
  c.t.onTick(T + 10, 4500.25, 1);
  const y = exits(c.events)[0]!;
  assert.deepEqual([y.reason, y.qty, y.price, y.grossPnl], ["STOP", 2, 4500.25, 2.5]);
});

Deno.test("restart: a trailing stop moved into profit after the fill resumes there, checked from the move on", () => {
  const o = { timeZone: "America/Chicago", priceDecimals: 2 };
  const { t, events } = trader({ stops: new TrailingAtrStop(TICK) });
  t.signal(pts("LONG", 2, 10), 4500, T, {}); // filled at T, stop 4498
  t.onTick(T + 1000, 4499, 1); // a dip: no move
  t.onTick(T + 2000, 4503, 1); // -> 4501
  const lines = events.map((e) => formatEvent(e, o));
  const open = summarizeJournal(lines.map((l, i) => parseJournalLine(l, i + 1, "j"))).openTrades;
  const r = resumeFrom(open)!;
  assert.equal(r.state.stop, 4501);
  // From the move, not the fill: the 4499 dip came before the stop was at 4501 and must not
  // be replayed against it.
  assert.equal(r.since, T + 2000);
});

Deno.test("engine wiring: risk.stop swing from config, fed the engine's closed bars; EXIT By=swing_stop", async () => {
  const { Engine } = await import("../lib/engine/engine.ts");
  const config = parseConfigText(
    "strategy: {calibration_bars: 1}\nrisk: {stop: {mode: swing, swing_lookback: 2, swing_max_risk: 5}}\n",
    { source: "t" },
  );
  const events: JournalEvent[] = [];
  // Enters long on the second closed bar, whatever the indicators say.
  const strategy = {
    indicators: [],
    onBar: (ctx: { index: number; canEnter: boolean }) =>
      ctx.index === 2 && ctx.canEnter ? pts("LONG", 1, 3) : undefined,
  };
  const engine = new Engine({
    config,
    journal: { write: (e) => events.push(e) },
    runId: "R",
    strategy,
  });
  const t0 = Date.UTC(2025, 1, 17, 15, 0, 0);
  engine.start({ time: t0, version: "t", configDigest: "t", source: "t" });
  const ticks: [number, number][] = [
    [1, 5000],
    [10, 4998],
    [20, 5001], // bar 1: low 4998
    [31, 5001],
    [40, 4999.5],
    [50, 5002], // bar 2: low 4999.50; the entry signal
    [61, 5002], // next_tick: the order at 5002, filled a tick worse (5002.25)
    [70, 4997.75], // the swing stop: min low 4998 - a tick
  ];
  for (const [s, p] of ticks) engine.onTick(t0 + s * 1000, p, 1);
  engine.finish("END", "END_OF_DATA");
  const entry = events.find((e) => e.kind === "ENTRY")!;
  assert.ok(entry.kind === "ENTRY");
  assert.deepEqual([entry.entry, entry.stop, entry.target], [5002, 4997.75, 5005]);
  const [x] = exits(events);
  // Stop hit at 4997.75, filled a tick worse (stop_slippage_ticks 1): 4997.50.
  assert.deepEqual([x!.reason, x!.price, x!.by], ["STOP", 4997.5, "swing_stop"]);
});
