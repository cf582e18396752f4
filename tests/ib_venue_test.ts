/**
 * Real orders end to end: the real IB client (@stoqey/ib through IbAdapter and the order
 * client) against the TWS simulator, which matches them against a replayed tape. Bracket
 * round trips for both entry types (target, stop, partial fills, a trailing modify, a
 * timeout cancel, an IB reject), a disconnect at the parent fill, and a restart that adopts
 * the working bracket instead of sending a second one.
 */
import assert from "node:assert/strict";
import { IbAdapter } from "../lib/ib/adapter.ts";
import { OrderClient } from "../lib/ib/orders.ts";
import { IbVenue, type ReconcileReport } from "../lib/execution/ib_venue.ts";
import type { EntryOrder, VenueEvent } from "../lib/execution/venue.ts";
import { arraySource } from "../lib/sim/feed.ts";
import { type SimulatorHandle, startSimulator } from "../lib/sim/server.ts";
import type { Tick } from "../lib/types.ts";
import { clockFrom, quietSimLog, until } from "./_live_harness.ts";

/** Recorded start of every tape: a Tuesday 14:00 UTC (09:00 Chicago), MES trading. */
const T0 = Date.UTC(2026, 2, 3, 14, 0, 0);

/**
 * A tape: `flat` prints of 4500 one second apart (time for the client to connect and place
 * its orders; a market order fills on one of them), then `then` (price, size), one a second.
 */
function tape(flat: number, then: Array<[number, number]>): Tick[] {
  const ticks: Tick[] = [];
  for (let i = 0; i < flat; i++) ticks.push({ ts: T0 + i * 1000, price: 4500, size: 1 });
  then.forEach(([price, size], i) => ticks.push({ ts: T0 + (flat + i) * 1000, price, size }));
  return ticks;
}

/** A bot's order side on the simulator: adapter, order client, venue, their events. */
interface Bot {
  adapter: IbAdapter;
  venue: IbVenue;
  orders: OrderClient;
  events: VenueEvent[];
  lines: string[];
  reconciles: ReconcileReport[];
  /** Reconnect after a drop (as the live runner does) and reconcile on every ready. */
  close(): void;
}

async function bot(
  sim: SimulatorHandle,
  o: { clientId?: number; tickSize?: number; reconnect?: boolean; knownExecIds?: string[] } = {},
): Promise<Bot> {
  const events: VenueEvent[] = [];
  const lines: string[] = [];
  const reconciles: ReconcileReport[] = [];
  let closed = false;
  let readyOnce: () => void = () => {};
  const firstReady = new Promise<void>((r) => readyOnce = r);
  const box: { venue?: IbVenue } = {};
  const adapter: IbAdapter = new IbAdapter({
    host: "127.0.0.1",
    port: sim.port,
    clientId: o.clientId ?? 7,
    maxReqPerSec: 50,
    tickType: "AllLast",
  }, {
    onReady: () => {
      readyOnce();
      if (box.venue !== undefined) void box.venue.reconcile().then((r) => reconciles.push(r));
    },
    onDisconnected: () => {
      if (!closed && o.reconnect !== false) setTimeout(() => !closed && adapter.connect(), 50);
    },
  });
  adapter.connect();
  await firstReady;
  const details = await adapter.contractDetails(
    { symbol: "MES", secType: "FUT", exchange: "CME", currency: "USD" },
    3000,
  );
  const c = details.sort((a, b) =>
    a.lastTradeDateOrContractMonth.localeCompare(b.lastTradeDateOrContractMonth)
  )[0]!;
  const orders = new OrderClient(adapter.api, {
    contract: { conId: c.conId, exchange: c.exchange, tickSize: o.tickSize ?? c.minTick },
    timeZone: c.timeZoneId || "UTC",
  });
  const venue = new IbVenue({
    orders,
    conId: c.conId,
    clock: () => sim.now(),
    log: (l) => lines.push(l),
    knownExecIds: o.knownExecIds ?? [],
  });
  venue.listen((e) => events.push(e));
  box.venue = venue;
  const v = venue;
  // As the live runner does after its first sync.
  reconciles.push(await v.reconcile());
  return {
    adapter,
    venue: v,
    orders,
    events,
    lines,
    reconciles,
    close() {
      closed = true;
      orders.dispose();
      adapter.disconnect();
    },
  };
}

async function withSim(
  ticks: Tick[],
  fn: (sim: SimulatorHandle) => Promise<void>,
  faults: string[] = [],
): Promise<void> {
  const sim = await startSimulator({
    port: 0,
    source: arraySource(ticks),
    speed: 20,
    clock: clockFrom(ticks[0]!.ts),
    logger: quietSimLog,
    faults,
  });
  try {
    await fn(sim);
  } finally {
    await sim.close();
  }
}

/** One line per venue event, without times (those are the simulator's clock). */
function brief(e: VenueEvent): string {
  switch (e.kind) {
    case "fill":
      return `fill ${e.role} ${e.qty}@${e.price} c=${e.commission}`;
    case "cancel":
      return `cancel ${e.role} ${e.qty}${e.reason === undefined ? "" : ` ${e.reason}`}`;
    case "reject":
      return `reject ${e.role} ${e.code ?? e.text}`;
    case "working":
      return `working ${e.role}`;
  }
}

const fills = (b: Bot) => b.events.filter((e) => e.kind === "fill").map(brief);
const closedOut = (b: Bot) => () => !b.venue.busy && b.events.some((e) => e.kind === "fill");

const LONG_MKT: EntryOrder = {
  tradeId: "SIM-1",
  side: "LONG",
  qty: 1,
  type: "market",
  price: 4500,
  time: 0,
  stop: 4498,
  target: 4503,
};

Deno.test("sim bracket, market entry: the entry fills at the next print, the target exits, the stop is cancelled by OCA", async () => {
  await withSim(
    tape(30, [[4501, 1], [4502, 1], [4503, 1], [4504, 1], [4497, 1], [4497, 1]]),
    async (sim) => {
      const b = await bot(sim);
      b.venue.placeEntry({ ...LONG_MKT, time: sim.now() });
      await until("the trade to close", closedOut(b), 10_000);
      assert.deepEqual(fills(b), ["fill entry 1@4500 c=0.62", "fill target 1@4503 c=0.62"]);
      const fill = b.events.find((e) => e.kind === "fill")!;
      assert.ok(fill.kind === "fill" && typeof fill.execId === "string" && fill.execId.length > 0);
      // Nothing is left working at the simulator: the stop went with its OCA sibling.
      assert.deepEqual(await b.orders.openOrders(3000), []);
      assert.deepEqual((await b.orders.positions(3000)).map((p) => p.qty), [0]);
      b.close();
    },
  );
});

Deno.test("sim bracket, short market entry: the stop exits at the print that reaches it", async () => {
  await withSim(tape(30, [[4501, 1], [4502, 2], [4490, 1]]), async (sim) => {
    const b = await bot(sim);
    b.venue.placeEntry({ ...LONG_MKT, side: "SHORT", stop: 4501.5, target: 4495, time: sim.now() });
    await until("the trade to close", closedOut(b), 10_000);
    // A buy stop at 4501.50 triggers on the 4502 print and fills there (no better price).
    assert.deepEqual(fills(b), ["fill entry 1@4500 c=0.62", "fill stop 1@4502 c=0.62"]);
    b.close();
  });
});

Deno.test("sim bracket, limit entry: partial fills as prints trade at the limit, a trailing modify, the moved stop exits", async () => {
  const then: Array<[number, number]> = [
    [4499.75, 1],
    [4499.5, 1],
    [4499.75, 1],
    [4500.5, 1],
    [4501, 1],
    [4501.25, 1],
    [4501.5, 1],
    [4502, 1],
    [4502, 1],
    [4502, 1],
    [4502, 1],
    [4502, 1],
    [4502, 1],
    [4500.5, 1],
    [4499, 3],
  ];
  await withSim(tape(20, then), async (sim) => {
    const b = await bot(sim);
    b.venue.placeEntry({
      tradeId: "SIM-2",
      side: "LONG",
      qty: 3,
      type: "limit",
      price: 4499.75,
      time: sim.now(),
      stop: 4497,
      target: 4505,
    });
    await until("the entry to fill", () => fills(b).length === 3, 10_000);
    // One contract a print: 4499.75, then 4499.50 (through the limit: at the limit), 4499.75.
    assert.deepEqual(fills(b), [
      "fill entry 1@4499.75 c=0.62",
      "fill entry 1@4499.75 c=0.62",
      "fill entry 1@4499.75 c=0.62",
    ]);
    // The trailing manager's move: the stop to 4500.25, modified in place (same order id).
    const stopId = stopIdOf(b);
    assert.equal(b.orders.order(stopId)?.auxPrice, 4497);
    b.venue.modifyExits("SIM-2", { stop: 4500.25, time: sim.now() });
    assert.deepEqual([stopIdOf(b), b.orders.order(stopId)?.auxPrice], [stopId, 4500.25]);
    await until("the trade to close", closedOut(b), 10_000);
    // The 4500.50 print does not reach 4500.25; 4499 does, and the stop fills there.
    assert.deepEqual(fills(b).slice(3), ["fill stop 3@4499 c=1.86"]);
    b.close();
  });
});

/** The stop order's id, from the order client's book (the venue keeps its ids private). */
function stopIdOf(b: Bot): number {
  for (let id = 1; id < 100; id++) if (b.orders.order(id)?.orderType === "STP") return id;
  return -1;
}

/** Places a buy limit far under the tape (it never fills) and waits for TWS's acknowledgement. */
async function restingEntry(b: Bot, sim: SimulatorHandle): Promise<void> {
  b.venue.placeEntry({
    ...LONG_MKT,
    type: "limit",
    price: 4495,
    stop: 4493,
    target: 4499,
    time: sim.now(),
  });
  await until(
    "TWS to acknowledge the entry",
    () => b.events.some((e) => e.kind === "working"),
    5000,
  );
}

Deno.test("sim bracket, limit entry never reached: the timeout cancels the parent and its children, nothing stays at IB", async () => {
  await withSim(tape(60, []), async (sim) => {
    const b = await bot(sim);
    await restingEntry(b, sim);
    b.venue.cancel("SIM-1", "entry", sim.now());
    await until("the cancel", () => b.events.some((e) => e.kind === "cancel"), 5000);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(b.events.map(brief), ["working entry", "cancel entry 1"]);
    assert.deepEqual(await b.orders.openOrders(3000), []);
    b.close();
  });
});

Deno.test("sim reject: a price TWS refuses (110, off its tick grid) ends the trade at once, with IB's code", async () => {
  await withSim(tape(60, []), async (sim) => {
    // The bot believes the tick is 0.125 (a wrong contract setting); MES trades in 0.25s.
    const b = await bot(sim, { tickSize: 0.125 });
    b.venue.placeEntry({
      ...LONG_MKT,
      type: "limit",
      price: 4499.875,
      stop: 4498,
      target: 4503,
      time: sim.now(),
    });
    await until("the reject", () => b.events.some((e) => e.kind === "reject"), 5000);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(b.events.map(brief), ["reject entry 110"]);
    assert.equal(b.venue.busy, false);
    assert.deepEqual(await b.orders.openOrders(3000), []);
    b.close();
  });
});

Deno.test("sim disconnect at the parent fill: the reconnect adopts the bracket, journals nothing twice, and the target still exits", async () => {
  await withSim(
    tape(30, [[4500, 1], [4500, 1], [4500, 1], [4500, 1], [4500, 1], [4500, 1], [4503, 1], [
      4503,
      1,
    ]]),
    async (sim) => {
      const b = await bot(sim);
      b.venue.placeEntry({ ...LONG_MKT, time: sim.now() });
      await until("the trade to close", closedOut(b), 15_000);
      assert.ok(b.reconciles.length >= 1, "reconciled after the reconnect");
      assert.deepEqual(fills(b), ["fill entry 1@4500 c=0.62", "fill target 1@4503 c=0.62"]);
      assert.deepEqual((await b.orders.positions(3000)).map((p) => p.qty), [0]);
      b.close();
    },
    ["drop@parent-fill"],
  );
});

Deno.test("sim restart with a working bracket: the new process adopts it (no second bracket) and books its exit", async () => {
  await withSim(tape(40, [[4501, 1], [4503, 1], [4503, 1]]), async (sim) => {
    const a = await bot(sim, { reconnect: false });
    a.venue.placeEntry({ ...LONG_MKT, time: sim.now() });
    await until("the entry fill", () => fills(a).length === 1, 10_000);
    a.close(); // the process dies with its bracket working at TWS
    // The journal holds the entry's FILL with its exec id.
    const known = a.events.flatMap((e) =>
      e.kind === "fill" && e.execId !== undefined ? [e.execId] : []
    );
    const b = await bot(sim, { knownExecIds: known });
    b.venue.adopt({
      tradeId: "SIM-1",
      side: "LONG",
      ordered: 1,
      filled: 1,
      entryPrice: 4500,
      stop: 4498,
      target: 4503,
    });
    const r = await b.venue.reconcile();
    assert.deepEqual(r, {
      adopted: 2,
      replayed: 0,
      unexplainedQty: 0,
      strayOrders: 0,
      reprotected: false,
    });
    await until("the trade to close", closedOut(b), 10_000);
    assert.deepEqual(fills(b), ["fill target 1@4503 c=0.62"]);
    // Three orders were ever placed at the simulator: the one bracket.
    const open = await b.orders.openOrders(3000);
    assert.deepEqual(open, []);
    b.close();
  });
});

Deno.test("sim disconnect during a partial fill: the rest filled while away is journaled once, then the target exits", async () => {
  const flat: Array<[number, number]> = Array.from({ length: 30 }, () => [4500, 1]);
  await withSim(
    tape(20, [[4499.75, 1], [4499.75, 1], ...flat, [4503, 2], [4503, 2]]),
    async (sim) => {
      const b = await bot(sim);
      b.venue.placeEntry({ ...LONG_MKT, qty: 2, type: "limit", price: 4499.75, time: sim.now() });
      await until("the trade to close", closedOut(b), 15_000);
      assert.ok(b.reconciles.length >= 2, "reconciled after the reconnect");
      assert.deepEqual(fills(b), [
        "fill entry 1@4499.75 c=0.62",
        "fill entry 1@4499.75 c=0.62",
        "fill target 2@4503 c=1.24",
      ]);
      assert.equal(b.reconciles.at(-1)!.replayed, 1);
      b.close();
    },
    ["drop@partial-fill"],
  );
});

Deno.test("sim disconnect during a cancel: the reconnect finds the entry gone and reports it once", async () => {
  await withSim(tape(80, []), async (sim) => {
    const b = await bot(sim);
    await restingEntry(b, sim);
    sim.faults.schedule("drop@cancel");
    b.venue.cancel("SIM-1", "entry", sim.now());
    await until("the cancel", () => b.events.some((e) => e.kind === "cancel"), 10_000);
    await until("the reconciliation", () => b.reconciles.length >= 2, 10_000);
    assert.deepEqual(b.events.map(brief), ["working entry", "cancel entry 1"]);
    assert.equal(b.venue.busy, false);
    assert.deepEqual(await b.orders.openOrders(3000), []);
    b.close();
  });
});
