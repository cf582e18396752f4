/**
 * A trade manager on a paper venue, built from one flat set of options: the engine's default
 * execution, and what the trader-level tests drive. The trade lifecycle (journal, managers,
 * timeouts) is {@linkcode TradeManager}'s; the fills are {@linkcode PaperVenue}'s.
 *
 * @module
 */
import { PaperVenue, type PaperVenueOptions } from "../execution/paper_venue.ts";
import { TradeManager, type TradeManagerOptions } from "./trade_manager.ts";

export type { OpenTradeState } from "./trade_manager.ts";

/** Settings for {@linkcode PaperTrader}: the trade manager's and the paper venue's. */
export interface PaperTraderOptions extends Omit<TradeManagerOptions, "venue">, PaperVenueOptions {}

/**
 * A {@linkcode TradeManager} that drives its own {@linkcode PaperVenue}.
 *
 * @example
 * ```ts
 * const events: unknown[] = [];
 * const t = new PaperTrader({
 *   tickSize: 0.25, multiplier: 5, contracts: 1, partialFills: false,
 *   commissionPerContract: 0.62, stopSlippageTicks: 0, entryPrice: "bar_close",
 *   entryTimeoutBars: 1, emit: (e) => events.push(e), tradeId: (n) => `R-${n}`,
 * });
 * t.busy; // false
 * ```
 */
export class PaperTrader extends TradeManager {
  /** A trade manager on a paper venue with the fill model of `options`. */
  constructor(options: PaperTraderOptions) {
    super({ ...options, venue: new PaperVenue(options) });
  }
}
