/**
 * The simulator's order book: MKT, LMT and STP orders matched against the replayed tape,
 * brackets (parentId + transmit), OCA groups, modifies, cancels and IB's rejects, with the
 * message sequence TWS sends (openOrder, orderStatus, execDetails, commissionReport).
 * State lives per client id on the server, so orders, positions and executions survive a
 * client's disconnect, as in TWS. See docs/simulator.md, "Orders", for the model.
 *
 * @module
 */

import type { SimContract } from "./contracts.ts";
import { resolveContract, type SimCore } from "./core.ts";
import type { OrderFaultEvent } from "./fault_spec.ts";
import { formatIbDateTime, parseIbDateTime } from "./ib_time.ts";
import { errorMsg } from "./messages.ts";
import {
  commissionReport,
  executionData,
  executionDataEnd,
  type ExecutionView,
  openOrder,
  openOrderEnd,
  type OpenOrderView,
  type OrderRequest,
  orderStatus,
  type PlacedOrder,
  position,
  positionEnd,
} from "./order_messages.ts";
import type { FeedState, Session } from "./session.ts";

/** Order events a fault can be attached to (`drop@parent-fill` & co). */
export type OrderEvent = OrderFaultEvent;

/** Order status as TWS names it; `Held` is ours: placed with transmit=false, not sent yet. */
type Status = "Held" | "PreSubmitted" | "Submitted" | "Filled" | "Cancelled";

/** An order in the book: what OPEN_ORDER shows of it, with TWS's own value sets, and its fills. */
interface SimOrder extends OpenOrderView {
  action: "BUY" | "SELL";
  orderType: "MKT" | "LMT" | "STP";
  status: Status;
  filled: number;
  avgFillPrice: number;
  lastFillPrice: number;
  /** A STP whose stop a print reached: it now fills like MKT. */
  triggered: boolean;
  /** A print was evaluated against this order while it worked (a LMT then rests). */
  seenPrint: boolean;
}

interface Execution extends ExecutionView {
  ts: number;
  commission: number;
  currency: string;
  realizedPnl: number | undefined;
  symbol: string;
  secType: string;
}

interface Position {
  account: string;
  contract: SimContract;
  qty: number;
  /** Average price of the open quantity. */
  avgPrice: number;
}

/** Options of {@linkcode OrderBook}. */
export interface OrderBookOptions {
  /** Commission per contract and execution. Default 0.62. */
  commissionPerContract?: number | undefined;
  /** Fault hook, called at order events before their consequences are sent. */
  onEvent?(event: OrderEvent): void;
}

const TEXT = {
  110: "The price does not conform to the minimum price variation for this contract.",
  103: "Duplicate order id",
  202: "Order Canceled - reason:",
  387: "Unsupported order type for this exchange and security type.",
} as const;

const working = (o: SimOrder) =>
  o.status === "Held" || o.status === "PreSubmitted" || o.status === "Submitted";
const remaining = (o: SimOrder) => o.totalQuantity - o.filled;
/** Float noise off a price or average (IB sends clean decimals). */
const clean = (x: number) => Math.round(x * 1e9) / 1e9;

/** Orders, positions and executions of one simulator. */
export class OrderBook {
  #sim: SimCore;
  #commission: number;
  #onEvent: (e: OrderEvent) => void;
  #orders = new Map<string, SimOrder>();
  #executions: Execution[] = [];
  #positions = new Map<string, Position>();
  #nextPermId = 1_000_000_001;
  #execSeq = 0;

  /** An empty book on `sim`. */
  constructor(sim: SimCore, options: OrderBookOptions = {}) {
    this.#sim = sim;
    const c = options.commissionPerContract ?? 0.62;
    if (!(c >= 0) || !Number.isFinite(c)) {
      throw new RangeError(`Simulator option commissionPerContract is ${c} (must be >= 0)`);
    }
    this.#commission = c;
    this.#onEvent = options.onEvent ?? (() => {});
  }

  /** Acts on one order request of started session `s`. */
  handle(s: Session, req: OrderRequest): void {
    const clientId = s.clientId ?? 0;
    switch (req.kind) {
      case "placeOrder":
        return this.#place(s, clientId, req.order);
      case "cancelOrder":
        return this.#cancelRequest(s, clientId, req.orderId);
      case "reqOpenOrders":
        return this.#openOrders(s, (o) => o.clientId === clientId);
      case "reqAllOpenOrders":
        return this.#openOrders(s, () => true);
      case "reqPositions":
        for (const p of this.#positions.values()) {
          s.send(position(p.account, p.contract, p.qty, clean(p.avgPrice * p.contract.multiplier)));
        }
        return s.send(positionEnd());
      case "cancelPositions":
        return;
      case "globalCancel":
        for (const o of [...this.#orders.values()]) if (working(o)) this.#cancel(o, "");
        return;
      case "reqExecutions":
        return this.#reqExecutions(s, clientId, req);
    }
  }

  // ---- placing ----

  #key(clientId: number, orderId: number): string {
    return `${clientId}:${orderId}`;
  }

  #reject(s: Session, orderId: number, code: number, text: string): void {
    this.#sim.log.info("Client {id}: order {o} rejected with {code}: {text}", {
      id: s.id,
      o: orderId,
      code,
      text,
    });
    s.send(errorMsg(s.version, orderId, code, text));
  }

  /** The reject for `p`'s fields (code, text), or undefined when they are acceptable. */
  #validate(p: PlacedOrder, c: SimContract): [number, string] | undefined {
    const cause = (why: string): [number, string] => [
      321,
      `Error validating request.-'bO' : cause - ${why}`,
    ];
    if (p.action !== "BUY" && p.action !== "SELL") return cause(`Invalid action: ${p.action}`);
    if (!(p.totalQuantity > 0) || !Number.isInteger(p.totalQuantity)) {
      return cause(`Invalid quantity: ${p.totalQuantity}`);
    }
    if (p.orderType !== "MKT" && p.orderType !== "LMT" && p.orderType !== "STP") {
      return [387, TEXT[387]];
    }
    if (p.orderType === "MKT") return undefined;
    const px = p.orderType === "LMT" ? p.lmtPrice : p.auxPrice;
    if (px === undefined || !(px > 0)) {
      return cause(
        `${p.orderType} order without a ${p.orderType === "LMT" ? "limit" : "stop"} price`,
      );
    }
    const steps = px / c.minTick;
    if (Math.abs(steps - Math.round(steps)) > 1e-6) return [110, TEXT[110]];
    return undefined;
  }

  #place(s: Session, clientId: number, p: PlacedOrder): void {
    const key = this.#key(clientId, p.orderId);
    const existing = this.#orders.get(key);
    if (existing !== undefined && !working(existing)) {
      return this.#reject(s, p.orderId, 103, TEXT[103]);
    }
    const contract = existing?.contract ?? resolveContract(this.#sim, s, p.orderId, p.contract);
    if (contract === undefined) return;
    const bad = this.#validate(p, contract);
    if (bad !== undefined) return this.#reject(s, p.orderId, bad[0], bad[1]);
    if (p.parentId > 0) {
      const parent = this.#orders.get(this.#key(clientId, p.parentId));
      if (parent === undefined || parent.status === "Cancelled") {
        return this.#reject(s, p.orderId, 201, "Order rejected - reason:Parent order not found");
      }
    }
    this.#sim.nextOrderId = Math.max(this.#sim.nextOrderId, p.orderId + 1);
    if (existing !== undefined) return this.#modify(existing, p);
    const o: SimOrder = {
      clientId,
      orderId: p.orderId,
      permId: this.#nextPermId++,
      contract,
      action: p.action as "BUY" | "SELL",
      totalQuantity: p.totalQuantity,
      orderType: p.orderType as "MKT" | "LMT" | "STP",
      lmtPrice: p.orderType === "LMT" ? p.lmtPrice : undefined,
      auxPrice: p.orderType === "STP" ? p.auxPrice : undefined,
      tif: p.tif === "" ? "DAY" : p.tif,
      ocaGroup: p.ocaGroup,
      ocaType: p.ocaType,
      account: p.account === "" ? this.#sim.account : p.account,
      orderRef: p.orderRef,
      parentId: p.parentId,
      outsideRth: p.outsideRth,
      status: "Held",
      filled: 0,
      avgFillPrice: 0,
      lastFillPrice: 0,
      triggered: false,
      seenPrint: false,
    };
    this.#orders.set(key, o);
    if (p.transmit) this.#transmitGroup(o);
  }

  /** A new price or size for a working order (placeOrder with its id). */
  #modify(o: SimOrder, p: PlacedOrder): void {
    if (o.orderType === "LMT") o.lmtPrice = p.lmtPrice;
    if (o.orderType === "STP") o.auxPrice = p.auxPrice;
    if (p.totalQuantity > o.filled) o.totalQuantity = p.totalQuantity;
    o.orderRef = p.orderRef;
    if (o.status === "Held") {
      if (p.transmit) this.#transmitGroup(o);
      return;
    }
    this.#announce(o);
  }

  /** Transmits `o`'s bracket: its root and every child still held, in id order. */
  #transmitGroup(o: SimOrder): void {
    const root = o.parentId > 0 ? this.#orders.get(this.#key(o.clientId, o.parentId)) ?? o : o;
    const group = [...this.#orders.values()]
      .filter((x) =>
        x.clientId === o.clientId && x.status === "Held" &&
        (x === root || x === o || x.parentId === root.orderId)
      )
      .sort((a, b) => a.orderId - b.orderId);
    for (const x of group) {
      const parent = x.parentId > 0
        ? this.#orders.get(this.#key(x.clientId, x.parentId))
        : undefined;
      // A child works only once its parent has filled; until then TWS shows it PreSubmitted.
      x.status = parent !== undefined && parent.status !== "Filled" ? "PreSubmitted" : "Submitted";
      this.#announce(x);
    }
  }

  // ---- matching ----

  /** Matches the working orders of `f`'s contract against one print. */
  onTrade(f: FeedState, ts: number, price: number, size: number): void {
    if (this.#orders.size === 0) return;
    const conId = f.contract.conId;
    // Orders that work now; a child activated by a fill in this print waits for the next.
    const active = [...this.#orders.values()]
      .filter((o) => o.status === "Submitted" && o.contract.conId === conId)
      .sort((a, b) => a.permId - b.permId);
    let avail = size;
    for (const o of active) {
      if (o.status !== "Submitted") continue; // cancelled by an OCA sibling in this print
      const buy = o.action === "BUY";
      let px: number | undefined;
      if (o.orderType === "MKT") {
        px = price;
      } else if (o.orderType === "LMT") {
        const lmt = o.lmtPrice!;
        if (buy ? price <= lmt : price >= lmt) px = o.seenPrint ? lmt : price;
      } else {
        const stop = o.auxPrice!;
        if (!o.triggered && (buy ? price >= stop : price <= stop)) o.triggered = true;
        if (o.triggered) px = price;
      }
      o.seenPrint = true;
      if (px === undefined || avail <= 0) continue;
      const q = Math.min(remaining(o), avail);
      avail -= q;
      this.#fill(o, q, px, ts);
    }
  }

  #fill(o: SimOrder, q: number, px: number, ts: number): void {
    const before = o.filled;
    o.filled += q;
    o.avgFillPrice = clean((o.avgFillPrice * before + px * q) / o.filled);
    o.lastFillPrice = px;
    const realized = this.#book(o, q, px);
    const n = ++this.#execSeq;
    const e: Execution = {
      orderId: o.orderId,
      contract: o.contract,
      execId: `0000e0d5.${Math.floor(this.#sim.startWall / 1000).toString(16)}.${
        n.toString(16).padStart(2, "0")
      }.01`,
      time: formatIbDateTime(ts, this.#sim.zone),
      account: o.account,
      exchange: o.contract.exchange,
      side: o.action === "BUY" ? "BOT" : "SLD",
      shares: q,
      price: px,
      permId: o.permId,
      clientId: o.clientId,
      cumQty: o.filled,
      avgPrice: o.avgFillPrice,
      orderRef: o.orderRef,
      ts,
      commission: clean(this.#commission * q),
      currency: o.contract.currency,
      realizedPnl: realized,
      symbol: o.contract.symbol,
      secType: o.contract.secType,
    };
    this.#executions.push(e);
    if (remaining(o) === 0) o.status = "Filled";
    this.#toClient(o.clientId, (s) => {
      s.send(executionData(s.version, -1, e));
      if (o.status === "Filled") s.send(openOrder(s.version, o));
      s.send(orderStatus(this.#statusView(o)));
      s.send(commissionReport(e.execId, e.commission, e.currency, e.realizedPnl));
    });
    if (o.status !== "Filled") this.#onEvent("partial-fill");
    this.#oca(o, q);
    if (o.status === "Filled") {
      const children = [...this.#orders.values()]
        .filter((c) =>
          c.clientId === o.clientId && c.parentId === o.orderId && c.status === "PreSubmitted"
        )
        .sort((a, b) => a.orderId - b.orderId);
      if (children.length > 0) {
        this.#onEvent("parent-fill");
        for (const c of children) {
          c.status = "Submitted";
          this.#announce(c);
        }
      }
    }
  }

  /** Books a fill into the account's position; the realized P/L net of both sides' commission. */
  #book(o: SimOrder, q: number, px: number): number | undefined {
    const key = `${o.account}|${o.contract.conId}`;
    let p = this.#positions.get(key);
    if (p === undefined) {
      p = { account: o.account, contract: o.contract, qty: 0, avgPrice: 0 };
      this.#positions.set(key, p);
    }
    const signed = o.action === "BUY" ? q : -q;
    let realized: number | undefined;
    if (p.qty !== 0 && Math.sign(p.qty) !== Math.sign(signed)) {
      const closed = Math.min(Math.abs(p.qty), q);
      const perContract = (px - p.avgPrice) * Math.sign(p.qty) * o.contract.multiplier;
      realized = clean(perContract * closed - 2 * this.#commission * closed);
      const rest = p.qty + signed;
      if (Math.sign(rest) === Math.sign(p.qty) || rest === 0) {
        p.qty = rest;
        if (rest === 0) p.avgPrice = 0;
      } else {
        p.qty = rest;
        p.avgPrice = px; // reversed through zero: the rest opened at this price
      }
    } else {
      const qty = p.qty + signed;
      p.avgPrice = (p.avgPrice * Math.abs(p.qty) + px * q) / Math.abs(qty);
      p.qty = qty;
    }
    return realized;
  }

  /**
   * OCA after a fill of `q` on `o`: an explicit group of ocaType 1 (or unset) cancels the
   * others at the first fill; ocaType 2 and 3, and a bracket's children without a group,
   * reduce the others by the filled quantity and cancel those left with nothing.
   */
  #oca(o: SimOrder, q: number): void {
    const explicit = o.ocaGroup !== "";
    if (!explicit && o.parentId === 0) return;
    const siblings = [...this.#orders.values()].filter((x) =>
      x !== o && working(x) && x.clientId === o.clientId &&
      (explicit ? x.ocaGroup === o.ocaGroup : x.ocaGroup === "" && x.parentId === o.parentId)
    );
    const reduce = explicit ? o.ocaType === 2 || o.ocaType === 3 : true;
    for (const x of siblings) {
      if (!reduce) {
        this.#cancel(x, "");
        continue;
      }
      x.totalQuantity = Math.max(x.filled, x.totalQuantity - q);
      if (remaining(x) === 0) this.#cancel(x, "");
      else if (x.status !== "Held") this.#announce(x);
    }
  }

  // ---- cancelling ----

  #cancelRequest(s: Session, clientId: number, orderId: number): void {
    const o = this.#orders.get(this.#key(clientId, orderId));
    if (o === undefined) {
      return this.#reject(s, orderId, 135, `Can't find order with id = ${orderId}`);
    }
    if (!working(o)) {
      return this.#reject(
        s,
        orderId,
        161,
        `Cancel attempted when order is not in a cancellable state.  Order permId =${o.permId}`,
      );
    }
    this.#onEvent("cancel");
    this.#cancel(o, "");
  }

  /** Cancels `o` (and its unfilled children): orderStatus Cancelled and error 202. */
  #cancel(o: SimOrder, reason: string): void {
    const wasHeld = o.status === "Held";
    o.status = "Cancelled";
    if (!wasHeld) {
      this.#toClient(o.clientId, (s) => {
        s.send(orderStatus(this.#statusView(o)));
        s.send(errorMsg(s.version, o.orderId, 202, TEXT[202] + reason));
      });
    }
    for (const c of this.#orders.values()) {
      if (c.clientId === o.clientId && c.parentId === o.orderId && working(c)) {
        this.#cancel(c, reason);
      }
    }
  }

  // ---- reports ----

  #openOrders(s: Session, which: (o: SimOrder) => boolean): void {
    const list = [...this.#orders.values()]
      .filter((o) => which(o) && working(o) && o.status !== "Held")
      .sort((a, b) => a.permId - b.permId);
    for (const o of list) {
      s.send(openOrder(s.version, o));
      s.send(orderStatus(this.#statusView(o)));
    }
    s.send(openOrderEnd());
  }

  #reqExecutions(
    s: Session,
    clientId: number,
    f: Extract<OrderRequest, { kind: "reqExecutions" }>,
  ): void {
    let since = -Infinity;
    if (f.time.trim() !== "") {
      try {
        since = parseIbDateTime(f.time, this.#sim.zone);
      } catch {
        this.#sim.log.info("Client {id}: execution filter time {t} unreadable; ignored", {
          id: s.id,
          t: f.time,
        });
      }
    }
    const eq = (want: string, have: string) =>
      want === "" || want.toUpperCase() === have.toUpperCase();
    for (const e of this.#executions) {
      // A client sees its own executions; client 0 (the master) sees every client's.
      if (clientId !== 0 && e.clientId !== clientId) continue;
      if (f.clientId !== 0 && e.clientId !== f.clientId) continue;
      if (Math.floor(e.ts / 1000) * 1000 < since) continue;
      if (!eq(f.acctCode, e.account) || !eq(f.symbol, e.symbol)) continue;
      if (!eq(f.secType, e.secType) || !eq(f.exchange, e.exchange)) continue;
      if (
        f.side !== "" && !eq(f.side === "BUY" ? "BOT" : f.side === "SELL" ? "SLD" : f.side, e.side)
      ) {
        continue;
      }
      s.send(executionData(s.version, f.reqId, e));
      s.send(commissionReport(e.execId, e.commission, e.currency, e.realizedPnl));
    }
    s.send(executionDataEnd(f.reqId));
  }

  // ---- output ----

  #statusView(o: SimOrder) {
    return {
      orderId: o.orderId,
      status: o.status,
      filled: o.filled,
      remaining: remaining(o),
      avgFillPrice: o.avgFillPrice,
      permId: o.permId,
      parentId: o.parentId,
      lastFillPrice: o.lastFillPrice,
      clientId: o.clientId,
      whyHeld: "",
    };
  }

  /** openOrder then orderStatus, as TWS announces a new or changed order. */
  #announce(o: SimOrder): void {
    this.#toClient(o.clientId, (s) => {
      s.send(openOrder(s.version, o));
      s.send(orderStatus(this.#statusView(o)));
    });
  }

  /**
   * Runs `send` for the connected session of `clientId`, if any: a disconnected client
   * misses the message (its state stays here), and a frozen TWS sends nothing.
   */
  #toClient(clientId: number, send: (s: Session) => void): void {
    if (this.#sim.clock.now() < this.#sim.frozenUntil) return;
    for (const s of this.#sim.sessions) {
      if (s.started && !s.closed && s.clientId === clientId) send(s);
    }
  }
}
