/**
 * The IB order client: places, modifies and cancels orders over the adapter's `IBApi`, and
 * turns openOrder, orderStatus, execDetails, commissionReport and order errors into one
 * ordered stream of typed {@linkcode OrderEvent}s. It also answers the reconciliation
 * requests (open orders, positions, executions since a time).
 *
 * Order ids come from NEXT_VALID_ID (sent by TWS at every handshake, and after `reqIds`).
 * Nothing is sent while the socket is down: the library would queue the message and send it
 * after the next handshake, an order nobody decided on any more.
 *
 * @module
 */
import { EventName, type IBApi, type Order, OrderAction } from "@stoqey/ib";
import { formatIbUtc } from "./adapter.ts";
import { maskAccounts } from "./mask.ts";
import {
  bracketFault,
  type BracketIds,
  type BracketOrders,
  bracketOrders,
  type BracketSpec,
  closingOrder,
  gridFault,
  modifiedOrder,
  OCA_REDUCE,
  type TradeSide,
} from "./orders_build.ts";
import {
  decodeCommission,
  decodeExecution,
  decodeOpenOrder,
  decodeOrderStatus,
  decodePosition,
  type ExecutionInfo,
  type OpenOrderInfo,
  type OrderCodeKind,
  orderCodeKind,
  type OrderStatusInfo,
  type PositionInfo,
} from "./orders_events.ts";

/** The contract orders are placed on. */
export interface OrderContract {
  conId: number;
  exchange: string;
  /** Minimum tick: every price is checked against it (IB rejects others with 110). */
  tickSize: number;
}

/** Settings of {@linkcode OrderClient}. */
export interface OrderClientOptions {
  contract: OrderContract;
  /** TWS's time zone, for execution times sent without one. Default `UTC`. */
  timeZone?: string;
  /** Account for new orders (a managed account); TWS's default when absent. */
  account?: string;
  /**
   * How long an execution waits for its commission report before it is reported without
   * one (NaN). Default 2000 ms. Later events wait behind it, so the stream stays in order.
   */
  commissionWaitMs?: number;
}

/** One event of an order's life, in the order TWS reported it. */
export type OrderEvent =
  /** TWS acknowledged or echoed an order (openOrder). */
  | { kind: "open"; order: OpenOrderInfo }
  /** An order's status, filled or remaining quantity changed. */
  | { kind: "status"; status: OrderStatusInfo; tradeId: string }
  /** A new execution (never twice for one exec id), with its commission when known. */
  | { kind: "fill"; exec: ExecutionInfo; commission: number; currency: string }
  /** A commission that came after its fill was reported. */
  | { kind: "commission"; execId: string; tradeId: string; commission: number }
  /** An IB error on an order: a reject, a cancel (202), a refused cancel or modify. */
  | {
    kind: "error";
    orderId: number;
    tradeId: string;
    code: number;
    text: string;
    meaning: OrderCodeKind;
  };

/** A request the client cannot send. */
export class OrderClientError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "OrderClientError";
  }
}

/** What the client knows of one order. */
interface Tracked {
  order: Order;
  tradeId: string;
  status: string;
  filled: number;
  remaining: number;
}

type Queued = OrderEvent | { kind: "held"; exec: ExecutionInfo };

/** Request ids for executions: far above the adapter's (1000+) and any order id. */
const EXEC_REQ_BASE = 1_900_000_000;

/**
 * Orders on one contract over one `IBApi`. Create it once per adapter; it survives
 * reconnects (listeners stay on the `IBApi`).
 */
export class OrderClient {
  #api: IBApi;
  #o: OrderClientOptions;
  #zone: string;
  #onEvent: (e: OrderEvent) => void;
  #nextId = NaN;
  #idWaiters: Array<(id: number) => void> = [];
  #orders = new Map<number, Tracked>();
  #execs = new Set<string>();
  #commissions = new Map<string, { commission: number; currency: string }>();
  /** Fills reported without a commission: exec id -> trade id. */
  #late = new Map<string, string>();
  #queue: Queued[] = [];
  #holdTimer: ReturnType<typeof setTimeout> | undefined;
  #execReq = EXEC_REQ_BASE;
  #collect: {
    open?: OpenOrderInfo[] | undefined;
    positions?: PositionInfo[] | undefined;
    execs: Map<number, ExecutionInfo[]>;
  } = { execs: new Map() };
  #done: {
    open?: (() => void) | undefined;
    positions?: (() => void) | undefined;
    execs: Map<number, () => void>;
  } = {
    execs: new Map(),
  };
  #settledWaiters: Array<() => void> = [];
  #listeners: Array<[string, (...a: never[]) => void]> = [];

  /** Attaches to `api`; `onEvent` (or a later `listen`) gets every order event, in order. */
  constructor(api: IBApi, options: OrderClientOptions, onEvent?: (e: OrderEvent) => void) {
    this.#api = api;
    this.#o = options;
    this.#zone = options.timeZone ?? "UTC";
    this.#onEvent = onEvent ?? (() => {});
    this.#wire();
    // Created after the handshake (the runner resolves the contract first): ask for an id.
    if (api.isConnected) api.reqIds(1);
  }

  /** Sets the one receiver of order events (replaces the earlier one). */
  listen(onEvent: (e: OrderEvent) => void): void {
    this.#onEvent = onEvent;
  }

  /** True when an order can be sent: connected, with an order id from TWS. */
  get ready(): boolean {
    return Number.isFinite(this.#nextId) && this.#api.isConnected;
  }

  /** True when `id` is an order this client sent or adopted (its IB errors are order errors). */
  owns(id: number): boolean {
    return this.#orders.has(id);
  }

  /** The order sent or seen under `orderId`, if any (a copy). */
  order(orderId: number): Order | undefined {
    const t = this.#orders.get(orderId);
    return t === undefined ? undefined : { ...t.order };
  }

  /** Marks executions already journaled, so that a replay of them is not a new fill. */
  markKnownExecutions(execIds: Iterable<string>): void {
    for (const id of execIds) this.#execs.add(id);
  }

  /** Asks TWS for a fresh order id (`reqIds`); resolves when NEXT_VALID_ID answers. */
  refreshIds(timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#idWaiters = this.#idWaiters.filter((w) => w !== done);
        reject(new OrderClientError(`No NEXT_VALID_ID in ${timeoutMs} ms after reqIds`));
      }, timeoutMs);
      const done = (id: number) => {
        clearTimeout(timer);
        resolve(id);
      };
      this.#idWaiters.push(done);
      this.#api.reqIds(1);
    });
  }

  /**
   * Sends a bracket: parent, take-profit, stop (transmit false, false, true). Returns the
   * three ids. Throws {@linkcode OrderClientError} before sending anything when not
   * connected or when a price, side or quantity is wrong.
   */
  placeBracket(spec: BracketSpec): BracketIds {
    this.#assertReady("place a bracket");
    const fault = bracketFault(spec, this.#o.contract.tickSize);
    if (fault !== undefined) throw new OrderClientError(fault);
    const ids = { parent: this.#takeId(), target: this.#takeId(), stop: this.#takeId() };
    const withAccount = this.#o.account === undefined
      ? spec
      : { ...spec, account: this.#o.account };
    const orders: BracketOrders = bracketOrders(withAccount, ids, this.#o.contract.tickSize);
    for (const o of [orders.parent, orders.target, orders.stop]) this.#send(o, spec.tradeId);
    return ids;
  }

  /**
   * Protects an open position that has no working exits (a bracket whose children were
   * lost): a take-profit LMT and a stop STP in the trade's OCA group, no parent. Returns
   * their ids.
   */
  placeExits(
    tradeId: string,
    side: TradeSide,
    qty: number,
    levels: { stop: number; target: number },
  ): { target: number; stop: number } {
    this.#assertReady("place exits");
    const spec: BracketSpec = { tradeId, side, qty, entry: { type: "MKT" }, ...levels };
    if (this.#o.account !== undefined) spec.account = this.#o.account;
    const fault = bracketFault(spec, this.#o.contract.tickSize);
    if (fault !== undefined) throw new OrderClientError(fault);
    const ids = { parent: 0, target: this.#takeId(), stop: this.#takeId() };
    const b = bracketOrders(spec, ids, this.#o.contract.tickSize);
    for (const o of [b.target, b.stop]) {
      delete o.parentId;
      o.transmit = true;
      this.#send(o, tradeId);
    }
    return { target: ids.target, stop: ids.stop };
  }

  /**
   * Resolves once every event received so far has been reported (no execution is still
   * waiting for its commission).
   */
  settled(): Promise<void> {
    if (this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#settledWaiters.push(resolve));
  }

  /** Sends a market order closing `qty` contracts of a `side` position; returns its id. */
  placeClose(side: TradeSide, qty: number, tradeId: string): number {
    this.#assertReady("flatten");
    if (!Number.isInteger(qty) || qty <= 0) {
      throw new OrderClientError(
        `close ${tradeId}: quantity ${qty} is not a positive whole number`,
      );
    }
    const id = this.#takeId();
    this.#send(closingOrder(side, qty, tradeId, id, this.#o.account), tradeId);
    return id;
  }

  /**
   * Modifies a working order: a new stop or limit price, or a new quantity (placeOrder with
   * the same id). Throws when not connected, unknown, or the price is off the grid.
   */
  modify(orderId: number, change: { price?: number; qty?: number }): void {
    this.#assertReady("modify an order");
    const t = this.#orders.get(orderId);
    if (t === undefined) throw new OrderClientError(`modify: no order ${orderId}`);
    if (change.price !== undefined) {
      const f = gridFault(change.price, this.#o.contract.tickSize);
      if (f !== undefined) throw new OrderClientError(`modify order ${orderId}: ${f}`);
    }
    this.#send(modifiedOrder(t.order, change, this.#o.contract.tickSize), t.tradeId);
  }

  /** Cancels an order. Throws when not connected. */
  cancel(orderId: number): void {
    this.#assertReady("cancel an order");
    this.#api.cancelOrder(orderId, "");
  }

  /**
   * Takes over an order TWS reported (restart, reconnect): later modifies start from it.
   * Its OCA settings are kept as reported.
   */
  adopt(info: OpenOrderInfo): void {
    const order: Order = {
      orderId: info.orderId,
      action: info.action === "BUY" ? OrderAction.BUY : OrderAction.SELL,
      totalQuantity: info.qty,
      orderType: info.orderType as Order["orderType"],
      orderRef: info.tradeId,
      tif: "GTC",
      transmit: true,
    };
    if (Number.isFinite(info.lmtPrice)) order.lmtPrice = info.lmtPrice;
    if (Number.isFinite(info.auxPrice)) order.auxPrice = info.auxPrice;
    if (info.parentId !== 0) order.parentId = info.parentId;
    if (info.ocaGroup !== "") {
      order.ocaGroup = info.ocaGroup;
      order.ocaType = OCA_REDUCE;
    }
    if (info.account !== "") order.account = info.account;
    const old = this.#orders.get(info.orderId);
    this.#orders.set(info.orderId, {
      order,
      tradeId: info.tradeId,
      status: info.status,
      filled: old?.filled ?? 0,
      remaining: old?.remaining ?? info.qty,
    });
    if (!(this.#nextId > info.orderId)) this.#nextId = info.orderId + 1;
  }

  /** This client's open orders (reqOpenOrders), as TWS lists them. */
  openOrders(timeoutMs: number): Promise<OpenOrderInfo[]> {
    this.#assertReady("list open orders");
    return this.#gather("open orders", timeoutMs, (resolve) => {
      this.#collect.open = [];
      this.#done.open = () => {
        const list = this.#collect.open ?? [];
        this.#collect.open = undefined;
        this.#done.open = undefined;
        resolve(list);
      };
      this.#api.reqOpenOrders();
    }, () => {
      this.#collect.open = undefined;
      this.#done.open = undefined;
    });
  }

  /** Every position of the managed accounts (reqPositions, then cancelPositions). */
  positions(timeoutMs: number): Promise<PositionInfo[]> {
    this.#assertReady("list positions");
    return this.#gather("positions", timeoutMs, (resolve) => {
      this.#collect.positions = [];
      this.#done.positions = () => {
        const list = this.#collect.positions ?? [];
        this.#collect.positions = undefined;
        this.#done.positions = undefined;
        this.#api.cancelPositions();
        resolve(list);
      };
      this.#api.reqPositions();
    }, () => {
      this.#collect.positions = undefined;
      this.#done.positions = undefined;
    });
  }

  /**
   * Executions since `sinceMs` (reqExecutions with a time filter). Those not seen before
   * also come out as `fill` events, in order, so a caller journals them from the stream.
   */
  executions(sinceMs: number, timeoutMs: number): Promise<ExecutionInfo[]> {
    this.#assertReady("list executions");
    const reqId = this.#execReq++;
    return this.#gather("executions", timeoutMs, (resolve) => {
      this.#collect.execs.set(reqId, []);
      this.#done.execs.set(reqId, () => {
        const list = this.#collect.execs.get(reqId) ?? [];
        this.#collect.execs.delete(reqId);
        this.#done.execs.delete(reqId);
        resolve(list);
      });
      const filter = Number.isFinite(sinceMs) ? { time: formatIbUtc(sinceMs) } : {};
      this.#api.reqExecutions(reqId, filter);
    }, () => {
      this.#collect.execs.delete(reqId);
      this.#done.execs.delete(reqId);
    });
  }

  /** Removes the client's listeners and timers. */
  dispose(): void {
    for (const [name, fn] of this.#listeners) this.#api.off(name as never, fn as never);
    this.#listeners = [];
    if (this.#holdTimer !== undefined) clearTimeout(this.#holdTimer);
    this.#holdTimer = undefined;
  }

  #gather<T>(
    what: string,
    timeoutMs: number,
    start: (resolve: (v: T) => void) => void,
    abandon: () => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        abandon();
        reject(new OrderClientError(`No end of ${what} from TWS in ${timeoutMs} ms`));
      }, timeoutMs);
      start((v) => {
        clearTimeout(timer);
        resolve(v);
      });
    });
  }

  #assertReady(what: string): void {
    if (!this.ready) throw new OrderClientError(`Cannot ${what}: not connected to TWS`);
  }

  #takeId(): number {
    return this.#nextId++;
  }

  #send(order: Order, tradeId: string): void {
    const id = order.orderId!;
    const old = this.#orders.get(id);
    this.#orders.set(id, {
      order,
      tradeId,
      status: old?.status ?? "",
      filled: old?.filled ?? 0,
      remaining: old?.remaining ?? order.totalQuantity ?? 0,
    });
    const c = this.#o.contract;
    this.#api.placeOrder(id, { conId: c.conId, exchange: c.exchange }, order);
  }

  #on(name: string, fn: (...a: never[]) => void): void {
    this.#api.on(name as never, fn as never);
    this.#listeners.push([name, fn]);
  }

  #wire(): void {
    this.#on(EventName.nextValidId, (id: number) => {
      if (Number.isInteger(id) && !(this.#nextId >= id)) this.#nextId = id;
      const w = this.#idWaiters;
      this.#idWaiters = [];
      for (const f of w) f(this.#nextId);
    });
    this.#on(EventName.disconnected, () => {
      // A fresh id comes with the next handshake; until then nothing can be sent.
      this.#nextId = NaN;
    });
    this.#on(EventName.openOrder, (...a: never[]) => {
      const [orderId, contract, order, state] = a as unknown as Parameters<
        typeof decodeOpenOrder
      >;
      const info = decodeOpenOrder(orderId, contract ?? {}, order ?? ({} as Order), state);
      this.#collect.open?.push(info);
      // Status is tracked from orderStatus only: TWS follows every openOrder with one.
      this.#push({ kind: "open", order: info });
    });
    this.#on(EventName.openOrderEnd, () => this.#done.open?.());
    this.#on(EventName.orderStatus, (...a: never[]) => {
      const s = decodeOrderStatus(...(a as unknown as Parameters<typeof decodeOrderStatus>));
      const t = this.#orders.get(s.orderId);
      // TWS repeats statuses; only a change is news.
      if (t !== undefined) {
        if (t.status === s.status && t.filled === s.filled && t.remaining === s.remaining) {
          return;
        }
        t.status = s.status;
        t.filled = s.filled;
        t.remaining = s.remaining;
      }
      this.#push({ kind: "status", status: s, tradeId: t?.tradeId ?? "" });
    });
    this.#on(EventName.execDetails, (...a: never[]) => {
      const [reqId, contract, exec] = a as unknown as [
        number,
        Parameters<typeof decodeExecution>[0],
        Parameters<typeof decodeExecution>[1],
      ];
      const e = decodeExecution(contract ?? {}, exec ?? {}, this.#zone);
      if (e.conId !== this.#o.contract.conId && e.conId !== 0) return;
      const list = this.#collect.execs.get(reqId);
      if (list !== undefined) list.push(e);
      if (e.execId === "" || this.#execs.has(e.execId)) return;
      this.#execs.add(e.execId);
      this.#push({ kind: "held", exec: e });
    });
    this.#on(EventName.execDetailsEnd, (reqId: number) => this.#done.execs.get(reqId)?.());
    this.#on(EventName.commissionReport, (...a: never[]) => {
      const c = decodeCommission(
        (a as unknown as [Parameters<typeof decodeCommission>[0]])[0] ?? {},
      );
      if (c.execId === "") return;
      const i = this.#queue.findIndex((q) => q.kind === "held" && q.exec.execId === c.execId);
      if (i >= 0) {
        const h = this.#queue[i] as { kind: "held"; exec: ExecutionInfo };
        this.#queue[i] = {
          kind: "fill",
          exec: h.exec,
          commission: c.commission,
          currency: c.currency,
        };
        this.#flush();
        return;
      }
      const late = this.#late.get(c.execId);
      if (late !== undefined) {
        this.#late.delete(c.execId);
        this.#push({
          kind: "commission",
          execId: c.execId,
          tradeId: late,
          commission: c.commission,
        });
        return;
      }
      // Before its execution, or for one already journaled (a replay): kept for the first.
      this.#commissions.set(c.execId, { commission: c.commission, currency: c.currency });
    });
    this.#on(EventName.position, (...a: never[]) => {
      const p = decodePosition(...(a as unknown as Parameters<typeof decodePosition>));
      this.#collect.positions?.push(p);
    });
    this.#on(EventName.positionEnd, () => this.#done.positions?.());
    this.#on(EventName.error, (...a: never[]) => {
      const [err, code, reqId] = a as unknown as [Error | undefined, number, number];
      const t = this.#orders.get(reqId);
      if (t === undefined || !Number.isInteger(code)) return;
      const meaning = orderCodeKind(code);
      if (meaning === "rejected" || meaning === "cancelled") {
        t.status = meaning === "rejected" ? "Rejected" : "Cancelled";
      }
      this.#push({
        kind: "error",
        orderId: reqId,
        tradeId: t.tradeId,
        code,
        // The text becomes a CANCEL reason in the journal: no account id in it.
        text: maskAccounts(String(err?.message ?? err ?? "")),
        meaning,
      });
    });
  }

  #push(e: Queued): void {
    this.#queue.push(e);
    this.#flush();
  }

  /** Emits queued events up to the first execution still waiting for its commission. */
  #flush(): void {
    while (this.#queue.length > 0) {
      const head = this.#queue[0]!;
      if (head.kind === "held") {
        const c = this.#commissions.get(head.exec.execId);
        if (c === undefined) {
          this.#armHold();
          return;
        }
        this.#queue[0] = { kind: "fill", exec: head.exec, ...c };
        continue;
      }
      this.#queue.shift();
      if (head.kind === "fill") {
        this.#commissions.delete(head.exec.execId);
        if (Number.isNaN(head.commission)) this.#late.set(head.exec.execId, head.exec.tradeId);
      }
      this.#onEvent(head);
    }
    if (this.#holdTimer !== undefined) clearTimeout(this.#holdTimer);
    this.#holdTimer = undefined;
    const w = this.#settledWaiters;
    this.#settledWaiters = [];
    for (const f of w) f();
  }

  #armHold(): void {
    if (this.#holdTimer !== undefined) return;
    this.#holdTimer = setTimeout(() => {
      this.#holdTimer = undefined;
      const head = this.#queue[0];
      if (head?.kind === "held") {
        this.#queue[0] = { kind: "fill", exec: head.exec, commission: NaN, currency: "" };
      }
      this.#flush();
    }, this.#o.commissionWaitMs ?? 2000);
  }
}
