/**
 * Exit policy: where a position's stop and target are, and when they move. The trade manager asks
 * a {@linkcode StopManager} and a {@linkcode TargetManager} for the initial levels when an
 * entry order is placed. The defaults are the fixed ones: the intent's stop (ATR multiple or
 * points) and target (points), never moved. The other modes (lib/engine/managers/) move
 * them through the optional hooks; the trade manager journals every move (`STOP_MOVE`,
 * `TARGET_MOVE`) and keeps a moved stop on the grid, never looser, never on the entry, and a
 * tick short of the print that moved it (a move may pass the entry to lock in profit; the
 * initial stop is on the loss side, a tick or more from the entry).
 *
 * @module
 */
import type { EntryIntent } from "../strategy/strategy.ts";
import type { Bar, Side } from "../types.ts";
import { oneTickAway, roundToTick } from "../market/prices.ts";

/** What a manager may read of the open position. */
export interface PositionView {
  /** Direction. */
  readonly side: Side;
  /** Entry order price. */
  readonly entryPrice: number;
  /** Current stop. */
  readonly stop: number;
  /** Current target. */
  readonly target: number;
  /** Contracts filled. */
  readonly filled: number;
  /** Sum of fill price x qty: `filledValue / filled` is the average fill. */
  readonly filledValue: number;
}

/** A level change a manager asks for, with the reason to journal. */
export interface LevelMove {
  /**
   * New price. The trader puts a stop on the grid, off the entry and a tick short of the
   * print, and ignores a move that would loosen it (managers/stops.ts `movedStop`).
   */
  price: number;
  /** Why, e.g. `TRAIL`, `BREAKEVEN` (the move's journal `Reason`). */
  reason: string;
  /** The manager an exit at this level is counted under (the EXIT's `By`), e.g. `trailing_stop`. */
  by: string;
  /**
   * Target managers only: exit now at this print (less the stop slippage, a market order)
   * instead of moving the target; `price` is then ignored.
   */
  exit?: boolean;
}

/** Places and moves a position's stop. Per-position state is reset by `initial`. */
export interface StopManager {
  /** The initial stop of a position entered at `entry`. */
  initial(entry: number, intent: EntryIntent): number;
  /** The manager an exit at the initial stop is counted under (`atr_stop`, `swing_stop`). */
  readonly initialBy?: string;
  /** On every closed bar, a position open or not (a swing stop's lookback). */
  observeBar?(bar: Bar): void;
  /** On each tick while the position is open (after the exit checks): a move, or nothing. */
  onTick?(ts: number, price: number, position: PositionView): LevelMove | undefined;
}

/** Places and moves a position's target. Per-position state is reset by `initial`. */
export interface TargetManager {
  /** The initial target of a position entered at `entry` with initial stop `stop`. */
  initial(entry: number, intent: EntryIntent, stop: number): number;
  /** The manager an exit at the initial target is counted under (`points_target`, ...). */
  readonly initialBy?: string;
  /**
   * On each tick while the position is open, before the exit checks (so that a target that
   * trails can move away from a print instead of being filled by it): a move, or nothing.
   */
  onTick?(ts: number, price: number, position: PositionView): LevelMove | undefined;
}

/** The level a trade print reaches (the paper venue's matching rule), re-exported here. */
export { levelReached } from "../execution/paper_venue.ts";

/**
 * `raw` rounded to the tick grid (a half away from the entry) and kept at least one tick from
 * `entry` on side `away` (-1 below, +1 above), whatever the rounding: a stop on (or past) the
 * entry would exit on the next print, a target there would book a zero-point win.
 */
export function onGridAway(raw: number, entry: number, away: 1 | -1, tickSize: number): number {
  return oneTickAway(roundToTick(raw, tickSize, entry), entry, away, tickSize);
}

/**
 * Today's stop: the intent's distance (`multiple x atr`, or points) from the entry, on the
 * grid and at least one tick below a long's entry (above a short's). Never moved.
 *
 * @example
 * ```ts
 * const stop = new FixedStop(0.25);
 * const intent = {
 *   side: "LONG" as const,
 *   stop: { kind: "atr" as const, multiple: 1.5, atr: 1 },
 *   target: { kind: "points" as const, points: 3 },
 * };
 * stop.initial(4501, intent); // 4499.5
 * ```
 */
export class FixedStop implements StopManager {
  /** Exits at this stop count as `atr_stop` (also a points stop: the intent's policy). */
  readonly initialBy = "atr_stop";

  /** A fixed stop on a grid of `tickSize`. */
  constructor(readonly tickSize: number) {}

  /** The stop for an entry at `entry`. */
  initial(entry: number, intent: EntryIntent): number {
    const dir = intent.side === "LONG" ? 1 : -1;
    const p = intent.stop;
    // `dir * multiple * atr` in this order: the same float as before managers existed.
    const raw = p.kind === "atr" ? entry - dir * p.multiple * p.atr : entry - dir * p.points;
    return onGridAway(raw, entry, dir === 1 ? -1 : 1, this.tickSize);
  }
}

/**
 * Today's target: the intent's points from the entry, on the grid and at least a tick
 * above a long's entry (below a short's). Never moved.
 */
export class FixedTarget implements TargetManager {
  /** Exits at this target count as `points_target`. */
  readonly initialBy = "points_target";

  /** A fixed target on a grid of `tickSize`. */
  constructor(readonly tickSize: number) {}

  /** The target for an entry at `entry`. */
  initial(entry: number, intent: EntryIntent): number {
    const dir = intent.side === "LONG" ? 1 : -1;
    return onGridAway(entry + dir * intent.target.points, entry, dir, this.tickSize);
  }
}
