/**
 * The execution venue: where the engine's orders go and where their fills come from. The
 * engine and the trade managers drive a {@linkcode Venue} and never know which one it is:
 * `PaperVenue` (paper_venue.ts) fills orders against the engine's own ticks, `IbVenue` sends
 * them to Interactive Brokers.
 *
 * One trade is one entry order with a stop and a target attached (a bracket). Orders are
 * named by the trade id and a {@linkcode OrderRole}; a venue maps those to its own order
 * ids. Everything that happens to an order comes back as a {@linkcode VenueEvent} to the one
 * listener set with `listen`: a paper venue calls it synchronously from inside the call that
 * caused it (a market entry fills inside `placeEntry`), a live venue later, from its socket.
 * A listener must handle both.
 *
 * Rules every venue keeps: when the stop or the target closes the whole position, the other
 * one is cancelled by the venue (one OCA group); it may report that as a `cancel` event, which
 * the trade manager ignores for a closed trade. A `flatten` fill closes the position. Fills of
 * one order may come in parts, each a `fill` event with its own qty. Nothing is journaled by
 * the venue: the trade manager journals (ENTRY before `placeEntry`, so that it is durable
 * before an order is sent).
 *
 * @module
 */
import type { Side } from "../types.ts";

/**
 * Which order of a trade an event or a request is about: the `entry`, the protective `stop`,
 * the profit `target`, or a `flatten` (a market order that closes the position).
 */
export type OrderRole = "entry" | "stop" | "target" | "flatten";

/** An entry order with its stop and target attached (placed as one bracket). */
export interface EntryOrder {
  /** Trade id; every order of the trade carries it (IB: `orderRef`). */
  tradeId: string;
  /** Direction of the entry: LONG buys, SHORT sells. */
  side: Side;
  /** Contracts. */
  qty: number;
  /**
   * `market`: fill at the market. The paper venue fills it at `price` (worse by its entry
   * slippage), or with partial fills as a limit at `price`. `limit`: rest at `price`, fill
   * only where a print trades at or through it.
   */
  type: "market" | "limit";
  /**
   * Limit price (`limit`), or the reference price of a market order (the price the trade's
   * stop and target were measured from: the signal bar's close or the next print). On the
   * contract's tick grid for a limit.
   */
  price: number;
  /** When the order is placed, epoch ms: prints stamped earlier neither fill nor trigger it. */
  time: number;
  /** Stop price of the attached protective stop (on the tick grid). */
  stop: number;
  /** Target price of the attached take-profit limit (on the tick grid). */
  target: number;
}

/** A change to a trade's working stop and/or target (IB: placeOrder with the same id). */
export interface ExitChange {
  /** New stop price. */
  stop?: number;
  /** New target price. */
  target?: number;
  /**
   * Contracts the target closes, when fewer than the position (a scale-out's first part);
   * undefined: unchanged. Once the target has filled that many, it covers the rest of the
   * position again (at its price until the next change).
   */
  targetQty?: number;
  /** When the change is made, epoch ms. */
  time: number;
}

/** An order that closes a trade's whole position (and cancels its entry rest, stop, target). */
export interface FlattenOrder {
  /** Trade id. */
  tradeId: string;
  /** When it is sent, epoch ms. */
  time: number;
  /** The last print: the paper venue's reference price for the fill. */
  price: number;
  /**
   * `market`: a market order; the paper venue fills it at `price` worse by its stop
   * slippage (a session flatten, a trailing target's give-back). `mark`: the paper venue
   * books it at `price` exactly (end of data, shutdown). A live venue sends a market order
   * either way.
   */
  pricing: "market" | "mark";
}

/** A trade found open in the journal at restart, for the venue to adopt. */
export interface AdoptedTrade {
  /** Trade id. */
  tradeId: string;
  /** Direction. */
  side: Side;
  /** Contracts ordered by the entry. */
  ordered: number;
  /** Contracts filled so far. */
  filled: number;
  /** Entry order price. */
  entryPrice: number;
  /** Current stop. */
  stop: number;
  /** Current target. */
  target: number;
}

/** Some or all of an order executed. */
export interface VenueFill {
  /** Event tag. */
  kind: "fill";
  /** Trade id. */
  tradeId: string;
  /** Which order filled. */
  role: OrderRole;
  /** Execution price. */
  price: number;
  /** Contracts in this execution. */
  qty: number;
  /** Execution time, epoch ms (the print's time for paper, IB's execution time for ib). */
  time: number;
  /** The venue's execution id (IB's execId); absent for paper. */
  execId?: string;
  /** Commission actually charged for this execution, in currency; absent: use the configured one. */
  commission?: number;
}

/** An order's unfilled rest is no longer working: cancelled on request, expired or by the venue. */
export interface VenueCancel {
  /** Event tag. */
  kind: "cancel";
  /** Trade id. */
  tradeId: string;
  /** Which order. */
  role: OrderRole;
  /** Contracts that will not fill. */
  qty: number;
  /** Time, epoch ms. */
  time: number;
  /** Venue's reason when the venue cancelled on its own (e.g. `OCA`, IB code 202); absent on request. */
  reason?: string;
}

/** The venue refused an order or a change to it. */
export interface VenueReject {
  /** Event tag. */
  kind: "reject";
  /** Trade id. */
  tradeId: string;
  /** Which order. */
  role: OrderRole;
  /** Time, epoch ms. */
  time: number;
  /** The venue's code (IB error code, e.g. 110, 201, 202); absent for paper. */
  code?: number;
  /** The venue's text. */
  text: string;
}

/** Optional acknowledgement: the venue has accepted an order and it is working. */
export interface VenueWorking {
  /** Event tag. */
  kind: "working";
  /** Trade id. */
  tradeId: string;
  /** Which order. */
  role: OrderRole;
  /** Time, epoch ms. */
  time: number;
  /** The venue's order id (IB's orderId). */
  orderId?: number;
}

/** Everything a venue reports. */
export type VenueEvent = VenueFill | VenueCancel | VenueReject | VenueWorking;

/** Receives a venue's events, in the order they happened. */
export type VenueListener = (event: VenueEvent) => void;

/**
 * An execution venue. Requests name a trade by its id; their outcome comes back as events.
 * The trade manager holds at most one trade at a time.
 *
 * @example
 * ```ts
 * declare const venue: Venue;
 * venue.listen((e) => console.log(e.kind, e.role));
 * venue.placeEntry({
 *   tradeId: "R1-001", side: "LONG", qty: 1, type: "market", price: 4501,
 *   time: 0, stop: 4499.5, target: 4504,
 * });
 * venue.modifyExits("R1-001", { stop: 4500.25, time: 1 }); // breakeven
 * venue.flatten({ tradeId: "R1-001", time: 2, price: 4502, pricing: "market" });
 * ```
 */
export interface Venue {
  /** `paper` or `ib` (journal and console labels only: nothing branches on it). */
  readonly name: string;
  /** Sets the one receiver of events (the trade manager); replaces an earlier one. */
  listen(listener: VenueListener): void;
  /**
   * Asked before an entry signalled at `time` (epoch ms) is journaled: why the venue would
   * refuse it whatever happens (a halt, a signal too old for a real order), or undefined.
   * A refused signal is logged by the venue and never becomes a trade (no ENTRY, no CANCEL).
   * Absent (paper): every entry is accepted here.
   */
  refusesEntry?(time: number): string | undefined;
  /** Places an entry with its bracket (stop and target), all under `order.tradeId`. */
  placeEntry(order: EntryOrder): void;
  /** Moves the working stop and/or target of a trade (a manager's trail, breakeven, scale-out). */
  modifyExits(tradeId: string, change: ExitChange): void;
  /**
   * Cancels the working rest of one order of a trade (`entry`: the timeout, or a position
   * closed before the entry completed). A `cancel` event follows (none when nothing was left).
   */
  cancel(tradeId: string, role: OrderRole, time: number): void;
  /**
   * Closes the trade: cancels its entry rest, stop and target, and closes any position with
   * one `flatten` fill. With nothing filled, only the entry's `cancel` follows.
   */
  flatten(order: FlattenOrder): void;
  /** Takes over a trade left open by an earlier run (restart recovery). */
  adopt(trade: AdoptedTrade): void;
  /**
   * A trade print, before the managers see it. A venue that simulates fills (paper) fills
   * working entries here; a live venue leaves it out (its fills come from the broker).
   */
  onTick?(ts: number, price: number, size: number): void;
  /**
   * The same print, after the managers have had their turn: a simulating venue fills the stop
   * and target it reaches (`only`: just that role, e.g. a scale-out's first target before the
   * target manager moves anything). Live venues leave it out.
   */
  matchExits?(ts: number, price: number, only?: OrderRole): void;
}
