/**
 * The kill switch in paper mode (live and demo): a halt closes the open trade (EXIT MANUAL at
 * market from the last print), cancels a working entry (CANCEL HALT), refuses every later
 * entry with one log line; the watch trips on the kill file; a trip before the venue exists
 * halts it when built. SIGUSR1 against a real `live` process: tests/live_kill_switch_test.ts.
 */
import assert from "node:assert/strict";
import { configSchema } from "../lib/config/schema.ts";
import { paperKillSwitch } from "../lib/execution/paper_live.ts";
import { PaperVenue } from "../lib/execution/paper_venue.ts";
import { TradeManager } from "../lib/engine/trade_manager.ts";
import type { ResolvedContract } from "../lib/ib/contract.ts";
import type { ExitEvent, JournalEvent } from "../lib/types.ts";

const T = Date.UTC(2025, 6, 15, 14);

const intent = {
  side: "LONG" as const,
  stop: { kind: "points" as const, points: 2 },
  target: { kind: "points" as const, points: 4 },
};

function bot(entryType: "market" | "limit" = "market") {
  const lines: string[] = [];
  const venue = new PaperVenue({
    tickSize: 0.25,
    partialFills: false,
    stopSlippageTicks: 1,
    log: (l) => lines.push(l),
  });
  const journal: JournalEvent[] = [];
  const tm = new TradeManager({
    venue,
    tickSize: 0.25,
    multiplier: 5,
    contracts: 1,
    commissionPerContract: 1,
    entryPrice: "bar_close",
    entryType,
    entryTimeoutBars: 5,
    emit: (e) => journal.push(e),
    tradeId: (n) => `RUN-${n}`,
  });
  return { venue, tm, journal, lines };
}

Deno.test("paper halt: the open position closes at market from the last print (EXIT MANUAL), later signals are refused", () => {
  const { venue, tm, journal, lines } = bot();
  tm.signal(intent, 4500, T, {});
  tm.onTick(T + 1000, 4501, 1);
  tm.onTick(T + 2000, 4501.5, 1);
  venue.halt("kill switch: SIGUSR1", T + 2500);
  const exit = journal.at(-1) as ExitEvent;
  // 4501.50 less one tick of stop slippage; (4501.25 - 4500) x 5 = 6.25 gross, 2 commission.
  assert.deepEqual(
    [exit.kind, exit.reason, exit.price, exit.time, exit.grossPnl, exit.netPnl],
    ["EXIT", "MANUAL", 4501.25, T + 2500, 6.25, 4.25],
  );
  assert.equal(tm.busy, false);
  const n = journal.length;
  tm.signal(intent, 4502, T + 60_000, {});
  tm.onTick(T + 61_000, 4502, 1);
  assert.equal(journal.length, n, "no ENTRY after the halt");
  assert.equal(tm.busy, false);
  assert.deepEqual(lines, [
    "[paper] signal at 2025-07-15T14:01:00.000Z not traded: entries are stopped (kill switch: SIGUSR1)",
  ]);
  assert.equal(venue.halted, "kill switch: SIGUSR1");
});

Deno.test("paper halt: a working limit entry is cancelled (CANCEL HALT); a position with no print yet closes at the next one", () => {
  const a = bot("limit");
  a.tm.signal(intent, 4500, T, {});
  a.venue.halt("kill switch: STOP exists", T + 100);
  assert.deepEqual(
    a.journal.map((e) => e.kind === "CANCEL" ? `CANCEL ${e.reason} ${e.qty}` : e.kind),
    ["ENTRY", "CANCEL HALT 1"],
  );
  assert.equal(a.tm.busy, false);

  const b = bot("market");
  b.tm.signal(intent, 4500, T, {}); // filled at once, no print seen since
  b.venue.halt("kill switch: SIGUSR1", T + 100);
  assert.deepEqual(b.journal.map((e) => e.kind), ["ENTRY", "FILL"], "waits for a price");
  b.tm.onTick(T + 900, 4499, 1);
  const exit = b.journal.at(-1) as ExitEvent;
  assert.deepEqual([exit.reason, exit.price, exit.time], ["MANUAL", 4498.75, T + 900]);
});

Deno.test("paper halt before a resumed trade is taken over: it closes at the first print", () => {
  const { venue, tm, journal } = bot();
  venue.halt("kill switch: SIGUSR1", T);
  tm.resume({
    tradeId: "OLD-7",
    side: "LONG",
    ordered: 1,
    filled: 1,
    filledValue: 4490,
    entryPrice: 4490,
    stop: 4480,
    target: 4510,
    entryTime: T - 3_600_000,
    fills: 1,
  }, 7);
  tm.onTick(T + 1000, 4495, 1);
  const exit = journal.at(-1) as ExitEvent;
  assert.deepEqual([exit.tradeId, exit.reason, exit.price], ["OLD-7", "MANUAL", 4494.75]);
});

const CONTRACT = {
  minTick: 0.25,
  multiplier: 50,
  timeZone: "America/Chicago",
  tradingHours: "",
  liquidHours: "",
} as unknown as ResolvedContract;

Deno.test("paperKillSwitch: the kill file trips it; a trip before the venue exists halts the venue when built", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/STOP`;
    const config = configSchema.parse({ execution: { kill_file: file } });
    const lines: string[] = [];
    const k = paperKillSwitch({
      config,
      clock: () => T,
      log: (l) => lines.push(l),
      signal: false,
      pollMs: 10,
    });
    await Deno.writeTextFile(file, "");
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(k.tripped, `kill switch: ${file} exists`);
    const venue = k.venue(CONTRACT);
    assert.equal(venue.halted, `kill switch: ${file} exists`);
    assert.deepEqual(lines, [
      `[paper] HALT (kill switch: ${file} exists): closing the open trade; no more entries this run`,
    ]);
    k.stop();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("paperKillSwitch: SIGUSR1 halts the built venue", async () => {
  if (Deno.build.os === "windows") return;
  const k = paperKillSwitch({ config: configSchema.parse({}), clock: () => T, log: () => {} });
  try {
    const venue = k.venue(CONTRACT);
    assert.equal(venue.halted, undefined);
    Deno.kill(Deno.pid, "SIGUSR1");
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(venue.halted, "kill switch: SIGUSR1");
  } finally {
    k.stop();
  }
});
