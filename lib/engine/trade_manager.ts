/**
 * The trade lifecycle: an entry intent becomes an order on the venue, the venue's fills and
 * cancels become journal lines, and the exit managers move the stop and target. Where the
 * stop and target go is the exit managers' call (exits.ts); whether an entry may be placed at
 * all is the position policy's (position_policy.ts); where an order fills is the venue's
 * (lib/execution). It never reads a clock: every time it records comes from the tick, bar or
 * venue event that caused it, and it does not know which venue it drives.
 *
 * @module
 */
import type { EntryIntent } from "../strategy/strategy.ts";
import type { Bar, EntryContext, ExitReason, FillEvent } from "../types.ts";
import type { ExitChange, Venue, VenueEvent, VenueFill } from "../execution/venue.ts";
import {
  FixedStop,
  FixedTarget,
  type LevelMove,
  onGridAway,
  type StopManager,
  type TargetManager,
} from "./exits.ts";
import type { Exposure } from "./position_policy.ts";
import { movedStop } from "./managers/stops.ts";
import { tickToward } from "../market/prices.ts";
import type { OpenTradeState, TradeManagerOptions } from "./trade_state.ts";
import { clean, Commissions, Excursion, exitEvent } from "./trade_exit.ts";

export type { OpenTradeState, TradeManagerOptions } from "./trade_state.ts";

interface PendingSignal {
  intent: EntryIntent;
  time: number;
  context: EntryContext;
}

/**
 * Holds at most one trade. Call `signal` on a closed bar, `onTick` on every trade print,
 * `onBarClose` on every closed bar, and `close` at shutdown or end of data.
 */
export class TradeManager implements Exposure {
  #o: TradeManagerOptions;
  #venue: Venue;
  #stops: StopManager;
  #targets: TargetManager;
  #trade: OpenTradeState | undefined = undefined;
  #pending: PendingSignal | undefined = undefined;
  #seq = 0;
  /** Bar closes seen while the entry order was still working. */
  #barsWorking = 0;
  /** Managers with tick hooks or a scale-out: the default (fixed) path skips all of it. */
  #managed: boolean;
  /** Manager that set the current stop / target, for the EXIT's `By`. */
  #stopBy = "";
  #targetBy = "";
  /** Bar closes after which the working entry is cancelled. */
  #timeout = 1;
  /** Time after which the working entry is cancelled (a `limit` entry with a timeout in ms). */
  #expiresAt = Infinity;
  /** The position has scaled out. */
  #scaled = false;
  /** Contracts the venue's target closes, when set for a scale-out. */
  #targetQty: number | undefined = undefined;
  /** The exit asked of the venue by `flatten` (its reason and `By`) until its fill arrives. */
  #flattening: { reason: ExitReason; by: string | undefined } | undefined = undefined;
  /** The latest trade's side and levels (a fill that arrives after it ended is closed at once). */
  #last: Pick<OpenTradeState, "tradeId" | "side" | "stop" | "target"> | undefined = undefined;
  /** Trade whose entry cancel is journaled already: the venue's report of it is not news. */
  #cancelled = "";
  /**
   * An entry cancel the venue has not confirmed (a broker answers later): no new entry until
   * it does, or until a later bar close, since a fill that crosses the cancel must find this
   * trade still the latest one (#lateFill) rather than be dropped as another trade's.
   */
  #unconfirmed: { tradeId: string; time: number } | undefined = undefined;
  /**
   * The trade was resumed from the journal: its managers' state (best print, breakeven
   * armed, ...) is gone, so it keeps the levels last journaled and no manager moves them.
   */
  #resumed = false;
  /** Worst and best excursion of the open trade since its first fill (MAE, MFE), points. */
  #excursions = new Excursion();
  /** Commissions of the open position (configured, or the venue's). */
  #costs: Commissions;
  /** Trades opened by this run (entries that got at least one fill). */
  tradesOpened = 0;

  /** Creates an idle trade manager listening to `options.venue`. */
  constructor(options: TradeManagerOptions) {
    this.#o = options;
    this.#venue = options.venue;
    this.#costs = new Commissions(options.commissionPerContract);
    this.#stops = options.stops ?? new FixedStop(options.tickSize);
    this.#targets = options.targets ?? new FixedTarget(options.tickSize);
    this.#managed = this.#stops.onTick !== undefined || this.#targets.onTick !== undefined ||
      (options.scaleOut?.contracts ?? 0) > 0;
    this.#venue.listen((e) => this.#onVenue(e));
  }

  /** True when a trade is active or an entry is working or awaited. */
  get busy(): boolean {
    return this.#trade !== undefined || this.#pending !== undefined ||
      this.#unconfirmed !== undefined;
  }

  /** The active trade, if any (a copy). */
  get openTrade(): OpenTradeState | undefined {
    return this.#trade === undefined ? undefined : { ...this.#trade };
  }

  /** Number of the last trade id handed out. */
  get sequence(): number {
    return this.#seq;
  }

  /**
   * Resumes a trade found open in the journal (restart recovery), and continues trade
   * numbering after `lastSeq`. The venue adopts it.
   */
  resume(state: OpenTradeState | undefined, lastSeq: number): void {
    this.#seq = Math.max(this.#seq, lastSeq);
    this.#trade = state === undefined ? undefined : { orderTime: -Infinity, ...state };
    this.#barsWorking = 0;
    this.#resumed = state !== undefined;
    this.#flattening = undefined;
    this.#targetQty = undefined;
    this.#expiresAt = Infinity;
    this.#costs.reset();
    this.#unconfirmed = undefined;
    if (state !== undefined) {
      this.#last = {
        tradeId: state.tradeId,
        side: state.side,
        stop: state.stop,
        target: state.target,
      };
      this.#venue.adopt({
        tradeId: state.tradeId,
        side: state.side,
        ordered: state.ordered,
        filled: state.filled,
        entryPrice: state.entryPrice,
        stop: state.stop,
        target: state.target,
      });
    }
  }

  /**
   * Acts on an entry intent from a closed bar (or a tick). With `bar_close` entries the
   * order is placed at `close`, at time `barEnd`; with `next_tick` it waits for the next
   * trade print. The position policy has already allowed it: a call while busy is a bug and
   * throws.
   */
  signal(intent: EntryIntent, close: number, barEnd: number, context: EntryContext): void {
    if (this.busy) {
      throw new Error("TradeManager.signal while busy: the position policy was bypassed");
    }
    const limit = intent.limit ?? (this.#o.entryType === "limit" ? close : undefined);
    if (limit !== undefined) {
      // A limit order rests from the signal on, whatever the entry_price mode, on the grid at
      // or below a buy's level (at or above a sell's): never a worse price.
      const price = tickToward(limit, intent.side === "LONG" ? -1 : 1, this.#o.tickSize);
      this.#openOrder(intent, price, barEnd, context, true);
      return;
    }
    if (this.#o.entryPrice === "next_tick") {
      this.#pending = { intent, time: barEnd, context };
      return;
    }
    this.#openOrder(intent, close, barEnd, context, false);
  }

  /**
   * Processes one trade print: a next-tick entry is placed, the venue fills the working entry,
   * the managers take their turn, then the venue fills the stop or target the print reaches.
   * Prints stamped before the order was placed (late ticks) are ignored: they traded before
   * the order existed.
   */
  onTick(ts: number, price: number, size: number): void {
    if (this.#pending !== undefined) {
      const p = this.#pending;
      if (ts < p.time) return;
      this.#pending = undefined;
      this.#openOrder(p.intent, price, ts, p.context, false);
    }
    const t = this.#trade;
    if (t === undefined || ts < t.orderTime!) return;
    if (ts >= this.#expiresAt) this.#expire(t, ts);
    const venue = this.#venue;
    venue.onTick?.(ts, price, size);
    if (this.#trade !== t || t.filled === 0 || this.#flattening !== undefined) return;
    this.#excursions.widen(t, price);
    if (this.#managed && this.#beforeExits(ts, price, t)) return;
    venue.matchExits?.(ts, price);
    if (
      this.#trade === t && this.#managed &&
      this.#stops.onTick !== undefined && !this.#resumed
    ) {
      const m = this.#stops.onTick(ts, price, t);
      if (m !== undefined) this.#moveStop(t, m, ts, price);
    }
  }

  /**
   * The managers' turn before the exit checks: a scale-out at the first target, then the
   * target manager (a trailing target moves away from the print, or exits on a give-back).
   * True when the position is closed (or its close asked for).
   */
  #beforeExits(ts: number, price: number, t: OpenTradeState): boolean {
    if (this.#resumed) return false;
    const so = this.#o.scaleOut;
    if (
      so !== undefined && so.contracts > 0 && !this.#scaled && t.filled === t.ordered &&
      t.filled > so.contracts
    ) {
      if (this.#targetQty !== so.contracts) {
        this.#targetQty = so.contracts;
        this.#venue.modifyExits(t.tradeId, { targetQty: so.contracts, time: ts });
      }
      this.#venue.matchExits?.(ts, price, "target");
      // Scaled on this print: the target has moved to the runner; no target manager turn.
      if (this.#scaled) return false;
    }
    const m = this.#targets.onTick?.(ts, price, t);
    if (m === undefined) return false;
    if (m.exit !== true) {
      this.#moveTarget(t, m, ts);
      return false;
    }
    this.#flatten(t, "TARGET", "market", price, ts, m.by);
    return true;
  }

  /**
   * Moves the stop as a manager asks, by the rule of `movedStop`: on the grid, never on the
   * average fill (it may pass it, locking in profit), a tick short of the print `price` that
   * moved it, only ever tighter; a STOP_MOVE line per move.
   */
  #moveStop(t: OpenTradeState, m: LevelMove, ts: number, price: number): void {
    const long = t.side === "LONG";
    const avg = t.filledValue / t.filled;
    const p = movedStop(long, m.price, t.stop, avg, price, this.#o.tickSize);
    if (p === undefined) return;
    this.#o.emit({
      kind: "STOP_MOVE",
      time: ts,
      tradeId: t.tradeId,
      old: t.stop,
      price: p,
      reason: m.reason,
    });
    t.stop = p;
    this.#stopBy = m.by;
    this.#venue.modifyExits(t.tradeId, { stop: p, time: ts });
  }

  /** Moves the target (a TARGET_MOVE line); `qty`: the contracts it now closes, sent as they are. */
  #moveTarget(t: OpenTradeState, m: LevelMove, ts: number, qty?: number): void {
    if (m.price === t.target) {
      if (qty !== undefined) this.#venue.modifyExits(t.tradeId, { targetQty: qty, time: ts });
      return;
    }
    this.#o.emit({
      kind: "TARGET_MOVE",
      time: ts,
      tradeId: t.tradeId,
      old: t.target,
      price: m.price,
      reason: m.reason,
    });
    t.target = m.price;
    this.#targetBy = m.by;
    const change: ExitChange = { target: m.price, time: ts };
    if (qty !== undefined) change.targetQty = qty;
    this.#venue.modifyExits(t.tradeId, change);
  }

  /**
   * Called on every bar close: an entry order still working after its timeout is cancelled
   * (reason `EXPIRED`); a trade with no fill then ends there.
   */
  onBarClose(barEnd: number, bar?: Bar): void {
    if (bar !== undefined) this.#stops.observeBar?.(bar);
    if (this.#unconfirmed !== undefined && barEnd > this.#unconfirmed.time) {
      this.#unconfirmed = undefined;
    }
    const t = this.#trade;
    if (t === undefined || t.filled >= t.ordered || barEnd <= t.orderTime!) return;
    if (barEnd >= this.#expiresAt) {
      this.#expire(t, barEnd);
      return;
    }
    if (++this.#barsWorking < this.#timeout) return;
    this.#expire(t, barEnd);
  }

  /** Cancels the working rest of the entry (`EXPIRED`). */
  #expire(t: OpenTradeState, time: number): void {
    this.#expiresAt = Infinity;
    if (t.filled >= t.ordered) return;
    this.#cancelEntry(t, time, "EXPIRED", t.ordered - t.filled);
    if (t.filled === 0) this.#trade = undefined;
    else t.ordered = t.filled;
  }

  /** Journals an entry cancel (the decision), then asks the venue for it. */
  #cancelEntry(t: OpenTradeState, time: number, reason: string, qty: number): void {
    this.#o.emit({ kind: "CANCEL", time, tradeId: t.tradeId, qty, reason });
    this.#cancelled = t.tradeId;
    this.#unconfirmed = { tradeId: t.tradeId, time };
    this.#venue.cancel(t.tradeId, "entry", time);
  }

  /**
   * Closes whatever is open at `price` (MANUAL at shutdown, END at end of data), and
   * cancels an unfilled remainder or an awaited next-tick entry.
   */
  close(reason: ExitReason, price: number, ts: number): void {
    this.#pending = undefined;
    const t = this.#trade;
    if (t === undefined) return;
    this.#flatten(t, reason, "mark", price, ts, undefined);
  }

  /**
   * Closes the open trade with a market order at `price` (MANUAL): the session policy's
   * flatten. It pays the venue's market slippage; a working or awaited entry is cancelled.
   * True when it did something now; false when there was nothing to close or the close
   * already asked for is still waiting for the venue (the live timer asks every second).
   */
  flatten(price: number, ts: number): boolean {
    const pending = this.#pending !== undefined;
    this.#pending = undefined;
    const t = this.#trade;
    if (t === undefined || (t.filled > 0 && this.#flattening !== undefined)) return pending;
    this.#flatten(t, "MANUAL", "market", price, ts, undefined);
    return true;
  }

  /** Asks the venue to close the trade; with nothing filled, cancels its entry instead. */
  #flatten(
    t: OpenTradeState,
    reason: ExitReason,
    pricing: "market" | "mark",
    price: number,
    ts: number,
    by: string | undefined,
  ): void {
    if (t.filled === 0) {
      this.#trade = undefined;
      this.#cancelEntry(t, ts, reason, t.ordered);
      return;
    }
    if (this.#flattening !== undefined) return;
    this.#flattening = { reason, by };
    this.#venue.flatten({ tradeId: t.tradeId, time: ts, price, pricing });
  }

  #openOrder(
    intent: EntryIntent,
    entry: number,
    ts: number,
    context: EntryContext,
    limit: boolean,
  ): void {
    // A venue that would refuse it anyway (halted, a replayed signal) logs it: no ENTRY line.
    if (this.#venue.refusesEntry?.(ts) !== undefined) return;
    const o = this.#o;
    const side = intent.side;
    const stop = this.#stops.initial(entry, intent);
    const target = this.#targets.initial(entry, intent, stop);
    this.#stopBy = this.#stops.initialBy ?? "atr_stop";
    this.#targetBy = this.#targets.initialBy ?? "points_target";
    const limitEntry = limit && intent.limit === undefined;
    // A limit entry's timeout is in milliseconds when configured so, else in bar closes.
    const ms = limitEntry ? o.limitTimeoutMs : undefined;
    this.#expiresAt = ms === undefined ? Infinity : ts + ms;
    this.#timeout = ms !== undefined
      ? Infinity
      : intent.expiryBars ?? (limitEntry ? o.limitTimeoutBars : undefined) ?? o.entryTimeoutBars;
    this.#scaled = false;
    this.#resumed = false;
    this.#targetQty = undefined;
    this.#flattening = undefined;
    this.#costs.reset();
    const tradeId = o.tradeId(++this.#seq);
    this.#last = { tradeId, side, stop, target };
    this.#trade = {
      tradeId,
      side,
      ordered: o.contracts,
      filled: 0,
      filledValue: 0,
      entryPrice: entry,
      stop,
      target,
      entryTime: NaN,
      fills: 0,
      orderTime: ts,
    };
    this.#barsWorking = 0;
    // Journaled before the order is sent: a restart never loses an order it sent.
    o.emit({
      kind: "ENTRY",
      time: ts,
      tradeId,
      side,
      entry,
      stop,
      target,
      size: o.contracts,
      context,
    });
    this.#venue.placeEntry({
      tradeId,
      side,
      qty: o.contracts,
      type: limit ? "limit" : "market",
      price: entry,
      time: ts,
      stop,
      target,
    });
  }

  /** Everything the venue reports about the open trade. */
  #onVenue(e: VenueEvent): void {
    const t = this.#trade;
    if (e.kind === "fill") {
      if (t === undefined && e.role === "entry") this.#lateFill(e);
      if (t === undefined || t.tradeId !== e.tradeId) return;
      if (e.role === "entry") this.#fill(t, e);
      else this.#exitFill(t, e);
    } else if (e.kind === "cancel" || e.kind === "reject") {
      if (e.role === "entry" && this.#unconfirmed?.tradeId === e.tradeId) {
        this.#unconfirmed = undefined;
      }
      if (e.role !== "entry" || this.#cancelled === e.tradeId) return;
      // The venue ended the entry on its own (a reject, a broker cancel): journal why.
      if (t === undefined || t.tradeId !== e.tradeId || t.filled >= t.ordered) return;
      const reason = e.kind === "reject"
        ? `REJECTED${e.code === undefined ? "" : ` ${e.code}`}: ${e.text}`
        : e.reason ?? "VENUE";
      this.#cancelled = t.tradeId;
      this.#o.emit({
        kind: "CANCEL",
        time: e.time,
        tradeId: t.tradeId,
        qty: t.ordered - t.filled,
        reason,
      });
      if (t.filled === 0) this.#trade = undefined;
      else t.ordered = t.filled;
    }
  }

  /**
   * An entry fill for the last trade after it ended (its cancel crossed the fill at the
   * broker): the contracts are held, so they are journaled under that trade id and closed at
   * once, at market, as MANUAL. A paper venue never does this.
   */
  #lateFill(e: VenueFill): void {
    const last = this.#last;
    if (last === undefined || last.tradeId !== e.tradeId || this.#pending !== undefined) return;
    const t: OpenTradeState = {
      ...last,
      ordered: e.qty,
      filled: 0,
      filledValue: 0,
      entryPrice: e.price,
      entryTime: NaN,
      fills: 0,
      orderTime: -Infinity,
    };
    this.#trade = t;
    this.#flattening = undefined;
    this.#fill(t, e);
    this.#flatten(t, "MANUAL", "market", e.price, e.time, undefined);
  }

  #fill(t: OpenTradeState, e: VenueFill): void {
    if (t.filled === 0) {
      t.entryTime = e.time;
      this.tradesOpened++;
      this.#excursions.reset();
    }
    this.#costs.addEntry(e.commission);
    t.filled += e.qty;
    t.filledValue += e.price * e.qty;
    t.fills++;
    const fill: FillEvent = {
      kind: "FILL",
      time: e.time,
      tradeId: t.tradeId,
      price: e.price,
      qty: e.qty,
      filled: t.filled,
      remaining: t.ordered - t.filled,
    };
    if (e.execId !== undefined) fill.execId = e.execId;
    this.#o.emit(fill);
  }

  /** A stop, target or flatten fill: an EXIT (a part of one, when fewer than the position). */
  #exitFill(t: OpenTradeState, e: VenueFill): void {
    const so = this.#o.scaleOut;
    let reason: ExitReason;
    let by: string | undefined;
    if (e.role === "flatten") {
      reason = this.#flattening?.reason ?? "MANUAL";
      by = this.#flattening?.by;
    } else reason = e.role === "stop" ? "STOP" : "TARGET";
    const scaleOut = e.role === "target" && so !== undefined && !this.#scaled &&
      this.#targetQty === so.contracts && e.qty < t.filled;
    if (scaleOut) by = "scale_out";
    this.#exit(t, reason, e, by);
    if (!scaleOut) return;
    this.#scaled = true;
    this.#targetQty = undefined;
    const long = t.side === "LONG";
    const runner = onGridAway(
      t.entryPrice + (long ? so!.runnerPoints : -so!.runnerPoints),
      t.entryPrice,
      long ? 1 : -1,
      this.#o.tickSize,
    );
    // The rest's target, for all of it (the first part's order is done).
    const move = { price: runner, reason: "SCALE_OUT", by: this.#targetBy };
    this.#moveTarget(t, move, e.time, t.filled);
  }

  /**
   * Books an exit fill of `fill.qty` contracts (fewer than the position: a part, the trade
   * stays open with the rest). `by` names the manager for the EXIT's `By` when exits are
   * tagged; the fill's commission, when the venue reports one, replaces the configured one.
   */
  #exit(t: OpenTradeState, reason: ExitReason, fill: VenueFill, by: string | undefined): void {
    const o = this.#o;
    const { time: ts, qty } = fill;
    const part = qty < t.filled;
    if (!part && t.filled < t.ordered && this.#cancelled !== t.tradeId) {
      this.#cancelEntry(
        t,
        ts,
        reason === "TARGET" || reason === "STOP" ? "EXIT_BEFORE_COMPLETE" : reason,
        t.ordered - t.filled,
      );
    }
    const avg = t.filledValue / t.filled;
    const n = part ? qty : t.filled;
    const event = exitEvent(t, reason, fill, n, this.#costs.exit(t, n, fill.commission), o);
    if (part) event.remaining = t.filled - n;
    if (fill.execId !== undefined) event.execId = fill.execId;
    // Excursions up to and including this fill; unknown for a trade resumed after a restart.
    if (!this.#resumed) {
      this.#excursions.widen(t, fill.price);
      event.mae = clean(this.#excursions.mae);
      event.mfe = clean(this.#excursions.mfe);
    }
    if (o.tagExits === true && (reason === "TARGET" || reason === "STOP")) {
      event.by = by ?? (reason === "STOP" ? this.#stopBy : this.#targetBy);
    }
    o.emit(event);
    if (!part) {
      if (this.#trade === t) this.#trade = undefined;
      this.#flattening = undefined;
      return;
    }
    // The rest keeps the same average entry.
    t.filled -= n;
    t.ordered -= n;
    t.filledValue = avg * t.filled;
  }
}
