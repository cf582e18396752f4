/**
 * Orders in the TWS simulator, through the real @stoqey/ib client: brackets with MKT and
 * LMT parents (target hit, stop hit), partial fills, a modify, a cancel, rejects 110/103/135,
 * OCA cancels (202), children held until transmit, state after a reconnect, an order-event
 * fault, the managed account, advancing ids and older server versions. Expected prices
 * come from the scripted tape of each test (one print per second, worked out below).
 */
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { type Contract, EventName, type Order, OrderAction, OrderType, SecType } from "@stoqey/ib";
import { startSimulator } from "../lib/sim/server.ts";
import { arraySource } from "../lib/sim/feed.ts";
import type { SimulatorOptions } from "../lib/sim/sim_types.ts";
import { connectClient, type TestClient } from "./_sim_client.ts";

const quiet = { info() {}, warn() {}, debug() {} };
/** Tuesday 2025-06-10 09:00 Chicago: liquid hours, MES front month June 2025. */
const T0 = Date.UTC(2025, 5, 10, 14, 0, 0);
const MES: Contract = {
  symbol: "MES",
  secType: SecType.FUT,
  exchange: "CME",
  currency: "USD",
  lastTradeDateOrContractMonth: "202506",
};
const COMMISSION = 0.62;
const MULT = 5;

/**
 * A simulator replaying `prints` ([price, size], one a second from T0; print 0 is replayed
 * at start, before any order) on a manual clock, with `go(i)` releasing prints up to i.
 */
async function tapeSim(prints: Array<[number, number]>, extra: SimulatorOptions = {}) {
  let now = T0;
  const sim = await startSimulator({
    port: 0,
    clock: { now: () => now },
    source: arraySource(prints.map(([price, size], i) => ({ ts: T0 + i * 1000, price, size }))),
    speed: 1,
    logger: quiet,
    commissionPerContract: COMMISSION,
    ...extra,
  });
  equal(sim.shiftMs, 0);
  /** Resolves once prints 0..i have been replayed (the pump runs on a timer). */
  const replayed = async (i: number) => {
    for (let k = 0; k < 400 && sim.stats().ticksReplayed <= i; k++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    equal(sim.stats().ticksReplayed, i + 1, `print ${i} not replayed`);
  };
  await replayed(0); // before any order arrives
  return {
    sim,
    async go(i: number) {
      now = T0 + i * 1000;
      sim.pumpNow();
      await replayed(i);
    },
  };
}

/** Order helpers. */
const mkt = (action: OrderAction, qty: number, o: Partial<Order> = {}): Order => ({
  action,
  orderType: OrderType.MKT,
  totalQuantity: qty,
  transmit: true,
  ...o,
});
const lmt = (action: OrderAction, qty: number, price: number, o: Partial<Order> = {}): Order => ({
  action,
  orderType: OrderType.LMT,
  totalQuantity: qty,
  lmtPrice: price,
  transmit: true,
  ...o,
});
const stp = (action: OrderAction, qty: number, price: number, o: Partial<Order> = {}): Order => ({
  action,
  orderType: OrderType.STP,
  totalQuantity: qty,
  auxPrice: price,
  transmit: true,
  ...o,
});
const { BUY, SELL } = OrderAction;

/** orderStatus events of `id`: [status, filled, remaining, avgFillPrice, lastFillPrice]. */
function statuses(c: TestClient, id: number): Array<[string, number, number, number, number]> {
  return c.named(EventName.orderStatus)
    .filter((a) => a[0] === id)
    .map((a) => [a[1], a[2], a[3], a[4], a[7]] as [string, number, number, number, number]);
}
const lastStatus = (c: TestClient, id: number) => statuses(c, id).at(-1)?.[0];
/** execDetails of live fills (reqId -1): [orderId, shares, price, cumQty, avgPrice, orderRef, side]. */
function fills(c: TestClient, reqId = -1) {
  return c.named(EventName.execDetails)
    .filter((a) => a[0] === reqId)
    .map((a) => {
      const e = a[2] as Record<string, unknown>;
      return [e.orderId, e.shares, e.price, e.cumQty, e.avgPrice, e.orderRef, e.side];
    });
}
const codes = (c: TestClient, id: number) =>
  c.errors.filter((e) => e.reqId === id).map((e) => e.code);
const commissions = (c: TestClient) =>
  c.named(EventName.commissionReport).map((a) => a[0] as Record<string, unknown>);

/** Resolves once the simulator has no client left (a reconnect then reuses the client id). */
async function gone(sim: { stats(): { activeSessions: number } }): Promise<void> {
  for (let k = 0; k < 400 && sim.stats().activeSessions > 0; k++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  equal(sim.stats().activeSessions, 0);
}

/** Every request sent before it has been handled once this resolves (same socket, in order). */
async function barrier(c: TestClient): Promise<void> {
  const n = c.named(EventName.currentTime).length;
  c.ib.reqCurrentTime();
  await c.waitFor("barrier", () => c.named(EventName.currentTime).length > n);
}

async function withSim(
  prints: Array<[number, number]>,
  run: (t: Awaited<ReturnType<typeof tapeSim>>, c: TestClient) => Promise<void>,
  extra: SimulatorOptions = {},
) {
  const t = await tapeSim(prints, extra);
  const c = await connectClient(t.sim.port);
  try {
    await run(t, c);
    deepStrictEqual(c.decodeErrors(), []);
  } finally {
    await c.close();
    await t.sim.close();
  }
}

Deno.test("sim orders: MKT-parent bracket, target hit; the stop in the OCA group is cancelled with 202", async () => {
  await withSim([[5000, 1], [5000.25, 5], [5001, 5], [5002.25, 5]], async (t, c) => {
    const oca = { ocaGroup: "B1", ocaType: 1 };
    c.ib.placeOrder(1, MES, mkt(BUY, 2, { orderRef: "T1", transmit: false }));
    c.ib.placeOrder(
      2,
      MES,
      lmt(SELL, 2, 5002, { orderRef: "T1", parentId: 1, transmit: false, ...oca }),
    );
    c.ib.placeOrder(3, MES, stp(SELL, 2, 4998, { orderRef: "T1", parentId: 1, ...oca }));
    await c.waitFor("bracket sent", () => statuses(c, 3).length === 1);
    deepStrictEqual([lastStatus(c, 1), lastStatus(c, 2), lastStatus(c, 3)], [
      "Submitted",
      "PreSubmitted",
      "PreSubmitted",
    ]);
    await t.go(1); // parent: 2 at 5000.25 (print size 5); children work from the next print
    await c.waitFor("children working", () => lastStatus(c, 3) === "Submitted");
    deepStrictEqual(statuses(c, 1).at(-1), ["Filled", 2, 0, 5000.25, 5000.25]);
    await t.go(2); // 5001: neither 5002 nor 4998 reached
    await t.go(3); // 5002.25 trades through the target: the resting limit fills at 5002
    await c.waitFor("stop cancelled", () => codes(c, 3).includes(202));
    deepStrictEqual(statuses(c, 2).at(-1), ["Filled", 2, 0, 5002, 5002]);
    equal(lastStatus(c, 3), "Cancelled");
    deepStrictEqual(fills(c), [
      [1, 2, 5000.25, 2, 5000.25, "T1", "BOT"],
      [2, 2, 5002, 2, 5002, "T1", "SLD"],
    ]);
    const cr = commissions(c);
    deepStrictEqual(cr.map((r) => r.commission), [2 * COMMISSION, 2 * COMMISSION]);
    equal(cr[0]!.realizedPNL, undefined, "an opening fill has no realized P/L");
    // (5002 - 5000.25) x 2 contracts x 5, less 0.62 a contract on each side.
    equal(
      cr[1]!.realizedPNL,
      Math.round(((5002 - 5000.25) * 2 * MULT - 4 * COMMISSION) * 100) / 100,
    );
    const order2 = c.named(EventName.openOrder).filter((a) => a[0] === 2).at(-1)!;
    const o2 = order2[2] as Order;
    deepStrictEqual([o2.parentId, o2.ocaGroup, o2.ocaType, o2.orderRef, o2.lmtPrice], [
      1,
      "B1",
      1,
      "T1",
      5002,
    ]);
    equal((order2[3] as { status: string }).status, "Filled");
  });
});

Deno.test("sim orders: LMT-parent bracket, stop hit; the implicit sibling target is cancelled", async () => {
  await withSim(
    [[5000, 1], [4999.75, 3], [4999.25, 3], [4999, 2], [4998.25, 1]],
    async (t, c) => {
      c.ib.placeOrder(10, MES, lmt(BUY, 1, 4999.5, { transmit: false, orderRef: "T2" }));
      c.ib.placeOrder(11, MES, lmt(SELL, 1, 5001, { parentId: 10, transmit: false }));
      c.ib.placeOrder(12, MES, stp(SELL, 1, 4998.5, { parentId: 10 }));
      await c.waitFor("bracket sent", () => statuses(c, 12).length === 1);
      await t.go(1); // 4999.75 is above the 4999.50 limit: no fill
      await barrier(c);
      equal(lastStatus(c, 10), "Submitted");
      await t.go(2); // 4999.25 trades through: the resting limit fills at 4999.50
      await c.waitFor("children working", () => lastStatus(c, 12) === "Submitted");
      await t.go(3); // 4999 above the 4998.50 stop
      await t.go(4); // 4998.25 triggers the stop, which fills at that print
      await c.waitFor("target cancelled", () => codes(c, 11).includes(202));
      deepStrictEqual(statuses(c, 12).at(-1), ["Filled", 1, 0, 4998.25, 4998.25]);
      equal(lastStatus(c, 11), "Cancelled");
      deepStrictEqual(fills(c).map((f) => [f[0], f[2]]), [[10, 4999.5], [12, 4998.25]]);
      const pnl = commissions(c)[1]!.realizedPNL as number;
      equal(pnl, Math.round(((4998.25 - 4999.5) * MULT - 2 * COMMISSION) * 100) / 100);
    },
  );
});

Deno.test("sim orders: a large MKT fills across prints, limited by each print's size", async () => {
  await withSim([[5000, 1], [5000, 2], [5000.25, 1], [5000.5, 4]], async (t, c) => {
    c.ib.placeOrder(20, MES, mkt(BUY, 5, { orderRef: "BIG" }));
    await c.waitFor("working", () => statuses(c, 20).length === 1);
    await t.go(3);
    await c.waitFor("filled", () => lastStatus(c, 20) === "Filled");
    // 2 at 5000, 1 at 5000.25, 2 at 5000.50: average 25001.25 / 5.
    deepStrictEqual(statuses(c, 20), [
      ["Submitted", 0, 5, 0, 0],
      ["Submitted", 2, 3, 5000, 5000],
      ["Submitted", 3, 2, 5000.083333333, 5000.25],
      ["Filled", 5, 0, 5000.25, 5000.5],
    ]);
    deepStrictEqual(fills(c).map((f) => [f[1], f[2], f[3]]), [[2, 5000, 2], [1, 5000.25, 3], [
      2,
      5000.5,
      5,
    ]]);
  });
});

Deno.test("sim orders: placeOrder with a working id modifies it; an off-tick modify is refused with 110", async () => {
  await withSim([[5000, 1], [4999.75, 1], [4999.75, 1]], async (t, c) => {
    c.ib.placeOrder(30, MES, lmt(BUY, 1, 4995));
    await c.waitFor("working", () => statuses(c, 30).length === 1);
    await t.go(1); // 4999.75 is above 4995
    await barrier(c);
    equal(lastStatus(c, 30), "Submitted");
    c.ib.placeOrder(30, MES, lmt(BUY, 1, 4999.6));
    await c.waitFor("110", () => codes(c, 30).includes(110));
    c.ib.placeOrder(30, MES, lmt(BUY, 1, 4999.75));
    await c.waitFor("modified", () => c.named(EventName.openOrder).length === 2);
    equal((c.named(EventName.openOrder)[1]![2] as Order).lmtPrice, 4999.75);
    await t.go(2);
    await c.waitFor("filled", () => lastStatus(c, 30) === "Filled");
    deepStrictEqual(statuses(c, 30).at(-1), ["Filled", 1, 0, 4999.75, 4999.75]);
  });
});

Deno.test("sim orders: cancel gives Cancelled + 202 and nothing fills; a second cancel gets 161", async () => {
  await withSim([[5000, 1], [4989, 5]], async (t, c) => {
    c.ib.placeOrder(40, MES, lmt(BUY, 1, 4990));
    await c.waitFor("working", () => statuses(c, 40).length === 1);
    c.ib.cancelOrder(40);
    await c.waitFor("cancelled", () => codes(c, 40).includes(202));
    deepStrictEqual(statuses(c, 40).at(-1), ["Cancelled", 0, 1, 0, 0]);
    await t.go(1);
    c.ib.cancelOrder(40);
    await c.waitFor("161", () => codes(c, 40).includes(161));
    equal(fills(c).length, 0);
  });
});

Deno.test("sim orders: rejects 110 (off the tick grid), 103 (id of a filled order), 135 (unknown cancel)", async () => {
  await withSim([[5000, 1], [5000.5, 1]], async (t, c) => {
    c.ib.placeOrder(50, MES, lmt(BUY, 1, 4999.3));
    await c.waitFor("110", () => codes(c, 50).includes(110));
    equal(statuses(c, 50).length, 0, "a rejected order is never working");
    c.ib.placeOrder(51, MES, mkt(BUY, 1));
    await c.waitFor("working", () => statuses(c, 51).length === 1);
    await t.go(1);
    await c.waitFor("filled", () => lastStatus(c, 51) === "Filled");
    c.ib.placeOrder(51, MES, mkt(SELL, 1));
    await c.waitFor("103", () => codes(c, 51).includes(103));
    c.ib.cancelOrder(999);
    await c.waitFor("135", () => codes(c, 999).includes(135));
    equal(fills(c).length, 1);
  });
});

Deno.test("sim orders: an explicit OCA group cancels its other member (202) when one fills", async () => {
  await withSim([[5000, 1], [5001, 3]], async (t, c) => {
    c.ib.placeOrder(60, MES, lmt(SELL, 1, 5001, { ocaGroup: "G", ocaType: 1 }));
    c.ib.placeOrder(61, MES, stp(SELL, 1, 4999, { ocaGroup: "G", ocaType: 1 }));
    await c.waitFor("working", () => statuses(c, 61).length === 1);
    await t.go(1);
    await c.waitFor("202", () => codes(c, 61).includes(202));
    deepStrictEqual(statuses(c, 60).at(-1), ["Filled", 1, 0, 5001, 5001]);
    equal(lastStatus(c, 61), "Cancelled");
  });
});

Deno.test("sim orders: untransmitted orders stay silent until the group's transmit=true order", async () => {
  await withSim([[5000, 1]], async (_t, c) => {
    c.ib.placeOrder(70, MES, lmt(BUY, 1, 4990, { transmit: false }));
    c.ib.placeOrder(71, MES, lmt(SELL, 1, 5010, { parentId: 70, transmit: false }));
    await barrier(c);
    equal(c.named(EventName.openOrder).length, 0);
    c.ib.reqOpenOrders();
    await c.waitFor("end", () => c.named(EventName.openOrderEnd).length === 1);
    equal(c.named(EventName.openOrder).length, 0, "held orders are not open orders");
    c.ib.placeOrder(72, MES, stp(SELL, 1, 4980, { parentId: 70 }));
    await c.waitFor("sent", () => statuses(c, 72).length === 1);
    deepStrictEqual(c.named(EventName.openOrder).map((a) => a[0]), [70, 71, 72]);
    deepStrictEqual([lastStatus(c, 70), lastStatus(c, 71), lastStatus(c, 72)], [
      "Submitted",
      "PreSubmitted",
      "PreSubmitted",
    ]);
  });
});

Deno.test("sim orders: orders, positions and executions survive a disconnect; fills go on meanwhile", async () => {
  const t = await tapeSim([[5000, 1], [5000.25, 5], [5001, 5], [5003, 5]]);
  let c = await connectClient(t.sim.port, { clientId: 7 });
  try {
    c.ib.placeOrder(80, MES, mkt(BUY, 2, { transmit: false, orderRef: "R" }));
    c.ib.placeOrder(81, MES, lmt(SELL, 2, 5003, { parentId: 80, transmit: false }));
    c.ib.placeOrder(82, MES, stp(SELL, 2, 4995, { parentId: 80 }));
    await c.waitFor("sent", () => statuses(c, 82).length === 1);
    await t.go(1);
    await c.waitFor("children working", () => lastStatus(c, 82) === "Submitted");
    await c.close();
    await gone(t.sim);
    await t.go(2);
    c = await connectClient(t.sim.port, { clientId: 7 });
    c.ib.reqOpenOrders();
    await c.waitFor("open orders", () => c.named(EventName.openOrderEnd).length === 1);
    deepStrictEqual(c.named(EventName.openOrder).map((a) => a[0]), [81, 82]);
    deepStrictEqual(statuses(c, 81), [["Submitted", 0, 2, 0, 0]]);
    c.ib.reqPositions();
    await c.waitFor("positions", () => c.named(EventName.positionEnd).length === 1);
    const [acct, , pos, avgCost] = c.named(EventName.position)[0]!;
    deepStrictEqual([acct, pos, avgCost], ["DU1234567", 2, 5000.25 * MULT]);
    await c.close();
    await gone(t.sim);
    await t.go(3); // the target fills while nobody is connected
    c = await connectClient(t.sim.port, { clientId: 7 });
    c.ib.reqExecutions(5, { time: "20250610-14:00:00" });
    await c.waitFor("executions", () => c.named(EventName.execDetailsEnd).length === 1);
    deepStrictEqual(fills(c, 5).map((f) => [f[0], f[1], f[2], f[5]]), [[80, 2, 5000.25, "R"], [
      81,
      2,
      5003,
      "",
    ]]);
    equal(commissions(c).length, 2, "each execution comes with its commission report");
    c.ib.reqExecutions(6, { time: "20250610-14:00:02" });
    await c.waitFor("filtered", () => c.named(EventName.execDetailsEnd).length === 2);
    deepStrictEqual(fills(c, 6).map((f) => f[0]), [81]);
    c.ib.reqOpenOrders();
    await c.waitFor("none open", () => c.named(EventName.openOrderEnd).length === 1);
    equal(c.named(EventName.openOrder).length, 0, "the stop was cancelled with the fill");
    c.ib.reqPositions();
    await c.waitFor("flat", () => c.named(EventName.positionEnd).length === 1);
    equal(c.named(EventName.position)[0]![2], 0);
    deepStrictEqual(c.decodeErrors(), []);
  } finally {
    await c.close();
    await t.sim.close();
  }
});

Deno.test("sim orders: a drop between a parent fill and its children; the children work server-side", async () => {
  const t = await tapeSim([[5000, 1], [5000.25, 5]], { faults: ["drop@parent-fill"] });
  let c = await connectClient(t.sim.port);
  try {
    c.ib.placeOrder(90, MES, mkt(BUY, 1, { transmit: false }));
    c.ib.placeOrder(91, MES, lmt(SELL, 1, 5005, { parentId: 90, transmit: false }));
    c.ib.placeOrder(92, MES, stp(SELL, 1, 4995, { parentId: 90 }));
    await c.waitFor("sent", () => statuses(c, 92).length === 1);
    await t.go(1);
    await c.waitFor("dropped", () => c.disconnected);
    equal(lastStatus(c, 90), "Filled", "the parent's fill was delivered before the drop");
    equal(lastStatus(c, 92), "PreSubmitted", "the children's activation was not");
    await gone(t.sim);
    c = await connectClient(t.sim.port);
    c.ib.reqOpenOrders();
    await c.waitFor("open orders", () => c.named(EventName.openOrderEnd).length === 1);
    deepStrictEqual(statuses(c, 91), [["Submitted", 0, 1, 0, 0]]);
    deepStrictEqual(statuses(c, 92), [["Submitted", 0, 1, 0, 0]]);
  } finally {
    await c.close();
    await t.sim.close();
  }
});

Deno.test("sim orders: managed account (default paper, configurable live-looking) and advancing reqIds", async () => {
  for (const [account, want] of [[undefined, "DU1234567"], ["U7654321", "U7654321"]] as const) {
    const t = await tapeSim([[5000, 1]], account === undefined ? {} : { account });
    const c = await connectClient(t.sim.port);
    try {
      deepStrictEqual(c.named(EventName.managedAccounts), [[want]]);
      const first = c.named(EventName.nextValidId)[0]![0] as number;
      c.ib.reqIds();
      c.ib.reqIds();
      await c.waitFor("ids", () => c.named(EventName.nextValidId).length === 3);
      const ids = c.named(EventName.nextValidId).map((a) => a[0] as number);
      ok(ids[1]! >= first && ids[2]! > ids[1]!, `ids ${ids} do not advance`);
      c.ib.placeOrder(500, MES, lmt(BUY, 1, 4000));
      await c.waitFor("working", () => statuses(c, 500).length === 1);
      c.ib.reqIds();
      await c.waitFor("id", () => c.named(EventName.nextValidId).length === 4);
      ok((c.named(EventName.nextValidId)[3]![0] as number) > 500);
      equal((c.named(EventName.openOrder)[0]![2] as Order).account, want);
    } finally {
      await c.close();
      await t.sim.close();
    }
  }
});

Deno.test("sim orders: order messages decode at server versions 157, 176 and 185", async () => {
  for (const v of [157, 176, 185]) {
    await withSim([[5000, 1], [5000.25, 1]], async (t, c) => {
      c.ib.placeOrder(1, MES, mkt(BUY, 1, { orderRef: `v${v}` }));
      await c.waitFor("working", () => statuses(c, 1).length === 1);
      await t.go(1);
      await c.waitFor("commission", () => commissions(c).length === 1);
      deepStrictEqual(fills(c), [[1, 1, 5000.25, 1, 5000.25, `v${v}`, "BOT"]], `at ${v}`);
      const o = c.named(EventName.openOrder).at(-1)!;
      deepStrictEqual([(o[2] as Order).orderRef, (o[3] as { status: string }).status], [
        `v${v}`,
        "Filled",
      ]);
    }, { maxServerVersion: v });
  }
});

Deno.test("sim orders: a drop during a partial fill; the rest fills server-side and is reported after reconnecting", async () => {
  const t = await tapeSim([[5000, 1], [5000.25, 1], [5000.5, 5]], {
    faults: ["drop@partial-fill"],
  });
  let c = await connectClient(t.sim.port);
  try {
    c.ib.placeOrder(100, MES, mkt(BUY, 3));
    await c.waitFor("working", () => statuses(c, 100).length === 1);
    await t.go(1); // 1 of 3 at 5000.25, then the drop
    await c.waitFor("dropped", () => c.disconnected);
    deepStrictEqual(statuses(c, 100).at(-1), ["Submitted", 1, 2, 5000.25, 5000.25]);
    await gone(t.sim);
    await t.go(2); // the other 2 at 5000.50, nobody connected
    c = await connectClient(t.sim.port);
    c.ib.reqExecutions(1, {});
    await c.waitFor("executions", () => c.named(EventName.execDetailsEnd).length === 1);
    deepStrictEqual(fills(c, 1).map((f) => [f[1], f[2], f[3]]), [[1, 5000.25, 1], [
      2,
      5000.5,
      3,
    ]]);
    c.ib.reqPositions();
    await c.waitFor("positions", () => c.named(EventName.positionEnd).length === 1);
    // Average of 5000.25 + 2 x 5000.50, times the multiplier.
    equal(c.named(EventName.position)[0]![2], 3);
    const avgCost = ((5000.25 + 2 * 5000.5) / 3) * MULT;
    equal(c.named(EventName.position)[0]![3], Math.round(avgCost * 1e9) / 1e9);
  } finally {
    await c.close();
    await t.sim.close();
  }
});

Deno.test("sim orders: a drop during a cancel; the cancel holds server-side, unconfirmed to the client", async () => {
  const t = await tapeSim([[5000, 1], [4989, 5]], { faults: ["drop@cancel"] });
  let c = await connectClient(t.sim.port);
  try {
    c.ib.placeOrder(110, MES, lmt(BUY, 1, 4990));
    await c.waitFor("working", () => statuses(c, 110).length === 1);
    c.ib.cancelOrder(110);
    await c.waitFor("dropped", () => c.disconnected);
    equal(lastStatus(c, 110), "Submitted");
    deepStrictEqual(codes(c, 110), []);
    await gone(t.sim);
    await t.go(1); // 4989 would have filled the limit
    c = await connectClient(t.sim.port);
    c.ib.reqOpenOrders();
    await c.waitFor("open orders", () => c.named(EventName.openOrderEnd).length === 1);
    equal(c.named(EventName.openOrder).length, 0);
    c.ib.reqExecutions(2, {});
    await c.waitFor("executions", () => c.named(EventName.execDetailsEnd).length === 1);
    equal(fills(c, 2).length, 0);
  } finally {
    await c.close();
    await t.sim.close();
  }
});

Deno.test("sim orders: OCA type 2 reduces the other member by a partial fill, cancels it at the full fill", async () => {
  await withSim([[5000, 1], [5001, 1], [5001, 1]], async (t, c) => {
    c.ib.placeOrder(120, MES, lmt(SELL, 2, 5001, { ocaGroup: "R", ocaType: 2 }));
    c.ib.placeOrder(121, MES, stp(SELL, 2, 4990, { ocaGroup: "R", ocaType: 2 }));
    await c.waitFor("working", () => statuses(c, 121).length === 1);
    await t.go(1); // 1 of 2 at 5001: the stop shrinks to 1
    await c.waitFor("reduced", () => statuses(c, 121).length === 2);
    deepStrictEqual(statuses(c, 121).at(-1), ["Submitted", 0, 1, 0, 0]);
    equal(
      (c.named(EventName.openOrder).filter((a) => a[0] === 121).at(-1)![2] as Order)
        .totalQuantity,
      1,
    );
    await t.go(2);
    await c.waitFor("202", () => codes(c, 121).includes(202));
    deepStrictEqual(statuses(c, 120).at(-1), ["Filled", 2, 0, 5001, 5001]);
    equal(lastStatus(c, 121), "Cancelled");
  });
});

Deno.test("sim orders: reqOpenOrders shows the client's own orders, reqAllOpenOrders every client's", async () => {
  const t = await tapeSim([[5000, 1]]);
  const a = await connectClient(t.sim.port, { clientId: 1 });
  const b = await connectClient(t.sim.port, { clientId: 2 });
  try {
    a.ib.placeOrder(1, MES, lmt(BUY, 1, 4990));
    b.ib.placeOrder(1, MES, lmt(SELL, 1, 5010));
    await a.waitFor("a working", () => statuses(a, 1).length === 1);
    await b.waitFor("b working", () => statuses(b, 1).length === 1);
    a.ib.reqOpenOrders();
    await a.waitFor("own", () => a.named(EventName.openOrderEnd).length === 1);
    deepStrictEqual(a.named(EventName.openOrder).map((x) => (x[2] as Order).action), [
      "BUY",
      "BUY",
    ]);
    a.ib.reqAllOpenOrders();
    await a.waitFor("all", () => a.named(EventName.openOrderEnd).length === 2);
    deepStrictEqual(
      a.named(EventName.openOrder).slice(2).map((x) => [(x[2] as Order).clientId, x[0]]),
      [[1, 1], [2, 1]],
    );
  } finally {
    await a.close();
    await b.close();
    await t.sim.close();
  }
});
