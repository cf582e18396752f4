/**
 * TWS API order messages, both directions, in the layouts @stoqey/ib 1.6.10 encodes and
 * decodes at server versions 157..193: PLACE_ORDER, CANCEL_ORDER, REQ_OPEN_ORDERS,
 * REQ_ALL_OPEN_ORDERS, REQ_POSITIONS, REQ_EXECUTIONS and REQ_GLOBAL_CANCEL from the client;
 * OPEN_ORDER, ORDER_STATUS, EXECUTION_DATA, COMMISSION_REPORT, POSITION and the end
 * markers to it. Field orders follow the client's encoder.js `placeOrder` and decoder.js
 * `decodeMsg_OPEN_ORDER` (its OrderDecoder), `decodeMsg_EXECUTION_DATA` & co.
 *
 * @module
 */

import type { ContractQuery, SimContract } from "./contracts.ts";
import { FieldReader } from "./messages.ts";
import type { Field } from "./wire.ts";

/** Server-to-client order message ids. */
export const ORDER_IN = {
  ORDER_STATUS: 3,
  OPEN_ORDER: 5,
  EXECUTION_DATA: 11,
  OPEN_ORDER_END: 53,
  EXECUTION_DATA_END: 55,
  COMMISSION_REPORT: 59,
  POSITION: 61,
  POSITION_END: 62,
} as const;

/** Client-to-server order message ids. */
export const ORDER_OUT = {
  PLACE_ORDER: 3,
  CANCEL_ORDER: 4,
  REQ_OPEN_ORDERS: 5,
  REQ_EXECUTIONS: 7,
  REQ_ALL_OPEN_ORDERS: 16,
  REQ_GLOBAL_CANCEL: 58,
  REQ_POSITIONS: 61,
  CANCEL_POSITIONS: 64,
} as const;

/** Server versions where order layouts change. */
const V = {
  DURATION: 158,
  POST_TO_ATS: 160,
  AUTO_CANCEL_PARENT: 162,
  PEGBEST_PEGMID_OFFSETS: 170,
  FA_PROFILE_DESUPPORT: 177,
  PENDING_PRICE_REVISION: 178,
  CUSTOMER_ACCOUNT: 183,
  PROFESSIONAL_CUSTOMER: 184,
  BOND_ACCRUED_INTEREST: 185,
  RFQ_FIELDS: 187,
  INCLUDE_OVERNIGHT: 189,
  UNDO_RFQ_FIELDS: 190,
  CME_TAGGING_FIELDS: 192,
  CME_TAGGING_FIELDS_IN_OPEN_ORDER: 193,
} as const;

/** IB's "unset double" (Double.MAX_VALUE); the client reads it as undefined. */
export const UNSET_DOUBLE = "1.7976931348623157E308";
/** IB's "unset int" (Integer.MAX_VALUE). */
const UNSET_INT = 2147483647;

/** The order fields the simulator acts on, as PLACE_ORDER carries them. */
export interface PlacedOrder {
  /** The client's order id. */
  orderId: number;
  /** The contract as the client described it. */
  contract: ContractQuery;
  /** BUY or SELL. */
  action: string;
  /** Contracts. */
  totalQuantity: number;
  /** MKT, LMT or STP. */
  orderType: string;
  /** Limit price; undefined when the client left it unset. */
  lmtPrice: number | undefined;
  /** Stop price of a STP; undefined when the client left it unset. */
  auxPrice: number | undefined;
  /** Time in force (DAY, GTC). */
  tif: string;
  /** One-cancels-all group; empty for none. */
  ocaGroup: string;
  /** Account id. */
  account: string;
  /** The client's order reference. */
  orderRef: string;
  /** False: hold the order until a later one of the group transmits. */
  transmit: boolean;
  /** Parent order id of a bracket child; 0 for none. */
  parentId: number;
  /** May fill outside regular trading hours. */
  outsideRth: boolean;
  /** OCA type (1: cancel the others on a fill). */
  ocaType: number;
}

/** A decoded order request. */
export type OrderRequest =
  | { kind: "placeOrder"; order: PlacedOrder }
  | { kind: "cancelOrder"; orderId: number }
  | { kind: "reqOpenOrders" }
  | { kind: "reqAllOpenOrders" }
  | { kind: "reqPositions" }
  | { kind: "cancelPositions" }
  | { kind: "globalCancel" }
  | {
    kind: "reqExecutions";
    reqId: number;
    clientId: number;
    acctCode: string;
    time: string;
    symbol: string;
    secType: string;
    exchange: string;
    side: string;
  };

/** A price field: "" (or IB's max) is unset. */
function optPrice(r: FieldReader, name: string): number | undefined {
  const v = r.str(name);
  if (v === "" || v === UNSET_DOUBLE) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n >= Number.MAX_VALUE) {
    if (n >= Number.MAX_VALUE) return undefined;
    throw new SyntaxError(`Cannot read PLACE_ORDER: ${name} is ${JSON.stringify(v.slice(0, 30))}`);
  }
  return n;
}

/** PLACE_ORDER (3) at `version` >= 157 for a non-combo contract (no version field). */
function decodePlaceOrder(fields: readonly string[], version: number): PlacedOrder {
  const r = new FieldReader(fields, "PLACE_ORDER");
  const orderId = r.int("orderId");
  const conId = r.int("conId");
  const symbol = r.str("symbol");
  const secType = r.str("secType");
  const ltd = r.str("lastTradeDateOrContractMonth");
  r.str("strike");
  r.str("right");
  r.str("multiplier");
  const exchange = r.str("exchange");
  r.str("primaryExch");
  const currency = r.str("currency");
  const localSymbol = r.str("localSymbol");
  const tradingClass = r.str("tradingClass");
  r.str("secIdType");
  r.str("secId");
  const action = r.str("action");
  const totalQuantity = r.num("totalQuantity");
  const orderType = r.str("orderType");
  const lmtPrice = optPrice(r, "lmtPrice");
  const auxPrice = optPrice(r, "auxPrice");
  const tif = r.str("tif");
  const ocaGroup = r.str("ocaGroup");
  const account = r.str("account");
  r.str("openClose");
  r.str("origin");
  const orderRef = r.str("orderRef");
  const transmit = r.bool("transmit");
  const parentId = r.int("parentId");
  r.str("blockOrder");
  r.str("sweepToFill");
  r.str("displaySize");
  r.str("triggerMethod");
  const outsideRth = r.bool("outsideRth");
  r.str("hidden");
  if (secType.toUpperCase() === "BAG") {
    throw new SyntaxError("Cannot read PLACE_ORDER: combo (BAG) orders are not simulated");
  }
  r.str("sharesAllocation");
  r.str("discretionaryAmt");
  r.str("goodAfterTime");
  r.str("goodTillDate");
  r.str("faGroup");
  r.str("faMethod");
  r.str("faPercentage");
  if (version < V.FA_PROFILE_DESUPPORT) r.str("faProfile");
  r.str("modelCode");
  r.str("shortSaleSlot");
  r.str("designatedLocation");
  r.str("exemptCode");
  const ocaType = r.int("ocaType");
  // The remaining fields (rule80A .. CME tagging) do not change the simulated matching.
  return {
    orderId,
    contract: {
      conId,
      symbol,
      secType,
      lastTradeDateOrContractMonth: ltd,
      exchange,
      currency,
      localSymbol,
      tradingClass,
    },
    action: action.toUpperCase(),
    totalQuantity,
    orderType: orderType.toUpperCase(),
    lmtPrice,
    auxPrice,
    tif,
    ocaGroup,
    account,
    orderRef,
    transmit,
    parentId,
    outsideRth,
    ocaType,
  };
}

/**
 * Decodes an order request, or returns undefined for a message id that is not one.
 * Throws SyntaxError for a malformed order request.
 */
export function decodeOrderRequest(
  fields: readonly string[],
  version: number,
): OrderRequest | undefined {
  const id = Number(fields[0]);
  switch (id) {
    case ORDER_OUT.PLACE_ORDER:
      return { kind: "placeOrder", order: decodePlaceOrder(fields, version) };
    case ORDER_OUT.CANCEL_ORDER: {
      const r = new FieldReader(fields, "CANCEL_ORDER");
      if (version < V.CME_TAGGING_FIELDS) r.int("version");
      return { kind: "cancelOrder", orderId: r.int("orderId") };
    }
    case ORDER_OUT.REQ_OPEN_ORDERS:
      return { kind: "reqOpenOrders" };
    case ORDER_OUT.REQ_ALL_OPEN_ORDERS:
      return { kind: "reqAllOpenOrders" };
    case ORDER_OUT.REQ_POSITIONS:
      return { kind: "reqPositions" };
    case ORDER_OUT.CANCEL_POSITIONS:
      return { kind: "cancelPositions" };
    case ORDER_OUT.REQ_GLOBAL_CANCEL:
      return { kind: "globalCancel" };
    case ORDER_OUT.REQ_EXECUTIONS: {
      const r = new FieldReader(fields, "REQ_EXECUTIONS");
      r.int("version");
      return {
        kind: "reqExecutions",
        reqId: r.int("reqId"),
        clientId: r.int("clientId"),
        acctCode: r.str("acctCode"),
        time: r.str("time"),
        symbol: r.str("symbol"),
        secType: r.str("secType"),
        exchange: r.str("exchange"),
        side: r.str("side"),
      };
    }
    default:
      return undefined;
  }
}

/** An order as OPEN_ORDER describes it: the placed fields with the simulator's contract. */
export interface OpenOrderView extends Omit<PlacedOrder, "contract" | "transmit"> {
  /** Client id that placed it. */
  clientId: number;
  /** The simulator's permanent id. */
  permId: number;
  /** The contract. */
  contract: SimContract;
  /** orderState.status. */
  status: string;
}

const price = (p: number | undefined): Field => (p === undefined ? "" : p);

/** The 11 contract fields of OPEN_ORDER and EXECUTION_DATA. */
function contractFields(c: SimContract): Field[] {
  return [
    c.conId,
    c.symbol,
    c.secType,
    c.lastTradeDate,
    0, // strike
    "", // right
    c.multiplier,
    c.exchange,
    c.currency,
    c.localSymbol,
    c.tradingClass,
  ];
}

/** OPEN_ORDER (5) at server `version` (>= 157: no version field), as OrderDecoder reads it. */
export function openOrder(version: number, o: OpenOrderView): Field[] {
  const f: Field[] = [ORDER_IN.OPEN_ORDER, o.orderId, ...contractFields(o.contract)];
  f.push(
    o.action,
    o.totalQuantity,
    o.orderType,
    price(o.lmtPrice),
    price(o.auxPrice),
    o.tif,
    o.ocaGroup,
    o.account,
    "", // openClose
    0, // origin: customer
    o.orderRef,
    o.clientId,
    o.permId,
    o.outsideRth,
    0, // hidden
    0, // discretionaryAmt
    "", // goodAfterTime
    "", // sharesAllocation
    "", // faGroup
    "", // faMethod
    "", // faPercentage
  );
  if (version < V.FA_PROFILE_DESUPPORT) f.push(""); // faProfile
  f.push(
    "", // modelCode
    "", // goodTillDate
    "", // rule80A
    "", // percentOffset
    "", // settlingFirm
    0, // shortSaleSlot
    "", // designatedLocation
    -1, // exemptCode
    0, // auctionStrategy
    "", // startingPrice
    "", // stockRefPrice
    "", // delta
    "", // stockRangeLower
    "", // stockRangeUpper
    "", // displaySize
    false, // blockOrder
    false, // sweepToFill
    false, // allOrNone
    "", // minQty
    o.ocaType,
    false, // eTradeOnly
    false, // firmQuoteOnly
    "", // nbboPriceCap
    o.parentId,
    0, // triggerMethod
    "", // volatility
    0, // volatilityType
    "", // deltaNeutralOrderType: empty, so no delta-neutral fields follow
    "", // deltaNeutralAuxPrice
    0, // continuousUpdate
    0, // referencePriceType
    "", // trailStopPrice
    "", // trailingPercent
    "", // basisPoints
    "", // basisPointsType
    "", // comboLegsDescription
    0, // comboLegs count
    0, // orderComboLegs count
    0, // smartComboRoutingParams count
    "", // scaleInitLevelSize
    "", // scaleSubsLevelSize
    "", // scalePriceIncrement: unset, so no scale fields follow
    "", // hedgeType: empty, so no hedgeParam
    false, // optOutSmartRouting
    "", // clearingAccount
    "", // clearingIntent
    false, // notHeld
    false, // deltaNeutral contract
    "", // algoStrategy: empty, so no params
    false, // solicited
    false, // whatIf
    o.status,
    "", // initMarginBefore
    "", // maintMarginBefore
    "", // equityWithLoanBefore
    "", // initMarginChange
    "", // maintMarginChange
    "", // equityWithLoanChange
    "", // initMarginAfter
    "", // maintMarginAfter
    "", // equityWithLoanAfter
    "", // commission
    "", // minCommission
    "", // maxCommission
    "", // commissionCurrency
    "", // warningText
    false, // randomizeSize
    false, // randomizePrice
    0, // conditions count (no PEG BENCH fields: MKT/LMT/STP only)
    "", // adjustedOrderType
    "", // triggerPrice
    "", // trailStopPrice
    "", // lmtPriceOffset
    "", // adjustedStopPrice
    "", // adjustedStopLimitPrice
    "", // adjustedTrailingAmount
    0, // adjustableTrailingUnit
    "", // softDollarTier name
    "", // softDollarTier value
    "", // softDollarTier displayName
    "", // cashQty
    false, // dontUseAutoPriceForHedge
    false, // isOmsContainer
    false, // discretionaryUpToLimitPrice
    false, // usePriceMgmtAlgo
  );
  if (version >= V.DURATION) f.push(UNSET_INT);
  if (version >= V.POST_TO_ATS) f.push(UNSET_INT);
  if (version >= V.AUTO_CANCEL_PARENT) f.push(false);
  if (version >= V.PEGBEST_PEGMID_OFFSETS) f.push(UNSET_INT, UNSET_INT, "", "", "");
  if (version >= V.CUSTOMER_ACCOUNT) f.push(""); // customerAccount
  if (version >= V.PROFESSIONAL_CUSTOMER) f.push(false);
  if (version >= V.BOND_ACCRUED_INTEREST) f.push(""); // bondAccruedInterest
  if (version >= V.INCLUDE_OVERNIGHT) f.push(false);
  if (version >= V.CME_TAGGING_FIELDS_IN_OPEN_ORDER) f.push("", UNSET_INT);
  return f;
}

/** An order's state as ORDER_STATUS reports it. */
export interface OrderStatusView {
  /** The client's order id. */
  orderId: number;
  /** PreSubmitted, Submitted, Filled, Cancelled... */
  status: string;
  /** Contracts filled. */
  filled: number;
  /** Contracts still to fill. */
  remaining: number;
  /** Average fill price (0 before a fill). */
  avgFillPrice: number;
  /** The simulator's permanent id. */
  permId: number;
  /** Parent order id; 0 for none. */
  parentId: number;
  /** Price of the last fill. */
  lastFillPrice: number;
  /** Client id that placed it. */
  clientId: number;
  /** Why the order is held; empty when not. */
  whyHeld: string;
}

/** ORDER_STATUS (3), no version field from 131: `id, status, filled, remaining, avg, permId, parentId, last, clientId, whyHeld, mktCapPrice`. */
export function orderStatus(o: OrderStatusView): Field[] {
  return [
    ORDER_IN.ORDER_STATUS,
    o.orderId,
    o.status,
    o.filled,
    o.remaining,
    o.avgFillPrice,
    o.permId,
    o.parentId,
    o.lastFillPrice,
    o.clientId,
    o.whyHeld,
    0, // mktCapPrice
  ];
}

/** One execution as EXECUTION_DATA carries it. */
export interface ExecutionView {
  /** The order filled. */
  orderId: number;
  /** The contract. */
  contract: SimContract;
  /** Execution id, unique. */
  execId: string;
  /** `yyyymmdd HH:MM:SS zone`. */
  time: string;
  /** Account id. */
  account: string;
  /** Exchange of the fill. */
  exchange: string;
  /** BOT or SLD. */
  side: string;
  /** Contracts of this fill. */
  shares: number;
  /** Price of this fill. */
  price: number;
  /** The order's permanent id. */
  permId: number;
  /** Client id that placed the order. */
  clientId: number;
  /** Contracts filled of the order so far. */
  cumQty: number;
  /** Average fill price of the order so far. */
  avgPrice: number;
  /** The client's order reference. */
  orderRef: string;
}

/** EXECUTION_DATA (11), no version field from 136; `reqId` -1 for a live fill. */
export function executionData(version: number, reqId: number, e: ExecutionView): Field[] {
  const f: Field[] = [
    ORDER_IN.EXECUTION_DATA,
    reqId,
    e.orderId,
    ...contractFields(e.contract),
    e.execId,
    e.time,
    e.account,
    e.exchange,
    e.side,
    e.shares,
    e.price,
    e.permId,
    e.clientId,
    0, // liquidation
    e.cumQty,
    e.avgPrice,
    e.orderRef,
    "", // evRule
    "", // evMultiplier
    "", // modelCode
    1, // lastLiquidity: added
  ];
  if (version >= V.PENDING_PRICE_REVISION) f.push(false);
  return f;
}

/** EXECUTION_DATA_END (55). */
export function executionDataEnd(reqId: number): Field[] {
  return [ORDER_IN.EXECUTION_DATA_END, 1, reqId];
}

/** COMMISSION_REPORT (59): `1, execId, commission, currency, realizedPNL, yield, yieldRedemptionDate`. */
export function commissionReport(
  execId: string,
  commission: number,
  currency: string,
  realizedPnl: number | undefined,
): Field[] {
  return [
    ORDER_IN.COMMISSION_REPORT,
    1,
    execId,
    commission,
    currency,
    realizedPnl === undefined ? UNSET_DOUBLE : realizedPnl,
    UNSET_DOUBLE, // yield
    0, // yieldRedemptionDate
  ];
}

/** OPEN_ORDER_END (53). */
export function openOrderEnd(): Field[] {
  return [ORDER_IN.OPEN_ORDER_END, 1];
}

/** POSITION (61), version 3: `account, contract..., position, avgCost`. */
export function position(account: string, c: SimContract, pos: number, avgCost: number): Field[] {
  return [ORDER_IN.POSITION, 3, account, ...contractFields(c), pos, avgCost];
}

/** POSITION_END (62). */
export function positionEnd(): Field[] {
  return [ORDER_IN.POSITION_END, 1];
}
