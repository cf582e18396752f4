/**
 * Conformance of the TWS simulator with the real @stoqey/ib client over loopback, at the
 * client's maximum server version and with the simulator capped at lower versions.
 */
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import {
  type ContractDetails,
  EventName,
  type HistoricalTickLast,
  SecType,
  type TickByTickDataType,
} from "@stoqey/ib";
import type { Tick } from "../lib/types.ts";
import { startSimulator } from "../lib/sim/server.ts";
import { arraySource } from "../lib/sim/feed.ts";
import { parseTickCsvText } from "../lib/ticks/csv_reader.ts";
import { connectClient } from "./_sim_client.ts";

const VERSIONS = [193, 176, 163, 157];
// A fixed simulator clock: 2025-06-10 14:00:00 UTC (MES front month is M5, June 2025).
const NOW = Date.UTC(2025, 5, 10, 14, 0, 0);
const fixedClock = { now: () => NOW };

/** Ticks every `stepMs` from `start`, prices walking on the 0.25 grid. */
function synthTicks(n: number, start: number, stepMs: number): Tick[] {
  return Array.from({ length: n }, (_, i) => ({
    ts: start + i * stepMs,
    price: 5000 + ((i * 7) % 23) * 0.25,
    size: 1 + ((i * 5) % 9),
  }));
}

const ALL_LAST = "AllLast" as TickByTickDataType;
const LAST = "Last" as TickByTickDataType;

for (const version of VERSIONS) {
  Deno.test(`sim v${version}: handshake, startup messages, current time, ids, accounts`, async () => {
    const sim = await startSimulator({
      port: 0,
      maxServerVersion: version,
      clock: fixedClock,
      logger: quiet,
    });
    const c = await connectClient(sim.port);
    try {
      equal(c.ib.serverVersion, version);
      deepStrictEqual(c.named(EventName.managedAccounts), [["DU1234567"]]);
      deepStrictEqual(c.named(EventName.nextValidId), [[1]]);
      deepStrictEqual(c.infos.map((i) => i.code), [2104, 2106, 2158]);
      c.ib.reqCurrentTime();
      c.ib.reqIds();
      c.ib.reqManagedAccts();
      await c.waitFor(
        "replies",
        () =>
          c.named(EventName.currentTime).length === 1 &&
          c.named(EventName.nextValidId).length === 2 &&
          c.named(EventName.managedAccounts).length === 2,
      );
      deepStrictEqual(c.named(EventName.currentTime), [[NOW / 1000]]);
      deepStrictEqual(c.errors, []);
    } finally {
      await c.close();
      await sim.close();
    }
  });

  Deno.test(`sim v${version}: contract details list every expiry with TWS fields; unknown gives 200`, async () => {
    const sim = await startSimulator({
      port: 0,
      maxServerVersion: version,
      clock: fixedClock,
      logger: quiet,
    });
    const c = await connectClient(sim.port);
    try {
      c.ib.reqContractDetails(11, {
        symbol: "MES",
        secType: SecType.FUT,
        exchange: "CME",
        currency: "USD",
      });
      c.ib.reqContractDetails(12, { symbol: "XINA50", secType: SecType.FUT, exchange: "SGX" });
      c.ib.reqContractDetails(13, {
        symbol: "GC",
        secType: SecType.FUT,
        exchange: "COMEX",
        lastTradeDateOrContractMonth: "202508",
      });
      c.ib.reqContractDetails(14, { symbol: "NOPE", secType: SecType.FUT, exchange: "CME" });
      await c.waitFor(
        "details",
        () => c.named(EventName.contractDetailsEnd).length === 3 && c.errors.length === 1,
      );
      const details = c.named(EventName.contractDetails) as Array<[number, ContractDetails]>;
      const mes = details.filter(([id]) => id === 11).map(([, d]) => d);
      // Quarterly MES expiries from 2025-06-10: Jun, Sep, Dec 2025, Mar, Jun 2026.
      deepStrictEqual(mes.map((d) => d.contract.localSymbol), [
        "MESM5",
        "MESU5",
        "MESZ5",
        "MESH6",
        "MESM6",
      ]);
      const front = mes[0]!;
      equal(front.contract.symbol, "MES");
      equal(front.contract.secType, "FUT");
      equal(front.contract.exchange, "CME");
      equal(front.contract.currency, "USD");
      equal(front.contract.tradingClass, "MES");
      equal(front.contract.multiplier, 5);
      equal(front.minTick, 0.25);
      equal(front.timeZoneId, "US/Central");
      equal(front.contractMonth, "202506");
      equal(front.realExpirationDate, "20250620");
      equal(front.contract.lastTradeDateOrContractMonth, "20250620 08:30 US/Central");
      equal(front.contract.lastTradeDate, version >= 182 ? "20250620" : undefined);
      equal(front.minSize, version >= 164 ? 1 : undefined);
      ok((front.contract.conId ?? 0) > 0);
      equal(new Set(mes.map((d) => d.contract.conId)).size, 5);
      // 2025-06-10 is a Tuesday: the session opens 17:00 CT and runs to 16:00 the next day.
      equal(front.tradingHours!.split(";")[0], "20250610:1700-20250611:1600");
      // Friday 06-13 evening and Saturday 06-14 have no session that starts.
      ok(front.tradingHours!.includes("20250614:CLOSED"));
      equal(front.liquidHours!.split(";")[0], "20250610:0830-20250610:1500");
      const xina = details.filter(([id]) => id === 12).map(([, d]) => d);
      deepStrictEqual(xina.map((d) => d.contract.localSymbol), [
        "CNM5",
        "CNN5",
        "CNU5",
        "CNZ5",
        "CNH6",
        "CNM6",
      ]);
      equal(xina[0]!.minTick, 1); // SGX: 1 index point since October 2020
      const gc = details.filter(([id]) => id === 13).map(([, d]) => d);
      deepStrictEqual(gc.map((d) => d.contract.localSymbol), ["GCQ5"]);
      equal(gc[0]!.contract.multiplier, 100);
      deepStrictEqual(c.errors, [{
        message: "No security definition has been found for the request",
        code: 200,
        reqId: 14,
      }]);
    } finally {
      await c.close();
      await sim.close();
    }
  });

  Deno.test(`sim v${version}: tick-by-tick AllLast and Last streams equal the replayed ticks`, async () => {
    const ticks = synthTicks(3000, NOW + 500, 333);
    const sim = await startSimulator({
      port: 0,
      maxServerVersion: version,
      clock: fixedClock,
      source: arraySource(ticks),
      speed: "max",
      waitForSubscribers: 2,
      logger: quiet,
    });
    const c = await connectClient(sim.port);
    try {
      c.ib.reqContractDetails(1, { symbol: "MES", secType: SecType.FUT, exchange: "CME" });
      await c.waitFor("details", () => c.named(EventName.contractDetailsEnd).length === 1);
      const conId = (c.named(EventName.contractDetails)[0]![1] as ContractDetails).contract.conId!;
      c.ib.reqTickByTickData(21, { conId, exchange: "CME" }, ALL_LAST, 0, false);
      c.ib.reqTickByTickData(22, { conId, exchange: "CME" }, LAST, 0, false);
      await c.waitFor(
        "all ticks",
        () => c.named(EventName.tickByTickAllLast).length === 6000,
        10_000,
      );
      await sim.replayDone();
      const got = c.named(EventName.tickByTickAllLast) as unknown[][];
      const shift = sim.shiftMs;
      for (const [reqId, type] of [[21, 2], [22, 1]]) {
        const mine = got.filter((a) => a[0] === reqId);
        deepStrictEqual(
          mine.map((a) => [a[1], a[2], a[3], a[4], a[6], a[7]]),
          ticks.map((
            t,
          ) => [type, String(Math.floor((t.ts + shift) / 1000)), t.price, t.size, "CME", ""]),
        );
      }
      deepStrictEqual(c.decodeErrors(), []);
      deepStrictEqual(c.errors, []);
    } finally {
      await c.close();
      await sim.close();
    }
  });

  Deno.test(`sim v${version}: historical ticks page by 1000, complete the last second, stop at now`, async () => {
    const t0 = NOW - 7_200_000;
    const past = synthTicks(2500, t0, 400);
    const future = synthTicks(10, NOW + 1000, 100);
    const sim = await startSimulator({
      port: 0,
      maxServerVersion: version,
      clock: fixedClock,
      source: arraySource([...past, ...future]),
      speed: "max",
      historyMs: 7_200_000,
      pacing: false,
      logger: quiet,
    });
    const c = await connectClient(sim.port);
    try {
      equal(sim.shiftMs, 0);
      // Reference: whole seconds of trades from `fromSec`, until at least 1000 trades.
      const bySecond = new Map<number, Tick[]>();
      for (const t of past) {
        const k = Math.floor(t.ts / 1000);
        bySecond.set(k, [...(bySecond.get(k) ?? []), t]);
      }
      const seconds = [...bySecond.keys()].sort((a, b) => a - b);
      const pageFrom = (fromSec: number, n: number) => {
        const out: Tick[] = [];
        for (const s of seconds) if (s >= fromSec && out.length < n) out.push(...bySecond.get(s)!);
        return out;
      };
      const contract = {
        symbol: "MES",
        secType: SecType.FUT,
        exchange: "CME",
        lastTradeDateOrContractMonth: "202506",
      };
      const utc = (ms: number) =>
        new Date(ms).toISOString().replace(/[-]/g, "").replace("T", "-").slice(0, 17);
      let fromSec = Math.floor(t0 / 1000);
      const all: unknown[] = [];
      for (let page = 0; page < 5; page++) {
        const reqId = 100 + page;
        c.ib.reqHistoricalTicks(reqId, contract, utc(fromSec * 1000), "", 5000, "TRADES", 0, false);
        await c.waitFor(
          `page ${page}`,
          () => c.named(EventName.historicalTicksLast).some((a) => a[0] === reqId),
        );
        const [, ticks, done] = c.named(EventName.historicalTicksLast).find((a) =>
          a[0] === reqId
        )! as [number, HistoricalTickLast[], boolean];
        equal(done, true);
        const expected = pageFrom(fromSec, 1000);
        deepStrictEqual(
          ticks.map((t) => [t.time, t.price, t.size, t.exchange]),
          expected.map((t) => [Math.floor(t.ts / 1000), t.price, t.size, "CME"]),
        );
        all.push(...ticks);
        if (ticks.length === 0) break;
        ok(ticks.length <= 1002);
        fromSec = ticks[ticks.length - 1]!.time! + 1;
      }
      equal(all.length, 2500);
      // End-anchored: the last 100 trades up to now, given in New York time (EDT = UTC-4).
      const nowNy = "20250610 10:00:00 US/Eastern";
      c.ib.reqHistoricalTicks(200, contract, "", nowNy, 100, "TRADES", 0, false);
      await c.waitFor(
        "end page",
        () => c.named(EventName.historicalTicksLast).some((a) => a[0] === 200),
      );
      const [, last] = c.named(EventName.historicalTicksLast).find((a) => a[0] === 200)! as [
        number,
        HistoricalTickLast[],
      ];
      const tail: Tick[] = [];
      for (const s of [...seconds].reverse()) {
        if (tail.length < 100) tail.unshift(...bySecond.get(s)!);
      }
      deepStrictEqual(
        last.map((t) => [t.time, t.price]),
        tail.map((t) => [Math.floor(t.ts / 1000), t.price]),
      );
      ok(last.every((t) => t.time! * 1000 < NOW));
      deepStrictEqual(c.errors, []);
    } finally {
      await c.close();
      await sim.close();
    }
  });

  Deno.test(`sim v${version}: historical bars match a reference aggregation; keepUpToDate streams updates`, async () => {
    const t0 = NOW - 1_800_000;
    const ticks = synthTicks(9000, t0, 400); // 60 minutes, half before NOW
    const sim = await startSimulator({
      port: 0,
      maxServerVersion: version,
      clock: fixedClock,
      source: arraySource(ticks),
      speed: "max",
      historyMs: 1_800_000,
      logger: quiet,
    });
    const c = await connectClient(sim.port);
    try {
      const ref = new Map<
        number,
        { o: number; h: number; l: number; c: number; v: number; n: number; pv: number }
      >();
      for (const t of ticks) {
        const k = Math.floor(t.ts / 60_000) * 60;
        const b = ref.get(k);
        if (b === undefined) {
          ref.set(k, {
            o: t.price,
            h: t.price,
            l: t.price,
            c: t.price,
            v: t.size,
            n: 1,
            pv: t.price * t.size,
          });
        } else {Object.assign(b, {
            h: Math.max(b.h, t.price),
            l: Math.min(b.l, t.price),
            c: t.price,
            v: b.v + t.size,
            n: b.n + 1,
            pv: b.pv + t.price * t.size,
          });}
      }
      const contract = {
        symbol: "MES",
        secType: SecType.FUT,
        exchange: "CME",
        lastTradeDateOrContractMonth: "202506",
      };
      c.ib.reqHistoricalData(
        51,
        contract,
        "",
        "1800 S",
        "1 min" as never,
        "TRADES" as never,
        0,
        2,
        true,
      );
      await c.waitFor(
        "bars",
        () => c.named(EventName.historicalData).some((a) => String(a[1]).startsWith("finished")),
      );
      const bars = c.named(EventName.historicalData).filter((a) =>
        !String(a[1]).startsWith("finished")
      );
      equal(bars.length, 30);
      for (const [reqId, date, o, h, l, cl, v, n, wap] of bars as number[][]) {
        const b = ref.get(Number(date))!;
        deepStrictEqual([reqId, o, h, l, cl, v, n], [51, b.o, b.h, b.l, b.c, b.v, b.n]);
        ok(Math.abs(wap! - b.pv / b.v) < 1e-6);
      }
      equal(Number(bars[0]![1]), (NOW - 1_800_000) / 1000);
      // keepUpToDate: the rest of the hour streams; the last update of each bar equals the reference.
      await sim.replayDone();
      await c.waitFor(
        "updates",
        () =>
          c.named(EventName.historicalDataUpdate).some((a) =>
            Number(a[1]) === (NOW + 1_740_000) / 1000
          ),
        10_000,
      );
      const lastOf = new Map<number, unknown[]>();
      for (const u of c.named(EventName.historicalDataUpdate)) lastOf.set(Number(u[1]), u);
      equal(lastOf.size, 30);
      for (const [start, u] of lastOf) {
        if (start === (NOW + 1_740_000) / 1000) continue; // final bar's last second may be unsent
        const b = ref.get(start)!;
        // historicalDataUpdate(reqId, date, open, high, low, close, volume, barCount, WAP)
        deepStrictEqual([u[0], u[2], u[3], u[4], u[5], u[6], u[7]], [
          51,
          b.o,
          b.h,
          b.l,
          b.c,
          b.v,
          b.n,
        ]);
      }
      deepStrictEqual(c.errors, []);
    } finally {
      await c.close();
      await sim.close();
    }
  });
}

Deno.test("sim: cancelling one tick-by-tick stream leaves the other running", async () => {
  // 20,000 ticks so the replay is still running when the cancel arrives.
  const ticks = synthTicks(20_000, NOW + 500, 100);
  // Speed 100 over 100 ms spacing: about one tick per wall millisecond.
  const sim2 = await startSimulator({
    port: 0,
    source: arraySource(ticks),
    speed: 100,
    logger: quiet,
    clock: fixedRealClock(NOW),
  });
  const c = await connectClient(sim2.port);
  try {
    const contract = {
      symbol: "MES",
      secType: SecType.FUT,
      exchange: "CME",
      lastTradeDateOrContractMonth: "202506",
    };
    c.ib.reqTickByTickData(31, contract, ALL_LAST, 0, false);
    c.ib.reqTickByTickData(32, contract, ALL_LAST, 0, false);
    await c.waitFor("some ticks", () => c.named(EventName.tickByTickAllLast).length >= 40);
    c.ib.cancelTickByTickData(31);
    // Ticks already on the wire may still arrive; then 31 must stop while 32 goes on.
    await new Promise((r) => setTimeout(r, 150));
    const count = (id: number) =>
      c.named(EventName.tickByTickAllLast).filter((a) => a[0] === id).length;
    const n31 = count(31);
    const n32 = count(32);
    await new Promise((r) => setTimeout(r, 200));
    equal(count(31), n31);
    ok(count(32) > n32, `stream 32 should continue (${n32} -> ${count(32)})`);
  } finally {
    await c.close();
    await sim2.close();
  }
});

/** A real-time clock that reads `start` at the moment of creation. */
function fixedRealClock(start: number) {
  const t0 = performance.now();
  return { now: () => start + Math.floor(performance.now() - t0) };
}

const quiet = { info() {}, warn() {}, debug() {} };

const ES_FILE = new URL("../../shared/data/ticks/ES_ESH4_2023-12-25_trades.csv", import.meta.url);
const esExists = (() => {
  try {
    Deno.statSync(ES_FILE);
    return true;
  } catch {
    console.warn(`skipping real-data replay test: ${ES_FILE.pathname} is absent`);
    return false;
  }
})();

Deno.test({
  name: "sim replays a real ES tick file to IBApi tick for tick (AllLast)",
  ignore: !esExists,
  fn: async () => {
    const { ticks } = parseTickCsvText(Deno.readTextFileSync(ES_FILE), { source: "ES" });
    const sim = await startSimulator({
      port: 0,
      symbol: "ES",
      source: arraySource(ticks),
      speed: "max",
      clock: fixedClock,
      logger: quiet,
    });
    const c = await connectClient(sim.port);
    try {
      c.ib.reqTickByTickData(
        41,
        { symbol: "ES", secType: SecType.FUT, exchange: "CME", localSymbol: "ESM5" },
        ALL_LAST,
        0,
        false,
      );
      await c.waitFor(
        "file ticks",
        () => c.named(EventName.tickByTickAllLast).length === ticks.length,
        10_000,
      );
      const shift = sim.shiftMs;
      deepStrictEqual(
        c.named(EventName.tickByTickAllLast).map((a) => [a[2], a[3], a[4]]),
        ticks.map((t) => [String(Math.floor((t.ts + shift) / 1000)), t.price, t.size]),
      );
      deepStrictEqual(c.errors, []);
    } finally {
      await c.close();
      await sim.close();
    }
  },
});
