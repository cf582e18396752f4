/**
 * IbVenue's book of one trade's IB orders (ids by role, fills, wanted and sent levels) and
 * the rules that need nothing but that book: which role an order or execution has, whether a
 * position is bare, and sending moved levels.
 *
 * @module
 */
import type { OrderClient } from "../ib/orders.ts";
import { OrderClientError } from "../ib/orders.ts";
import type { ExecutionInfo, OpenOrderInfo } from "../ib/orders_events.ts";
import type { Side } from "../types.ts";
import type { OrderRole } from "./venue.ts";

/** What to do with a position or order that no journal trade explains. */
export type UnexplainedPolicy = "adopt" | "flatten";

/** What a reconciliation found. */
export interface ReconcileReport {
  /** Working orders of open trades taken over. */
  adopted: number;
  /** Executions reported as fills that happened while disconnected. */
  replayed: number;
  /** IB's position minus the open trades' (0: all explained). */
  unexplainedQty: number;
  /** Open orders of this client that no trade explains. */
  strayOrders: number;
  /** Exits placed again for a position that had lost them. */
  reprotected: boolean;
}

/** Settings of IbVenue (ib_venue.ts). */
export interface IbVenueOptions {
  /** The order client, on the contract traded. */
  orders: OrderClient;
  /** IB's contract id of that contract: positions of other contracts are not ours. */
  conId: number;
  /** Time for events IB does not stamp (cancels, rejects), epoch ms. */
  clock: () => number;
  /** Resolves when every journal line written so far is on disk (the ENTRY of an order). */
  durable?: () => Promise<void>;
  /** One line per thing worth a human's eye (rejects, reconciliation, unexplained positions). */
  log?: (line: string) => void;
  /** Largest position, contracts (entries beyond it are rejected). Default: no limit. */
  maxPosition?: number;
  /**
   * A position or order no journal trade explains: `adopt` (reported and left to you, as a
   * MANUAL position) or `flatten` (reported, cancelled and closed). Default `adopt`.
   */
  unexplained?: UnexplainedPolicy;
  /**
   * How long a fill whose commission report is late is held back from the trade manager
   * (with every event after it), so that its FILL / EXIT carry IB's commission. Default
   * 30 s; 0: book at once at the configured rate.
   */
  bookingWaitMs?: number;
  /** Timeout of each reconciliation request. Default 10 s. */
  requestTimeoutMs?: number;
  /** Executions the journal already holds (their fills are not reported again). */
  knownExecIds?: Iterable<string>;
  /** Last journaled execution time: reconciliation asks for executions from then on. */
  execSince?: number;
  /** Why no order may be sent at all now (the account check), or undefined. */
  gate?: () => string | undefined;
  /**
   * Entries whose time (the signal's print) is older than this on `clock` are refused: a
   * signal from trades replayed after a reconnect is no reason to buy now. Default: none.
   */
  maxEntryAgeMs?: number;
  /**
   * Start as reconciled (tests of a venue with nothing at TWS). Default false: entries wait
   * for the first `reconcile`.
   */
  reconciled?: boolean;
}

/** One trade's IB orders, as IbVenue tracks them. */
export interface TradeOrders {
  tradeId: string;
  side: Side;
  /** Contracts the entry ordered. */
  ordered: number;
  entryId?: number;
  stopId?: number;
  targetId?: number;
  flattenIds: number[];
  entryFilled: number;
  exitFilled: number;
  /** Wanted levels; `sent*` are the last ones sent to IB. */
  stop: number;
  target: number;
  targetQty?: number | undefined;
  sentStop: number;
  sentTarget: number;
  sentTargetQty?: number | undefined;
  /** Orders known dead (filled, cancelled, rejected): no cancel is reported twice. */
  dead: Set<number>;
  /** Orders this venue asked to cancel. */
  cancelling: Set<number>;
  /** A flatten asked for: waiting for the exits' cancels, then the closing order. */
  closing?: { time: number; reason?: string } | undefined;
  /** The entry was rejected or never sent: nothing more is reported for the trade. */
  ended: boolean;
  /** TWS acknowledged the entry (one `working` event). */
  acked?: boolean;
  /**
   * Filled quantity per exit order as its last orderStatus said, and as its executions so
   * far add up: IB may send an exit's `Filled` (and its OCA sibling's `Cancelled`) before
   * the execDetails, and such a position is closing, not bare.
   */
  statusFilled?: Map<number, number>;
  execFilled?: Map<number, number>;
  /** Adopted orders' filled quantity at their first status (NaN: none seen yet). */
  statusBase?: Map<number, number>;
}

/** A new book for a trade of `side`, `ordered` contracts of which `filled` are held. */
export function newTrade(
  tradeId: string,
  side: Side,
  ordered: number,
  filled: number,
  levels: { stop: number; target: number; sent: boolean },
): TradeOrders {
  return {
    tradeId,
    side,
    ordered,
    flattenIds: [],
    entryFilled: filled,
    exitFilled: 0,
    stop: levels.stop,
    target: levels.target,
    sentStop: levels.sent ? levels.stop : NaN,
    sentTarget: levels.sent ? levels.target : NaN,
    dead: new Set(),
    cancelling: new Set(),
    ended: false,
  };
}

/** Contracts held by the trade. */
export function heldQty(t: TradeOrders): number {
  return t.entryFilled - t.exitFilled;
}

/** Contracts exit orders reported filled (orderStatus) whose executions have not come yet. */
export function announcedExitQty(t: TradeOrders): number {
  let n = 0;
  for (const [id, filled] of t.statusFilled ?? []) {
    n += Math.max(0, filled - (t.execFilled?.get(id) ?? 0));
  }
  return n;
}

/** Contracts held once the exit fills TWS announced ahead of their executions are counted. */
export function openQty(t: TradeOrders): number {
  return heldQty(t) - announcedExitQty(t);
}

/**
 * A position held with neither its stop nor its target working, and not already closed by an
 * exit whose fill TWS announced (status) ahead of its executions.
 */
export function bare(t: TradeOrders): boolean {
  return openQty(t) > 0 &&
    (t.stopId === undefined || t.dead.has(t.stopId)) &&
    (t.targetId === undefined || t.dead.has(t.targetId));
}

/** Sends the wanted stop / target of `t` when they differ from the last ones sent. */
export function syncExits(
  t: TradeOrders,
  orders: OrderClient,
  log: (line: string) => void,
): void {
  try {
    if (t.stopId !== undefined && !t.dead.has(t.stopId) && t.stop !== t.sentStop) {
      orders.modify(t.stopId, { price: t.stop });
      t.sentStop = t.stop;
    }
    const qty = t.targetQty;
    if (
      t.targetId !== undefined && !t.dead.has(t.targetId) &&
      (t.target !== t.sentTarget || qty !== t.sentTargetQty)
    ) {
      const change: { price: number; qty?: number } = { price: t.target };
      if (qty !== undefined || t.sentTargetQty !== undefined) {
        change.qty = qty ?? t.entryFilled - t.exitFilled;
      }
      orders.modify(t.targetId, change);
      t.sentTarget = t.target;
      t.sentTargetQty = qty;
    }
  } catch (e) {
    if (!(e instanceof OrderClientError)) throw e;
    // Sent after the reconnect's reconciliation.
    log(`[orders] ${t.tradeId}: exit move kept for later: ${e.message}`);
  }
}

/** `qty` signed by `side`: + long, - short. */
export function signed(side: Side, qty: number): number {
  return side === "LONG" ? qty : -qty;
}

/** The order id of `role` in `t` (the last flatten order's for `flatten`). */
export function idOf(t: TradeOrders, role: OrderRole): number | undefined {
  return role === "entry"
    ? t.entryId
    : role === "stop"
    ? t.stopId
    : role === "target"
    ? t.targetId
    : t.flattenIds.at(-1);
}

/** Role of an open order of trade `t`, from its type and side. */
export function roleOfOrder(t: TradeOrders, o: OpenOrderInfo): OrderRole {
  const entryAction = t.side === "LONG" ? "BUY" : "SELL";
  if (o.action === entryAction) return "entry";
  if (o.orderType === "STP") return "stop";
  if (o.orderType === "LMT") return "target";
  return "flatten";
}

/** Role of an execution of an order never seen: the entry's side, else by the levels. */
export function inferRole(t: TradeOrders, x: ExecutionInfo): OrderRole {
  const long = t.side === "LONG";
  if (x.side === (long ? "BUY" : "SELL")) return "entry";
  if (long ? x.price >= t.target : x.price <= t.target) return "target";
  if (long ? x.price <= t.stop : x.price >= t.stop) return "stop";
  return "flatten";
}

/**
 * Places a stop and a target (OCA, no parent) for the contracts `t` holds; their ids, or
 * undefined when they cannot be sent now (logged).
 */
export function protectPosition(
  t: TradeOrders,
  orders: OrderClient,
  log: (line: string) => void,
): { stop: number; target: number } | undefined {
  const held = openQty(t);
  try {
    const ids = orders.placeExits(t.tradeId, t.side, held, { stop: t.stop, target: t.target });
    t.sentStop = t.stop;
    t.sentTarget = t.target;
    log(
      `[orders] ${t.tradeId}: position ${held} had no working exits; stop and target placed again`,
    );
    return ids;
  } catch (e) {
    if (!(e instanceof OrderClientError)) throw e;
    log(`[orders] ${t.tradeId}: cannot protect the position yet: ${e.message}`);
    return undefined;
  }
}

/**
 * Reports a position (`qty`, signed) and orders no journal trade explains; with policy
 * `flatten` cancels those orders and closes that position.
 */
export function settleUnexplained(
  qty: number,
  stray: readonly OpenOrderInfo[],
  o: { policy: UnexplainedPolicy; orders: OrderClient; log: (line: string) => void },
): void {
  const flatten = o.policy === "flatten";
  for (const x of stray) {
    o.log(
      `[orders] order ${x.orderId} (${x.action} ${x.qty} ${x.orderType}, ref "${x.tradeId}") ` +
        `belongs to no journal trade: ${flatten ? "cancelling it" : "left alone"}`,
    );
    if (flatten) tryOrder(o.log, () => o.orders.cancel(x.orderId));
  }
  if (qty === 0) return;
  o.log(
    `[orders] IB holds ${qty > 0 ? "+" : ""}${qty} contract(s) no journal trade explains: ` +
      (flatten ? "closing them" : "left alone as a MANUAL position"),
  );
  if (!flatten) return;
  tryOrder(
    o.log,
    () => o.orders.placeClose(qty > 0 ? "LONG" : "SHORT", Math.abs(qty), "UNEXPLAINED"),
  );
}

/** Runs an order request; one that cannot be sent now (disconnected) is logged, not thrown. */
function tryOrder(log: (line: string) => void, send: () => unknown): void {
  try {
    send();
  } catch (e) {
    if (!(e instanceof OrderClientError)) throw e;
    log(`[orders] not sent: ${e.message}`);
  }
}
