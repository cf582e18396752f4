/**
 * The paper execution venue: one trade at a time, entry fills (whole or partial), stop and
 * target watched on every tick, P/L. It emits journal events and never reads a clock: every
 * time it records comes from the tick or bar that caused it.
 *
 * @module
 */
import type { EntryContext, ExitReason, JournalEvent, Side } from "../types.ts";
import { oneTickAway, roundToTick } from "./prices.ts";

/** Settings for {@linkcode PaperTrader}. */
export interface PaperTraderOptions {
  /** Minimum price increment; stop and target are rounded to it. */
  tickSize: number;
  /** Currency per point per contract. */
  multiplier: number;
  /** Contracts per entry order. */
  contracts: number;
  /** Stop distance from entry, in ATRs (the stop is kept at least one tick from the entry). */
  stopAtrMultiple: number;
  /** Target distance from entry, in points. */
  targetPoints: number;
  /** Entry fills only against volume that trades at the entry price or better. */
  partialFills: boolean;
  /** Commission per contract per side, in currency. */
  commissionPerContract: number;
  /** Ticks by which a stop exit fills worse than the triggering print. */
  stopSlippageTicks: number;
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
  side: Side;
  atr: number;
  time: number;
  context: EntryContext;
}

/**
 * Holds at most one trade. Call `signal` on a closed bar, `onTick` on every trade print,
 * and `close` at shutdown or end of data.
 */
export class PaperTrader {
  #o: PaperTraderOptions;
  #trade: OpenTradeState | undefined = undefined;
  #pending: PendingSignal | undefined = undefined;
  #seq = 0;
  /** Bar closes seen while the entry order was still working. */
  #barsWorking = 0;
  /** Trades opened by this run (entries that got at least one fill). */
  tradesOpened = 0;

  /** Creates an idle trader. */
  constructor(options: PaperTraderOptions) {
    this.#o = options;
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
  }

  /**
   * Acts on a signal from a closed bar. With `bar_close` entries the order is placed at
   * the bar's close, at time `barEnd`; with `next_tick` it waits for the next trade print.
   * Ignored when busy (one trade at a time).
   */
  signal(side: Side, close: number, barEnd: number, context: EntryContext): void {
    if (this.busy) return;
    if (this.#o.entryPrice === "next_tick") {
      this.#pending = { side, atr: context.atr, time: barEnd, context };
      return;
    }
    this.#openOrder(side, close, context.atr, barEnd, context);
    if (!this.#o.partialFills) this.#fill(close, this.#o.contracts, barEnd);
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
      this.#openOrder(p.side, price, p.atr, ts, p.context);
    }
    const t = this.#trade;
    if (t === undefined || ts < t.orderTime!) return;
    const long = t.side === "LONG";
    if (t.filled < t.ordered) {
      if (!this.#o.partialFills) {
        this.#fill(price, t.ordered, ts);
      } else if (size > 0 && (long ? price <= t.entryPrice : price >= t.entryPrice)) {
        // A resting limit is filled at its own price by prints at or through it. With
        // next_tick entries the limit is the first print after the signal.
        this.#fill(t.entryPrice, Math.min(size, t.ordered - t.filled), ts);
      }
    }
    if (t.filled === 0) return;
    if (long) {
      if (price >= t.target) this.#exit("TARGET", t.target, ts);
      else if (price <= t.stop) this.#exit("STOP", price - this.#slip(), ts);
    } else {
      if (price <= t.target) this.#exit("TARGET", t.target, ts);
      else if (price >= t.stop) this.#exit("STOP", price + this.#slip(), ts);
    }
  }

  /**
   * Called on every bar close: an entry order still working after `entryTimeoutBars`
   * closes is cancelled (reason `EXPIRED`); a trade with no fill then ends there.
   */
  onBarClose(barEnd: number): void {
    const t = this.#trade;
    if (t === undefined || t.filled >= t.ordered || barEnd <= t.orderTime!) return;
    if (++this.#barsWorking < this.#o.entryTimeoutBars) return;
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

  #slip(): number {
    return this.#o.stopSlippageTicks * this.#o.tickSize;
  }

  #openOrder(side: Side, entry: number, atr: number, ts: number, context: EntryContext): void {
    const o = this.#o;
    const dir = side === "LONG" ? 1 : -1;
    // At least a tick from the entry, whatever the rounding: a stop on (or past) the entry
    // would exit on the next print, and a target there would book a zero-point win.
    const stop = oneTickAway(
      roundToTick(entry - dir * o.stopAtrMultiple * atr, o.tickSize, entry),
      entry,
      dir === 1 ? -1 : 1,
      o.tickSize,
    );
    const target = oneTickAway(
      roundToTick(entry + dir * o.targetPoints, o.tickSize, entry),
      entry,
      dir === 1 ? 1 : -1,
      o.tickSize,
    );
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

  #exit(reason: ExitReason, price: number, ts: number): void {
    const t = this.#trade!;
    const o = this.#o;
    if (t.filled < t.ordered) {
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
    const gross = points * o.multiplier * t.filled;
    const commission = o.commissionPerContract * t.filled * 2;
    o.emit({
      kind: "EXIT",
      time: ts,
      tradeId: t.tradeId,
      side: t.side,
      reason,
      price,
      qty: t.filled,
      entryPrice: avg,
      entryTime: t.entryTime,
      pnlPoints: clean(points),
      pnlTicks: clean(points / o.tickSize),
      grossPnl: clean(gross),
      commission: clean(commission),
      netPnl: clean(gross - commission),
    });
    this.#trade = undefined;
  }
}

/** Strips binary noise (0.30000000000000004 -> 0.3) from money and point figures. */
function clean(x: number): number {
  return Math.round(x * 1e8) / 1e8;
}
