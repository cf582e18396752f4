/**
 * IbVenue against message orders the simulator never produces (scripted FakeTws): TWS does
 * not promise execDetails before orderStatus, so an exit's `Filled` and its OCA sibling's
 * `Cancelled` may come before the exit's execution.
 */
import assert from "node:assert/strict";
import { IbVenue } from "../lib/execution/ib_venue.ts";
import type { EntryOrder, VenueEvent } from "../lib/execution/venue.ts";
import { CON_ID, fakeClient, FakeTws } from "./_fake_tws_orders.ts";

const T = Date.UTC(2025, 6, 15, 14);

const LONG: EntryOrder = {
  tradeId: "R-1",
  side: "LONG",
  qty: 2,
  type: "limit",
  price: 4500,
  time: T,
  stop: 4498,
  target: 4504,
};

const turn = () => new Promise((r) => setTimeout(r, 0));

function setup() {
  const tws = new FakeTws();
  const events: string[] = [];
  const lines: string[] = [];
  const venue = new IbVenue({
    orders: fakeClient(tws, () => {}),
    conId: CON_ID,
    clock: () => T,
    log: (l) => lines.push(l),
    reconciled: true,
  });
  venue.listen((e: VenueEvent) =>
    events.push(
      e.kind === "fill"
        ? `fill ${e.role} ${e.qty}@${e.price}`
        : e.kind === "cancel"
        ? `cancel ${e.role} ${e.qty} ${e.reason ?? ""}`.trim()
        : `${e.kind} ${e.role}`,
    )
  );
  return { tws, events, lines, venue };
}

/** A filled bracket: parent 1, target 2, stop 3, two contracts held. */
async function filledBracket() {
  const s = setup();
  s.tws.ready(1);
  s.venue.placeEntry(LONG);
  await turn();
  s.tws.fill(1, 2, 4500, { filled: 2, remaining: 0 });
  return s;
}

Deno.test("IbVenue: a stop's Filled and the target's OCA Cancelled before the stop's execution place no new exits", async () => {
  const { tws, events, lines, venue } = await filledBracket();
  tws.status(3, "Filled", 2, 0);
  tws.status(2, "Cancelled", 0, 2);
  assert.equal(tws.sent.length, 3, "no stop and target placed again for a closed position");
  tws.execution(3, 2, 4498, 2);
  assert.equal(tws.sent.length, 3);
  assert.deepEqual(events, [
    "fill entry 2@4500",
    "cancel target 2 OCA",
    "fill stop 2@4498",
  ]);
  assert.equal(venue.position, 0);
  assert.equal(venue.busy, false);
  assert.doesNotMatch(lines.join("\n"), /placed again/);
});

Deno.test("IbVenue: a stop filled for one of two contracts (status first) re-protects only the contract still held", async () => {
  const { tws, events, venue } = await filledBracket();
  // The stop filled one contract, then TWS cancelled it and the target (a rare partial exit).
  tws.status(3, "Cancelled", 1, 1);
  tws.status(2, "Cancelled", 0, 2);
  const placed = tws.sent.slice(3);
  assert.deepEqual(
    placed.map((s) => [s.order.orderType, s.order.totalQuantity]),
    [["LMT", 1], ["STP", 1]],
    "one contract is still held: protected with a 1-lot stop and target",
  );
  tws.execution(3, 1, 4498, 1);
  assert.equal(venue.position, 1);
  assert.ok(events.includes("fill stop 1@4498"));
});

Deno.test("IbVenue: a flatten whose stop reports Filled before its execution closes nothing more", async () => {
  const { tws, venue } = await filledBracket();
  venue.flatten({ tradeId: "R-1", time: T + 5, price: 4499, pricing: "market" });
  assert.deepEqual(tws.cancelled.sort(), [2, 3]);
  tws.status(3, "Filled", 2, 0);
  tws.status(2, "Cancelled", 0, 2);
  assert.equal(tws.sent.length, 3, "no closing order: the stop closed the position");
  tws.execution(3, 2, 4498, 2);
  assert.equal(tws.sent.length, 3);
  assert.equal(venue.position, 0);
});

Deno.test("IbVenue after a restart: an adopted stop's fills before the restart do not hide a bare position", async () => {
  const { tws, venue, lines } = setup();
  // Two contracts bought, one stopped out before the restart (journaled): one held.
  venue.adopt({
    tradeId: "R-1",
    side: "LONG",
    ordered: 1,
    filled: 1,
    entryPrice: 4500,
    stop: 4498,
    target: 4504,
  });
  const exit = (orderType: string, price: Record<string, number>) => ({
    orderType: orderType as never,
    action: "SELL" as never,
    totalQuantity: 2,
    parentId: 6,
    ocaGroup: "oca-R-1",
    orderRef: "R-1",
    ...price,
  });
  tws.openOrders = [
    { id: 7, status: "Submitted", order: exit("LMT", { lmtPrice: 4504 }) },
    { id: 8, status: "Submitted", order: exit("STP", { auxPrice: 4498 }) },
  ];
  tws.positions = [{ account: "DU1", qty: 1 }];
  tws.ready(20);
  const reconciled = venue.reconcile();
  await turn();
  // TWS follows each openOrder with its orderStatus: the stop has filled 1 of 2 already.
  tws.status(7, "Submitted", 0, 2);
  tws.status(8, "Submitted", 1, 1);
  await reconciled;
  const sent = tws.sent.length;
  // TWS drops both exits (not asked to): the contract still held must get new ones.
  tws.status(8, "Cancelled", 1, 1);
  tws.status(7, "Cancelled", 0, 2);
  assert.deepEqual(
    tws.sent.slice(sent).map((s) => [s.order.orderType, s.order.totalQuantity]),
    [["LMT", 1], ["STP", 1]],
    lines.join("\n"),
  );
});
