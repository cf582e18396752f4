/**
 * The shapes around the `TradeManager` (trade_manager.ts): its settings and the open trade it holds (what
 * restart recovery reads from the journal and hands back).
 *
 * @module
 */
import type { JournalEvent, Side } from "../types.ts";
import type { Venue } from "../execution/venue.ts";
import type { StopManager, TargetManager } from "./exits.ts";

/** Settings for the `TradeManager`. */
export interface TradeManagerOptions {
  /** Where orders go. */
  venue: Venue;
  /** Minimum price increment (P/L in ticks, the default managers' grid). */
  tickSize: number;
  /** Currency per point per contract. */
  multiplier: number;
  /** Contracts per entry order. */
  contracts: number;
  /** Places the stop; default `FixedStop` on `tickSize`. */
  stops?: StopManager;
  /** Places the target; default `FixedTarget` on `tickSize`. */
  targets?: TargetManager;
  /**
   * Scale out: `contracts` close at the first target (an EXIT with `Remaining`, same trade
   * id) and the rest's target moves to `runnerPoints` from the entry. Only for a complete
   * entry of more than `contracts`; otherwise the whole position exits at the target.
   */
  scaleOut?: { contracts: number; runnerPoints: number };
  /** Write each EXIT's `By` (the manager that caused it): set when a manager is not the default. */
  tagExits?: boolean;
  /** Commission per contract per side, in currency (unless the venue reports the real one). */
  commissionPerContract: number;
  /** `bar_close`: enter at the signal bar's close; `next_tick`: at the next print. */
  entryPrice: "bar_close" | "next_tick";
  /**
   * `market` (default): a market entry (the venue may rest it as a limit at its reference
   * price, e.g. paper with partial fills). `limit`: a limit at the signal price, cancelled
   * after `limitTimeoutBars` bar closes or `limitTimeoutMs`.
   */
  entryType?: "market" | "limit";
  /** Bar closes after which a `limit` entry that is not complete is cancelled. Default: `entryTimeoutBars`. */
  limitTimeoutBars?: number;
  /** Milliseconds after which a `limit` entry that is not complete is cancelled (instead of bars). */
  limitTimeoutMs?: number;
  /**
   * Bar closes after which an entry order that is not complete is cancelled (its filled part,
   * if any, stays open). Only partial fills and limits leave an order working.
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
