/**
 * Counters of a live run, shared by the runner's parts (connection hooks, sync, tick feed,
 * watchdog): each part counts its own, the run reports them together.
 *
 * @module
 */

/** Counters of a live run. */
export interface LiveStats {
  connects: number;
  disconnects: number;
  syncs: number;
  backfilledTicks: number;
  backfillPages: number;
  truncatedBackfills: number;
  warmupTicks: number;
  timerBars: number;
  lateTicks: number;
  liveTicks: number;
  watchdogChecks: number;
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
    liveTicks: 0,
    watchdogChecks: 0,
    pacingRetries: 0,
  };
}
