/**
 * The daily loss limit of real orders across restarts and trading days: seeded from the
 * journal's exits of the current trading day, with days that change where config.session
 * says (CME 17:00 Chicago: 22:00 UTC in summer, 23:00 UTC in winter; other zones likewise).
 */
import assert from "node:assert/strict";
import { configSchema } from "../lib/config/schema.ts";
import { IbOrders, type PastExit, sessionDays } from "../lib/execution/ib_live.ts";
import type { VenueEvent } from "../lib/execution/venue.ts";
import { CON_ID, FakeTws } from "./_fake_tws_orders.ts";

function liveOrders(
  config: Record<string, unknown>,
  now: number,
  pastExits: readonly PastExit[],
  session?: { timezone: string; starts: string[]; liquid_hours: string[] },
) {
  const tws = new FakeTws();
  const lines: string[] = [];
  const o = new IbOrders({
    config: configSchema.parse({ ...config, execution: { venue: "ib", daily_loss_limit: 100 } }),
    adapter: { api: tws.api },
    contract: { conId: CON_ID, exchange: "CME", minTick: 0.25, timeZone: "America/Chicago" },
    liveAccountFlag: false,
    clock: () => now,
    log: (l) => lines.push(l),
    signal: false,
    pastExits,
    ...(session === undefined ? {} : { session }),
  });
  const events: string[] = [];
  o.venue.listen((e: VenueEvent) => events.push(e.kind === "reject" ? e.text : e.kind));
  tws.ready(1);
  o.onAccounts("DU1234567");
  return { tws, o, events, lines };
}

const entry = (time: number) => ({
  tradeId: "R-9",
  side: "LONG" as const,
  qty: 1,
  type: "limit" as const,
  price: 4500,
  time,
  stop: 4498,
  target: 4504,
});

Deno.test("IbOrders after a restart: today's journaled losses count, so a restart after the limit trades no more today", async () => {
  // Winter: the CME day changes at 17:00 Chicago = 23:00 UTC.
  const now = Date.UTC(2025, 0, 15, 22, 30); // 16:30 Chicago, Wednesday 15th's day
  const past: PastExit[] = [
    { time: Date.UTC(2025, 0, 14, 22, 59), netPnl: -500 }, // Tuesday's day: not counted
    { time: Date.UTC(2025, 0, 14, 23, 0), netPnl: -60 }, // Wednesday's day (17:00 Tue)
    { time: Date.UTC(2025, 0, 15, 15, 0), netPnl: -41.5 },
  ];
  const { tws, o, events, lines } = liveOrders({}, now, past);
  await o.onSynced();
  o.venue.placeEntry(entry(now));
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(tws.sent.length, 0, "no order: today's loss is -101.50");
  assert.deepEqual(events, ["entries are stopped (daily loss limit: -101.50 today)"]);
  assert.match(lines.join("\n"), /2 exit\(s\) of today in the journal, -101\.50 so far/);
  o.stop();
});

Deno.test("IbOrders after a restart: yesterday's loss does not stop today's entries", async () => {
  const now = Date.UTC(2025, 0, 15, 23, 0); // 17:00 Chicago: Thursday's day has begun
  const past: PastExit[] = [{ time: Date.UTC(2025, 0, 15, 22, 59), netPnl: -400 }];
  const { tws, o, events } = liveOrders({}, now, past);
  await o.onSynced();
  o.venue.placeEntry(entry(now));
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual(events, []);
  assert.equal(tws.sent.length, 3, "the bracket went out");
  o.stop();
});

Deno.test("sessionDays: the trading day follows config.session's zone and evening start, DST included", () => {
  const cme = sessionDays(configSchema.parse({}).session);
  // Summer 17:00 Chicago = 22:00 UTC; winter 23:00 UTC.
  assert.equal(cme.dayEnd(Date.UTC(2025, 6, 15, 14)), Date.UTC(2025, 6, 15, 22));
  assert.equal(cme.dayEnd(Date.UTC(2025, 0, 15, 22, 30)), Date.UTC(2025, 0, 15, 23));
  assert.equal(cme.dayOf(Date.UTC(2025, 0, 15, 22, 59)), "2025-01-15");
  assert.equal(cme.dayOf(Date.UTC(2025, 0, 15, 23, 0)), "2025-01-16");
  // A morning-only session (Singapore 09:00): the day changes at local midnight (16:00 UTC).
  const sgx = sessionDays(
    configSchema.parse({ session: { timezone: "Asia/Singapore", starts: ["09:00"] } }).session,
  );
  assert.equal(sgx.dayEnd(Date.UTC(2025, 0, 15, 10)), Date.UTC(2025, 0, 15, 16));
  assert.equal(sgx.dayOf(Date.UTC(2025, 0, 15, 15, 59)), "2025-01-15");
  assert.equal(sgx.dayOf(Date.UTC(2025, 0, 15, 16)), "2025-01-16");
});

Deno.test("inspectJournal lists every EXIT's time, net P/L and run (the loss limit's seed)", async () => {
  const { inspectJournal } = await import("../lib/journal/inspect.ts");
  const path = new URL("./golden/gen/seed1_bars15.journal.text", import.meta.url).pathname;
  const text = await Deno.readTextFile(path);
  // Reference: the EXIT lines read here with a regex, independent of the journal parser.
  const want = [...text.matchAll(/^(\S+) \| EXIT \|.*\| Net=(-?[\d.]+)/gm)].map((m) => ({
    time: Date.parse(m[1]!),
    netPnl: Number(m[2]),
  }));
  const found = await inspectJournal(path);
  assert.equal(want.length, 33);
  assert.deepEqual(found.exits.map((x) => ({ time: x.time, netPnl: x.netPnl })), want);
  assert.ok(found.exits.every((x) => x.runId === found.runs[0]));
});

Deno.test("IbOrders: the loss limit's day follows the session patched from the contract's hours, not the config's", async () => {
  // Singapore, morning starts only: the day changes at midnight SGT = 16:00 UTC (the config's
  // default Chicago 17:00 would change it at 23:00 UTC and count the exit below).
  const session = { timezone: "Asia/Singapore", starts: ["08:30"], liquid_hours: [] };
  const now = Date.UTC(2025, 0, 15, 17); // 01:00 SGT on the 16th
  const past: PastExit[] = [{ time: Date.UTC(2025, 0, 15, 15), netPnl: -400 }]; // 23:00 SGT
  const sgx = liveOrders({}, now, past, session);
  await sgx.o.onSynced();
  sgx.o.venue.placeEntry(entry(now));
  await new Promise((r) => setTimeout(r, 0));
  assert.deepEqual([sgx.events, sgx.tws.sent.length], [[], 3]);
  sgx.o.stop();
  const cme = liveOrders({}, now, past);
  await cme.o.onSynced();
  cme.o.venue.placeEntry(entry(now));
  assert.deepEqual(cme.events, ["entries are stopped (daily loss limit: -400.00 today)"]);
  cme.o.stop();
});
