/**
 * A scripted stand-in for `IBApi` for order tests that need no socket: it records what is
 * sent and lets a test say what TWS answers (statuses, executions, errors), in IB's message
 * order. The simulator tests (ib_venue_test.ts) use the real client over TCP instead.
 */
import { EventEmitter } from "node:events";
import { EventName, type IBApi, type Order } from "@stoqey/ib";
import { OrderClient, type OrderEvent } from "../lib/ib/orders.ts";

/** Contract id the fake trades. */
export const CON_ID = 42;

/** The stand-in. */
export class FakeTws extends EventEmitter {
  sent: Array<{ id: number; order: Order }> = [];
  cancelled: number[] = [];
  connected = true;
  nextId = 1;
  openOrders: Array<{ id: number; order: Order; status: string }> = [];
  positions: Array<{ account: string; qty: number }> = [];
  executions: Array<Record<string, unknown>> = [];
  #exec = 0;

  get isConnected(): boolean {
    return this.connected;
  }
  placeOrder(id: number, _c: unknown, order: Order): this {
    this.sent.push({ id, order: { ...order } });
    return this;
  }
  cancelOrder(id: number): this {
    this.cancelled.push(id);
    return this;
  }
  reqIds(): this {
    queueMicrotask(() => this.emit(EventName.nextValidId, this.nextId));
    return this;
  }
  reqOpenOrders(): this {
    queueMicrotask(() => {
      for (const o of this.openOrders) {
        this.emit(EventName.openOrder, o.id, { conId: CON_ID }, o.order, { status: o.status });
      }
      this.emit(EventName.openOrderEnd);
    });
    return this;
  }
  reqPositions(): this {
    queueMicrotask(() => {
      for (const p of this.positions) {
        this.emit(EventName.position, p.account, { conId: CON_ID, symbol: "MES" }, p.qty, 0);
      }
      this.emit(EventName.positionEnd);
    });
    return this;
  }
  cancelPositions(): this {
    return this;
  }
  reqExecutions(reqId: number): this {
    queueMicrotask(() => {
      for (const x of this.executions) {
        this.emit(EventName.execDetails, reqId, { conId: CON_ID }, x);
        this.emit(EventName.commissionReport, {
          execId: x.execId,
          commission: 0.62,
          currency: "USD",
        });
      }
      this.emit(EventName.execDetailsEnd, reqId);
    });
    return this;
  }

  /** The handshake's order id. */
  ready(id = 1): void {
    this.nextId = id;
    this.connected = true;
    this.emit(EventName.nextValidId, id);
  }

  /** The socket dropped. */
  drop(): void {
    this.connected = false;
    this.emit(EventName.disconnected);
  }

  /** The last order sent under `id`. */
  last(id: number): Order | undefined {
    return this.sent.findLast((s) => s.id === id)?.order;
  }

  /** TWS's messages for an execution of `qty` at `price` on order `id` (commission 0.62/contract). */
  fill(
    id: number,
    qty: number,
    price: number,
    opts: { filled: number; remaining: number; time?: string },
  ): string {
    const o = this.last(id)!;
    const execId = `x${++this.#exec}`;
    const exec = {
      orderId: id,
      execId,
      time: opts.time ?? "20250715-14:00:00",
      side: o.action === "BUY" ? "BOT" : "SLD",
      shares: qty,
      price,
      cumQty: opts.filled,
      avgPrice: price,
      orderRef: o.orderRef,
    };
    this.executions.push(exec);
    this.emit(EventName.execDetails, -1, { conId: CON_ID }, exec);
    const status = opts.remaining === 0 ? "Filled" : "Submitted";
    this.emit(
      EventName.orderStatus,
      id,
      status,
      opts.filled,
      opts.remaining,
      price,
      0,
      o.parentId ?? 0,
      price,
      0,
      "",
    );
    this.emit(EventName.commissionReport, { execId, commission: 0.62 * qty, currency: "USD" });
    return execId;
  }

  /**
   * Only the execDetails and commissionReport of an execution (for a test that sends the
   * orderStatus first: IB does not promise their order).
   */
  execution(
    id: number,
    qty: number,
    price: number,
    cumQty: number,
    opts: { commission?: boolean } = {},
  ): string {
    const o = this.last(id)!;
    const execId = `x${++this.#exec}`;
    const exec = {
      orderId: id,
      execId,
      time: "20250715-14:00:00",
      side: o.action === "BUY" ? "BOT" : "SLD",
      shares: qty,
      price,
      cumQty,
      avgPrice: price,
      orderRef: o.orderRef,
    };
    this.executions.push(exec);
    this.emit(EventName.execDetails, -1, { conId: CON_ID }, exec);
    if (opts.commission !== false) this.commission(execId, 0.62 * qty);
    return execId;
  }

  /** The commissionReport of execution `execId` (a late one, when sent on its own). */
  commission(execId: string, commission: number): void {
    this.emit(EventName.commissionReport, { execId, commission, currency: "USD" });
  }

  /** An order's status (Submitted, Cancelled...). */
  status(id: number, status: string, filled: number, remaining: number): void {
    this.emit(EventName.orderStatus, id, status, filled, remaining, 0, 0, 0, 0, 0, "");
  }

  /** An error on an order id. */
  error(id: number, code: number, text: string): void {
    this.emit(EventName.error, new Error(text), code, id);
  }

  /** This stand-in as the client's `IBApi`. */
  get api(): IBApi {
    return this as unknown as IBApi;
  }
}

/** An order client on the fake, its events forwarded to `onEvent`. */
export function fakeClient(tws: FakeTws, onEvent: (e: OrderEvent) => void): OrderClient {
  return new OrderClient(
    tws.api,
    { contract: { conId: CON_ID, exchange: "CME", tickSize: 0.25 }, commissionWaitMs: 50 },
    onEvent,
  );
}
