/**
 * Order construction for the IB order client: a bracket by IB's documented recipe (parent
 * entry, take-profit LMT child, stop STP child; transmit false, false, true; children carry
 * `parentId` and share one OCA group), prices on the contract's minimum tick, the trade id in
 * every order's `orderRef`. Pure: no socket, no clock.
 *
 * @module
 */
import { type Order, OrderAction, OrderType, TimeInForce } from "@stoqey/ib";
import { tickDecimals, tickToward } from "../market/prices.ts";

/** Trade direction, as the engine names it. */
export type TradeSide = "LONG" | "SHORT";

/** The entry order of a bracket: at market, or a resting limit at `price`. */
export type EntrySpec = { type: "MKT" } | { type: "LMT"; price: number };

/** What a bracket is made of, in the engine's terms. */
export interface BracketSpec {
  /** Trade id: written into every order's `orderRef`. */
  tradeId: string;
  /** Direction of the entry. */
  side: TradeSide;
  /** Contracts. */
  qty: number;
  /** Entry order. */
  entry: EntrySpec;
  /** Take-profit limit price. */
  target: number;
  /** Stop price. */
  stop: number;
  /** Account to book the orders in (one of the managed accounts); TWS picks when absent. */
  account?: string;
}

/** Order ids of a bracket's three orders. */
export interface BracketIds {
  /** Entry (parent). */
  parent: number;
  /** Take-profit child. */
  target: number;
  /** Stop child. */
  stop: number;
}

/** The three orders of a bracket, in the order they must be sent. */
export interface BracketOrders {
  /** Entry, `transmit: false`. */
  parent: Order;
  /** Take-profit LMT, `transmit: false`. */
  target: Order;
  /** Stop STP, `transmit: true`: sends the whole group. */
  stop: Order;
}

/**
 * OCA type of the children: 3 = the other order's size is reduced by each fill, without
 * block. A partial take-profit fill therefore shrinks the stop to the contracts still held
 * (type 1 would cancel it and leave them unprotected).
 */
export const OCA_REDUCE = 3;

/** OCA group name of a trade's exits. Unique per trade, so two trades never share one. */
export function ocaGroupOf(tradeId: string): string {
  return `oca-${tradeId}`;
}

/** `BUY` for a long entry (and a short's exits), `SELL` otherwise. */
export function entryAction(side: TradeSide): OrderAction {
  return side === "LONG" ? OrderAction.BUY : OrderAction.SELL;
}

/** The action that closes a position of `side`. */
export function exitAction(side: TradeSide): OrderAction {
  return side === "LONG" ? OrderAction.SELL : OrderAction.BUY;
}

/**
 * Why `price` cannot be sent on a contract with minimum tick `tick` (IB rejects an off-grid
 * price with error 110), or undefined when it is a positive multiple of the tick (within
 * float noise).
 *
 * @example
 * ```ts
 * gridFault(4500.25, 0.25); // undefined
 * gridFault(4500.1, 0.25); // "4500.1 is not a multiple of the minimum tick 0.25"
 * ```
 */
export function gridFault(price: number, tick: number): string | undefined {
  if (!Number.isFinite(price) || price <= 0) return `${price} is not a positive price`;
  const x = price / tick;
  if (Math.abs(x - Math.round(x)) > 1e-6) {
    return `${price} is not a multiple of the minimum tick ${tick}`;
  }
  return undefined;
}

/**
 * `price` on the grid of `tick`, rounded in the direction that never makes the order worse
 * for the trader: `dir` -1 rounds down (a buy limit, a short's buy stop), +1 up (a sell
 * limit, a long's sell stop). A price already on the grid comes back without float noise.
 */
export function onGrid(price: number, tick: number, dir: 1 | -1): number {
  return tickToward(price, dir, tick);
}

/** `price` printed with the tick's decimals (4500.5 -> "4500.50" on 0.25). */
export function formatPrice(price: number, tick: number): string {
  return price.toFixed(tickDecimals(tick));
}

/**
 * Checks a bracket before anything is sent: positive whole quantity, prices on the grid,
 * stop and target on the right sides of a limit entry. Returns one line naming the field
 * and value, or undefined.
 */
export function bracketFault(spec: BracketSpec, tick: number): string | undefined {
  if (!Number.isInteger(spec.qty) || spec.qty <= 0) {
    return `bracket ${spec.tradeId}: quantity ${spec.qty} is not a positive whole number`;
  }
  if (spec.tradeId === "") return "bracket: empty trade id";
  const prices: Array<[string, number]> = [["target", spec.target], ["stop", spec.stop]];
  if (spec.entry.type === "LMT") prices.unshift(["entry", spec.entry.price]);
  for (const [what, p] of prices) {
    const f = gridFault(p, tick);
    if (f !== undefined) return `bracket ${spec.tradeId}: ${what} ${f}`;
  }
  const long = spec.side === "LONG";
  if (long ? spec.stop >= spec.target : spec.stop <= spec.target) {
    return `bracket ${spec.tradeId}: a ${spec.side} stop ${spec.stop} must be ${
      long ? "below" : "above"
    } its target ${spec.target}`;
  }
  if (spec.entry.type === "LMT") {
    const e = spec.entry.price;
    if (long ? !(spec.stop < e && e < spec.target) : !(spec.target < e && e < spec.stop)) {
      return `bracket ${spec.tradeId}: entry ${e} is not between stop ${spec.stop} and target ${spec.target}`;
    }
  }
  return undefined;
}

/**
 * The three orders of a bracket. Prices are put on the grid in the trader's favour first
 * (callers validate with {@linkcode bracketFault} to refuse instead). The entry is DAY; the
 * exits are GTC so that a position never loses its protection at a session change.
 */
export function bracketOrders(spec: BracketSpec, ids: BracketIds, tick: number): BracketOrders {
  const long = spec.side === "LONG";
  const oca = ocaGroupOf(spec.tradeId);
  const common = (o: Order): Order => {
    o.orderRef = spec.tradeId;
    if (spec.account !== undefined) o.account = spec.account;
    return o;
  };
  const parent: Order = common({
    orderId: ids.parent,
    action: entryAction(spec.side),
    totalQuantity: spec.qty,
    orderType: spec.entry.type === "MKT" ? OrderType.MKT : OrderType.LMT,
    tif: TimeInForce.DAY,
    transmit: false,
  });
  if (spec.entry.type === "LMT") parent.lmtPrice = onGrid(spec.entry.price, tick, long ? -1 : 1);
  const target: Order = common({
    orderId: ids.target,
    action: exitAction(spec.side),
    totalQuantity: spec.qty,
    orderType: OrderType.LMT,
    lmtPrice: onGrid(spec.target, tick, long ? 1 : -1),
    tif: TimeInForce.GTC,
    parentId: ids.parent,
    ocaGroup: oca,
    ocaType: OCA_REDUCE,
    transmit: false,
  });
  const stop: Order = common({
    orderId: ids.stop,
    action: exitAction(spec.side),
    totalQuantity: spec.qty,
    orderType: OrderType.STP,
    auxPrice: onGrid(spec.stop, tick, long ? 1 : -1),
    tif: TimeInForce.GTC,
    parentId: ids.parent,
    ocaGroup: oca,
    ocaType: OCA_REDUCE,
    transmit: true,
  });
  return { parent, target, stop };
}

/**
 * A working child with a new price (a moved stop or target) or quantity: the same order,
 * sent again with the same id, transmitted at once. Only the price field of its type
 * changes; everything else (parent, OCA group, orderRef) stays, or TWS refuses the modify.
 */
export function modifiedOrder(
  order: Order,
  change: { price?: number; qty?: number },
  tick: number,
): Order {
  const o: Order = { ...order, transmit: true };
  if (change.qty !== undefined) o.totalQuantity = change.qty;
  if (change.price !== undefined) {
    const sell = order.action === OrderAction.SELL;
    if (order.orderType === OrderType.STP) o.auxPrice = onGrid(change.price, tick, sell ? 1 : -1);
    else o.lmtPrice = onGrid(change.price, tick, sell ? 1 : -1);
  }
  return o;
}

/**
 * A market order that closes `qty` contracts of a `side` position (flatten, kill switch,
 * an unexplained position). Not in any OCA group: it must not cancel anything by itself.
 */
export function closingOrder(
  side: TradeSide,
  qty: number,
  tradeId: string,
  orderId: number,
  account?: string,
): Order {
  const o: Order = {
    orderId,
    action: exitAction(side),
    totalQuantity: qty,
    orderType: OrderType.MKT,
    tif: TimeInForce.DAY,
    orderRef: tradeId,
    transmit: true,
  };
  if (account !== undefined) o.account = account;
  return o;
}
