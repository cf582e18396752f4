/**
 * TradeManager driving IbVenue (scripted FakeTws): signals the venue would refuse anyway are
 * not journaled (no phantom ENTRY + CANCEL), and the paper venue is not affected.
 */
import assert from "node:assert/strict";
import { IbVenue, type IbVenueOptions } from "../lib/execution/ib_venue.ts";
import { PaperVenue } from "../lib/execution/paper_venue.ts";
import type { Venue } from "../lib/execution/venue.ts";
import { TradeManager } from "../lib/engine/trade_manager.ts";
import type { JournalEvent } from "../lib/types.ts";
import { CON_ID, fakeClient, FakeTws } from "./_fake_tws_orders.ts";

const T = Date.UTC(2025, 6, 15, 14);

const intent = {
  side: "LONG" as const,
  stop: { kind: "points" as const, points: 2 },
  target: { kind: "points" as const, points: 4 },
};

function manager(venue: Venue, journal: JournalEvent[]) {
  return new TradeManager({
    venue,
    tickSize: 0.25,
    multiplier: 5,
    contracts: 1,
    commissionPerContract: 1,
    entryPrice: "bar_close",
    entryTimeoutBars: 1,
    emit: (e) => journal.push(e),
    tradeId: (n) => `RUN-${n}`,
  });
}

function ib(options: Partial<IbVenueOptions> = {}) {
  const tws = new FakeTws();
  const lines: string[] = [];
  const venue = new IbVenue({
    orders: fakeClient(tws, () => {}),
    conId: CON_ID,
    clock: () => T,
    log: (l) => lines.push(l),
    reconciled: true,
    maxEntryAgeMs: 30_000,
    ...options,
  });
  tws.ready(1);
  return { tws, lines, venue };
}

const turn = () => new Promise((r) => setTimeout(r, 0));

Deno.test("TradeManager on IbVenue: a signal from replayed bars (too old) is one log line, not an ENTRY and a CANCEL", async () => {
  const { tws, lines, venue } = ib();
  const journal: JournalEvent[] = [];
  const tm = manager(venue, journal);
  tm.signal(intent, 4500, T - 45_000, {});
  tm.signal(intent, 4500, T - 31_000, {});
  await turn();
  assert.equal(journal.length, 0, "no trade journaled for a refused signal");
  assert.equal(tm.busy, false);
  assert.equal(tm.sequence, 0, "no trade id used");
  assert.equal(tws.sent.length, 0);
  assert.deepEqual(lines, [
    "[orders] signal at 2025-07-15T13:59:15.000Z not traded: its signal is 45 s old (trades " +
    "replayed after a reconnect): no real order for a past price",
    "[orders] signal at 2025-07-15T13:59:29.000Z not traded: its signal is 31 s old (trades " +
    "replayed after a reconnect): no real order for a past price",
  ]);
  // A live signal goes out as before, as the first trade id.
  tm.signal(intent, 4500, T - 1_000, {});
  await turn();
  assert.deepEqual(journal.map((e) => [e.kind, "tradeId" in e ? e.tradeId : ""]), [
    ["ENTRY", "RUN-1"],
  ]);
  assert.equal(tws.sent.length, 3);
});

Deno.test("TradeManager on a halted IbVenue: signals are logged as not traded, nothing journaled", () => {
  const { tws, lines, venue } = ib();
  venue.halt("kill switch: SIGUSR1");
  lines.length = 0;
  const journal: JournalEvent[] = [];
  const tm = manager(venue, journal);
  tm.signal(intent, 4500, T, {});
  assert.equal(journal.length, 0);
  assert.equal(tws.sent.length, 0);
  assert.deepEqual(lines, [
    "[orders] signal at 2025-07-15T14:00:00.000Z not traded: entries are stopped (kill switch: SIGUSR1)",
  ]);
});

Deno.test("TradeManager on PaperVenue: an old signal is traded as before (paper replays act on them)", () => {
  const journal: JournalEvent[] = [];
  const venue = new PaperVenue({ tickSize: 0.25, partialFills: false, stopSlippageTicks: 0 });
  const tm = manager(venue, journal);
  tm.signal(intent, 4500, T - 3_600_000, {});
  assert.deepEqual(journal.map((e) => e.kind), ["ENTRY", "FILL"]);
});
