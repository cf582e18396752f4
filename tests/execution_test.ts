/**
 * Execution behind one interface (issue 8): the paper venue's fills on their own, the trade
 * manager driving a scripted venue that answers later (as IB does), limit entries with their
 * timeouts, the engine on an injected venue, and the `execution` config section.
 *
 * @module
 */
import assert from "node:assert/strict";
import { parseConfigText } from "../lib/config/load.ts";
import { Engine } from "../lib/engine/engine.ts";
import { TrailingAtrStop } from "../lib/engine/managers/stops.ts";
import type { PaperTraderOptions } from "../lib/engine/paper_trader.ts";
import { TradeManager, type TradeManagerOptions } from "../lib/engine/trade_manager.ts";
import { PaperVenue, type PaperVenueOptions } from "../lib/execution/paper_venue.ts";
import { formatEvent, parseJournalLine } from "../lib/journal/format.ts";
import type {
  AdoptedTrade,
  EntryOrder,
  ExitChange,
  FlattenOrder,
  OrderRole,
  Venue,
  VenueEvent,
  VenueListener,
} from "../lib/execution/venue.ts";
import type { EntryIntent, Strategy } from "../lib/strategy/strategy.ts";
import type { EntryContext, JournalEvent, Side } from "../lib/types.ts";
import { recordingTrader } from "./_trader.ts";

const T = Date.UTC(2025, 1, 17, 18, 1, 0);
const CTX: EntryContext = { ATR9: 1 };
/** Stop 1.5 x ATR 1 = 1.5 points, target 3 points. */
const intent = (side: Side): EntryIntent => ({
  side,
  stop: { kind: "atr", multiple: 1.5, atr: 1 },
  target: { kind: "points", points: 3 },
});

/** A paper venue whose events are recorded (fill: role@price xqty; cancel: role xqty). */
function paper(over: Partial<PaperVenueOptions> = {}) {
  const venue = new PaperVenue({
    tickSize: 0.25,
    partialFills: false,
    stopSlippageTicks: 1,
    entrySlippageTicks: 1,
    targetFill: "through",
    ...over,
  });
  const seen: string[] = [];
  venue.listen((e) => seen.push(show(e)));
  return { venue, seen };
}

function show(e: VenueEvent): string {
  switch (e.kind) {
    case "fill":
      return `fill ${e.role}@${e.price}x${e.qty} t${e.time}`;
    case "cancel":
      return `cancel ${e.role}x${e.qty} t${e.time}`;
    default:
      return `${e.kind} ${e.role}`;
  }
}

const entry = (o: Partial<EntryOrder> = {}): EntryOrder => ({
  tradeId: "R-1",
  side: "LONG",
  qty: 1,
  type: "market",
  price: 4501,
  time: 1000,
  stop: 4499.5,
  target: 4504,
  ...o,
});

Deno.test("PaperVenue: a market entry fills at once a tick worse; a target needs a print through it; a gapped short stop fills beyond the gap", () => {
  const { venue, seen } = paper();
  venue.placeEntry(entry());
  // 4501 + 1 tick of entry slippage.
  assert.deepEqual(seen, ["fill entry@4501.25x1 t1000"]);
  venue.matchExits(999, 4490); // a print stamped before the order: not this order's
  venue.matchExits(2000, 4504); // at the target, not through it
  assert.equal(seen.length, 1);
  venue.matchExits(2001, 4504.25);
  assert.deepEqual(seen.slice(1), ["fill target@4504x1 t2001"]);

  venue.placeEntry(entry({ tradeId: "R-2", side: "SHORT", price: 4500, stop: 4501, target: 4497 }));
  venue.matchExits(3000, 4501.5); // gapped through 4501: 4501.50 + 1 tick
  assert.deepEqual(seen.slice(2), ["fill entry@4499.75x1 t1000", "fill stop@4501.75x1 t3000"]);
});

Deno.test("PaperVenue: partial fills take volume at the price or better; a limit without them fills whole; cancel reports the rest", () => {
  const { venue, seen } = paper({ partialFills: true });
  venue.placeEntry(entry({ qty: 3, price: 4500, time: 0 }));
  assert.deepEqual(seen, []); // rests as a limit, no entry slippage
  venue.onTick(1, 4500.25, 5); // above a buy's price
  venue.onTick(2, 4500, 2);
  venue.onTick(3, 4499.75, 5); // through it: the last contract, at its own price
  assert.deepEqual(seen, ["fill entry@4500x2 t2", "fill entry@4500x1 t3"]);

  const whole = paper();
  whole.venue.placeEntry(entry({ type: "limit", qty: 2, price: 4498, time: 0 }));
  whole.venue.onTick(1, 4498.25, 10);
  whole.venue.onTick(2, 4498, 1); // one contract traded, both fill (no partial fills)
  assert.deepEqual(whole.seen, ["fill entry@4498x2 t2"]);

  const c = paper();
  c.venue.placeEntry(entry({ type: "limit", qty: 2, price: 4498, time: 0 }));
  c.venue.cancel("R-1", "entry", 5);
  c.venue.onTick(6, 4497, 10); // cancelled: no fill
  assert.deepEqual(c.seen, ["cancel entryx2 t5"]);
});

Deno.test("PaperVenue: flatten at market pays the stop slippage, mark does not; the entry's rest is cancelled after the fill", () => {
  const m = paper({ partialFills: true });
  m.venue.placeEntry(entry({ qty: 3, price: 4500, time: 0 }));
  m.venue.onTick(1, 4500, 1);
  m.venue.flatten({ tradeId: "R-1", time: 2, price: 4502, pricing: "market" });
  assert.deepEqual(m.seen, [
    "fill entry@4500x1 t1",
    "fill flatten@4501.75x1 t2",
    "cancel entryx2 t2",
  ]);
  const k = paper();
  k.venue.placeEntry(entry({ side: "SHORT", price: 4500, stop: 4501.5, target: 4497 }));
  k.venue.flatten({ tradeId: "R-1", time: 2, price: 4502, pricing: "mark" });
  assert.deepEqual(k.seen.slice(1), ["fill flatten@4502x1 t2"]);
});

Deno.test("PaperVenue: a target for fewer contracts fills only those, then covers the rest", () => {
  const { venue, seen } = paper({ entrySlippageTicks: 0, targetFill: "touch" });
  venue.placeEntry(entry({ qty: 3, price: 4500, stop: 4498, target: 4503 }));
  venue.modifyExits("R-1", { targetQty: 1, time: 1500 });
  venue.matchExits(2000, 4503, "target");
  venue.matchExits(2001, 4503, "stop"); // another role alone: nothing to do with a target print
  venue.matchExits(2002, 4503);
  assert.deepEqual(seen, [
    "fill entry@4500x3 t1000",
    "fill target@4503x1 t2000",
    "fill target@4503x2 t2002",
  ]);
});

/** A venue that only records requests; the test answers for it later, like a broker. */
class ScriptedVenue implements Venue {
  readonly name = "scripted";
  listener: VenueListener = () => {};
  /** Requests, and the journal lines written, in the order they happened. */
  constructor(readonly log: string[]) {}
  listen(listener: VenueListener): void {
    this.listener = listener;
  }
  placeEntry(o: EntryOrder): void {
    this.log.push(
      `placeEntry ${o.tradeId} ${o.type} ${o.side} ${o.qty}@${o.price} ${o.stop}/${o.target}`,
    );
  }
  modifyExits(tradeId: string, c: ExitChange): void {
    this.log.push(`modify ${tradeId} ${JSON.stringify(c)}`);
  }
  cancel(tradeId: string, role: OrderRole): void {
    this.log.push(`cancel ${tradeId} ${role}`);
  }
  flatten(o: FlattenOrder): void {
    this.log.push(`flatten ${o.tradeId} ${o.pricing} ${o.price}`);
  }
  adopt(t: AdoptedTrade): void {
    this.log.push(`adopt ${t.tradeId}`);
  }
  send(e: VenueEvent): void {
    this.listener(e);
  }
}

function scripted(over: Partial<TradeManagerOptions> = {}) {
  const log: string[] = [];
  const events: JournalEvent[] = [];
  const venue = new ScriptedVenue(log);
  const tm = new TradeManager({
    venue,
    tickSize: 0.25,
    multiplier: 5,
    contracts: 2,
    commissionPerContract: 0.62,
    entryPrice: "bar_close",
    entryTimeoutBars: 1,
    emit: (e) => {
      events.push(e);
      log.push(e.kind);
    },
    tradeId: (n) => `R-${n}`,
    ...over,
  });
  return { tm, venue, log, events };
}

Deno.test("TradeManager on a venue that answers later: ENTRY before the order, fills as they come with exec ids and real commission", () => {
  const { tm, venue, log, events } = scripted();
  tm.signal(intent("LONG"), 4501, T, CTX);
  assert.deepEqual(log, ["ENTRY", "placeEntry R-1 market LONG 2@4501 4499.5/4504"]);
  assert.equal(tm.busy, true);
  tm.onTick(T + 1, 4501.25, 1); // no simulated matching: nothing happens
  assert.equal(events.length, 1);
  const fill = (role: OrderRole, price: number, qty: number, time: number, execId: string) =>
    venue.send({
      kind: "fill",
      tradeId: "R-1",
      role,
      price,
      qty,
      time,
      execId,
      commission: 0.85 * qty,
    });
  fill("entry", 4501.25, 1, T + 2, "e1");
  fill("entry", 4501.5, 1, T + 3, "e2");
  fill("stop", 4499.25, 2, T + 9, "e3");
  const [, f1, f2, exit] = events;
  assert.ok(f1?.kind === "FILL" && f2?.kind === "FILL" && exit?.kind === "EXIT");
  assert.deepEqual([f1.qty, f1.filled, f1.remaining, f1.execId], [1, 1, 1, "e1"]);
  assert.deepEqual([f2.filled, f2.remaining, f2.execId], [2, 0, "e2"]);
  // Average 4501.375; exit 4499.25: -2.125 points x $5 x 2 = -21.25. Commission: the two
  // entry executions' 0.85 each plus the exit's 1.70 = 3.40 (not 4 x 0.62).
  assert.equal(exit.reason, "STOP");
  assert.equal(exit.entryPrice, 4501.375);
  assert.equal(exit.grossPnl, -21.25);
  assert.equal(exit.commission, 3.4);
  assert.equal(exit.netPnl, -24.65);
  assert.equal(exit.execId, "e3");
  assert.equal(tm.busy, false);
  assert.equal(tm.tradesOpened, 1);
});

Deno.test("journal: FILL and EXIT lines carry the venue's ExecId and read it back; paper lines have none", () => {
  const o = { timeZone: "America/Chicago", priceDecimals: 2 };
  const fill: JournalEvent = {
    kind: "FILL",
    time: T,
    tradeId: "R-1",
    price: 4501.25,
    qty: 1,
    filled: 1,
    remaining: 0,
    execId: "0001f4e8.6543.01.01",
  };
  const line = formatEvent(fill, o);
  assert.equal(
    line,
    "2025-02-17T12:01:00-06:00 | FILL | TradeID=R-1 | Price=4501.25 | Qty=1 | Filled=1 | " +
      "Remaining=0 | ExecId=0001f4e8.6543.01.01",
  );
  assert.deepEqual(parseJournalLine(line, 1, "j"), fill);
  const { execId: _, ...paperFill } = fill;
  assert.ok(!formatEvent(paperFill, o).includes("ExecId"));
  const exit: JournalEvent = {
    kind: "EXIT",
    time: T,
    tradeId: "R-1",
    side: "LONG",
    reason: "STOP",
    price: 4499.25,
    qty: 1,
    entryPrice: 4501.25,
    entryTime: T,
    pnlPoints: -2,
    pnlTicks: -8,
    grossPnl: -10,
    commission: 1.7,
    netPnl: -11.7,
    execId: "0001f4e8.6544.01.01",
  };
  const x = formatEvent(exit, o);
  assert.ok(x.endsWith(" | ExecId=0001f4e8.6544.01.01"));
  assert.deepEqual(parseJournalLine(x, 2, "j"), exit);
});

Deno.test("TradeManager: a rejected entry is a CANCEL with the venue's code and text, and frees the position", () => {
  const { tm, venue, events } = scripted();
  tm.signal(intent("SHORT"), 4500, T, CTX);
  venue.send({
    kind: "reject",
    tradeId: "R-1",
    role: "entry",
    time: T + 1,
    code: 201,
    text: "margin",
  });
  const cancel = events[1];
  assert.ok(cancel?.kind === "CANCEL");
  assert.deepEqual([cancel.qty, cancel.reason, cancel.time], [2, "REJECTED 201: margin", T + 1]);
  assert.equal(tm.busy, false);
  assert.equal(tm.tradesOpened, 0);
  // A reject of a stop modify is the venue's to handle: nothing journaled.
  venue.send({ kind: "reject", tradeId: "R-1", role: "stop", time: T + 2, text: "110" });
  assert.equal(events.length, 2);
});

Deno.test("TradeManager: a flatten waits for the venue's fill, moves nothing meanwhile, books the EXIT at the fill price", () => {
  const { tm, venue, log, events } = scripted({ stops: new TrailingAtrStop(0.25) });
  tm.signal(intent("LONG"), 4501, T, CTX);
  venue.send({ kind: "fill", tradeId: "R-1", role: "entry", price: 4501, qty: 2, time: T + 1 });
  // A best print of 4502.50 trails the stop to 4502.50 - 1.5 = 4501, the fill itself, so a
  // tick past it: 4501.25. The move reaches the venue as a modify of the working stop.
  tm.onTick(T + 2, 4502.5, 1);
  const move = events.at(-1);
  assert.ok(move?.kind === "STOP_MOVE");
  assert.deepEqual([move.old, move.price], [4499.5, 4501.25]);
  assert.equal(log.at(-1), `modify R-1 {"stop":4501.25,"time":${T + 2}}`);
  tm.flatten(4503, T + 3);
  assert.equal(log.at(-1), "flatten R-1 market 4503");
  assert.equal(tm.busy, true);
  // Would trail the stop to 4508.50, but the trade is being closed.
  const before = log.length;
  tm.onTick(T + 4, 4510, 1);
  assert.equal(log.length, before);
  venue.send({
    kind: "fill",
    tradeId: "R-1",
    role: "flatten",
    price: 4502.75,
    qty: 2,
    time: T + 5,
  });
  const exit = events.at(-1);
  assert.ok(exit?.kind === "EXIT");
  // 1.75 points x $5 x 2 = 17.50; configured commission 0.62 x 2 sides x 2 = 2.48.
  assert.deepEqual(
    [exit.reason, exit.price, exit.grossPnl, exit.commission, exit.netPnl],
    ["MANUAL", 4502.75, 17.5, 2.48, 15.02],
  );
  assert.equal(tm.busy, false);
});

Deno.test("TradeManager: an entry fill that crosses its cancel is journaled and closed at once", () => {
  const { tm, venue, log, events } = scripted();
  tm.signal(intent("LONG"), 4501, T, CTX);
  tm.onBarClose(T + 30_000); // the entry timeout: CANCEL EXPIRED, and a cancel to the venue
  assert.deepEqual(log.slice(2), ["CANCEL", "cancel R-1 entry"]);
  // Busy until the venue confirms the cancel: a fill may still cross it.
  assert.equal(tm.busy, true);
  // The broker had filled one contract before the cancel reached it.
  venue.send({
    kind: "fill",
    tradeId: "R-1",
    role: "entry",
    price: 4500.75,
    qty: 1,
    time: T + 30_001,
  });
  assert.deepEqual(log.slice(4), ["FILL", "flatten R-1 market 4500.75"]);
  const f = events.at(-1);
  assert.ok(f?.kind === "FILL");
  assert.deepEqual([f.tradeId, f.qty, f.filled, f.remaining], ["R-1", 1, 1, 0]);
  assert.equal(tm.busy, true);
  venue.send({
    kind: "fill",
    tradeId: "R-1",
    role: "flatten",
    price: 4500.5,
    qty: 1,
    time: T + 30_002,
  });
  const exit = events.at(-1);
  assert.ok(exit?.kind === "EXIT");
  // -0.25 points x $5 = -1.25; 2 x 0.62 = 1.24.
  assert.deepEqual([exit.reason, exit.qty, exit.grossPnl, exit.netPnl], [
    "MANUAL",
    1,
    -1.25,
    -2.49,
  ]);
  // The broker confirms the cancel of the contract that did not fill: no longer busy.
  venue.send({ kind: "cancel", tradeId: "R-1", role: "entry", qty: 1, time: T + 30_002 });
  assert.equal(tm.busy, false);
  // A fill for a trade that is not the last one is not this manager's: nothing journaled.
  venue.send({
    kind: "fill",
    tradeId: "R-0",
    role: "entry",
    price: 4500,
    qty: 1,
    time: T + 30_003,
  });
  assert.equal(events.at(-1), exit);
});

Deno.test("TradeManager: no new entry until the venue confirms an entry cancel, so a fill crossing it is never lost", () => {
  const { tm, venue, log, events } = scripted();
  const entryFill = (tradeId: string, time: number) =>
    venue.send({ kind: "fill", tradeId, role: "entry", price: 4500.75, qty: 2, time });
  tm.signal(intent("LONG"), 4501, T, CTX);
  // The engine closes a bar (the timeout cancels R-1), then asks whether the bar's own signal
  // may enter: not while R-1's cancel is unconfirmed.
  tm.onBarClose(T + 30_000);
  assert.deepEqual(log.slice(2), ["CANCEL", "cancel R-1 entry"]);
  assert.equal(tm.busy, true);
  // The whole entry had filled at the broker before the cancel got there: journaled, closed.
  entryFill("R-1", T + 30_001);
  assert.deepEqual(events.map((e) => e.kind), ["ENTRY", "CANCEL", "FILL"]);
  assert.equal(log.at(-1), "flatten R-1 market 4500.75");
  venue.send({
    kind: "fill",
    tradeId: "R-1",
    role: "flatten",
    price: 4500.5,
    qty: 2,
    time: T + 30_002,
  });
  assert.equal(events.at(-1)?.kind, "EXIT");
  // A fully filled entry is never confirmed cancelled: the next bar close ends the wait.
  assert.equal(tm.busy, true);
  tm.onBarClose(T + 60_000);
  assert.equal(tm.busy, false);

  // A confirmed cancel ends the wait at once; the venue's own cancel is not journaled again.
  tm.signal(intent("LONG"), 4501, T + 60_000, CTX);
  tm.onBarClose(T + 90_000);
  assert.equal(tm.busy, true);
  venue.send({ kind: "cancel", tradeId: "R-2", role: "entry", qty: 2, time: T + 90_001 });
  assert.equal(tm.busy, false);
  assert.deepEqual(events.slice(4).map((e) => e.kind), ["ENTRY", "CANCEL"]);
});

Deno.test("TradeManager.flatten says whether it acted: not again while the venue has not filled the close, nor for an unconfirmed cancel", () => {
  const { tm, venue, log } = scripted();
  assert.equal(tm.flatten(4500, T), false, "nothing open");
  tm.signal(intent("LONG"), 4501, T, CTX);
  venue.send({ kind: "fill", tradeId: "R-1", role: "entry", price: 4501, qty: 2, time: T + 1 });
  assert.equal(tm.flatten(4502, T + 2), true);
  assert.equal(log.at(-1), "flatten R-1 market 4502");
  // The live timer asks again a second later: the close is on its way, nothing new to do.
  assert.equal(tm.flatten(4502, T + 1002), false);
  assert.equal(log.filter((l) => l.startsWith("flatten")).length, 1);
  venue.send({
    kind: "fill",
    tradeId: "R-1",
    role: "flatten",
    price: 4502,
    qty: 2,
    time: T + 1003,
  });
  assert.equal(tm.busy, false);
  // A working entry is cancelled (true); while the cancel is unconfirmed there is nothing more.
  tm.signal(intent("LONG"), 4501, T + 2000, CTX);
  assert.equal(tm.flatten(4501, T + 2001), true);
  assert.equal(log.at(-1), "cancel R-2 entry");
  assert.equal(tm.busy, true);
  assert.equal(tm.flatten(4501, T + 3001), false);
});

Deno.test("TradeManager scale-out on a venue that matches nothing itself: the target shrinks, its fill is the first part, the rest gets the runner", () => {
  const { tm, venue, log, events } = scripted({
    contracts: 3,
    scaleOut: { contracts: 1, runnerPoints: 6 },
    tagExits: true,
  });
  tm.signal(intent("LONG"), 4501, T, CTX); // stop 4499.50, target 4504
  venue.send({ kind: "fill", tradeId: "R-1", role: "entry", price: 4501, qty: 3, time: T + 1 });
  tm.onTick(T + 2, 4502, 1); // complete: the target now closes 1 contract
  assert.equal(log.at(-1), `modify R-1 {"targetQty":1,"time":${T + 2}}`);
  venue.send({ kind: "fill", tradeId: "R-1", role: "target", price: 4504, qty: 1, time: T + 3 });
  const [part, move] = events.slice(-2);
  assert.ok(part?.kind === "EXIT" && move?.kind === "TARGET_MOVE");
  // 3 points x $5 x 1 = 15; the runner is 4501 + 6 = 4507, for the 2 left.
  assert.deepEqual([part.qty, part.remaining, part.by, part.grossPnl], [1, 2, "scale_out", 15]);
  assert.deepEqual([move.old, move.price, move.reason], [4504, 4507, "SCALE_OUT"]);
  assert.equal(log.at(-1), `modify R-1 {"target":4507,"time":${T + 3},"targetQty":2}`);
  venue.send({ kind: "fill", tradeId: "R-1", role: "stop", price: 4499.5, qty: 2, time: T + 4 });
  const rest = events.at(-1);
  assert.ok(rest?.kind === "EXIT");
  // -1.5 x $5 x 2 = -15; 0.62 x 2 sides x 2 = 2.48.
  assert.deepEqual([rest.reason, rest.qty, rest.by, rest.grossPnl, rest.netPnl], [
    "STOP",
    2,
    "atr_stop",
    -15,
    -17.48,
  ]);
  assert.equal(tm.busy, false);
});

/** A paper trader with limit entries (and entry slippage that they must not pay). */
function limitTrader(over: Partial<PaperTraderOptions>) {
  return recordingTrader({
    entryType: "limit",
    entryPrice: "next_tick",
    entrySlippageTicks: 1,
    entryTimeoutBars: 5,
    ...over,
  });
}

Deno.test("entry_type limit: a limit at the signal price, placed at once, filled only where it trades, no slippage", () => {
  const { t, events } = limitTrader({ limitTimeoutBars: 2 });
  t.signal(intent("LONG"), 4501, T, CTX);
  const e = events[0];
  assert.ok(e?.kind === "ENTRY"); // not held for the next print, though entry_price is next_tick
  assert.deepEqual([e.time, e.entry, e.stop, e.target], [T, 4501, 4499.5, 4504]);
  t.onTick(T + 1_000, 4501.25, 3);
  t.onBarClose(T + 30_000); // one bar of two
  assert.equal(events.length, 1);
  t.onTick(T + 31_000, 4501, 1);
  const f = events[1];
  assert.ok(f?.kind === "FILL");
  assert.deepEqual([f.price, f.time], [4501, T + 31_000]);
});

Deno.test("entry_type limit: cancelled (EXPIRED) after limit_timeout_bars bar closes, or at limit_timeout_seconds before any fill", () => {
  const bars = limitTrader({ limitTimeoutBars: 2 });
  bars.t.signal(intent("SHORT"), 4500, T, CTX);
  bars.t.onBarClose(T + 30_000);
  assert.equal(bars.t.busy, true);
  bars.t.onBarClose(T + 60_000);
  const c = bars.events[1];
  assert.ok(c?.kind === "CANCEL");
  assert.deepEqual([c.reason, c.qty, c.time], ["EXPIRED", 1, T + 60_000]);
  assert.equal(bars.t.busy, false);

  const secs = limitTrader({ limitTimeoutBars: 1, limitTimeoutMs: 5_000 });
  secs.t.signal(intent("LONG"), 4501, T, CTX);
  secs.t.onBarClose(T + 1_000); // bars do not count with a timeout in seconds
  secs.t.onTick(T + 4_999, 4501.5, 1);
  assert.equal(secs.events.length, 1);
  // At the timeout the order is gone before this print could fill it.
  secs.t.onTick(T + 5_000, 4501, 1);
  assert.deepEqual(secs.events.map((e) => e.kind), ["ENTRY", "CANCEL"]);
  assert.equal(secs.events[1]?.time, T + 5_000);
  assert.equal(secs.t.busy, false);
});

Deno.test("Engine drives an injected venue without knowing it: the order goes out at the bar close, fills come back", () => {
  const config = parseConfigText("strategy:\n  entry_price: bar_close\n  calibration_bars: 1\n", {
    source: "config.yaml",
  });
  let fired = false;
  const strategy: Strategy = {
    indicators: [],
    onBar: (ctx) => {
      if (!ctx.canEnter || fired) return undefined;
      fired = true;
      return intent("LONG");
    },
  };
  const log: string[] = [];
  const venue = new ScriptedVenue(log);
  const events: JournalEvent[] = [];
  const engine = new Engine({
    config,
    journal: { write: (e) => events.push(e) },
    runId: "R",
    strategy,
    venue,
  });
  const t0 = Date.UTC(2025, 1, 17, 15, 0, 0);
  engine.start({ time: t0, version: "test", configDigest: "x", source: "test" });
  engine.onTick(t0 + 1_000, 4500, 1);
  engine.onTick(t0 + 29_000, 4501, 1); // the first bar closes at 4501
  engine.onTick(t0 + 31_000, 4501.5, 1); // closes it: calibrated, the strategy enters
  assert.deepEqual(log, ["placeEntry R-001 market LONG 1@4501 4499.5/4504"]);
  assert.deepEqual(events.map((e) => e.kind), ["SESSION_START", "ENTRY"]);
  venue.send({
    kind: "fill",
    tradeId: "R-001",
    role: "entry",
    price: 4501.5,
    qty: 1,
    time: t0 + 32_000,
  });
  assert.equal(engine.openTrade?.filled, 1);
  assert.equal(engine.stats.trades, 1);
  engine.finish("END", "END_OF_DATA");
  assert.equal(log.at(-1), "flatten R-001 mark 4501.5");
});

Deno.test("config execution: defaults, the choices, and max_position below risk.contracts in one line", () => {
  const parse = (text: string) => parseConfigText(text, { source: "config.yaml" });
  assert.deepEqual(parse("").execution, {
    venue: "paper",
    entry_type: "market",
    limit_timeout_bars: 1,
    allow_live_account: false,
    unexplained: "adopt",
  });
  const x = parse(
    "execution:\n  venue: ib\n  entry_type: limit\n  limit_timeout_seconds: 2.5\n" +
      "  max_position: 2\n  daily_loss_limit: 500\n  kill_file: /tmp/stop\n",
  ).execution;
  assert.deepEqual(
    [
      x.venue,
      x.entry_type,
      x.limit_timeout_seconds,
      x.max_position,
      x.daily_loss_limit,
      x.kill_file,
    ],
    ["ib", "limit", 2.5, 2, 500, "/tmp/stop"],
  );
  assert.throws(
    () => parse("risk:\n  contracts: 3\nexecution:\n  max_position: 2\n"),
    (e: Error) => {
      assert.equal(
        e.message,
        "config.yaml: execution.max_position = 2 is not allowed: must be at least risk.contracts (3): every entry would exceed it",
      );
      return true;
    },
  );
  assert.throws(() => parse("execution:\n  venue: tws\n"), /execution\.venue/);
});
