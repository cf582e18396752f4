/**
 * One paper trader for the trader-level tests: MES-like settings (tick 0.25, $5 a point, 1
 * contract, 0.62 commission), whole fills at the bar's close, no slippage, and every event it
 * emits recorded. Each test file passes what it changes.
 *
 * @module
 */
import { PaperTrader, type PaperTraderOptions } from "../lib/engine/paper_trader.ts";
import type { JournalEvent } from "../lib/types.ts";

/** A trader with the events it emitted. */
export interface RecordingTrader {
  /** The trader. */
  t: PaperTrader;
  /** Every event emitted, in order. */
  events: JournalEvent[];
}

/** Builds a trader whose events are recorded; `over` replaces any default option. */
export function recordingTrader(over: Partial<PaperTraderOptions> = {}): RecordingTrader {
  const events: JournalEvent[] = [];
  const t = new PaperTrader({
    tickSize: 0.25,
    multiplier: 5,
    contracts: 1,
    partialFills: false,
    commissionPerContract: 0.62,
    stopSlippageTicks: 0,
    entryPrice: "bar_close",
    entryTimeoutBars: 1,
    emit: (e) => events.push(e),
    tradeId: (n) => `RUN-${n}`,
    ...over,
  });
  return { t, events };
}
