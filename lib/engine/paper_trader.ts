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
import type { EntryContext, ExitReason, JournalEvent, Side } from "../types.ts";
import {
  FixedStop,
  FixedTarget,
  levelReached,
  type StopManager,
  type TargetManager,
} from "./exits.ts";
import type { Exposure } from "./position_policy.ts";

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
   * Acts on an entry intent from a closed bar (or a tick). With `bar_close` entries the
   * order is placed at `close`, at time `barEnd`; with `next_tick` it waits for the next
   * trade print. The position policy has already allowed it: a call while busy is a bug and
   * throws.
   */
  signal(intent: EntryIntent, close: number, barEnd: number, context: EntryContext): void {
    if (this.busy) {
      throw new Error("PaperTrader.signal while busy: the position policy was bypassed");
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
      if (!this.#o.partialFills) {
        this.#marketFill(price, t.ordered, ts);
      } else if (size > 0 && (long ? price <= t.entryPrice : price >= t.entryPrice)) {
        // A resting limit is filled at its own price by prints at or through it. With
        // next_tick entries the limit is the first print after the signal.
        this.#fill(t.entryPrice, Math.min(size, t.ordered - t.filled), ts);
      }
    }
    if (t.filled === 0) return;
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
    const target = this.#targets.initial(entry, intent);
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
