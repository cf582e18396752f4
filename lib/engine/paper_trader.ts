/**
 * The paper execution venue: entry fills (whole or partial), stop and target watched on every
 * tick, P/L. Where the stop and target go is the exit managers' call (exits.ts); whether an
 * entry may be placed at all is the position policy's (position_policy.ts). It emits journal
 * events and never reads a clock: every time it records comes from the tick or bar that
 * caused it.
 *
 * @module
 */
import type { EntryIntent } from "../strategy/strategy.ts";
import type { Bar, EntryContext, ExitEvent, ExitReason, JournalEvent, Side } from "../types.ts";
import {
  FixedStop,
  FixedTarget,
  type LevelMove,
  levelReached,
  onGridAway,
  type StopManager,
  type TargetManager,
} from "./exits.ts";
import type { Exposure } from "./position_policy.ts";
import { movedStop } from "./managers/stops.ts";
import { tickToward } from "./prices.ts";

/** Settings for {@linkcode PaperTrader}. */
export interface PaperTraderOptions {
  /** Minimum price increment (stop slippage, P/L in ticks, the default managers' grid). */
  tickSize: number;
  /** Currency per point per contract. */
  multiplier: number;
  /** Contracts per entry order. */
  contracts: number;
  /** Places the stop; default {@linkcode FixedStop} on `tickSize`. */
  stops?: StopManager;
  /** Places the target; default {@linkcode FixedTarget} on `tickSize`. */
  targets?: TargetManager;
  /**
   * Scale out: `contracts` close at the first target (an EXIT with `Remaining`, same trade
   * id) and the rest's target moves to `runnerPoints` from the entry. Only for a complete
   * entry of more than `contracts`; otherwise the whole position exits at the target.
   */
  scaleOut?: { contracts: number; runnerPoints: number };
  /** Write each EXIT's `By` (the manager that caused it): set when a manager is not the default. */
  tagExits?: boolean;
  /** Entry fills only against volume that trades at the entry price or better. */
  partialFills: boolean;
  /** Commission per contract per side, in currency. */
  commissionPerContract: number;
  /** Ticks by which a stop exit (and a flatten) fills worse than the triggering print. */
  stopSlippageTicks: number;
  /**
   * Ticks by which a market-style entry fills worse than its reference price (the bar close
   * or the next print). Not paid by resting limit entries (`partialFills`). Default 0.
   */
  entrySlippageTicks?: number;
  /**
   * `touch`: a target fills on a print at its price; `through`: only on a print beyond it
   * (a resting limit at the back of the queue is sure of a fill only then). Default `touch`.
   */
  targetFill?: "touch" | "through";
  /** `bar_close`: enter at the signal bar's close; `next_tick`: at the next print. */
  entryPrice: "bar_close" | "next_tick";
  /**
   * Bar closes after which an entry order that is not complete is cancelled (its filled part,
   * if any, stays open). Only partial fills leave an order working.
   */
  entryTimeoutBars: number;
  /** Receives every event, synchronously, before the trader goes on. */
  emit: (event: JournalEvent) => void;
  /** Makes the id of the n-th trade of this run (1-based). */
  tradeId: (seq: number) => string;
}

/** An active trade, as restart recovery needs it. */
export interface OpenTradeState {
  /** Id of the trade. */
  tradeId: string;
  /** Trade direction. */
  side: Side;
  /** Contracts ordered. */
  ordered: number;
  /** Contracts filled. */
  filled: number;
  /** Sum of fill price x qty. */
  filledValue: number;
  /** Entry order price: the signal bar's close, or the first print after it (`next_tick`). */
  entryPrice: number;
  /** Stop price. */
  stop: number;
  /** Target price. */
  target: number;
  /** Time of the first fill, or NaN when nothing has filled yet. */
  entryTime: number;
  /** Number of fills so far. */
  fills: number;
  /**
   * When the entry order was placed. Prints stamped earlier traded before the order existed,
   * so they neither fill it nor hit its stop or target. Missing on resume: any print counts.
   */
  orderTime?: number;
}

interface PendingSignal {
  intent: EntryIntent;
  time: number;
  context: EntryContext;
}

/**
 * Holds at most one trade. Call `signal` on a closed bar, `onTick` on every trade print,
 * and `close` at shutdown or end of data.
 */
export class PaperTrader implements Exposure {
  #o: PaperTraderOptions;
  #stops: StopManager;
  #targets: TargetManager;
  #trade: OpenTradeState | undefined = undefined;
  #pending: PendingSignal | undefined = undefined;
  #seq = 0;
  /** Bar closes seen while the entry order was still working. */
  #barsWorking = 0;
  /** Price added to a market entry's reference price: + for a long, - for a short. */
  #entrySlip: number;
  /** How far beyond the target a print must be: 0 (touch) or half a tick (through). */
  #through: number;
  /** Managers with tick hooks or a scale-out: the default (fixed) path skips all of it. */
  #managed: boolean;
  /** Manager that set the current stop / target, for the EXIT's `By`. */
  #stopBy = "";
  #targetBy = "";
  /** The working entry is a limit order (a pullback): it fills only where its price trades. */
  #limit = false;
  /** Bar closes after which the working entry is cancelled. */
  #timeout = 1;
  /** The position has scaled out. */
  #scaled = false;
  /**
   * The trade was resumed from the journal: its managers' state (best print, breakeven
   * armed, ...) is gone, so it keeps the levels last journaled and no manager moves them.
   */
  #resumed = false;
  /** Worst and best excursion of the open trade since its first fill (MAE, MFE), points. */
  #mae = 0;
  #mfe = 0;
  /** Trades opened by this run (entries that got at least one fill). */
  tradesOpened = 0;

  /** Creates an idle trader. */
  constructor(options: PaperTraderOptions) {
    this.#o = options;
    this.#stops = options.stops ?? new FixedStop(options.tickSize);
    this.#targets = options.targets ?? new FixedTarget(options.tickSize);
    this.#entrySlip = (options.entrySlippageTicks ?? 0) * options.tickSize;
    // Half a tick, not "strictly greater": grid prices may carry float noise.
    this.#through = options.targetFill === "through" ? options.tickSize / 2 : 0;
    this.#managed = this.#stops.onTick !== undefined || this.#targets.onTick !== undefined ||
      (options.scaleOut?.contracts ?? 0) > 0;
  }

  /** True when a trade is active or an entry is working or awaited. */
  get busy(): boolean {
    return this.#trade !== undefined || this.#pending !== undefined;
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
   * numbering after `lastSeq`.
   */
  resume(state: OpenTradeState | undefined, lastSeq: number): void {
    this.#seq = Math.max(this.#seq, lastSeq);
    this.#trade = state === undefined ? undefined : { orderTime: -Infinity, ...state };
    this.#barsWorking = 0;
    this.#resumed = state !== undefined;
  }

  /**
   * Acts on an entry intent from a closed bar (or a tick). With `bar_close` entries the
   * order is placed at `close`, at time `barEnd`; with `next_tick` it waits for the next
   * trade print. The position policy has already allowed it: a call while busy is a bug and
   * throws.
   */
  signal(intent: EntryIntent, close: number, barEnd: number, context: EntryContext): void {
    if (this.busy) {
      throw new Error("PaperTrader.signal while busy: the position policy was bypassed");
    }
    if (intent.limit !== undefined) {
      // A pullback's limit order rests from the signal on, whatever the entry_price mode, on
      // the grid at or below a buy's level (at or above a sell's): never a worse price.
      const limit = tickToward(intent.limit, intent.side === "LONG" ? -1 : 1, this.#o.tickSize);
      this.#openOrder(intent, limit, barEnd, context);
      return;
    }
    if (this.#o.entryPrice === "next_tick") {
      this.#pending = { intent, time: barEnd, context };
      return;
    }
    this.#openOrder(intent, close, barEnd, context);
    if (!this.#o.partialFills) this.#marketFill(close, this.#o.contracts, barEnd);
  }

  /**
   * Processes one trade print: first the working entry order (fills), then the exits.
   * A long exits at the target when a print is at or above it, at the stop when a print is
   * at or below it; a gapped stop fills at the gapping print's price, less slippage.
   * Prints stamped before the order was placed (late ticks) are ignored: they traded before
   * the order existed.
   */
  onTick(ts: number, price: number, size: number): void {
    if (this.#pending !== undefined) {
      const p = this.#pending;
      if (ts < p.time) return;
      this.#pending = undefined;
      this.#openOrder(p.intent, price, ts, p.context);
    }
    const t = this.#trade;
    if (t === undefined || ts < t.orderTime!) return;
    const long = t.side === "LONG";
    if (t.filled < t.ordered) {
      if (!this.#o.partialFills && !this.#limit) {
        this.#marketFill(price, t.ordered, ts);
      } else if (size > 0 && (long ? price <= t.entryPrice : price >= t.entryPrice)) {
        // A resting limit is filled at its own price by prints at or through it. With
        // next_tick entries the limit is the first print after the signal.
        const left = t.ordered - t.filled;
        this.#fill(t.entryPrice, this.#o.partialFills ? Math.min(size, left) : left, ts);
      }
    }
    if (t.filled === 0) return;
    this.#excursion(t, price);
    if (this.#managed && this.#beforeExits(ts, price, t)) return;
    // Exit policy says which level the print reached; the venue says at what price it fills.
    const hit = levelReached(
      long,
      t.stop,
      long ? t.target + this.#through : t.target - this.#through,
      price,
    );
    if (hit === "TARGET") this.#exit("TARGET", t.target, ts);
    else if (hit === "STOP") {
      this.#exit("STOP", long ? price - this.#slip() : price + this.#slip(), ts);
    } else if (this.#managed && this.#stops.onTick !== undefined && !this.#resumed) {
      const m = this.#stops.onTick(ts, price, t);
      if (m !== undefined) this.#moveStop(t, m, ts, price);
    }
  }

  /**
   * The managers' turn before the exit checks: a scale-out at the first target, then the
   * target manager (a trailing target moves away from the print, or exits on a give-back).
   * True when the position closed.
   */
  #beforeExits(ts: number, price: number, t: OpenTradeState): boolean {
    if (this.#resumed) return false;
    const long = t.side === "LONG";
    const so = this.#o.scaleOut;
    if (
      so !== undefined && so.contracts > 0 && !this.#scaled && t.filled === t.ordered &&
      t.filled > so.contracts &&
      (long ? price >= t.target + this.#through : price <= t.target - this.#through)
    ) {
      this.#scaled = true;
      this.#exit("TARGET", t.target, ts, so.contracts, "scale_out");
      const runner = onGridAway(
        t.entryPrice + (long ? so.runnerPoints : -so.runnerPoints),
        t.entryPrice,
        long ? 1 : -1,
        this.#o.tickSize,
      );
      this.#moveTarget(t, { price: runner, reason: "SCALE_OUT", by: this.#targetBy }, ts);
      return false;
    }
    const m = this.#targets.onTick?.(ts, price, t);
    if (m === undefined) return false;
    if (m.exit !== true) {
      this.#moveTarget(t, m, ts);
      return false;
    }
    this.#exit("TARGET", long ? price - this.#slip() : price + this.#slip(), ts, t.filled, m.by);
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
  }

  /** Moves the target (a TARGET_MOVE line). */
  #moveTarget(t: OpenTradeState, m: LevelMove, ts: number): void {
    if (m.price === t.target) return;
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
  }

  /**
   * Called on every bar close: an entry order still working after `entryTimeoutBars`
   * closes is cancelled (reason `EXPIRED`); a trade with no fill then ends there.
   */
  onBarClose(barEnd: number, bar?: Bar): void {
    if (bar !== undefined) this.#stops.observeBar?.(bar);
    const t = this.#trade;
    if (t === undefined || t.filled >= t.ordered || barEnd <= t.orderTime!) return;
    if (++this.#barsWorking < this.#timeout) return;
    this.#o.emit({
      kind: "CANCEL",
      time: barEnd,
      tradeId: t.tradeId,
      qty: t.ordered - t.filled,
      reason: "EXPIRED",
    });
    if (t.filled === 0) this.#trade = undefined;
    else t.ordered = t.filled;
  }

  /**
   * Closes whatever is open at `price` (MANUAL at shutdown, END at end of data), and
   * cancels an unfilled remainder or an awaited next-tick entry.
   */
  close(reason: ExitReason, price: number, ts: number): void {
    this.#pending = undefined;
    const t = this.#trade;
    if (t === undefined) return;
    if (t.filled === 0) {
      this.#o.emit({ kind: "CANCEL", time: ts, tradeId: t.tradeId, qty: t.ordered, reason });
      this.#trade = undefined;
      return;
    }
    this.#exit(reason, price, ts);
  }

  /**
   * Closes the open trade with a market order at `price` (MANUAL): the session policy's
   * flatten. It pays the stop slippage, as any market exit; a working or awaited entry is
   * cancelled.
   */
  flatten(price: number, ts: number): void {
    const t = this.#trade;
    const slip = t === undefined || t.filled === 0 ? 0 : this.#slip();
    this.close("MANUAL", t?.side === "SHORT" ? price + slip : price - slip, ts);
  }

  #slip(): number {
    return this.#o.stopSlippageTicks * this.#o.tickSize;
  }

  /** A market-style entry: filled whole at `ref`, worse by the entry slippage. */
  #marketFill(ref: number, qty: number, ts: number): void {
    const slip = this.#entrySlip;
    this.#fill(slip === 0 ? ref : this.#trade!.side === "LONG" ? ref + slip : ref - slip, qty, ts);
  }

  #openOrder(intent: EntryIntent, entry: number, ts: number, context: EntryContext): void {
    const o = this.#o;
    const side = intent.side;
    const stop = this.#stops.initial(entry, intent);
    const target = this.#targets.initial(entry, intent, stop);
    this.#stopBy = this.#stops.initialBy ?? "atr_stop";
    this.#targetBy = this.#targets.initialBy ?? "points_target";
    this.#limit = intent.limit !== undefined;
    this.#timeout = intent.expiryBars ?? o.entryTimeoutBars;
    this.#scaled = false;
    this.#resumed = false;
    const tradeId = o.tradeId(++this.#seq);
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
  }

  #fill(price: number, qty: number, ts: number): void {
    const t = this.#trade!;
    if (t.filled === 0) {
      t.entryTime = ts;
      this.tradesOpened++;
      this.#mae = 0;
      this.#mfe = 0;
    }
    t.filled += qty;
    t.filledValue += price * qty;
    t.fills++;
    this.#o.emit({
      kind: "FILL",
      time: ts,
      tradeId: t.tradeId,
      price,
      qty,
      filled: t.filled,
      remaining: t.ordered - t.filled,
    });
  }

  /** Widens the open trade's worst and best excursion (points per contract) to `price`. */
  #excursion(t: OpenTradeState, price: number): void {
    const x = t.side === "LONG"
      ? price - t.filledValue / t.filled
      : t.filledValue / t.filled - price;
    if (x < this.#mae) this.#mae = x;
    else if (x > this.#mfe) this.#mfe = x;
  }

  /**
   * Books an exit of `qty` contracts (default all; fewer: a scale-out's part, the trade stays
   * open with the rest). `by` names the manager for the EXIT's `By` when exits are tagged.
   */
  #exit(reason: ExitReason, price: number, ts: number, qty?: number, by?: string): void {
    const t = this.#trade!;
    const o = this.#o;
    const part = qty !== undefined && qty < t.filled;
    if (!part && t.filled < t.ordered) {
      o.emit({
        kind: "CANCEL",
        time: ts,
        tradeId: t.tradeId,
        qty: t.ordered - t.filled,
        reason: reason === "TARGET" || reason === "STOP" ? "EXIT_BEFORE_COMPLETE" : reason,
      });
    }
    const avg = t.filledValue / t.filled;
    const points = t.side === "LONG" ? price - avg : avg - price;
    const n = part ? qty : t.filled;
    const gross = points * o.multiplier * n;
    const commission = o.commissionPerContract * n * 2;
    const event: ExitEvent = {
      kind: "EXIT",
      time: ts,
      tradeId: t.tradeId,
      side: t.side,
      reason,
      price,
      qty: n,
      entryPrice: avg,
      entryTime: t.entryTime,
      pnlPoints: clean(points),
      pnlTicks: clean(points / o.tickSize),
      grossPnl: clean(gross),
      commission: clean(commission),
      netPnl: clean(gross - commission),
    };
    if (part) event.remaining = t.filled - n;
    // Excursions up to and including this fill; unknown for a trade resumed after a restart.
    if (!this.#resumed) {
      this.#excursion(t, price);
      event.mae = clean(this.#mae);
      event.mfe = clean(this.#mfe);
    }
    if (o.tagExits === true && (reason === "TARGET" || reason === "STOP")) {
      event.by = by ?? (reason === "STOP" ? this.#stopBy : this.#targetBy);
    }
    o.emit(event);
    if (!part) {
      this.#trade = undefined;
      return;
    }
    // The rest keeps the same average entry.
    t.filled -= n;
    t.ordered -= n;
    t.filledValue = avg * t.filled;
  }
}

/** Strips binary noise (0.30000000000000004 -> 0.3) from money and point figures. */
function clean(x: number): number {
  return Math.round(x * 1e8) / 1e8;
}
