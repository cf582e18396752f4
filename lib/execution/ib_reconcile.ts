/**
 * IbVenue's reconciliation with TWS, after every (re)connect: a fresh order id, the working
 * orders of the open trades adopted (by `orderRef`; never a second bracket), executions missed
 * while away reported, IB's position compared with the trades', orders TWS no longer lists
 * ended, what waited for the reconnect finished, and a position or order no trade explains
 * reported (and closed, by policy).
 *
 * @module
 */
import type { OrderClient } from "../ib/orders.ts";
import { isTerminalStatus, type OpenOrderInfo } from "../ib/orders_events.ts";
import {
  type ReconcileReport,
  roleOfOrder,
  settleUnexplained,
  type TradeOrders,
  type UnexplainedPolicy,
} from "./ib_trades.ts";
import type { OrderRole } from "./venue.ts";

/** What {@linkcode reconcileOrders} needs from the venue. */
export interface ReconcileHost {
  orders: OrderClient;
  /** The traded contract: positions and orders of others are not ours. */
  conId: number;
  timeoutMs: number;
  /** The venue's trades, by trade id. */
  trades: ReadonlyMap<string, TradeOrders>;
  /** True for an order id the venue already tracks. */
  knows(orderId: number): boolean;
  bind(t: TradeOrders, orderId: number, role: OrderRole): void;
  /** Asks for the executions since the last one seen; resolves once reported, to how many were new. */
  replay(): Promise<number>;
  /** The venue's position, signed. */
  position(): number;
  /** TWS's state is read: the venue may send again. */
  done(): void;
  /** An order of ours that TWS no longer lists. */
  gone(orderId: number): void;
  /** Finishes what waited for the reconnect for `t`; true when its exits were placed again. */
  resume(t: TradeOrders): boolean;
  unexplained: UnexplainedPolicy;
  log(line: string): void;
}

/** Reconciles the venue `h` with TWS; rejects when a request got no answer in time. */
export async function reconcileOrders(h: ReconcileHost): Promise<ReconcileReport> {
  const { orders, timeoutMs: ms } = h;
  const report: ReconcileReport = {
    adopted: 0,
    replayed: 0,
    unexplainedQty: 0,
    strayOrders: 0,
    reprotected: false,
  };
  await orders.refreshIds(ms);
  const open = await orders.openOrders(ms);
  const stray: OpenOrderInfo[] = [];
  for (const info of open) {
    if (isTerminalStatus(info.status) || info.conId !== h.conId) continue;
    const t = h.trades.get(info.tradeId);
    if (t === undefined || t.ended) {
      stray.push(info);
      continue;
    }
    if (h.knows(info.orderId)) continue;
    orders.adopt(info);
    const role = roleOfOrder(t, info);
    h.bind(t, info.orderId, role);
    if (role === "stop") t.sentStop = info.auxPrice;
    if (role === "target") t.sentTarget = info.lmtPrice;
    report.adopted++;
  }
  report.replayed = await h.replay();
  const positions = (await orders.positions(ms)).filter((p) => p.conId === h.conId);
  const ib = positions.reduce((s, p) => s + p.qty, 0);
  report.unexplainedQty = ib - h.position();
  report.strayOrders = stray.length;
  h.done();
  // Orders of ours TWS no longer lists ended while we were away (filled: replayed above).
  const listed = new Set(open.map((x) => x.orderId));
  for (const t of [...h.trades.values()]) {
    for (const id of [t.entryId, t.stopId, t.targetId, ...t.flattenIds]) {
      if (id !== undefined && !listed.has(id) && !t.dead.has(id)) h.gone(id);
    }
  }
  for (const t of [...h.trades.values()]) {
    if (!t.ended) report.reprotected = h.resume(t) || report.reprotected;
  }
  settleUnexplained(report.unexplainedQty, stray, {
    policy: h.unexplained,
    orders,
    log: h.log,
  });
  h.log(
    `[orders] reconciled: ${report.adopted} order(s) adopted, ${report.replayed} missed ` +
      `execution(s), position ${ib} at IB vs ${h.position()} journaled`,
  );
  return report;
}
