/**
 * Helpers of the manager tests (managers_test.ts, managers_wiring_test.ts): entry intents, a
 * recording trader, bars, and the level moves and exits of a journal.
 *
 * @module
 */
import type { PaperTraderOptions } from "../lib/engine/paper_trader.ts";
import { recordingTrader } from "./_trader.ts";
import type { EntryIntent } from "../lib/strategy/strategy.ts";
import type { Bar, ExitEvent, JournalEvent, LevelMoveEvent, Side } from "../lib/types.ts";

/** 2025-02-17 18:01 UTC (12:01 in Chicago). */
export const T = Date.UTC(2025, 1, 17, 18, 1, 0);
/** MES's tick. */
export const TICK = 0.25;

/** A stop `stopPts` points and a target `targetPts` points from the entry. */
export function pts(side: Side, stopPts: number, targetPts = 3): EntryIntent {
  return {
    side,
    stop: { kind: "points", points: stopPts },
    target: { kind: "points", points: targetPts },
  };
}

/** A recording paper trader on the MES tick that tags exits (By=), with `over` on top. */
export function trader(over: Partial<PaperTraderOptions> = {}) {
  return recordingTrader({ tickSize: TICK, tagExits: true, ...over });
}

/** Bar `i` of 30 s from 10 minutes before {@linkcode T}: open and low at `low`, high and close at `high`. */
export function bar(low: number, high: number, i = 0): Bar {
  return {
    start: T - 600_000 + i * 30_000,
    lengthMs: 30_000,
    open: low,
    high,
    low,
    close: high,
    volume: 10,
    trades: 5,
  };
}

/** The `[old, price, reason]` of each STOP_MOVE or TARGET_MOVE (`kind`) in `events`. */
export const moves = (events: JournalEvent[], kind: LevelMoveEvent["kind"]) =>
  events.filter((e): e is LevelMoveEvent => e.kind === kind).map((e) => [e.old, e.price, e.reason]);
/** The EXIT events of `events`. */
export const exits = (events: JournalEvent[]) =>
  events.filter((e): e is ExitEvent => e.kind === "EXIT");
