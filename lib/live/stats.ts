/**
 * Counters of a live run, shared by the runner's parts (connection hooks, sync, tick feed,
 * watchdog): each part counts its own, the run reports them together.
 *
 * @module
 */

/** Counters of a live run. */
export interface LiveStats {
  /** Times the API became ready (first connect and every reconnect). */
  connects: number;
  /** Times the socket closed. */
  disconnects: number;
  /** Completed syncs (history fetched and fed). */
  syncs: number;
  /** History ticks fed by the syncs after a reconnect. */
  backfilledTicks: number;
  /** History pages fetched. */
  backfillPages: number;
  /** Backfills cut short by live.max_pages (a gap remains). */
  truncatedBackfills: number;
  /** History ticks fed by the first sync (the warm-up). */
  warmupTicks: number;
  /** Bars closed by the timer (no trade after their end). */
  timerBars: number;
  /** Ticks whose bar had already closed. */
  lateTicks: number;
  /**
   * Stalls detected by the bar timer (a turn a whole period late, the clock past the grace;
   * a sync or an outage counts as one): each holds bar closes for one more grace.
   */
  stalledTurns: number;
  /** Live trades received. */
  liveTicks: number;
  /** Watchdog probes of a quiet connection in liquid hours. */
  watchdogChecks: number;
  /** History requests retried after a pacing violation (162). */
  pacingRetries: number;
}

/** All counters at zero. */
export function newLiveStats(): LiveStats {
  return {
    connects: 0,
    disconnects: 0,
    syncs: 0,
    backfilledTicks: 0,
    backfillPages: 0,
    truncatedBackfills: 0,
    warmupTicks: 0,
    timerBars: 0,
    lateTicks: 0,
    stalledTurns: 0,
    liveTicks: 0,
    watchdogChecks: 0,
    pacingRetries: 0,
  };
}
