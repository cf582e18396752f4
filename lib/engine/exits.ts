/**
 * Exit policy: where a position's stop and target are, and when they move. The trader asks
 * a {@linkcode StopManager} and a {@linkcode TargetManager} for the initial levels when an
 * entry order is placed. Today's managers are the fixed ones: the intent's stop (ATR multiple
 * or points) and target (points), never moved. Trailing, breakeven, swing and R-multiple
 * managers plug in here through the optional `onBar` / `onTick` hooks, which the trader
 * does not call yet: a move must first have its journal event (`STOP_MOVE`, issue 7).
 *
 * @module
 */
import type { EntryIntent } from "../strategy/strategy.ts";
import type { Bar, Side } from "../types.ts";
import { oneTickAway, roundToTick } from "./prices.ts";

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
}

/** A level change a manager asks for, with the reason to journal. */
export interface LevelMove {
  /** New price (on the tick grid, at least one tick from the entry on the right side). */
  price: number;
  /** Why, e.g. `TRAIL`, `BREAKEVEN`. */
  reason: string;
}

/** Places and moves a position's stop. */
export interface StopManager {
  /** The initial stop of a position entered at `entry`. */
  initial(entry: number, intent: EntryIntent): number;
  /** On each closed bar while the position is open: a move, or nothing. */
  onBar?(bar: Bar, position: PositionView): LevelMove | undefined;
  /** On each tick while the position is open (after the exit checks): a move, or nothing. */
  onTick?(ts: number, price: number, position: PositionView): LevelMove | undefined;
}

/** Places and moves a position's target. */
export interface TargetManager {
  /** The initial target of a position entered at `entry`. */
  initial(entry: number, intent: EntryIntent): number;
  /** On each closed bar while the position is open: a move, or nothing. */
  onBar?(bar: Bar, position: PositionView): LevelMove | undefined;
  /** On each tick while the position is open (after the exit checks): a move, or nothing. */
  onTick?(ts: number, price: number, position: PositionView): LevelMove | undefined;
}

/**
 * The level a trade print reaches: `TARGET` when it is at or through the target (checked
 * first), `STOP` when at or through the stop, else undefined. Where the exit then fills (the
 * target's own price, the stop's print less slippage) is the venue's business.
 *
 * @example
 * ```ts
 * levelReached(true, 4499.5, 4504, 4504); // "TARGET"
 * levelReached(true, 4499.5, 4504, 4499.25); // "STOP"
 * levelReached(false, 4502.5, 4498, 4500); // undefined
 * ```
 */
export function levelReached(
  long: boolean,
  stop: number,
  target: number,
  price: number,
): "TARGET" | "STOP" | undefined {
  if (long) return price >= target ? "TARGET" : price <= stop ? "STOP" : undefined;
  return price <= target ? "TARGET" : price >= stop ? "STOP" : undefined;
}

/**
 * `raw` rounded to the tick grid (a half away from the entry) and kept at least one tick from
 * `entry` on side `away` (-1 below, +1 above), whatever the rounding: a stop on (or past) the
 * entry would exit on the next print, a target there would book a zero-point win.
 */
function onGridAway(raw: number, entry: number, away: 1 | -1, tickSize: number): number {
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
  /** A fixed target on a grid of `tickSize`. */
  constructor(readonly tickSize: number) {}

  /** The target for an entry at `entry`. */
  initial(entry: number, intent: EntryIntent): number {
    const dir = intent.side === "LONG" ? 1 : -1;
    return onGridAway(entry + dir * intent.target.points, entry, dir, this.tickSize);
  }
}
