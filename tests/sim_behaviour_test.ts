/**
 * IB behaviours and faults of the TWS simulator, observed through the real @stoqey/ib
 * client: pacing (162), the tick-by-tick cap (10190), duplicate client ids (326), unknown
 * cancels (366), unsupported messages, several clients, and every fault.
 */
import { deepStrictEqual, equal } from "node:assert/strict";
import { EventName, SecType, type TickByTickDataType } from "@stoqey/ib";
import type { Tick } from "../lib/types.ts";
import { startSimulator } from "../lib/sim/server.ts";
import { arraySource } from "../lib/sim/feed.ts";
import { connectClient, type TestClient } from "./_sim_client.ts";

const NOW = Date.UTC(2025, 5, 10, 14, 0, 0);
const quiet = { info() {}, warn() {}, debug() {} };
const ALL_LAST = "AllLast" as TickByTickDataType;
const MES = {
  symbol: "MES",
  secType: SecType.FUT,
  exchange: "CME",
  lastTradeDateOrContractMonth: "202506",
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A clock the test moves by hand. */
function manualClock(start: number) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

/** A clock running in real time from `start`. */
function realClock(start: number) {
  const t0 = performance.now();
  return { now: () => start + Math.floor(performance.now() - t0) };
}

/** Ticks every `stepMs`, from `start`. */
function synthTicks(n: number, start: number, stepMs: number): Tick[] {
  return Array.from(
    { length: n },
    (_, i) => ({ ts: start + i * stepMs, price: 5000 + (i % 8) * 0.25, size: 1 }),
  );
}

/** A long, steady stream: speed 100 over 100 ms spacing is about one tick per wall ms. */
function streamingSim(extra: Record<string, unknown> = {}) {
  return startSimulator({
    port: 0,
    source: arraySource(synthTicks(60_000, NOW + 10, 100)),
    speed: 100,
    clock: realClock(NOW),
    logger: quiet,
    ...extra,
  });
}

const tickCount = (c: TestClient, reqId?: number) =>
  reqId === undefined
    ? c.named(EventName.tickByTickAllLast).length
    : c.named(EventName.tickByTickAllLast).filter((a) => a[0] === reqId).length;

Deno.test("sim pacing: identical request within 15 s, 6 per contract in 2 s and 61 in 10 min get 162", async () => {
  const clock = manualClock(NOW);
  const sim = await startSimulator({
    port: 0,
    clock,
    source: arraySource(synthTicks(100, NOW - 60_000, 500)),
    historyMs: 60_000,
    speed: "max",
    logger: quiet,
  });
  const c = await connectClient(sim.port);
  try {
    const ticksReq = (reqId: number, start: string) =>
      c.ib.reqHistoricalTicks(reqId, MES, start, "", 10, "TRADES", 0, false);
    const answered = (reqId: number) =>
      c.named(EventName.historicalTicksLast).some((a) => a[0] === reqId) ||
      c.errors.some((e) => e.reqId === reqId);
    const pacing = (reqId: number) =>
      c.errors.some((e) =>
        e.reqId === reqId && e.code === 162 && /pacing violation/.test(e.message)
      );
    const ask = async (reqId: number, start: string) => {
      ticksReq(reqId, start);
      await c.waitFor(`answer ${reqId}`, () => answered(reqId));
      return pacing(reqId);
    };
    equal(await ask(1, "20250610-13:59:00"), false);
    equal(await ask(2, "20250610-13:59:00"), true); // identical, same instant
    clock.advance(15_001);
    equal(await ask(3, "20250610-13:59:00"), false); // identical, 15 s later
    clock.advance(15_001);
    // Five different requests for the same contract pass, the sixth within 2 s fails.
    for (let i = 0; i < 5; i++) equal(await ask(10 + i, `20250610-13:59:0${i + 1}`), false);
    equal(await ask(20, "20250610-13:59:09"), true);
    clock.advance(2_001);
    equal(await ask(21, "20250610-13:59:09"), false);
    // 60 in 10 minutes: 8 accepted so far (1, 3, 10-14, 21); 52 more at 1 s spacing.
    for (let i = 0; i < 52; i++) {
      clock.advance(1_000);
      equal(
        await ask(
          100 + i,
          `20250610-13:${String(10 + Math.floor(i / 60)).padStart(2, "0")}:${
            String(i % 60).padStart(2, "0")
          }`,
        ),
        false,
      );
    }
    clock.advance(1_000);
    equal(await ask(200, "20250610-13:30:00"), true);
    deepStrictEqual(c.decodeErrors(), []);
  } finally {
    await c.close();
    await sim.close();
  }
});

Deno.test("sim caps simultaneous tick-by-tick subscriptions account-wide with 10190", async () => {
  const sim = await startSimulator({
    port: 0,
    clock: { now: () => NOW },
    tbtLimit: 2,
    logger: quiet,
  });
  const a = await connectClient(sim.port, { clientId: 1 });
  const b = await connectClient(sim.port, { clientId: 2 });
  try {
    a.ib.reqTickByTickData(1, MES, ALL_LAST, 0, false);
    a.ib.reqTickByTickData(2, MES, ALL_LAST, 0, false);
    await sleep(50);
    b.ib.reqTickByTickData(7, MES, ALL_LAST, 0, false);
    await b.waitFor("10190", () => b.errors.length === 1);
    deepStrictEqual(b.errors, [{
      message: "Max number of tick-by-tick requests has been reached.",
      code: 10190,
      reqId: 7,
    }]);
    deepStrictEqual(a.errors, []);
    a.ib.cancelTickByTickData(1);
    await sleep(50);
    b.ib.reqTickByTickData(8, MES, ALL_LAST, 0, false);
    await sleep(100);
    equal(b.errors.length, 1); // 8 accepted once a slot was free
  } finally {
    await a.close();
    await b.close();
    await sim.close();
  }
});

Deno.test("sim answers a duplicate client id with 326 and drops only that connection", async () => {
  const sim = await startSimulator({ port: 0, clock: { now: () => NOW }, logger: quiet });
  const a = await connectClient(sim.port, { clientId: 5 });
  const b = await connectClient(sim.port, { clientId: 5, waitReady: false });
  try {
    await b.waitFor("drop", () => b.disconnected);
    equal(
      b.infos.find((i) => i.code === 326)?.message,
      "Unable to connect as the client id is already in use. Retry with a unique client id.",
    );
    equal(b.named(EventName.nextValidId).length, 0);
    a.ib.reqCurrentTime();
    await a.waitFor("time", () => a.named(EventName.currentTime).length === 1);
    equal(a.disconnected, false);
  } finally {
    await a.close();
    await b.close();
    await sim.close();
  }
});

Deno.test("sim: 366 for cancelling unknown historical data, 200 for unknown contracts, unsupported messages ignored", async () => {
  const sim = await startSimulator({ port: 0, clock: { now: () => NOW }, logger: quiet });
  const c = await connectClient(sim.port);
  try {
    c.ib.cancelHistoricalData(999);
    c.ib.reqMarketDataType(1); // message 59: not supported by the simulator
    c.ib.reqTickByTickData(
      3,
      { symbol: "ZZZ", secType: SecType.FUT, exchange: "CME" },
      ALL_LAST,
      0,
      false,
    );
    c.ib.reqTickByTickData(
      4,
      { symbol: "MES", secType: SecType.FUT, exchange: "CME" },
      ALL_LAST,
      0,
      false,
    );
    c.ib.reqCurrentTime();
    await c.waitFor(
      "answers",
      () => c.errors.length === 3 && c.named(EventName.currentTime).length === 1,
    );
    deepStrictEqual(c.errors, [
      { message: "No historical data query found for ticker id:999", code: 366, reqId: 999 },
      { message: "No security definition has been found for the request", code: 200, reqId: 3 },
      { message: "The contract description specified for MES is ambiguous.", code: 200, reqId: 4 },
    ]);
    equal(sim.stats().unknownMessages, 1);
  } finally {
    await c.close();
    await sim.close();
  }
});

Deno.test("sim serves several clients, each with its own subscriptions", async () => {
  const sim = await startSimulator({
    port: 0,
    clock: { now: () => NOW },
    source: arraySource(synthTicks(2000, NOW + 1000, 250)),
    speed: "max",
    waitForSubscribers: 2,
    logger: quiet,
  });
  const a = await connectClient(sim.port, { clientId: 1 });
  const b = await connectClient(sim.port, { clientId: 2 });
  const idle = await connectClient(sim.port, { clientId: 3 });
  try {
    a.ib.reqTickByTickData(10, MES, ALL_LAST, 0, false);
    b.ib.reqTickByTickData(20, MES, ALL_LAST, 0, false);
    await a.waitFor("a", () => tickCount(a, 10) === 2000);
    await b.waitFor("b", () => tickCount(b, 20) === 2000);
    equal(tickCount(a), 2000);
    equal(tickCount(b), 2000);
    equal(tickCount(idle), 0);
    deepStrictEqual([...a.errors, ...b.errors, ...idle.errors], []);
  } finally {
    await a.close();
    await b.close();
    await idle.close();
    await sim.close();
  }
});

Deno.test("sim fault dropAll closes every client; new connections are served", async () => {
  const sim = await streamingSim();
  const a = await connectClient(sim.port, { clientId: 1 });
  const b = await connectClient(sim.port, { clientId: 2 });
  try {
    sim.faults.dropAll();
    await a.waitFor("a dropped", () => a.disconnected);
    await b.waitFor("b dropped", () => b.disconnected);
    const c = await connectClient(sim.port, { clientId: 1 });
    c.ib.reqCurrentTime();
    await c.waitFor("time", () => c.named(EventName.currentTime).length === 1);
    await c.close();
  } finally {
    await a.close();
    await b.close();
    await sim.close();
  }
});

Deno.test("sim fault refuseFor drops clients and refuses connections for the period", async () => {
  const sim = await streamingSim();
  const a = await connectClient(sim.port);
  try {
    const done = sim.faults.refuseFor(300);
    await a.waitFor("dropped", () => a.disconnected);
    const refused = await connectClient(sim.port, { waitReady: false });
    await refused.waitFor(
      "refusal",
      () => refused.errors.some((e) => e.code === 502) || refused.disconnected,
    );
    equal(refused.named(EventName.nextValidId).length, 0);
    await refused.close();
    await done;
    const back = await connectClient(sim.port);
    equal(back.named(EventName.nextValidId).length, 1);
    await back.close();
  } finally {
    await a.close();
    await sim.close();
  }
});

Deno.test("sim faults 1100 then 1101: streaming stops, then subscriptions are gone", async () => {
  const sim = await streamingSim();
  const c = await connectClient(sim.port);
  try {
    c.ib.reqTickByTickData(1, MES, ALL_LAST, 0, false);
    await c.waitFor("ticks", () => tickCount(c) >= 30);
    sim.faults.connectivityLost();
    await c.waitFor("1100", () => c.infos.some((i) => i.code === 1100));
    const atLoss = tickCount(c);
    await sleep(150);
    equal(tickCount(c), atLoss);
    sim.faults.restoredDataLost();
    await c.waitFor("1101", () => c.infos.some((i) => i.code === 1101));
    await sleep(150);
    equal(tickCount(c), atLoss); // data lost: the old subscription is gone
    c.ib.reqTickByTickData(2, MES, ALL_LAST, 0, false);
    await c.waitFor("resubscribed", () => tickCount(c, 2) >= 10);
    equal(c.disconnected, false);
  } finally {
    await c.close();
    await sim.close();
  }
});

Deno.test("sim faults 1100 then 1102: streaming resumes on the same subscription", async () => {
  const sim = await streamingSim();
  const c = await connectClient(sim.port);
  try {
    c.ib.reqTickByTickData(1, MES, ALL_LAST, 0, false);
    await c.waitFor("ticks", () => tickCount(c) >= 30);
    sim.faults.connectivityLost();
    await c.waitFor("1100", () => c.infos.some((i) => i.code === 1100));
    const atLoss = tickCount(c);
    await sleep(100);
    equal(tickCount(c), atLoss);
    sim.faults.restoredDataKept();
    await c.waitFor("1102", () => c.infos.some((i) => i.code === 1102));
    await c.waitFor("resumed", () => tickCount(c, 1) >= atLoss + 10);
  } finally {
    await c.close();
    await sim.close();
  }
});

Deno.test("sim fault goSilent stops ticks without closing; resume restarts them; 2110 reaches info", async () => {
  const sim = await streamingSim();
  const c = await connectClient(sim.port);
  try {
    c.ib.reqTickByTickData(1, MES, ALL_LAST, 0, false);
    await c.waitFor("ticks", () => tickCount(c) >= 30);
    sim.faults.goSilent();
    await sleep(60); // ticks already on the wire arrive
    const atSilence = tickCount(c);
    await sleep(150);
    equal(tickCount(c), atSilence);
    equal(c.disconnected, false);
    sim.faults.resume();
    await c.waitFor("resumed", () => tickCount(c) >= atSilence + 10);
    sim.faults.send2110();
    await c.waitFor("2110", () => c.infos.some((i) => i.code === 2110));
    equal(
      c.infos.find((i) => i.code === 2110)?.message,
      "Connectivity between Trader Workstation and server is broken. It will be restored automatically.",
    );
  } finally {
    await c.close();
    await sim.close();
  }
});

Deno.test("sim nightly reset at a clock time drops clients and refuses, then serves again", async () => {
  // Simulator clock starts at 23:44:59.800 UTC, so 23:45 comes 200 ms later.
  const start = Date.UTC(2025, 5, 10, 23, 44, 59, 800);
  const sim = await startSimulator({ port: 0, clock: realClock(start), logger: quiet });
  const c = await connectClient(sim.port);
  try {
    sim.faults.nightlyResetAt("23:45", { downMs: 300 });
    await c.waitFor("reset drop", () => c.disconnected, 2000);
    const during = await connectClient(sim.port, { waitReady: false });
    await during.waitFor(
      "refused",
      () => during.errors.some((e) => e.code === 502) || during.disconnected,
    );
    await during.close();
    await sleep(400);
    const after = await connectClient(sim.port);
    equal(after.named(EventName.nextValidId).length, 1);
    await after.close();
  } finally {
    await c.close();
    await sim.close();
  }
});

Deno.test("sim runs faults scheduled by spec: 2110@+100ms then drop@+250ms", async () => {
  const sim = await streamingSim({ faults: ["2110@+100ms", "drop@+250ms"] });
  const c = await connectClient(sim.port);
  try {
    await c.waitFor("2110", () => c.infos.some((i) => i.code === 2110), 2000);
    equal(c.disconnected, false);
    await c.waitFor("drop", () => c.disconnected, 2000);
  } finally {
    await c.close();
    await sim.close();
  }
});
