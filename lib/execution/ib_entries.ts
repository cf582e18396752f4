/**
 * IbVenue's entry side: why an entry may not go out (account gate, halt, connection, a stale
 * signal, the maximum position), entries held until a reconciliation, the bracket sent once
 * the journal's ENTRY line is durable, and an entry's rejection.
 *
 * @module
 */
import { type OrderClient, OrderClientError } from "../ib/orders.ts";
import { type IbVenueOptions, newTrade, type TradeOrders } from "./ib_trades.ts";
import type { EntryOrder, ExitChange, OrderRole, VenueEvent } from "./venue.ts";

/** What {@linkcode IbEntries} uses of its venue. */
export interface EntryHost {
  options: IbVenueOptions;
  orders: OrderClient;
  trades: Map<string, TradeOrders>;
  /** Why entries are stopped (kill switch, loss limit), if they are. */
  halted(): string | undefined;
  /** Contracts held, signed. */
  position(): number;
  /** True while entries must wait (before the first reconciliation, or during one). */
  waiting(): boolean;
  bind(t: TradeOrders, id: number, role: OrderRole): void;
  emit(e: VenueEvent): void;
  cancelEvent(tradeId: string, role: OrderRole, qty: number): void;
  log(line: string): void;
}

/** The entries of an IbVenue (see the module doc). */
export class IbEntries {
  #h: EntryHost;
  /** Entries waiting for a reconciliation, by trade id. */
  #deferred = new Map<string, EntryOrder>();

  /** Entries of the venue behind `host`. */
  constructor(host: EntryHost) {
    this.#h = host;
  }

  /** A held entry's levels follow a manager's move before it is sent. */
  modify(tradeId: string, change: ExitChange): void {
    const d = this.#deferred.get(tradeId);
    if (d === undefined) return;
    if (change.stop !== undefined) d.stop = change.stop;
    if (change.target !== undefined) d.target = change.target;
  }

  /** An entry: sent once the journal is durable, or held while a reconciliation is due. */
  place(order: EntryOrder): void {
    if (!this.#h.waiting()) return this.#send(order);
    // Nothing goes out before TWS's orders and positions are known (the first
    // reconciliation) or while they are being read again: it waits for the reconciliation.
    const refuse = this.refusal(order, true);
    if (refuse !== undefined) return this.#refuse(order, refuse);
    this.#deferred.set(order.tradeId, { ...order });
    this.#h.log(`[orders] entry ${order.tradeId} waits for the reconciliation with TWS`);
  }

  #refuse(order: EntryOrder, text: string): void {
    this.#h.log(`[orders] entry ${order.tradeId} refused: ${text}`);
    this.#h.emit({ kind: "reject", tradeId: order.tradeId, role: "entry", time: order.time, text });
  }

  /** Entries that waited for a reconciliation: sent after it, or refused when it failed. */
  release(failed: string | undefined): void {
    const list = [...this.#deferred.values()];
    this.#deferred.clear();
    for (const order of list) {
      if (failed === undefined) this.#send(order);
      else this.#refuse(order, failed);
    }
  }

  /** A deferred entry dropped before it was sent (a timeout or a flatten): its cancel. */
  drop(tradeId: string): boolean {
    const order = this.#deferred.get(tradeId);
    if (order === undefined) return false;
    this.#deferred.delete(tradeId);
    this.#h.cancelEvent(tradeId, "entry", order.qty);
    return true;
  }

  #send(order: EntryOrder): void {
    const t = newTrade(order.tradeId, order.side, order.qty, 0, {
      stop: order.stop,
      target: order.target,
      sent: true,
    });
    const refuse = this.refusal(order);
    if (refuse !== undefined) return this.#refuse(order, refuse);
    this.#h.trades.set(t.tradeId, t);
    const durable = this.#h.options.durable?.() ?? Promise.resolve();
    durable.then(
      () => this.#sendBracket(t, order),
      (e) => this.reject(t, `the journal could not be written (${String(e)}): not sent`),
    );
  }

  /**
   * Why an entry signalled at `time` would be refused whatever else holds (a halt, a signal
   * from a reconnect's replayed trades): asked before the trade manager journals it.
   */
  screen(time: number): string | undefined {
    const halted = this.#h.halted();
    if (halted !== undefined) return `entries are stopped (${halted})`;
    return this.#stale(time);
  }

  #stale(time: number): string | undefined {
    const age = this.#h.options.clock() - time;
    if (age > (this.#h.options.maxEntryAgeMs ?? Infinity)) {
      return `its signal is ${Math.round(age / 1000)} s old (trades replayed after a ` +
        `reconnect): no real order for a past price`;
    }
    return undefined;
  }

  /** Why `order` may not go out; `deferring`: it waits for a reconciliation (and a connection). */
  refusal(order: EntryOrder, deferring = false): string | undefined {
    const gate = this.#h.options.gate?.();
    if (gate !== undefined) return gate;
    const halted = this.#h.halted();
    if (halted !== undefined) return `entries are stopped (${halted})`;
    if (!deferring && !this.#h.orders.ready) return "not connected to TWS";
    const stale = this.#stale(order.time);
    if (stale !== undefined) return stale;
    const max = this.#h.options.maxPosition ?? Infinity;
    if (Math.abs(this.#h.position()) + order.qty > max) {
      return `${order.qty} more contract(s) would pass the maximum position ${max} ` +
        `(now ${Math.abs(this.#h.position())})`;
    }
    if (this.#h.trades.has(order.tradeId)) return `trade id ${order.tradeId} is already in use`;
    return undefined;
  }

  #sendBracket(t: TradeOrders, order: EntryOrder): void {
    if (t.ended || t.closing !== undefined) {
      // Flattened before it was sent: nothing to send, nothing working.
      t.ended = true;
      this.#h.cancelEvent(t.tradeId, "entry", t.ordered);
      return;
    }
    try {
      const ids = this.#h.orders.placeBracket({
        tradeId: t.tradeId,
        side: t.side,
        qty: t.ordered,
        entry: order.type === "market" ? { type: "MKT" } : { type: "LMT", price: order.price },
        stop: t.stop,
        target: t.target,
      });
      this.#h.bind(t, ids.parent, "entry");
      this.#h.bind(t, ids.target, "target");
      this.#h.bind(t, ids.stop, "stop");
      t.sentStop = t.stop;
      t.sentTarget = t.target;
    } catch (e) {
      if (!(e instanceof OrderClientError)) throw e;
      this.reject(t, e.message);
    }
  }

  /** Ends a trade whose entry was rejected (by IB or before sending): one `reject` event. */
  reject(t: TradeOrders, text: string, code?: number): void {
    if (t.ended) return;
    t.ended = true;
    this.#h.log(
      `[orders] entry ${t.tradeId} rejected${code === undefined ? "" : ` (${code})`}: ${text}`,
    );
    const e: VenueEvent = {
      kind: "reject",
      tradeId: t.tradeId,
      role: "entry",
      time: this.#h.options.clock(),
      text,
    };
    if (code !== undefined) e.code = code;
    this.#h.emit(e);
  }
}
