/**
 * `IbVenue`: the engine's orders as real IB orders, through the order client
 * (lib/ib/orders.ts). One trade is one bracket (parent entry, take-profit LMT, stop STP, one
 * OCA group, `orderRef` = trade id); a manager's stop or target move modifies the working
 * child (placeOrder with the same id). Executions come back as `fill` events with IB's exec
 * id and commission; rejects with IB's code.
 *
 * Rules it keeps:
 * - An entry is sent only after the journal says the ENTRY line is on disk (`durable`).
 * - Nothing is sent while disconnected: an entry is rejected at once (the trade never
 *   opens); moves, cancels and flattens wait for the reconnect and are then applied.
 * - After every (re)connect, `reconcile`: working orders of the open trade are adopted (never
 *   a second bracket), executions missed while down are reported as fills, and a position or
 *   order that no trade explains is reported and, by config, left alone or closed.
 * - A flatten first cancels the exits and closes the position only once they are confirmed
 *   dead, so that a stop filling at the same moment can never reverse the position.
 * - Safety: a maximum position, and `halt` (kill switch, daily loss limit): everything is
 *   cancelled, the position closed, and every later entry rejected.
 *
 * @module
 */
import { type OrderClient, OrderClientError, type OrderEvent } from "../ib/orders.ts";
import type { ExecutionInfo } from "../ib/orders_events.ts";
import { Bookings } from "./ib_bookings.ts";
import { IbEntries } from "./ib_entries.ts";
import { reconcileOrders } from "./ib_reconcile.ts";
import {
  bare,
  heldQty,
  type IbVenueOptions,
  idOf,
  inferRole,
  newTrade,
  openQty,
  protectPosition,
  type ReconcileReport,
  signed,
  syncExits,
  type TradeOrders,
  type UnexplainedPolicy,
} from "./ib_trades.ts";
import { isTerminalStatus } from "../ib/orders_events.ts";
import type {
  AdoptedTrade,
  EntryOrder,
  ExitChange,
  FlattenOrder,
  OrderRole,
  Venue,
  VenueEvent,
  VenueListener,
} from "./venue.ts";

export type { IbVenueOptions, ReconcileReport, UnexplainedPolicy };

/** Real orders on IB behind the {@linkcode Venue} interface. */
export class IbVenue implements Venue {
  readonly name = "ib";
  #o: IbVenueOptions;
  #orders: OrderClient;
  #listener: VenueListener = () => {};
  #trades = new Map<string, TradeOrders>();
  #byId = new Map<number, { tradeId: string; role: OrderRole }>();
  #log: (line: string) => void;
  #halted: string | undefined;
  /** Entries are refused until this time (a daily loss limit), epoch ms. */
  #haltedUntil = -Infinity;
  #reconciling = false;
  /** A reconciliation has completed since the start (before it, entries wait). */
  #reconciled: boolean;
  /** Events to the trade manager, a fill held while its commission is late. */
  #bookings: Bookings;
  /** Entry gate, held entries, bracket sending. */
  #entries: IbEntries;
  /** Executions are asked for from here on at a reconciliation: the last one seen. */
  #execSince: number;
  /** Fills reported during reconciliations (missed while disconnected). */
  #replayed = 0;

  /** Creates the venue; it becomes the order client's one listener. */
  constructor(options: IbVenueOptions) {
    this.#o = options;
    this.#orders = options.orders;
    this.#log = options.log ?? (() => {});
    this.#execSince = options.execSince ?? NaN;
    this.#reconciled = options.reconciled ?? false;
    this.#bookings = new Bookings(
      (e) => this.#listener(e),
      options.bookingWaitMs ?? 30_000,
      (line) => this.#log(line),
    );
    this.#entries = new IbEntries({
      options,
      orders: this.#orders,
      trades: this.#trades,
      halted: () => this.halted,
      position: () => this.position,
      waiting: () => !this.#reconciled || this.#reconciling,
      bind: (t, id, role) => this.#bind(t, id, role),
      emit: (e) => this.#emit(e),
      cancelEvent: (tradeId, role, qty) => this.#cancelEvent(tradeId, role, qty),
      log: (line) => this.#log(line),
    });
    this.#orders.listen((e) => this.handle(e));
    if (options.knownExecIds !== undefined) this.#orders.markKnownExecutions(options.knownExecIds);
  }

  /** Why entries are refused now (kill switch, loss limit), if they are. */
  get halted(): string | undefined {
    if (this.#halted !== undefined && this.#o.clock() >= this.#haltedUntil) {
      this.#halted = undefined;
    }
    return this.#halted;
  }

  /** True while a trade has a position or a working order. */
  get busy(): boolean {
    for (const t of this.#trades.values()) if (!t.ended) return true;
    return false;
  }

  /** Contracts held by this venue's open trades, signed (+ long). */
  get position(): number {
    let n = 0;
    for (const t of this.#trades.values()) n += signed(t.side, heldQty(t));
    return n;
  }

  listen(listener: VenueListener): void {
    this.#listener = listener;
  }

  /** Why an entry signalled at `time` is not to be journaled at all (logged here once). */
  refusesEntry(time: number): string | undefined {
    const why = this.#entries.screen(time);
    if (why !== undefined) {
      this.#log(`[orders] signal at ${new Date(time).toISOString()} not traded: ${why}`);
    }
    return why;
  }

  placeEntry(order: EntryOrder): void {
    this.#entries.place(order);
  }

  modifyExits(tradeId: string, change: ExitChange): void {
    this.#entries.modify(tradeId, change);
    const t = this.#trades.get(tradeId);
    if (t === undefined) return;
    if (change.stop !== undefined) t.stop = change.stop;
    if (change.target !== undefined) t.target = change.target;
    if ("targetQty" in change) t.targetQty = change.targetQty;
    this.#syncExits(t);
  }

  cancel(tradeId: string, role: OrderRole, _time: number): void {
    if (role === "entry" && this.#entries.drop(tradeId)) return;
    const t = this.#trades.get(tradeId);
    if (t === undefined) return;
    if (role === "entry" && t.entryId === undefined && !t.ended) {
      // Still waiting for the journal: it will not be sent (#sendBracket reports the cancel).
      t.closing = { time: this.#o.clock() };
      return;
    }
    const id = idOf(t, role);
    if (id === undefined || t.dead.has(id)) return;
    t.cancelling.add(id);
    this.#tryCancel(id);
  }

  flatten(order: FlattenOrder): void {
    if (this.#entries.drop(order.tradeId)) return;
    const t = this.#trades.get(order.tradeId);
    if (t === undefined || t.ended) return;
    t.closing = { time: order.time };
    this.#advanceClose(t);
  }

  adopt(trade: AdoptedTrade): void {
    // Its levels were sent by the run before: what IB holds is read at the reconciliation.
    const t = newTrade(trade.tradeId, trade.side, trade.ordered, trade.filled, {
      stop: trade.stop,
      target: trade.target,
      sent: false,
    });
    this.#trades.set(t.tradeId, t);
    this.#log(
      `[orders] trade ${t.tradeId} (${t.side} ${t.entryFilled}/${t.ordered}) taken over from the journal: ` +
        "its IB orders are adopted at the next reconciliation",
    );
  }

  /**
   * Kill switch and daily loss limit: refuses entries until `until` (default: for good),
   * cancels the working orders and closes the open position of every trade (each a `flatten`
   * fill).
   */
  halt(reason: string, until = Infinity): void {
    const before = this.halted === undefined ? -Infinity : this.#haltedUntil;
    if (until >= before) {
      this.#halted = reason;
      this.#haltedUntil = until;
    }
    this.#log(`[orders] HALT (${reason}): cancelling every order and closing the position`);
    this.closeAll("HALT");
  }

  /** Cancels the working orders and closes the position of every trade (`reason` on cancels). */
  closeAll(reason: string): void {
    const now = this.#o.clock();
    for (const t of this.#trades.values()) {
      if (t.ended) continue;
      t.closing ??= { time: now, reason };
      this.#advanceClose(t);
    }
  }

  /** Acts on one order-client event (the client calls it; public for tests). */
  handle(e: OrderEvent): void {
    switch (e.kind) {
      case "fill":
        this.#onFill(e.exec, e.commission);
        break;
      case "status": {
        const s = e.status;
        this.#noteStatusFill(s.orderId, s.filled);
        if (isTerminalStatus(s.status) && s.status !== "Filled") {
          this.#onDead(s.orderId, s.remaining, s.status === "Inactive" ? "INACTIVE" : undefined);
        } else if (s.status === "Filled") this.#markDead(s.orderId);
        else if (s.status === "Submitted" || s.status === "PreSubmitted") {
          this.#onWorking(s.orderId);
        }
        break;
      }
      case "error":
        this.#onError(e.orderId, e.code, e.text, e.meaning);
        break;
      case "commission":
        if (!this.#bookings.commission(e.execId, e.commission)) {
          this.#log(
            `[orders] commission ${e.commission} for execution ${e.execId} came after its fill ` +
              "was booked at the configured rate: the journal keeps that one",
          );
        }
        break;
      case "open":
        break;
    }
  }

  /**
   * After every (re)connect: fresh order ids, the open trades' working orders adopted,
   * missed executions reported, positions compared. Entries wait while it runs, and are sent
   * after it (refused when it failed).
   */
  async reconcile(): Promise<ReconcileReport> {
    this.#reconciling = true;
    try {
      const report = await reconcileOrders({
        orders: this.#orders,
        conId: this.#o.conId,
        timeoutMs: this.#o.requestTimeoutMs ?? 10_000,
        trades: this.#trades,
        knows: (id) => this.#byId.has(id),
        bind: (t, id, role) => {
          this.#bind(t, id, role);
          // Its fills before the restart are in the journal: statuses count from here on.
          (t.statusBase ??= new Map()).set(id, NaN);
        },
        replay: async () => {
          const before = this.#replayed;
          await this.#orders.executions(this.#execSince, this.#o.requestTimeoutMs ?? 10_000);
          await this.#orders.settled();
          return this.#replayed - before;
        },
        position: () => this.position,
        done: () => this.#reconciling = false,
        gone: (id) => this.#onDead(id, 0),
        resume: (t) => this.#resume(t),
        unexplained: this.#o.unexplained ?? "adopt",
        log: this.#log,
      });
      this.#reconciled = true;
      this.#entries.release(undefined);
      return report;
    } catch (e) {
      this.#reconciling = false;
      this.#entries.release(`the reconciliation with TWS failed (${String(e)})`);
      throw e;
    } finally {
      this.#reconciling = false;
    }
  }

  #emit(e: VenueEvent): void {
    this.#bookings.push(e);
  }

  /** True while fills wait for their commission before they are reported. */
  get booking(): boolean {
    return this.#bookings.holding;
  }

  /** Reports every held fill now (the run stops), at the configured rate where IB's is missing. */
  settleBookings(): void {
    this.#bookings.settle();
  }

  /** A `cancel` event now (`reason` when the venue, not a request, ended the order). */
  #cancelEvent(tradeId: string, role: OrderRole, qty: number, reason?: string): void {
    const e: VenueEvent = { kind: "cancel", tradeId, role, qty, time: this.#o.clock() };
    if (reason !== undefined) e.reason = reason;
    this.#emit(e);
  }

  #bind(t: TradeOrders, id: number, role: OrderRole): void {
    this.#byId.set(id, { tradeId: t.tradeId, role });
    if (role === "entry") t.entryId = id;
    else if (role === "stop") t.stopId = id;
    else if (role === "target") t.targetId = id;
    else t.flattenIds.push(id);
  }

  /** Sends the wanted stop / target when they differ from the last ones sent. */
  #syncExits(t: TradeOrders): void {
    if (t.ended || t.closing !== undefined || !this.#orders.ready || this.#reconciling) return;
    syncExits(t, this.#orders, this.#log);
  }

  #tryCancel(id: number): void {
    try {
      this.#orders.cancel(id);
    } catch (e) {
      if (!(e instanceof OrderClientError)) throw e;
      // Retried by the reconnect's reconciliation (the order is still in `cancelling`).
    }
  }

  /**
   * The flatten state machine: cancel the entry rest and the exits; once none is working,
   * close what is left of the position with one market order.
   */
  #advanceClose(t: TradeOrders): void {
    if (t.closing === undefined || t.ended || this.#reconciling) return;
    let waiting = false;
    // With nothing filled, cancelling the parent cancels its children too.
    const ids = t.entryFilled === 0 ? [t.entryId] : [t.entryId, t.stopId, t.targetId];
    for (const id of ids) {
      if (id === undefined || t.dead.has(id)) continue;
      waiting = true;
      if (!t.cancelling.has(id)) {
        t.cancelling.add(id);
        this.#tryCancel(id);
      }
    }
    if (t.entryId === undefined && t.entryFilled === 0) {
      // Never sent (an entry waiting for the journal): it ends here.
      return;
    }
    if (waiting) return;
    // An exit that reported Filled before its execution came has closed that much already.
    const held = openQty(t);
    const working = t.flattenIds.some((id) => !t.dead.has(id));
    if (held <= 0 || working) return;
    try {
      const id = this.#orders.placeClose(t.side, held, t.tradeId);
      this.#bind(t, id, "flatten");
    } catch (e) {
      if (!(e instanceof OrderClientError)) throw e;
      this.#log(`[orders] ${t.tradeId}: closing order waits for the reconnect: ${e.message}`);
    }
  }

  #onWorking(orderId: number): void {
    const b = this.#byId.get(orderId);
    const t = b === undefined ? undefined : this.#trades.get(b.tradeId);
    if (b === undefined || t === undefined || t.ended) return;
    if (b.role === "entry" && !t.dead.has(orderId) && !t.acked) {
      t.acked = true;
      this.#emit({
        kind: "working",
        tradeId: t.tradeId,
        role: "entry",
        time: this.#o.clock(),
        orderId,
      });
    }
  }

  /** Remembers what an exit's orderStatus says it filled (executions may come later). */
  #noteStatusFill(orderId: number, filled: number): void {
    const b = this.#byId.get(orderId);
    const t = b === undefined ? undefined : this.#trades.get(b.tradeId);
    if (t === undefined || b!.role === "entry") return;
    const base = t.statusBase?.get(orderId);
    if (base !== undefined && Number.isNaN(base)) {
      // An adopted order's first status: what it filled before counts no more.
      t.statusBase!.set(orderId, filled);
      return;
    }
    const news = filled - (base ?? 0);
    if (!(news > 0)) return;
    const m = t.statusFilled ??= new Map();
    m.set(orderId, Math.max(m.get(orderId) ?? 0, news));
  }

  #markDead(orderId: number): void {
    const b = this.#byId.get(orderId);
    const t = b === undefined ? undefined : this.#trades.get(b.tradeId);
    if (t === undefined) return;
    t.dead.add(orderId);
    t.cancelling.delete(orderId);
    this.#advanceClose(t);
  }

  /** An order stopped working without filling completely (cancelled, OCA, inactive). */
  #onDead(orderId: number, remaining: number, reason?: string): void {
    const b = this.#byId.get(orderId);
    const t = b === undefined ? undefined : this.#trades.get(b.tradeId);
    if (b === undefined || t === undefined || t.dead.has(orderId)) return;
    const own = t.cancelling.has(orderId);
    t.dead.add(orderId);
    t.cancelling.delete(orderId);
    if (!t.ended) {
      const qty = b.role === "entry" ? t.ordered - t.entryFilled : Math.max(0, remaining);
      const why = own ? t.closing?.reason : reason ?? (b.role === "entry" ? "VENUE" : "OCA");
      if (qty > 0) this.#cancelEvent(t.tradeId, b.role, qty, why);
      if (b.role === "entry") this.#entryDone(t);
      else if (!own && t.closing === undefined && bare(t)) {
        // TWS dropped the exits (with a partly filled parent's cancel, say): never unprotected.
        this.#protect(t);
      }
    }
    this.#advanceClose(t);
  }

  /** Places a stop and a target (OCA, no parent) for the contracts held; true when sent. */
  #protect(t: TradeOrders): boolean {
    const ids = protectPosition(t, this.#orders, this.#log);
    if (ids === undefined) return false;
    this.#bind(t, ids.stop, "stop");
    this.#bind(t, ids.target, "target");
    return true;
  }

  /** The entry will fill no more: a trade with no fill ends; otherwise exits shrink to the fill. */
  #entryDone(t: TradeOrders): void {
    if (t.entryFilled === 0) {
      t.ended = true;
      return;
    }
    const shrunk = t.entryFilled < t.ordered;
    t.ordered = t.entryFilled;
    const held = heldQty(t);
    if (!shrunk || held <= 0 || t.closing !== undefined || !this.#orders.ready) return;
    for (const id of [t.stopId, t.targetId]) {
      if (id === undefined || t.dead.has(id)) continue;
      try {
        this.#orders.modify(id, { qty: held });
      } catch (e) {
        if (!(e instanceof OrderClientError)) throw e;
      }
    }
  }

  #onError(orderId: number, code: number, text: string, meaning: string): void {
    const b = this.#byId.get(orderId);
    const t = b === undefined ? undefined : this.#trades.get(b.tradeId);
    if (b === undefined || t === undefined) return;
    if (t.dead.has(orderId) && meaning !== "cancelled") {
      // Too late to matter (a modify that crossed the order's end).
      this.#log(
        `[orders] ${t.tradeId} ${b.role} order ${orderId} (already done): IB ${code} ${text}`,
      );
      return;
    }
    if (meaning === "cancelled") {
      const own = t.cancelling.has(orderId);
      this.#onDead(orderId, heldQty(t), own ? undefined : `IB ${code}`);
      return;
    }
    if (meaning === "warning") {
      this.#log(`[orders] ${t.tradeId} ${b.role} order ${orderId}: IB ${code} ${text}`);
      return;
    }
    if (meaning === "rejected" && (b.role === "entry" || t.entryFilled === 0)) {
      // A bracket dies whole: its children go with a rejected parent.
      t.dead.add(orderId);
      this.#entries.reject(t, text, code);
      return;
    }
    this.#log(`[orders] ${t.tradeId} ${b.role} order ${orderId} refused: IB ${code} ${text}`);
    if (meaning === "refused") {
      // A cancel or modify that did not happen: the order works as before.
      t.cancelling.delete(orderId);
      if (b.role === "stop") t.sentStop = NaN;
      if (b.role === "target") t.sentTarget = NaN;
      if (b.role === "entry") return;
    }
    this.#emit({
      kind: "reject",
      tradeId: t.tradeId,
      role: b.role,
      time: this.#o.clock(),
      code,
      text,
    });
    if (meaning === "refused") return;
    // The order is gone: the position must not stay without it.
    t.dead.add(orderId);
    if (t.closing === undefined && heldQty(t) > 0) {
      this.#log(`[orders] ${t.tradeId}: its ${b.role} is gone; closing the position`);
      t.closing = { time: this.#o.clock() };
    }
    this.#advanceClose(t);
  }

  #onFill(x: ExecutionInfo, commission: number): void {
    let b = this.#byId.get(x.orderId);
    const t = this.#trades.get(b?.tradeId ?? x.tradeId);
    if (t === undefined) {
      this.#log(
        `[orders] execution ${x.execId} (${x.side} ${x.qty} @ ${x.price}, order ${x.orderId}, ` +
          `ref "${x.tradeId}") belongs to no open trade: not journaled`,
      );
      return;
    }
    if (b === undefined) {
      // An order of the trade this process never saw (restart): its side and price say which.
      b = { tradeId: t.tradeId, role: inferRole(t, x) };
      this.#bind(t, x.orderId, b.role);
    }
    if (this.#reconciling) this.#replayed++;
    if (Number.isFinite(x.time) && !(this.#execSince >= x.time)) this.#execSince = x.time;
    if (b.role === "entry") t.entryFilled += x.qty;
    else {
      t.exitFilled += x.qty;
      const m = t.execFilled ??= new Map();
      m.set(x.orderId, (m.get(x.orderId) ?? 0) + x.qty);
    }
    const e: VenueEvent = {
      kind: "fill",
      tradeId: t.tradeId,
      role: b.role,
      price: x.price,
      qty: x.qty,
      time: Number.isFinite(x.time) ? x.time : this.#o.clock(),
      execId: x.execId,
    };
    if (Number.isFinite(commission)) e.commission = commission;
    this.#emit(e);
    if (b.role !== "entry" && heldQty(t) <= 0) {
      if (heldQty(t) < 0) {
        this.#log(
          `[orders] ${t.tradeId}: exits sold more than the entry bought; position reversed at IB`,
        );
      }
      if (t.entryId === undefined || t.dead.has(t.entryId) || t.entryFilled >= t.ordered) {
        t.ended = true;
        this.#trades.delete(t.tradeId);
      }
    }
    if (b.role === "entry" && t.entryFilled >= t.ordered && t.entryId !== undefined) {
      t.dead.add(t.entryId);
    }
    this.#advanceClose(t);
  }

  /** After a reconnect: finish a flatten, re-protect a bare position, send moved levels. */
  #resume(t: TradeOrders): boolean {
    for (const id of t.cancelling) this.#tryCancel(id);
    if (t.closing !== undefined) {
      this.#advanceClose(t);
      return false;
    }
    const held = heldQty(t);
    const entryWorking = t.entryId !== undefined && !t.dead.has(t.entryId);
    if (held === 0 && !entryWorking) {
      // The ENTRY was journaled but its order never reached IB (or died while we were away).
      t.ended = true;
      this.#trades.delete(t.tradeId);
      this.#cancelEvent(t.tradeId, "entry", t.ordered, "NOT_AT_IB");
      return false;
    }
    if (bare(t)) return this.#protect(t);
    this.#syncExits(t);
    return false;
  }
}
