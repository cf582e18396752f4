/**
 * A commission report that comes late (after the order client's 2 s hold): the fill is held
 * back from the trade manager until it comes, so the EXIT books IB's real commission; when it
 * never comes, the configured rate after `bookingWaitMs`, with a log line. Scripted FakeTws.
 */
import assert from "node:assert/strict";
import { IbVenue } from "../lib/execution/ib_venue.ts";
import { TradeManager } from "../lib/engine/trade_manager.ts";
import type { ExitEvent, JournalEvent } from "../lib/types.ts";
import { CON_ID, fakeClient, FakeTws } from "./_fake_tws_orders.ts";

const T = Date.UTC(2025, 6, 15, 14);
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A filled long of one contract at 4500 (IB charged 0.62), its target 4504 filled without a commission report. */
async function targetFilledWithoutCommission(bookingWaitMs: number) {
  const tws = new FakeTws();
  const lines: string[] = [];
  // The client waits 50 ms for a commission report before it releases the fill without one.
  const venue = new IbVenue({
    orders: fakeClient(tws, () => {}),
    conId: CON_ID,
    clock: () => T,
    log: (l) => lines.push(l),
    reconciled: true,
    bookingWaitMs,
  });
  const journal: JournalEvent[] = [];
  const tm = new TradeManager({
    venue,
    tickSize: 0.25,
    multiplier: 5,
    contracts: 1,
    commissionPerContract: 9,
    entryPrice: "bar_close",
    entryTimeoutBars: 1,
    emit: (e) => journal.push(e),
    tradeId: (n) => `RUN-${n}`,
  });
  tws.ready(1);
  tm.signal(
    {
      side: "LONG",
      stop: { kind: "points", points: 2 },
      target: { kind: "points", points: 4 },
    },
    4500,
    T,
    {},
  );
  await wait(0);
  tws.fill(1, 1, 4500, { filled: 1, remaining: 0 });
  const execId = tws.execution(2, 1, 4504, 1, { commission: false });
  tws.status(2, "Filled", 1, 0);
  tws.status(3, "Cancelled", 0, 1);
  await wait(120); // past the client's hold: the fill is released without a commission
  return { tws, tm, journal, lines, execId, venue };
}

Deno.test("a late commission report (after the client's hold) is the one the EXIT books", async () => {
  const { tws, tm, journal, execId } = await targetFilledWithoutCommission(2_000);
  assert.deepEqual(journal.map((e) => e.kind), ["ENTRY", "FILL"], "the EXIT waits");
  assert.equal(tm.busy, true);
  tws.commission(execId, 1.1);
  const exit = journal.at(-1) as ExitEvent;
  // Gross (4504 - 4500) x 5 = 20; IB charged 0.62 + 1.10 (not 0.62 + the configured 9).
  assert.deepEqual(
    [exit.kind, exit.reason, exit.execId, exit.grossPnl, exit.commission, exit.netPnl],
    ["EXIT", "TARGET", execId, 20, 1.72, 18.28],
  );
  assert.equal(tm.busy, false);
});

Deno.test("a commission report that never comes: the EXIT is booked after bookingWaitMs at the configured rate, logged", async () => {
  const { tws, journal, lines, execId } = await targetFilledWithoutCommission(200);
  assert.equal(journal.length, 2);
  await wait(150);
  const exit = journal.at(-1) as ExitEvent;
  assert.deepEqual([exit.kind, exit.commission, exit.netPnl], ["EXIT", 9.62, 10.38]);
  assert.ok(
    lines.includes(
      `[orders] execution ${execId}: no commission report (none after 0.2 s); booked at the ` +
        "configured rate",
    ),
    lines.join("\n"),
  );
  // Too late now: logged, the journal keeps what it booked.
  tws.commission(execId, 1.1);
  assert.match(lines.at(-1)!, /came after its fill was booked at the configured rate/);
  assert.equal(journal.length, 3);
});

Deno.test("settleBookings (the run stops) books a held fill at once", async () => {
  const { venue, journal, lines, execId } = await targetFilledWithoutCommission(60_000);
  venue.settleBookings();
  assert.deepEqual([journal.length, (journal.at(-1) as ExitEvent).commission], [3, 9.62]);
  assert.ok(lines.some((l) => l.includes(`${execId}: no commission report (the run stops)`)));
});
