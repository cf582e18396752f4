/**
 * Fidelity of the TWS simulator where it used to differ from IB: a frozen TWS (socket open,
 * nothing sent) answers no reqCurrentTime, while a quiet market (the `silent` fault) does, and one historical-ticks answer never spans a session
 * break (CME equity futures break 16:00-17:00 Chicago time).
 */
import { deepStrictEqual, equal } from "node:assert/strict";
import { EventName, SecType } from "@stoqey/ib";
import type { Tick } from "../lib/types.ts";
import { startSimulator } from "../lib/sim/server.ts";
import { arraySource } from "../lib/sim/feed.ts";
import { connectClient } from "./_sim_client.ts";

const quiet = { info() {}, warn() {}, debug() {} };
const MES = {
  symbol: "MES",
  secType: SecType.FUT,
  exchange: "CME",
  lastTradeDateOrContractMonth: "202506",
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const utc = (ms: number) =>
  new Date(ms).toISOString().replace(/[-]/g, "").replace("T", "-").slice(0, 17);

Deno.test("sim fidelity: a frozen simulator leaves reqCurrentTime unanswered until resumed; a silent one answers", async () => {
  const NOW = Date.UTC(2025, 5, 10, 14, 0, 0);
  const sim = await startSimulator({
    port: 0,
    clock: { now: () => NOW },
    source: arraySource([{ ts: NOW - 1000, price: 5000, size: 1 }]),
    historyMs: 2000,
    logger: quiet,
  });
  const c = await connectClient(sim.port);
  try {
    sim.faults.freeze();
    c.ib.reqCurrentTime();
    await sleep(400);
    equal(c.named(EventName.currentTime).length, 0, "a frozen TWS answered reqCurrentTime");
    equal(c.disconnected, false, "a freeze keeps the socket open");
    sim.faults.resume();
    c.ib.reqCurrentTime();
    await c.waitFor("current time", () => c.named(EventName.currentTime).length === 1);
    deepStrictEqual(c.named(EventName.currentTime)[0], [NOW / 1000]);
    // A quiet market is not a dead TWS: the clock still answers.
    sim.faults.goSilent();
    c.ib.reqCurrentTime();
    await c.waitFor("current time", () => c.named(EventName.currentTime).length === 2);
  } finally {
    await c.close();
    await sim.close();
  }
});

Deno.test("sim fidelity: historical ticks stop at a session break, from start and from end", async () => {
  // Tuesday 2025-06-10; Chicago is UTC-5 (CDT): the break is 21:00-22:00 UTC.
  const at = (h: number, m: number, s: number) => Date.UTC(2025, 5, 10, h, m, s);
  const before: Tick[] = [
    { ts: at(20, 59, 57), price: 5000, size: 1 },
    { ts: at(20, 59, 58), price: 5000.25, size: 2 },
    { ts: at(20, 59, 59), price: 5000.5, size: 3 },
  ];
  const after: Tick[] = [
    { ts: at(22, 0, 0), price: 5001, size: 4 },
    { ts: at(22, 0, 1), price: 5001.25, size: 5 },
  ];
  const NOW = at(23, 0, 0);
  const sim = await startSimulator({
    port: 0,
    clock: { now: () => NOW },
    source: arraySource([...before, ...after]),
    // The first recorded trade lands at NOW - historyMs: recorded times stay as written.
    historyMs: NOW - before[0]!.ts,
    pacing: false,
    logger: quiet,
  });
  equal(sim.shiftMs, 0);
  const c = await connectClient(sim.port);
  try {
    const ask = async (reqId: number, start: string, end: string) => {
      c.ib.reqHistoricalTicks(reqId, MES, start, end, 100, "TRADES", 0, false);
      await c.waitFor(
        `answer ${reqId}`,
        () => c.named(EventName.historicalTicksLast).some((a) => a[0] === reqId),
      );
      const [, ticks] = c.named(EventName.historicalTicksLast).find((a) => a[0] === reqId)!;
      return (ticks as Array<{ time: number; price: number; size: number }>).map((t) => [
        t.time,
        t.price,
        t.size,
      ]);
    };
    const rows = (ts: Tick[]) => ts.map((t) => [t.ts / 1000, t.price, t.size]);
    // From a start before the break: the old session only, though 100 were asked for.
    deepStrictEqual(await ask(1, utc(at(20, 0, 0)), ""), rows(before));
    // Up to an end after the break: the new session only.
    deepStrictEqual(await ask(2, "", utc(at(22, 30, 0))), rows(after));
    // A start inside the break belongs to the new session's answer.
    deepStrictEqual(await ask(3, utc(at(21, 30, 0)), ""), rows(after));
    equal(c.decodeErrors().length, 0);
  } finally {
    await c.close();
    await sim.close();
  }
});
