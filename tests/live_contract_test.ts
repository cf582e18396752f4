/**
 * Contract resolution, pure parts: the front-month roll rule, IB hours strings, the config
 * patch, account masking; and resolution through the simulator with the real client.
 */
import assert from "node:assert/strict";
import { configSchema } from "../lib/config/schema.ts";
import {
  dailyWindows,
  lastTradeMs,
  maskAccount,
  parseIbHours,
  patchConfig,
  pickFrontMonth,
  resolveContract,
  type ResolvedContract,
} from "../lib/ib/contract.ts";
import { faultRun, generatedTicks } from "./_live_harness.ts";

function fut(month: string, lastTrade: string): ResolvedContract {
  return resolveContract({
    conId: Number(month),
    symbol: "ES",
    secType: "FUT",
    exchange: "CME",
    currency: "USD",
    localSymbol: `ES${month}`,
    lastTradeDateOrContractMonth: lastTrade,
    contractMonth: month,
    minTick: 0.25,
    multiplier: 50,
    timeZoneId: "US/Central",
    tradingHours: "20250616:1700-20250617:1600;20250621:CLOSED",
    liquidHours: "20250617:0830-20250617:1500;20250621:CLOSED",
  }, "America/Chicago");
}

const LIST = [
  fut("202509", "20250919 08:30 US/Central"),
  fut("202506", "20250620 08:30 US/Central"),
  fut("202512", "20251219 08:30 US/Central"),
];

Deno.test("lastTradeMs reads IB's date-time with zone, a bare date and a bare month", () => {
  // 2025-06-20 08:30 CDT = 13:30 UTC.
  assert.equal(
    lastTradeMs("20250620 08:30 US/Central", "US/Central"),
    Date.UTC(2025, 5, 20, 13, 30),
  );
  // A bare date means the end of that day: 2025-06-21 00:00 CDT = 05:00 UTC.
  assert.equal(lastTradeMs("20250620", "US/Central"), Date.UTC(2025, 5, 21, 5, 0));
  assert.equal(lastTradeMs("202506", "UTC"), Date.UTC(2025, 6, 1));
  assert.throws(() => lastTradeMs("June", "UTC"), SyntaxError);
});

Deno.test("pickFrontMonth takes the nearest expiry more than roll_days from its last trade", () => {
  // 10 days before the June expiry: June is the front month with roll_days 5.
  const early = Date.UTC(2025, 5, 10, 12);
  assert.equal(pickFrontMonth(LIST, early, { rollDays: 5 })?.contractMonth, "202506");
  // 3 days before it: June is within 5 days, so September.
  const late = Date.UTC(2025, 5, 17, 12);
  assert.equal(pickFrontMonth(LIST, late, { rollDays: 5 })?.contractMonth, "202509");
  // With roll_days 0 June is still traded until its last trade time.
  assert.equal(pickFrontMonth(LIST, late, { rollDays: 0 })?.contractMonth, "202506");
  // An explicit month wins over the rule; none left gives undefined.
  assert.equal(
    pickFrontMonth(LIST, late, { rollDays: 5, month: "202512" })?.contractMonth,
    "202512",
  );
  assert.equal(pickFrontMonth(LIST, Date.UTC(2026, 0, 1), { rollDays: 5 }), undefined);
});

Deno.test("parseIbHours and dailyWindows turn IB hours into the engine's daily windows", () => {
  const s = parseIbHours(
    "20250616:1700-20250617:1600;20250617:1700-20250618:1600;20250621:CLOSED",
    "US/Central",
  );
  assert.deepEqual(s, [
    { start: Date.UTC(2025, 5, 16, 22), end: Date.UTC(2025, 5, 17, 21) },
    { start: Date.UTC(2025, 5, 17, 22), end: Date.UTC(2025, 5, 18, 21) },
  ]);
  assert.deepEqual(dailyWindows(s, "US/Central"), ["17:00-16:00"]);
  assert.deepEqual(dailyWindows(s, "US/Central", 10), ["17:00-15:50"]);
  assert.throws(() => parseIbHours("20250616:17-18", "UTC"), SyntaxError);
});

Deno.test("patchConfig takes tick size, multiplier, zone, starts and liquid hours from details", () => {
  const config = configSchema.parse({ live: { flatten_minutes: 5 } });
  const c = patchConfig(config, LIST[0]!);
  assert.equal(c.contract.tick_size, 0.25);
  assert.equal(c.contract.multiplier, 50);
  assert.equal(c.session.timezone, "US/Central");
  assert.deepEqual(c.session.starts, ["17:00"]);
  // 08:30-15:00 liquid; the flatten period (no entries after 14:55) is the engine's policy,
  // so the windows stay whole (tests/honest_fills_test.ts checks the engine's cut).
  assert.deepEqual(c.session.liquid_hours, ["08:30-15:00"]);
  const off = configSchema.parse({ live: { contract_hours: false } });
  assert.equal(patchConfig(off, LIST[0]!), off);
});

Deno.test("maskAccount shows at most three characters: the type prefix, then the end", () => {
  assert.equal(maskAccount("DU1234567"), "DU******7");
  assert.equal(maskAccount("U12"), "***");
});

Deno.test("live: resolves the MES front month through the simulator and subscribes AllLast", async () => {
  const ticks = generatedTicks(1, 3);
  const { run } = await faultRun(ticks, () => {}, { atFraction: 0.1 });
  const c = run.runner.contract!;
  assert.equal(c.symbol, "MES");
  // The session is on 2025-02-17; MESH5 expires 2025-03-21, more than 5 days away.
  assert.equal(c.localSymbol, "MESH5");
  assert.equal(run.runner.engine!.config.session.timezone, "US/Central");
  assert.deepEqual(run.runner.engine!.config.session.liquid_hours, ["08:30-15:00"]);
  assert.ok(run.runner.stats.liveTicks > 0);
});
