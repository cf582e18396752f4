/**
 * The IB order client and its guards: bracket construction, tick-grid checks, decoding of IB's order
 * messages, and the client's ordered event stream, against a stand-in `IBApi` (round trips
 * against the TWS simulator: ib_venue_test.ts).
 */
import assert from "node:assert/strict";
import { EventName } from "@stoqey/ib";
import { FakeTws } from "./_fake_tws_orders.ts";
import {
  bracketFault,
  bracketOrders,
  type BracketSpec,
  closingOrder,
  gridFault,
  modifiedOrder,
  ocaGroupOf,
  onGrid,
} from "../lib/ib/orders_build.ts";
import {
  decodeExecution,
  decodeOrderStatus,
  isTerminalStatus,
  orderCodeKind,
  parseExecTime,
} from "../lib/ib/orders_events.ts";
import { OrderClient, OrderClientError, type OrderEvent } from "../lib/ib/orders.ts";
import {
  accountRefusal,
  DailyLoss,
  isPaperAccount,
  watchKillSwitch,
} from "../lib/ib/orders_guards.ts";

/** Asserts that `fn` throws a `cls` whose message contains `text`. */
function throwsWith(fn: () => unknown, cls: new (...a: never[]) => Error, text: string): void {
  assert.throws(fn, (e: unknown) => e instanceof cls && e.message.includes(text));
}

const LONG_LMT: BracketSpec = {
  tradeId: "R1-3",
  side: "LONG",
  qty: 2,
  entry: { type: "LMT", price: 4500.25 },
  target: 4504,
  stop: 4498.5,
};

Deno.test("bracketOrders builds IB's recipe: parent, LMT target, STP stop, transmit false/false/true, one OCA group", () => {
  const b = bracketOrders(LONG_LMT, { parent: 7, target: 8, stop: 9 }, 0.25);
  assert.deepStrictEqual(
    [b.parent.orderId, b.parent.action, b.parent.orderType, b.parent.lmtPrice],
    [7, "BUY", "LMT", 4500.25],
  );
  assert.deepStrictEqual([b.parent.transmit, b.target.transmit, b.stop.transmit], [
    false,
    false,
    true,
  ]);
  assert.deepStrictEqual([b.parent.parentId, b.target.parentId, b.stop.parentId], [
    undefined,
    7,
    7,
  ]);
  assert.deepStrictEqual([b.target.action, b.target.orderType, b.target.lmtPrice], [
    "SELL",
    "LMT",
    4504,
  ]);
  assert.deepStrictEqual([b.stop.action, b.stop.orderType, b.stop.auxPrice], [
    "SELL",
    "STP",
    4498.5,
  ]);
  assert.deepStrictEqual(b.stop.lmtPrice, undefined);
  // The parent is not in the group: its fill would cancel its own children.
  assert.deepStrictEqual(b.parent.ocaGroup, undefined);
  assert.deepStrictEqual([b.target.ocaGroup, b.stop.ocaGroup], ["oca-R1-3", "oca-R1-3"]);
  assert.deepStrictEqual(ocaGroupOf("R1-3"), "oca-R1-3");
  for (const o of [b.parent, b.target, b.stop]) {
    assert.deepStrictEqual([o.orderRef, o.totalQuantity], ["R1-3", 2]);
  }
});

Deno.test("bracketOrders: a short market entry sells at market, its exits buy", () => {
  const spec: BracketSpec = {
    tradeId: "S-1",
    side: "SHORT",
    qty: 1,
    entry: { type: "MKT" },
    target: 4490,
    stop: 4505.75,
    account: "DU123",
  };
  const b = bracketOrders(spec, { parent: 1, target: 2, stop: 3 }, 0.25);
  assert.deepStrictEqual([b.parent.action, b.parent.orderType, b.parent.lmtPrice], [
    "SELL",
    "MKT",
    undefined,
  ]);
  assert.deepStrictEqual([b.target.action, b.stop.action], ["BUY", "BUY"]);
  assert.deepStrictEqual([b.parent.account, b.stop.account], ["DU123", "DU123"]);
});

Deno.test("gridFault refuses an off-tick price (IB's 110) and accepts float-noisy grid prices", () => {
  assert.deepStrictEqual(gridFault(4500.25, 0.25), undefined);
  assert.deepStrictEqual(
    gridFault(4500.1, 0.25),
    "4500.1 is not a multiple of the minimum tick 0.25",
  );
  // 4500.3 / 0.1 is 45003.00000000001 in binary: still on the grid.
  assert.deepStrictEqual(gridFault(4500.3, 0.1), undefined);
  assert.deepStrictEqual(gridFault(13450, 5), undefined);
  assert.deepStrictEqual(gridFault(13452.5, 5), "13452.5 is not a multiple of the minimum tick 5");
  assert.deepStrictEqual(gridFault(-1, 0.25), "-1 is not a positive price");
  assert.deepStrictEqual(gridFault(NaN, 0.25), "NaN is not a positive price");
});

Deno.test("onGrid rounds toward the trader: buy limits down, sell limits up", () => {
  assert.deepStrictEqual(onGrid(4500.62, 0.25, -1), 4500.5);
  assert.deepStrictEqual(onGrid(4500.62, 0.25, 1), 4500.75);
  assert.deepStrictEqual(onGrid(4500.5, 0.25, 1), 4500.5);
  assert.deepStrictEqual(onGrid(0.1 + 0.2, 0.1, 1), 0.3);
});

Deno.test("bracketFault names the wrong field and value", () => {
  assert.deepStrictEqual(bracketFault(LONG_LMT, 0.25), undefined);
  assert.deepStrictEqual(
    bracketFault({ ...LONG_LMT, qty: 0 }, 0.25),
    "bracket R1-3: quantity 0 is not a positive whole number",
  );
  assert.deepStrictEqual(
    bracketFault({ ...LONG_LMT, stop: 4498.6 }, 0.25),
    "bracket R1-3: stop 4498.6 is not a multiple of the minimum tick 0.25",
  );
  assert.deepStrictEqual(
    bracketFault({ ...LONG_LMT, stop: 4505, target: 4504 }, 0.25),
    "bracket R1-3: a LONG stop 4505 must be below its target 4504",
  );
  assert.deepStrictEqual(
    bracketFault({ ...LONG_LMT, entry: { type: "LMT", price: 4504.5 } }, 0.25),
    "bracket R1-3: entry 4504.5 is not between stop 4498.5 and target 4504",
  );
  assert.deepStrictEqual(
    bracketFault({ ...LONG_LMT, side: "SHORT", entry: { type: "MKT" } }, 0.25),
    "bracket R1-3: a SHORT stop 4498.5 must be above its target 4504",
  );
});

Deno.test("modifiedOrder keeps the id, parent and OCA group and changes only the price of its type", () => {
  const b = bracketOrders(LONG_LMT, { parent: 7, target: 8, stop: 9 }, 0.25);
  const s = modifiedOrder(b.stop, { price: 4500.25 }, 0.25);
  assert.deepStrictEqual([s.orderId, s.parentId, s.ocaGroup, s.orderRef], [
    9,
    7,
    "oca-R1-3",
    "R1-3",
  ]);
  assert.deepStrictEqual([s.auxPrice, s.lmtPrice, s.transmit], [4500.25, undefined, true]);
  const t = modifiedOrder(b.target, { price: 4506, qty: 1 }, 0.25);
  assert.deepStrictEqual([t.lmtPrice, t.totalQuantity, t.auxPrice], [4506, 1, undefined]);
  // The original is not touched (the client keeps it as the last order sent).
  assert.deepStrictEqual([b.stop.auxPrice, b.stop.transmit], [4498.5, true]);
  const c = closingOrder("SHORT", 2, "R1-3", 12);
  assert.deepStrictEqual([c.action, c.orderType, c.totalQuantity, c.orderRef, c.transmit], [
    "BUY",
    "MKT",
    2,
    "R1-3",
    true,
  ]);
  assert.deepStrictEqual(c.ocaGroup, undefined);
});

Deno.test("orderCodeKind sorts IB's order codes: rejects, cancels, refused requests, warnings", () => {
  for (const c of [201, 110, 103, 200, 203]) {
    assert.deepStrictEqual(orderCodeKind(c), "rejected", `${c}`);
  }
  assert.deepStrictEqual(orderCodeKind(202), "cancelled");
  for (const c of [161, 135, 104, 10147, 10148]) {
    assert.deepStrictEqual(orderCodeKind(c), "refused", `${c}`);
  }
  for (const c of [399, 2109, 1100, 2104]) {
    assert.deepStrictEqual(orderCodeKind(c), "warning", `${c}`);
  }
  assert.deepStrictEqual(orderCodeKind(434), "rejected");
  assert(
    isTerminalStatus("Filled") && isTerminalStatus("Cancelled") && isTerminalStatus("Inactive"),
  );
  assert(!isTerminalStatus("Submitted") && !isTerminalStatus("PreSubmitted"));
});

Deno.test("parseExecTime reads TWS's execution times with and without a zone", () => {
  // 14:30:01 New York in January is 19:30:01 UTC.
  assert.deepStrictEqual(
    parseExecTime("20250115  14:30:01", "America/New_York"),
    Date.UTC(2025, 0, 15, 19, 30, 1),
  );
  // US/Central in July (CDT, UTC-5).
  assert.deepStrictEqual(
    parseExecTime("20250715 09:00:00 US/Central", "UTC"),
    Date.UTC(2025, 6, 15, 14, 0, 0),
  );
  assert.deepStrictEqual(
    parseExecTime("20250715-09:00:00", "America/New_York"),
    Date.UTC(2025, 6, 15, 9, 0, 0),
  );
  assert.deepStrictEqual(parseExecTime("yesterday", "UTC"), NaN);
  assert.deepStrictEqual(parseExecTime("20251315 09:00:00", "UTC"), NaN);
  assert.deepStrictEqual(parseExecTime("20250715 09:00:00 Mars/Olympus", "UTC"), NaN);
});

Deno.test("decodeExecution and decodeOrderStatus turn library arguments into plain records", () => {
  const e = decodeExecution({ conId: 42 }, {
    orderId: 5,
    execId: "0001.01",
    time: "20250715-09:00:00",
    side: "BOT",
    shares: 2,
    price: 4500.25,
    cumQty: 2,
    avgPrice: 4500.25,
    orderRef: "R1-3",
    acctNumber: "DU1",
    permId: 77,
  }, "UTC");
  assert.deepStrictEqual(e, {
    execId: "0001.01",
    orderId: 5,
    permId: 77,
    tradeId: "R1-3",
    time: Date.UTC(2025, 6, 15, 9),
    side: "BUY",
    qty: 2,
    price: 4500.25,
    cumQty: 2,
    avgPrice: 4500.25,
    conId: 42,
    account: "DU1",
  });
  assert.deepStrictEqual(decodeExecution({}, { side: "SLD" }, "UTC").side, "SELL");
  const s = decodeOrderStatus(5, "Filled", 2, 0, 4500.25, 77, 0, 4500.25, 1, "");
  assert.deepStrictEqual([s.orderId, s.status, s.filled, s.remaining, s.avgFillPrice], [
    5,
    "Filled",
    2,
    0,
    4500.25,
  ]);
  // The library's "unset" double (Number.MAX_VALUE) is no price.
  assert.deepStrictEqual(decodeOrderStatus(5, "Submitted", 0, 2, Number.MAX_VALUE).avgFillPrice, 0);
});

function client(api: FakeTws, events: OrderEvent[], waitMs = 50): OrderClient {
  return new OrderClient(
    api.api,
    { contract: { conId: 42, exchange: "CME", tickSize: 0.25 }, commissionWaitMs: waitMs },
    (e) => events.push(e),
  );
}

Deno.test("OrderClient refuses to send before TWS gave an order id, then numbers a bracket from it", async () => {
  const api = new FakeTws();
  const events: OrderEvent[] = [];
  const c = client(api, events);
  throwsWith(() => c.placeBracket(LONG_LMT), OrderClientError, "not connected");
  api.emit(EventName.nextValidId, 31);
  const ids = c.placeBracket(LONG_LMT);
  assert.deepStrictEqual(ids, { parent: 31, target: 32, stop: 33 });
  assert.deepStrictEqual(api.sent.map((s) => [s.id, s.order.transmit]), [[31, false], [32, false], [
    33,
    true,
  ]]);
  // A bad price throws before anything is sent.
  throwsWith(
    () => c.placeBracket({ ...LONG_LMT, target: 4504.1 }),
    OrderClientError,
    "target 4504.1",
  );
  assert.deepStrictEqual(api.sent.length, 3);
  c.modify(33, { price: 4499 });
  assert.deepStrictEqual([api.sent[3]!.id, api.sent[3]!.order.auxPrice], [33, 4499]);
  // After a drop, nothing is sent until the next handshake's id.
  api.emit(EventName.disconnected);
  throwsWith(() => c.cancel(33), OrderClientError, "not connected");
  api.nextId = 100;
  assert.deepStrictEqual(await c.refreshIds(1000), 100);
  c.cancel(33);
  assert.deepStrictEqual(api.cancelled, [33]);
  assert.deepStrictEqual(c.placeBracket({ ...LONG_LMT, tradeId: "R1-4" }).parent, 100);
  c.dispose();
});

Deno.test("OrderClient reports an execution once, with its commission, before the events that came after it", async () => {
  const api = new FakeTws();
  const events: OrderEvent[] = [];
  const c = client(api, events);
  api.emit(EventName.nextValidId, 1);
  c.placeBracket(LONG_LMT);
  const exec = {
    orderId: 1,
    execId: "e1",
    time: "20250715-09:00:00",
    side: "BOT",
    shares: 2,
    price: 4500.25,
    cumQty: 2,
    avgPrice: 4500.25,
    orderRef: "R1-3",
  };
  api.emit(EventName.execDetails, -1, { conId: 42 }, exec);
  api.emit(EventName.orderStatus, 1, "Filled", 2, 0, 4500.25, 0, 0, 4500.25, 0, "");
  assert.deepStrictEqual(events.length, 0, "the status waits behind the fill");
  api.emit(EventName.commissionReport, { execId: "e1", commission: 1.24, currency: "USD" });
  assert.deepStrictEqual(events.map((e) => e.kind), ["fill", "status"]);
  const f = events[0] as Extract<OrderEvent, { kind: "fill" }>;
  assert.deepStrictEqual([f.exec.tradeId, f.exec.qty, f.exec.price, f.commission], [
    "R1-3",
    2,
    4500.25,
    1.24,
  ]);
  // A repeated status and a replayed execution (reqExecutions after a reconnect) are no news.
  api.emit(EventName.orderStatus, 1, "Filled", 2, 0, 4500.25, 0, 0, 4500.25, 0, "");
  api.emit(EventName.execDetails, 9, { conId: 42 }, exec);
  assert.deepStrictEqual(events.length, 2);
  // An execution whose commission never comes is reported without one after the wait.
  api.emit(EventName.execDetails, -1, { conId: 42 }, {
    ...exec,
    execId: "e2",
    orderId: 3,
    side: "SLD",
  });
  api.emit(EventName.error, new Error("Order Canceled - reason:"), 202, 2);
  await new Promise((r) => setTimeout(r, 120));
  assert.deepStrictEqual(events.map((e) => e.kind), ["fill", "status", "fill", "error"]);
  const f2 = events[2] as Extract<OrderEvent, { kind: "fill" }>;
  assert(Number.isNaN(f2.commission));
  assert.deepStrictEqual(events[3], {
    kind: "error",
    orderId: 2,
    tradeId: "R1-3",
    code: 202,
    text: "Order Canceled - reason:",
    meaning: "cancelled",
  });
  // Its commission, when it comes late, is its own event.
  api.emit(EventName.commissionReport, { execId: "e2", commission: 0.62, currency: "USD" });
  assert.deepStrictEqual(events[4], {
    kind: "commission",
    execId: "e2",
    tradeId: "R1-3",
    commission: 0.62,
  });
  // Errors on ids the client never sent (a market-data request id) are not order events.
  api.emit(EventName.error, new Error("no data"), 200, 1000);
  assert.deepStrictEqual(events.length, 5);
  c.dispose();
});

Deno.test("OrderClient masks account ids in an order error's text (it becomes a CANCEL reason)", () => {
  const api = new FakeTws();
  const events: OrderEvent[] = [];
  const c = client(api, events);
  api.emit(EventName.nextValidId, 1);
  c.placeBracket(LONG_LMT);
  api.emit(EventName.error, new Error("Order rejected: account DU1234567 has no funds"), 201, 1);
  const e = events.find((x) => x.kind === "error") as Extract<OrderEvent, { kind: "error" }>;
  assert.equal(e.text, "Order rejected: account DU******7 has no funds");
  c.dispose();
});

Deno.test("OrderClient gathers open orders, positions and executions until their end messages", async () => {
  const api = new FakeTws();
  const events: OrderEvent[] = [];
  const c = client(api, events);
  api.emit(EventName.nextValidId, 1);
  const execReqs: number[] = [];
  Object.assign(api, {
    reqOpenOrders() {
      queueMicrotask(() => {
        api.emit(EventName.openOrder, 9, { conId: 42 }, {
          orderRef: "R1-3",
          action: "SELL",
          totalQuantity: 2,
          orderType: "STP",
          auxPrice: 4498.5,
          parentId: 7,
          ocaGroup: "oca-R1-3",
        }, { status: "Submitted" });
        api.emit(EventName.openOrderEnd);
      });
    },
    reqPositions() {
      queueMicrotask(() => {
        api.emit(EventName.position, "DU1", { conId: 42, symbol: "MES" }, -2, 22502.5);
        api.emit(EventName.positionEnd);
      });
    },
    cancelPositions() {},
    reqExecutions(reqId: number, filter: { time?: string }) {
      execReqs.push(reqId);
      assert.deepStrictEqual(filter.time, "20250715-09:00:00");
      queueMicrotask(() => {
        api.emit(EventName.execDetails, reqId, { conId: 42 }, {
          orderId: 7,
          execId: "x1",
          side: "BOT",
          shares: 2,
          price: 4500,
          orderRef: "R1-3",
        });
        api.emit(EventName.execDetailsEnd, reqId);
      });
    },
  });
  const open = await c.openOrders(1000);
  assert.deepStrictEqual(
    open.map((o) => [o.orderId, o.tradeId, o.orderType, o.auxPrice, o.parentId, o.status]),
    [[9, "R1-3", "STP", 4498.5, 7, "Submitted"]],
  );
  c.adopt(open[0]!);
  c.modify(9, { price: 4499 });
  const m = api.sent.at(-1)!;
  assert.deepStrictEqual([
    m.id,
    m.order.auxPrice,
    m.order.parentId,
    m.order.ocaGroup,
    m.order.orderRef,
  ], [
    9,
    4499,
    7,
    "oca-R1-3",
    "R1-3",
  ]);
  const pos = await c.positions(1000);
  assert.deepStrictEqual(pos, [{
    account: "DU1",
    conId: 42,
    symbol: "MES",
    qty: -2,
    avgCost: 22502.5,
  }]);
  const ex = await c.executions(Date.UTC(2025, 6, 15, 9), 1000);
  assert.deepStrictEqual(ex.map((e) => [e.execId, e.qty]), [["x1", 2]]);
  assert.deepStrictEqual(execReqs.length, 1);
  c.dispose();
});

Deno.test("accountRefusal: paper accounts (DU) pass; a live one needs both the config and the flag", () => {
  const none = { allowLiveAccount: false, liveAccountFlag: false };
  assert.equal(accountRefusal("DU1234567", none), undefined);
  assert.equal(accountRefusal("DU1234567,DU7654321,", none), undefined);
  assert.equal(
    accountRefusal("U7654321", none),
    "TWS is logged in to a live account (U...), not a paper one (DU...): real orders there need " +
      "execution.allow_live_account: true in the config and --live-account on the command line",
  );
  assert.match(
    accountRefusal("DU1,U2", { allowLiveAccount: true, liveAccountFlag: false })!,
    /need --live-account on the command line$/,
  );
  assert.equal(
    accountRefusal("U7654321", { allowLiveAccount: true, liveAccountFlag: true }),
    undefined,
  );
  assert.equal(accountRefusal("", none), "TWS named no account: no orders are sent");
  // A "DU" that is not followed by digits is not IB's paper pattern.
  assert.ok(!isPaperAccount("DUMMY"));
});

Deno.test("DailyLoss trips when the day's net loss reaches the limit, and starts again the next day", () => {
  // A stand-in session whose days change at 22:00 UTC.
  const days = {
    dayOf: (ms: number) => String(Math.floor((ms - 22 * 3_600_000) / 86_400_000)),
    dayEnd: (ms: number) =>
      (Math.floor((ms - 22 * 3_600_000) / 86_400_000) + 1) * 86_400_000 +
      22 * 3_600_000,
  };
  const d = new DailyLoss(100, days);
  const day = Date.UTC(2025, 6, 15, 14);
  assert.equal(d.add(day, -60), false);
  assert.equal(d.add(day + 60_000, 30), false);
  assert.equal(d.pnl, -30);
  assert.equal(d.add(day + 120_000, -70), true); // -100: at the limit
  assert.equal(d.dayEnd, Date.UTC(2025, 6, 15, 22));
  assert.equal(d.trippedAt(Date.UTC(2025, 6, 15, 21, 59)), true);
  assert.equal(d.trippedAt(Date.UTC(2025, 6, 15, 22)), false);
  // 22:00 UTC starts the next trading day.
  assert.equal(d.add(Date.UTC(2025, 6, 15, 22, 0, 1), -10), false);
  assert.equal(d.pnl, -10);
  assert.throws(() => new DailyLoss(0, days), RangeError);
});

Deno.test("watchKillSwitch trips once on the kill file and on SIGUSR1", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/STOP`;
  const trips: string[] = [];
  const stop = watchKillSwitch({ file, signal: false, pollMs: 10 }, (w) => trips.push(w));
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual(trips, []);
  await Deno.writeTextFile(file, "");
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(trips, [`kill switch: ${file} exists`]);
  stop();
  await Deno.remove(dir, { recursive: true });
  if (Deno.build.os === "windows") return;
  const sig: string[] = [];
  const stop2 = watchKillSwitch({}, (w) => sig.push(w));
  Deno.kill(Deno.pid, "SIGUSR1");
  await new Promise((r) => setTimeout(r, 50));
  Deno.kill(Deno.pid, "SIGUSR1");
  await new Promise((r) => setTimeout(r, 50));
  stop2();
  assert.deepEqual(sig, ["kill switch: SIGUSR1"]);
});
