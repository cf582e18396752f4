/**
 * IbVenue's rules against a scripted TWS stand-in (no socket): durable journal before
 * placeOrder, fills with exec id and commission, OCA cancels, modifies with the same id,
 * rejects that end a trade at once, a flatten that never reverses, the halt, the maximum
 * position, and reconciliation after a restart (adopt, never a second bracket).
 */
import assert from "node:assert/strict";
import { configSchema } from "../lib/config/schema.ts";
import { IbOrders } from "../lib/execution/ib_live.ts";
import { IbVenue, type IbVenueOptions } from "../lib/execution/ib_venue.ts";
import type { EntryOrder, VenueEvent } from "../lib/execution/venue.ts";
import type { StopManager } from "../lib/engine/exits.ts";
import { TradeManager } from "../lib/engine/trade_manager.ts";
import type { ExitEvent, JournalEvent } from "../lib/types.ts";
import { CON_ID, fakeClient, FakeTws } from "./_fake_tws_orders.ts";

const T = Date.UTC(2025, 6, 15, 14);

function setup(options: Partial<IbVenueOptions> = {}) {
  const tws = new FakeTws();
  const events: VenueEvent[] = [];
  const lines: string[] = [];
  const orders = fakeClient(tws, () => {});
  const venue = new IbVenue({
    orders,
    conId: CON_ID,
    clock: () => T,
    log: (l) => lines.push(l),
    reconciled: true,
    ...options,
  });
  venue.listen((e) => events.push(e));
  return { tws, events, lines, venue, orders };
}

const LONG: EntryOrder = {
  tradeId: "R-1",
  side: "LONG",
  qty: 2,
  type: "limit",
  price: 4500,
  time: T,
  stop: 4498,
  target: 4504,
};

/** Lets promise callbacks (durable, reconciliation steps) run. */
const turn = () => new Promise((r) => setTimeout(r, 0));

function brief(e: VenueEvent): string {
  switch (e.kind) {
    case "fill":
      return `fill ${e.role} ${e.qty}@${e.price} ${e.execId} c=${e.commission}`;
    case "cancel":
      return `cancel ${e.role} ${e.qty}${e.reason === undefined ? "" : ` ${e.reason}`}`;
    case "reject":
      return `reject ${e.role} ${e.code ?? "-"} ${e.text}`;
    case "working":
      return `working ${e.role}`;
  }
}

Deno.test("IbVenue sends the bracket only once the journal is durable, then reports fills and the OCA cancel", async () => {
  let release = () => {};
  const durable = () => new Promise<void>((r) => release = r);
  const { tws, events, venue } = setup({ durable });
  tws.ready(10);
  venue.placeEntry(LONG);
  await turn();
  assert.equal(tws.sent.length, 0, "nothing before the ENTRY line is on disk");
  release();
  await turn();
  assert.deepEqual(tws.sent.map((s) => [s.id, s.order.orderType, s.order.transmit]), [
    [10, "LMT", false],
    [11, "LMT", false],
    [12, "STP", true],
  ]);
  tws.status(10, "Submitted", 0, 2);
  tws.fill(10, 1, 4500, { filled: 1, remaining: 1 });
  tws.fill(10, 1, 4500, { filled: 2, remaining: 0 });
  venue.modifyExits("R-1", { stop: 4499, time: T + 1 });
  assert.deepEqual([tws.sent.at(-1)!.id, tws.sent.at(-1)!.order.auxPrice], [12, 4499]);
  tws.fill(11, 2, 4504, { filled: 2, remaining: 0 });
  tws.status(12, "Cancelled", 0, 2);
  tws.error(12, 202, "Order Canceled - reason:");
  assert.deepEqual(events.map(brief), [
    "working entry",
    "fill entry 1@4500 x1 c=0.62",
    "fill entry 1@4500 x2 c=0.62",
    "fill target 2@4504 x3 c=1.24",
  ]);
  assert.equal(venue.position, 0);
});

Deno.test("IbVenue: a rejected parent ends the trade once (its children's rejects are not news)", async () => {
  const { tws, events, venue } = setup();
  tws.ready(1);
  venue.placeEntry({ ...LONG, type: "market" });
  await turn();
  assert.equal(tws.last(1)!.orderType, "MKT");
  tws.error(1, 201, "Order rejected - reason:insufficient margin");
  tws.error(2, 201, "Order rejected - reason:parent rejected");
  tws.status(3, "Cancelled", 0, 2);
  assert.deepEqual(events.map(brief), [
    "reject entry 201 Order rejected - reason:insufficient margin",
  ]);
});

Deno.test("IbVenue refuses an entry at once when disconnected, over the maximum position, or halted", () => {
  const { tws, events, venue } = setup({ maxPosition: 1 });
  venue.placeEntry(LONG);
  tws.ready(1);
  venue.placeEntry(LONG);
  venue.placeEntry({ ...LONG, tradeId: "R-2", qty: 1 });
  venue.halt("kill switch");
  venue.placeEntry({ ...LONG, tradeId: "R-3", qty: 1 });
  assert.deepEqual(events.map(brief), [
    "reject entry - not connected to TWS",
    "reject entry - 2 more contract(s) would pass the maximum position 1 (now 0)",
    "reject entry - entries are stopped (kill switch)",
  ]);
  assert.equal(venue.halted, "kill switch");
});

Deno.test("IbVenue flattens by cancelling the exits first and closing only what is still held", async () => {
  const { tws, events, venue } = setup();
  tws.ready(1);
  venue.placeEntry(LONG);
  await turn();
  tws.fill(1, 2, 4500, { filled: 2, remaining: 0 });
  venue.flatten({ tradeId: "R-1", time: T + 5, price: 4501, pricing: "market" });
  assert.deepEqual(tws.cancelled.sort(), [2, 3]);
  assert.equal(tws.sent.length, 3, "no closing order while the stop may still fill");
  // The stop filled one contract before its cancel arrived: only one is left to close.
  tws.fill(3, 1, 4498, { filled: 1, remaining: 1 });
  tws.status(3, "Cancelled", 1, 1);
  assert.equal(tws.sent.length, 3);
  tws.status(2, "Cancelled", 0, 2);
  const close = tws.sent.at(-1)!;
  assert.deepEqual(
    [close.id, close.order.action, close.order.orderType, close.order.totalQuantity],
    [
      4,
      "SELL",
      "MKT",
      1,
    ],
  );
  tws.fill(4, 1, 4500.75, { filled: 1, remaining: 0 });
  assert.deepEqual(events.map(brief), [
    "fill entry 2@4500 x1 c=1.24",
    "fill stop 1@4498 x2 c=0.62",
    "cancel stop 1",
    "cancel target 2",
    "fill flatten 1@4500.75 x3 c=0.62",
  ]);
  assert.equal(venue.position, 0);
});

Deno.test("IbVenue: a working entry with nothing filled is flattened by cancelling the parent only", async () => {
  const { tws, events, venue } = setup();
  tws.ready(1);
  venue.placeEntry(LONG);
  await turn();
  venue.cancel("R-1", "entry", T + 30_000);
  assert.deepEqual(tws.cancelled, [1]);
  tws.status(1, "Cancelled", 0, 2);
  tws.status(2, "Cancelled", 0, 2);
  tws.status(3, "Cancelled", 0, 2);
  assert.deepEqual(events.map(brief), ["cancel entry 2"]);
});

Deno.test("IbVenue: a partly filled entry cancelled on timeout shrinks its exits to the fill", async () => {
  const { tws, events, venue } = setup();
  tws.ready(1);
  venue.placeEntry(LONG);
  await turn();
  tws.fill(1, 1, 4500, { filled: 1, remaining: 1 });
  venue.cancel("R-1", "entry", T + 30_000);
  tws.status(1, "Cancelled", 1, 1);
  assert.deepEqual(events.map(brief), [
    "fill entry 1@4500 x1 c=0.62",
    "working entry",
    "cancel entry 1",
  ]);
  assert.deepEqual([tws.last(2)!.totalQuantity, tws.last(3)!.totalQuantity], [1, 1]);
});

Deno.test("IbVenue after a restart adopts the journal trade's working bracket and sends no second one", async () => {
  const { tws, events, venue, lines } = setup();
  venue.adopt({
    tradeId: "R-1",
    side: "LONG",
    ordered: 2,
    filled: 2,
    entryPrice: 4500,
    stop: 4499,
    target: 4504,
  });
  tws.openOrders = [
    {
      id: 7,
      status: "Submitted",
      order: {
        orderType: "LMT" as never,
        action: "SELL" as never,
        totalQuantity: 2,
        lmtPrice: 4504,
        parentId: 6,
        ocaGroup: "oca-R-1",
        orderRef: "R-1",
      },
    },
    {
      id: 8,
      status: "Submitted",
      order: {
        orderType: "STP" as never,
        action: "SELL" as never,
        totalQuantity: 2,
        auxPrice: 4498,
        parentId: 6,
        ocaGroup: "oca-R-1",
        orderRef: "R-1",
      },
    },
  ];
  tws.positions = [{ account: "DU1", qty: 2 }];
  tws.ready(20);
  const r = await venue.reconcile();
  assert.deepEqual(r, {
    adopted: 2,
    replayed: 0,
    unexplainedQty: 0,
    strayOrders: 0,
    reprotected: false,
  });
  // The journal's stop (moved to 4499 before the restart) is sent to the adopted order.
  assert.deepEqual(tws.sent.map((s) => [s.id, s.order.orderType, s.order.auxPrice]), [[
    8,
    "STP",
    4499,
  ]]);
  venue.modifyExits("R-1", { target: 4505, time: T });
  assert.deepEqual([tws.sent.at(-1)!.id, tws.sent.at(-1)!.order.lmtPrice], [7, 4505]);
  assert.deepEqual(events, []);
  assert.match(
    lines.join("\n"),
    /2 order\(s\) adopted, 0 missed execution\(s\), position 2 at IB vs 2 journaled/,
  );
});

Deno.test("IbVenue reports executions missed while disconnected, and re-protects a position that lost its exits", async () => {
  const { tws, events, venue } = setup();
  tws.ready(1);
  venue.placeEntry(LONG);
  await turn();
  tws.fill(1, 2, 4500, { filled: 2, remaining: 0 });
  tws.drop();
  // While down: a modify waits, and TWS fills one contract of the target.
  venue.modifyExits("R-1", { stop: 4499.5, time: T });
  assert.equal(tws.sent.length, 3);
  tws.executions.push({
    orderId: 2,
    execId: "down1",
    time: "20250715-14:05:00",
    side: "SLD",
    shares: 1,
    price: 4504,
    cumQty: 1,
    avgPrice: 4504,
    orderRef: "R-1",
  });
  tws.openOrders = [
    {
      id: 2,
      status: "Submitted",
      order: {
        orderType: "LMT" as never,
        action: "SELL" as never,
        totalQuantity: 1,
        lmtPrice: 4504,
        parentId: 1,
        ocaGroup: "oca-R-1",
        orderRef: "R-1",
      },
    },
    {
      id: 3,
      status: "Submitted",
      order: {
        orderType: "STP" as never,
        action: "SELL" as never,
        totalQuantity: 1,
        auxPrice: 4498,
        parentId: 1,
        ocaGroup: "oca-R-1",
        orderRef: "R-1",
      },
    },
  ];
  tws.positions = [{ account: "DU1", qty: 1 }];
  tws.ready(30);
  const r = await venue.reconcile();
  assert.deepEqual([r.replayed, r.unexplainedQty, r.adopted], [1, 0, 0]);
  assert.deepEqual(events.map(brief).slice(1), ["fill target 1@4504 down1 c=0.62"]);
  assert.deepEqual([tws.sent.at(-1)!.id, tws.sent.at(-1)!.order.auxPrice], [3, 4499.5]);
  // A second restart finds the position bare: stop and target are placed again, no entry.
  const b = setup();
  b.venue.adopt({
    tradeId: "R-1",
    side: "LONG",
    ordered: 1,
    filled: 1,
    entryPrice: 4500,
    stop: 4499.5,
    target: 4504,
  });
  b.tws.positions = [{ account: "DU1", qty: 1 }];
  b.tws.ready(40);
  const r2 = await b.venue.reconcile();
  assert.equal(r2.reprotected, true);
  assert.deepEqual(
    b.tws.sent.map((
      s,
    ) => [
      s.id,
      s.order.action,
      s.order.orderType,
      s.order.totalQuantity,
      s.order.parentId,
      s.order.ocaGroup,
    ]),
    [
      [40, "SELL", "LMT", 1, undefined, "oca-R-1"],
      [41, "SELL", "STP", 1, undefined, "oca-R-1"],
    ],
  );
});

Deno.test("IbVenue reports a position no trade explains, and closes it only when configured to", async () => {
  for (const policy of ["adopt", "flatten"] as const) {
    const { tws, venue, lines } = setup({ unexplained: policy });
    tws.positions = [{ account: "DU1", qty: -3 }];
    tws.openOrders = [{
      id: 5,
      status: "Submitted",
      order: {
        orderType: "LMT" as never,
        action: "BUY" as never,
        totalQuantity: 1,
        lmtPrice: 4400,
        orderRef: "",
      },
    }];
    tws.ready(50);
    const r = await venue.reconcile();
    assert.deepEqual([r.unexplainedQty, r.strayOrders], [-3, 1]);
    assert.match(lines.join("\n"), /IB holds -3 contract\(s\) no journal trade explains/);
    if (policy === "adopt") {
      assert.deepEqual([tws.sent.length, tws.cancelled.length], [0, 0]);
    } else {
      assert.deepEqual(tws.cancelled, [5]);
      assert.deepEqual(
        tws.sent.map((s) => [s.order.action, s.order.totalQuantity, s.order.orderRef]),
        [["BUY", 3, "UNEXPLAINED"]],
      );
    }
  }
});

Deno.test("IbVenue: a journaled entry that never reached IB is cancelled at the restart, not sent again", async () => {
  const { tws, events, venue } = setup();
  venue.adopt({
    tradeId: "R-9",
    side: "SHORT",
    ordered: 1,
    filled: 0,
    entryPrice: 4500,
    stop: 4502,
    target: 4490,
  });
  tws.ready(60);
  await venue.reconcile();
  assert.deepEqual(events.map(brief), ["cancel entry 1 NOT_AT_IB"]);
  assert.equal(tws.sent.length, 0);
});

/** A stop manager that trails one point behind every print (the TM keeps it on its rules). */
const trailOnePoint: StopManager = {
  initial: (entry) => entry - 2,
  onTick: (_ts, price) => ({ price: price - 1, reason: "TRAIL", by: "test_trail" }),
};

Deno.test("TradeManager on IbVenue: ENTRY journaled, then IB fills, a trailing move modifies the stop order, the target exits with IB's commission", async () => {
  const { tws, venue } = setup();
  const journal: JournalEvent[] = [];
  const tm = new TradeManager({
    venue,
    tickSize: 0.25,
    multiplier: 5,
    contracts: 1,
    commissionPerContract: 9,
    entryPrice: "bar_close",
    entryTimeoutBars: 1,
    stops: trailOnePoint,
    emit: (e) => journal.push(e),
    tradeId: (n) => `RUN-${n}`,
  });
  tws.ready(1);
  const intent = {
    side: "LONG" as const,
    stop: { kind: "points" as const, points: 2 },
    target: { kind: "points" as const, points: 4 },
  };
  tm.signal(intent, 4500, T, {});
  assert.deepEqual(journal.map((e) => e.kind), ["ENTRY"]);
  await turn();
  assert.deepEqual(
    tws.sent.map((s) => [s.id, s.order.orderType, s.order.lmtPrice ?? s.order.auxPrice ?? null]),
    [
      [1, "MKT", null],
      [2, "LMT", 4504],
      [3, "STP", 4498],
    ],
  );
  tws.fill(1, 1, 4500.25, { filled: 1, remaining: 0 });
  tm.onTick(T + 1000, 4502, 1);
  // The TM's rule puts the trailed stop a point under the print: 4501; IB gets the same id.
  assert.deepEqual([tws.sent.at(-1)!.id, tws.sent.at(-1)!.order.auxPrice], [3, 4501]);
  tws.fill(2, 1, 4504, { filled: 1, remaining: 0 });
  tws.status(3, "Cancelled", 0, 1);
  const kinds = journal.map((e) => e.kind);
  assert.deepEqual(kinds, ["ENTRY", "FILL", "STOP_MOVE", "EXIT"]);
  const exit = journal[3] as ExitEvent;
  // (4504 - 4500.25) x 5 = 18.75; IB charged 0.62 per side, not the configured 9.
  assert.deepEqual(
    [exit.reason, exit.price, exit.entryPrice, exit.grossPnl, exit.commission, exit.netPnl],
    ["TARGET", 4504, 4500.25, 18.75, 1.24, 17.51],
  );
  assert.equal(tm.busy, false);
});

function liveOrders(exec: Record<string, unknown>, clock: () => number, signal = false) {
  const tws = new FakeTws();
  const lines: string[] = [];
  const config = configSchema.parse({ execution: { venue: "ib", ...exec } });
  const o = new IbOrders({
    config,
    adapter: { api: tws.api },
    contract: { conId: CON_ID, exchange: "CME", minTick: 0.25, timeZone: "America/Chicago" },
    liveAccountFlag: false,
    clock,
    log: (l) => lines.push(l),
    signal,
  });
  const events: VenueEvent[] = [];
  o.venue.listen((e) => events.push(e));
  return { tws, o, events, lines };
}

Deno.test("IbOrders: no order before TWS names a paper account; a live account stops everything", () => {
  const { tws, o, events } = liveOrders({}, () => T);
  tws.ready(1);
  o.venue.placeEntry({ ...LONG, qty: 1 });
  assert.equal(
    o.onAccounts("U7654321"),
    "TWS is logged in to a live account (U...), not a paper one (DU...): real orders there need " +
      "execution.allow_live_account: true in the config and --live-account on the command line",
  );
  o.venue.placeEntry({ ...LONG, qty: 1, tradeId: "R-2" });
  assert.equal(o.onAccounts("DU1234567"), undefined);
  o.venue.placeEntry({ ...LONG, qty: 1, tradeId: "R-3" });
  assert.deepEqual(events.map(brief), [
    "reject entry - TWS has not named its account yet",
    "reject entry - TWS is logged in to a live account (U...), not a paper one (DU...): real orders " +
    "there need execution.allow_live_account: true in the config and --live-account on the command line",
  ]);
  o.stop();
});

Deno.test("IbOrders: the daily loss limit flattens the open trade and refuses entries until the next day", async () => {
  let now = T;
  const { tws, o, events } = liveOrders({ daily_loss_limit: 50 }, () => now);
  tws.ready(1);
  o.onAccounts("DU1234567");
  await o.onSynced();
  o.venue.placeEntry({ ...LONG, qty: 1 });
  await turn();
  tws.fill(1, 1, 4500, { filled: 1, remaining: 0 });
  o.onEvent({
    kind: "EXIT",
    time: T,
    tradeId: "R-0",
    side: "LONG",
    reason: "STOP",
    price: 4490,
    qty: 1,
    entryPrice: 4500,
    entryTime: T,
    pnlPoints: -10,
    pnlTicks: -40,
    grossPnl: -50,
    commission: 1.24,
    netPnl: -51.24,
  });
  assert.deepEqual(tws.cancelled.sort(), [2, 3], "the open trade's exits are cancelled first");
  tws.status(2, "Cancelled", 0, 1);
  tws.status(3, "Cancelled", 0, 1);
  assert.deepEqual([tws.sent.at(-1)!.order.orderType, tws.sent.at(-1)!.order.action], [
    "MKT",
    "SELL",
  ]);
  tws.fill(4, 1, 4499, { filled: 1, remaining: 0 });
  o.venue.placeEntry({ ...LONG, qty: 1, tradeId: "R-2" });
  now = Date.UTC(2025, 6, 15, 22); // the next trading day
  o.venue.placeEntry({ ...LONG, qty: 1, tradeId: "R-3", time: now });
  await turn();
  assert.deepEqual(events.map(brief).filter((l) => !l.startsWith("cancel")), [
    "fill entry 1@4500 x1 c=0.62",
    "fill flatten 1@4499 x2 c=0.62",
    "reject entry - entries are stopped (daily loss limit: -51.24 today)",
  ]);
  assert.equal(tws.sent.at(-1)!.order.orderRef, "R-3");
  o.stop();
});

Deno.test("IbOrders: the kill switch (SIGUSR1) cancels the working bracket and refuses later entries", async () => {
  if (Deno.build.os === "windows") return;
  const { tws, o, events } = liveOrders({}, () => T, true);
  tws.ready(1);
  o.onAccounts("DU1234567");
  await o.onSynced();
  o.venue.placeEntry({ ...LONG, qty: 1 });
  await turn();
  Deno.kill(Deno.pid, "SIGUSR1");
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(
    tws.cancelled,
    [1],
    "a parent with nothing filled: its cancel takes the children",
  );
  tws.status(1, "Cancelled", 0, 1);
  o.venue.placeEntry({ ...LONG, qty: 1, tradeId: "R-2" });
  assert.deepEqual(events.map(brief), [
    "cancel entry 1 HALT",
    "reject entry - entries are stopped (kill switch: SIGUSR1)",
  ]);
  o.stop();
});

Deno.test("IbVenue: entries wait for the first reconciliation, then go out; one dropped meanwhile is only cancelled", async () => {
  const { tws, events, venue, lines } = setup({ reconciled: false });
  tws.ready(5);
  venue.placeEntry(LONG);
  venue.placeEntry({ ...LONG, tradeId: "R-2" });
  venue.cancel("R-2", "entry", T);
  await turn();
  assert.equal(tws.sent.length, 0, "nothing before TWS's orders and positions are known");
  assert.match(lines.join("\n"), /entry R-1 waits for the reconciliation with TWS/);
  await venue.reconcile();
  await turn();
  assert.deepEqual(tws.sent.map((s) => [s.id, s.order.orderRef]), [[5, "R-1"], [6, "R-1"], [
    7,
    "R-1",
  ]]);
  assert.deepEqual(events.map(brief), ["cancel entry 2"]);
});

Deno.test("IbVenue: an entry cancelled while its journal line is not yet on disk is never sent", async () => {
  let release = () => {};
  const { tws, events, venue } = setup({ durable: () => new Promise<void>((r) => release = r) });
  tws.ready(1);
  venue.placeEntry(LONG);
  venue.cancel("R-1", "entry", T + 30_000);
  release();
  await turn();
  assert.deepEqual([tws.sent.length, events.map(brief)], [0, ["cancel entry 2"]]);
});

Deno.test("IbVenue refuses an entry whose signal is older than maxEntryAgeMs (a reconnect's backfill)", () => {
  const { tws, events, venue } = setup({ maxEntryAgeMs: 40_000 });
  tws.ready(1);
  venue.placeEntry({ ...LONG, time: T - 41_000 });
  venue.placeEntry({ ...LONG, tradeId: "R-2", time: T - 39_000 });
  assert.deepEqual(events.map(brief), [
    "reject entry - its signal is 41 s old (trades replayed after a reconnect): no real order for a past price",
  ]);
});
