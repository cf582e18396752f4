/**
 * The paper venue: fills a trade's orders against the engine's own trade prints. A market
 * entry fills at its reference price (worse by the entry slippage), or, with partial fills,
 * rests as a limit there; a limit entry fills where a print trades at or through it, whole or
 * against the print's volume. The stop fills at the print that reaches it, worse by the stop
 * slippage (a gap fills at the gapping print); the target at its own price, on a touch or only
 * on a print through it. It never reads a clock: every time it reports is the time of the
 * print or the request that caused it.
 *
 * @module
 */
import type { Config } from "../config/schema.ts";
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

/** Settings for {@linkcode PaperVenue}: its fill model. */
export interface PaperVenueOptions {
  /** Minimum price increment (slippage is counted in ticks). */
  tickSize: number;
  /** Entries fill only against volume that trades at the entry price or better. */
  partialFills: boolean;
  /** Ticks by which a stop exit (and a market flatten) fills worse than the print. */
  stopSlippageTicks: number;
  /**
   * Ticks by which a market entry fills worse than its reference price. Not paid by entries
   * that rest as limits (`partialFills`, limit orders). Default 0.
   */
  entrySlippageTicks?: number;
  /**
   * `touch`: a target fills on a print at its price; `through`: only on a print beyond it (a
   * resting limit at the back of the queue is sure of a fill only then). Default `touch`.
   */
  targetFill?: "touch" | "through";
  /** Where a signal refused after a halt is logged (one line each). Default: nowhere. */
  log?: (line: string) => void;
}

/** The venue's side of one trade. */
interface PaperTrade {
  tradeId: string;
  long: boolean;
  /** Entry price: a limit's, or a market order's reference. */
  entry: number;
  /** The entry rests as a limit (a limit order, or any entry with partial fills). */
  limit: boolean;
  /** Contracts ordered (less what exits took), and filled and still held. */
  ordered: number;
  filled: number;
  stop: number;
  target: number;
  /** Contracts the target closes; undefined: the whole position. */
  targetQty: number | undefined;
  /** Prints stamped earlier neither fill nor trigger the orders (late ticks). */
  orderTime: number;
}

/**
 * The level a trade print reaches: `TARGET` when it is at or through the target (checked
 * first), `STOP` when at or through the stop, else undefined.
 *
 * @example
 * ```ts
 * levelReached(true, 4499.5, 4504, 4504); // "TARGET"
 * levelReached(true, 4499.5, 4504, 4499.25); // "STOP"
 * levelReached(false, 4502.5, 4498, 4500); // undefined
 * ```
 */
export function levelReached(
  long: boolean,
  stop: number,
  target: number,
  price: number,
): "TARGET" | "STOP" | undefined {
  if (long) return price >= target ? "TARGET" : price <= stop ? "STOP" : undefined;
  return price <= target ? "TARGET" : price >= stop ? "STOP" : undefined;
}

/**
 * Simulated fills, one trade at a time. State changes before each event is reported, so a
 * listener may call back into the venue (move the target after a scale-out) from inside it.
 *
 * @example
 * ```ts
 * const venue = new PaperVenue({ tickSize: 0.25, partialFills: false, stopSlippageTicks: 1 });
 * venue.listen((e) => console.log(e.kind, e.role, e.kind === "fill" ? e.price : ""));
 * venue.placeEntry({
 *   tradeId: "R-1", side: "LONG", qty: 1, type: "market", price: 4501, time: 0,
 *   stop: 4499.5, target: 4504,
 * }); // fill entry 4501
 * venue.onTick(1, 4499.5, 1);
 * venue.matchExits(1, 4499.5); // fill stop 4499.25
 * ```
 */
export class PaperVenue implements Venue {
  /** Always `paper`. */
  readonly name = "paper";
  #o: PaperVenueOptions;
  #listener: VenueListener = () => {};
  #t: PaperTrade | undefined = undefined;
  /** Price added to a market entry's reference price: + for a long, - for a short. */
  #entrySlip: number;
  /** Price by which a stop exit (and a market flatten) fills worse than the print. */
  #stopSlip: number;
  /** How far beyond the target a print must be: 0 (touch) or half a tick (through). */
  #through: number;
  /** Why entries are refused for the rest of the run (the kill switch), if they are. */
  #halted: string | undefined = undefined;
  /** The last print of the open trade; a halt closes there. */
  #lastPrint = NaN;
  /** A halt found no print to close at: the next print closes the position. */
  #closeOnPrint = false;

  /** A paper venue with the fill model of `options`. */
  constructor(options: PaperVenueOptions) {
    this.#o = options;
    this.#entrySlip = (options.entrySlippageTicks ?? 0) * options.tickSize;
    this.#stopSlip = options.stopSlippageTicks * options.tickSize;
    // Half a tick, not "strictly greater": grid prices may carry float noise.
    this.#through = options.targetFill === "through" ? options.tickSize / 2 : 0;
  }

  /** Why entries are refused (the kill switch), if they are. */
  get halted(): string | undefined {
    return this.#halted;
  }

  /** A halted venue refuses every entry (logged once per signal); otherwise none here. */
  refusesEntry(time: number): string | undefined {
    if (this.#halted === undefined) return undefined;
    const why = `entries are stopped (${this.#halted})`;
    this.#o.log?.(`[paper] signal at ${new Date(time).toISOString()} not traded: ${why}`);
    return why;
  }

  /**
   * The kill switch: refuses every later entry, cancels a working entry (CANCEL `HALT`) and
   * closes a position at market at the last print (at the next one when none was seen), an
   * EXIT MANUAL. A later halt keeps the first reason.
   */
  halt(reason: string, time: number): void {
    this.#halted ??= reason;
    const t = this.#t;
    if (t === undefined) return;
    if (t.filled === 0) {
      this.#t = undefined;
      this.#emit({
        kind: "cancel",
        tradeId: t.tradeId,
        role: "entry",
        qty: t.ordered,
        time,
        reason: "HALT",
      });
      return;
    }
    if (Number.isNaN(this.#lastPrint)) {
      this.#closeOnPrint = true;
      return;
    }
    this.flatten({ tradeId: t.tradeId, time, price: this.#lastPrint, pricing: "market" });
  }

  /** Sets the receiver of fills and cancels. */
  listen(listener: VenueListener): void {
    this.#listener = listener;
  }

  /** Opens the trade; a market entry without partial fills fills at once. */
  placeEntry(order: EntryOrder): void {
    this.#lastPrint = NaN;
    const limit = order.type === "limit" || this.#o.partialFills;
    this.#t = {
      tradeId: order.tradeId,
      long: order.side === "LONG",
      entry: order.price,
      limit,
      ordered: order.qty,
      filled: 0,
      stop: order.stop,
      target: order.target,
      targetQty: undefined,
      orderTime: order.time,
    };
    if (!limit) this.#marketFill(order.price, order.qty, order.time);
  }

  /** Moves the stop and/or target (and the target's quantity) of the trade. */
  modifyExits(tradeId: string, change: ExitChange): void {
    const t = this.#trade(tradeId);
    if (t === undefined) return;
    if (change.stop !== undefined) t.stop = change.stop;
    if (change.target !== undefined) t.target = change.target;
    if (change.targetQty !== undefined) t.targetQty = change.targetQty;
  }

  /** Cancels the entry's unfilled rest (a stop or target of an open position stays). */
  cancel(tradeId: string, role: OrderRole, time: number): void {
    const t = this.#trade(tradeId);
    if (t === undefined || role !== "entry" || t.filled >= t.ordered) return;
    const qty = t.ordered - t.filled;
    if (t.filled === 0) this.#t = undefined;
    else t.ordered = t.filled;
    this.#emit({ kind: "cancel", tradeId, role, qty, time });
  }

  /**
   * Closes the position at `price` (`market`: worse by the stop slippage) and cancels the
   * entry's rest; with nothing filled, only the cancel.
   */
  flatten(order: FlattenOrder): void {
    const t = this.#trade(order.tradeId);
    if (t === undefined) return;
    if (t.filled === 0) {
      this.cancel(t.tradeId, "entry", order.time);
      return;
    }
    const slip = order.pricing === "market" ? this.#stopSlip : 0;
    // `price - 0` keeps the same float as the price itself.
    const price = slip === 0 ? order.price : t.long ? order.price - slip : order.price + slip;
    this.#exitFill(t, "flatten", price, t.filled, order.time);
  }

  /** Holds a trade resumed from the journal: any print counts (no order time). */
  adopt(trade: AdoptedTrade): void {
    this.#lastPrint = NaN;
    // Halted before the trade was taken over: it closes at the first print.
    this.#closeOnPrint = this.#halted !== undefined;
    this.#t = {
      tradeId: trade.tradeId,
      long: trade.side === "LONG",
      entry: trade.entryPrice,
      limit: this.#o.partialFills,
      ordered: trade.ordered,
      filled: trade.filled,
      stop: trade.stop,
      target: trade.target,
      targetQty: undefined,
      orderTime: -Infinity,
    };
  }

  /**
   * Fills the working entry: a market entry at this print (worse by the entry slippage), a
   * resting limit at its own price by a print at or through it, against the print's volume
   * with partial fills.
   */
  onTick(ts: number, price: number, size: number): void {
    const t = this.#t;
    if (t !== undefined) this.#lastPrint = price;
    if (this.#closeOnPrint && t !== undefined && t.filled > 0) {
      this.#closeOnPrint = false;
      this.flatten({ tradeId: t.tradeId, time: ts, price, pricing: "market" });
      return;
    }
    if (t === undefined || ts < t.orderTime || t.filled >= t.ordered) return;
    const left = t.ordered - t.filled;
    if (!t.limit) this.#marketFill(price, left, ts);
    else if (size > 0 && (t.long ? price <= t.entry : price >= t.entry)) {
      this.#entryFill(t, t.entry, this.#o.partialFills ? Math.min(size, left) : left, ts);
    }
  }

  /**
   * Fills the stop or the target this print reaches (`only`: that role alone). The target
   * fills at its own price, the stop at the print less the slippage.
   */
  matchExits(ts: number, price: number, only?: OrderRole): void {
    const t = this.#t;
    if (t === undefined || ts < t.orderTime || t.filled === 0) return;
    const target = t.long ? t.target + this.#through : t.target - this.#through;
    if (only === "target") {
      if (t.long ? price >= target : price <= target) this.#targetFill(t, ts);
      return;
    }
    if (only !== undefined) return;
    const hit = levelReached(t.long, t.stop, target, price);
    if (hit === "TARGET") this.#targetFill(t, ts);
    else if (hit === "STOP") {
      const slip = this.#stopSlip;
      this.#exitFill(t, "stop", t.long ? price - slip : price + slip, t.filled, ts);
    }
  }

  #trade(tradeId: string): PaperTrade | undefined {
    const t = this.#t;
    return t !== undefined && t.tradeId === tradeId ? t : undefined;
  }

  /** A market-style entry: filled whole at `ref`, worse by the entry slippage. */
  #marketFill(ref: number, qty: number, ts: number): void {
    const t = this.#t!;
    const slip = this.#entrySlip;
    this.#entryFill(t, slip === 0 ? ref : t.long ? ref + slip : ref - slip, qty, ts);
  }

  #entryFill(t: PaperTrade, price: number, qty: number, ts: number): void {
    t.filled += qty;
    this.#emit({ kind: "fill", tradeId: t.tradeId, role: "entry", price, qty, time: ts });
  }

  #targetFill(t: PaperTrade, ts: number): void {
    const qty = t.targetQty !== undefined && t.targetQty < t.filled ? t.targetQty : t.filled;
    this.#exitFill(t, "target", t.target, qty, ts);
  }

  /**
   * An exit of `qty` contracts. A partial one leaves the rest open, with a target for all of
   * it; a whole one ends the trade, the entry's rest with it (cancelled after the fill).
   */
  #exitFill(t: PaperTrade, role: OrderRole, price: number, qty: number, ts: number): void {
    const rest = t.ordered - t.filled;
    const whole = qty >= t.filled;
    if (!whole) {
      t.filled -= qty;
      t.ordered -= qty;
      t.targetQty = undefined;
    } else {
      t.filled = 0;
      t.ordered = rest;
    }
    this.#emit({ kind: "fill", tradeId: t.tradeId, role, price, qty, time: ts });
    // The listener may have cancelled the rest already (or placed the next trade).
    if (whole && this.#t === t) {
      this.#t = undefined;
      if (t.ordered > 0) {
        this.#emit({ kind: "cancel", tradeId: t.tradeId, role: "entry", qty: t.ordered, time: ts });
      }
    }
  }

  #emit(event: VenueEvent): void {
    this.#listener(event);
  }
}

/**
 * The paper venue of a config: its `fills` model on the contract's tick size.
 *
 * @example
 * ```ts
 * import { defaultConfig } from "../config/defaults.ts";
 * paperVenueFrom(defaultConfig()).name; // "paper"
 * ```
 */
export function paperVenueFrom(config: Config, log?: (line: string) => void): PaperVenue {
  const f = config.fills;
  return new PaperVenue({
    tickSize: config.contract.tick_size,
    partialFills: f.partial,
    stopSlippageTicks: f.stop_slippage_ticks,
    entrySlippageTicks: f.entry_slippage_ticks,
    targetFill: f.target_fill,
    ...(log === undefined ? {} : { log }),
  });
}
