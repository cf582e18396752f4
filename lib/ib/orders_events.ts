/**
 * Decoding of IB's order messages (openOrder, orderStatus, execDetails, commissionReport,
 * position, error codes) into plain typed records. Pure: the order client (orders.ts) feeds
 * it the library's event arguments.
 *
 * @module
 */
import type { CommissionReport, Contract, Execution, Order, OrderState } from "@stoqey/ib";
import { isTimeZone, zonedTimeToUtc } from "../time/zone.ts";

/** An order as TWS reports it (openOrder). */
export interface OpenOrderInfo {
  orderId: number;
  permId: number;
  clientId: number;
  /** `orderRef`: the trade id for scalpbot's orders, "" for others. */
  tradeId: string;
  action: "BUY" | "SELL";
  qty: number;
  orderType: string;
  /** Limit price (LMT), NaN when absent. */
  lmtPrice: number;
  /** Stop price (STP), NaN when absent. */
  auxPrice: number;
  /** 0 for a parent or a stand-alone order. */
  parentId: number;
  ocaGroup: string;
  /** Status text: PreSubmitted, Submitted, Filled, Cancelled, Inactive... */
  status: string;
  conId: number;
  account: string;
}

/** An orderStatus message. */
export interface OrderStatusInfo {
  orderId: number;
  status: string;
  filled: number;
  remaining: number;
  /** Average price of the filled part; 0 before any fill. */
  avgFillPrice: number;
  lastFillPrice: number;
  parentId: number;
  permId: number;
  whyHeld: string;
}

/** One execution (execDetails), live or from reqExecutions. */
export interface ExecutionInfo {
  /** IB's execution id: unique, the key that makes a replayed execution a no-op. */
  execId: string;
  orderId: number;
  permId: number;
  /** `orderRef` of the order: the trade id. */
  tradeId: string;
  /** Execution time, epoch ms; NaN when TWS sent a time that cannot be read. */
  time: number;
  side: "BUY" | "SELL";
  qty: number;
  price: number;
  /** Contracts of the order filled so far, this execution included. */
  cumQty: number;
  avgPrice: number;
  conId: number;
  account: string;
}

/** A commission report for one execution. */
export interface CommissionInfo {
  execId: string;
  /** Currency amount; NaN when TWS sent none (its "unset" value). */
  commission: number;
  currency: string;
}

/** One position line (reqPositions). */
export interface PositionInfo {
  account: string;
  conId: number;
  symbol: string;
  /** Signed: > 0 long, < 0 short. */
  qty: number;
  avgCost: number;
}

/** What an IB error code means for an order. */
export type OrderCodeKind =
  /** The order is dead and never worked (or its modify never took effect and it is gone). */
  | "rejected"
  /** The order was cancelled (202): by us, by an OCA sibling, or by TWS. */
  | "cancelled"
  /** A cancel or modify was refused; the order itself is unchanged. */
  | "refused"
  /** Information only; the order keeps working. */
  | "warning";

/**
 * Error codes that concern orders, by what they mean. From IB's API error-code list:
 * 103 duplicate order id, 104 cannot modify a filled order, 105 modify does not match the
 * original, 110 price not on the minimum tick, 135 no order with that id, 161 cancel in a
 * state that cannot be cancelled, 200 no security definition, 201 order rejected, 202 order
 * cancelled, 203 security not allowed for the account, 321 invalid request, 382-383 size
 * limits, 10147/10148 cancel of an unknown or finished order, 10006 missing parent, 399
 * order message (warning), 2109 outside-RTH attribute ignored (warning).
 */
const CODE_KINDS: Record<number, OrderCodeKind> = {
  103: "rejected",
  110: "rejected",
  200: "rejected",
  201: "rejected",
  203: "rejected",
  321: "rejected",
  382: "rejected",
  383: "rejected",
  10006: "rejected",
  202: "cancelled",
  104: "refused",
  105: "refused",
  135: "refused",
  161: "refused",
  10147: "refused",
  10148: "refused",
  399: "warning",
  2109: "warning",
  2148: "warning",
};

/**
 * What an error `code` on an order id means; codes not listed count as a reject when they
 * are IB's order-error range (100-449), else as a warning.
 */
export function orderCodeKind(code: number): OrderCodeKind {
  const k = CODE_KINDS[code];
  if (k !== undefined) return k;
  return code >= 100 && code < 450 ? "rejected" : "warning";
}

/** IB's terminal order states: nothing more happens to such an order. */
export function isTerminalStatus(status: string): boolean {
  return status === "Filled" || status === "Cancelled" || status === "ApiCancelled" ||
    status === "Inactive";
}

/** Number from a library field: undefined / unset / non-numeric become NaN. */
function num(x: unknown): number {
  const n = typeof x === "number" ? x : typeof x === "string" && x !== "" ? Number(x) : NaN;
  return Number.isFinite(n) && Math.abs(n) < 1e300 ? n : NaN;
}

function int(x: unknown): number {
  const n = num(x);
  return Number.isInteger(n) ? n : 0;
}

function side(x: unknown): "BUY" | "SELL" {
  // Executions say BOT/SLD, orders BUY/SELL.
  return x === "BUY" || x === "BOT" ? "BUY" : "SELL";
}

/** Decodes an openOrder event. */
export function decodeOpenOrder(
  orderId: number,
  contract: Contract,
  order: Order,
  state: OrderState | undefined,
): OpenOrderInfo {
  return {
    orderId: int(orderId),
    permId: int(order.permId),
    clientId: int(order.clientId),
    tradeId: order.orderRef ?? "",
    action: side(order.action),
    qty: num(order.totalQuantity),
    orderType: String(order.orderType ?? ""),
    lmtPrice: num(order.lmtPrice),
    auxPrice: num(order.auxPrice),
    parentId: int(order.parentId),
    ocaGroup: order.ocaGroup ?? "",
    status: String(state?.status ?? ""),
    conId: int(contract.conId),
    account: order.account ?? "",
  };
}

/** Decodes an orderStatus event (the library's positional arguments). */
export function decodeOrderStatus(
  orderId: number,
  status: unknown,
  filled: unknown,
  remaining: unknown,
  avgFillPrice: unknown,
  permId?: unknown,
  parentId?: unknown,
  lastFillPrice?: unknown,
  _clientId?: unknown,
  whyHeld?: unknown,
): OrderStatusInfo {
  return {
    orderId: int(orderId),
    status: String(status ?? ""),
    filled: num(filled) || 0,
    remaining: num(remaining) || 0,
    avgFillPrice: num(avgFillPrice) || 0,
    lastFillPrice: num(lastFillPrice) || 0,
    parentId: int(parentId),
    permId: int(permId),
    whyHeld: String(whyHeld ?? ""),
  };
}

/**
 * Parses an execution time: `yyyymmdd  HH:MM:SS` (TWS's time zone, `defaultZone`),
 * `yyyymmdd HH:MM:SS Zone/Name`, or `yyyymmdd-HH:MM:SS` (UTC). NaN when unreadable.
 */
export function parseExecTime(text: string, defaultZone: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})([ -]+)(\d{2}):(\d{2}):(\d{2})(?:\s+(\S+))?$/.exec(text.trim());
  if (m === null) return NaN;
  const [y, mo, d, hh, mm, ss] = [m[1], m[2], m[3], m[5], m[6], m[7]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 59) return NaN;
  if (m[4] === "-") return m[8] === undefined ? Date.UTC(y, mo - 1, d, hh, mm, ss) : NaN;
  const zone = m[8] ?? defaultZone;
  if (!isTimeZone(zone)) return NaN;
  return zonedTimeToUtc(y, mo, d, hh, mm, zone) + ss * 1000;
}

/** Decodes an execDetails event; `zone` is TWS's time zone for times sent without one. */
export function decodeExecution(
  contract: Contract,
  exec: Execution,
  zone: string,
): ExecutionInfo {
  return {
    execId: exec.execId ?? "",
    orderId: int(exec.orderId),
    permId: int(exec.permId),
    tradeId: exec.orderRef ?? "",
    time: parseExecTime(String(exec.time ?? ""), zone),
    side: side(exec.side),
    qty: num(exec.shares),
    price: num(exec.price),
    cumQty: num(exec.cumQty),
    avgPrice: num(exec.avgPrice),
    conId: int(contract.conId),
    account: exec.acctNumber ?? "",
  };
}

/** Decodes a commissionReport event. */
export function decodeCommission(report: CommissionReport): CommissionInfo {
  return {
    execId: report.execId ?? "",
    commission: num(report.commission),
    currency: report.currency ?? "",
  };
}

/** Decodes a position event. */
export function decodePosition(
  account: string,
  contract: Contract,
  pos: unknown,
  avgCost: unknown,
): PositionInfo {
  return {
    account: String(account ?? ""),
    conId: int(contract.conId),
    symbol: contract.symbol ?? "",
    qty: num(pos) || 0,
    avgCost: num(avgCost),
  };
}
