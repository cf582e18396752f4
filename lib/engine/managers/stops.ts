/**
 * Stop managers beyond the fixed ATR stop: an ATR trailing stop, a breakeven stop and a
 * swing-low/high stop. Each one keeps the state of one position, reset by `initial`. The
 * initial stop is on the loss side, at least one tick from the entry. A move may pass the
 * entry to lock in profit; where a moved stop may go is {@linkcode movedStop}'s rule, which
 * the trader applies to every move.
 *
 * @module
 */
import type { EntryIntent } from "../../strategy/strategy.ts";
import type { Bar } from "../../types.ts";
import { FixedStop, type LevelMove, type PositionView, type StopManager } from "../exits.ts";
import { oneTickAway, roundToTick, tickToward } from "../../market/prices.ts";

/** Float slack when comparing prices that are sums of grid prices. */
const EPS = 1e-9;

/**
 * The tightest stop allowed for an entry at `entry`: the grid price one tick below a long's
 * entry (above a short's), whatever the entry's own grid (4501 long -> 4500.75, 4501.1
 * short -> 4501.5 on a 0.25 grid).
 */
function stopCap(long: boolean, entry: number, tickSize: number): number {
  return long
    ? oneTickAway(Infinity, entry, -1, tickSize)
    : oneTickAway(-Infinity, entry, 1, tickSize);
}

/**
 * Where a stop move asked for at `want` goes, or undefined when it would not tighten the
 * `current` stop. `entry` is the position's average fill, `print` the trade print that
 * caused the move. The rules, in order: on the grid; never on the entry (a level less than
 * a tick from it goes one tick to the profit side); at least one tick short of the print (a
 * long's stop below it: a stop at or through the print would exit on the next one at once);
 * if that puts it back within a tick of the entry, one tick on the loss side instead; and
 * only ever tighter.
 *
 * @example
 * ```ts
 * movedStop(true, 4500, 4498, 4500, 4503, 0.25); // 4500.25: not on the entry, the profit side
 * movedStop(true, 4502, 4498, 4500, 4502, 0.25); // 4501.75: a tick under the print
 * movedStop(true, 4500.25, 4498, 4500, 4500.25, 0.25); // 4499.75: no room above the entry
 * movedStop(true, 4499, 4499.5, 4500, 4503, 0.25); // undefined: looser
 * ```
 */
export function movedStop(
  long: boolean,
  want: number,
  current: number,
  entry: number,
  print: number,
  tickSize: number,
): number | undefined {
  const dir = long ? 1 : -1;
  let p = roundToTick(want, tickSize);
  if (Math.abs(p - entry) < tickSize - EPS) p = oneTickAway(p, entry, dir, tickSize);
  p = oneTickAway(p, print, long ? -1 : 1, tickSize);
  if (Math.abs(p - entry) < tickSize - EPS) {
    p = oneTickAway(stopCap(long, entry, tickSize), print, long ? -1 : 1, tickSize);
  }
  return long ? (p > current + EPS ? p : undefined) : (p < current - EPS ? p : undefined);
}

/**
 * ATR trailing stop: placed like the fixed stop, then kept at the initial distance from the
 * best print since the entry order (the highest for a long). It only tightens, and once the
 * best print is that distance past the entry it passes the entry and locks in profit (never
 * on the entry itself: {@linkcode movedStop}).
 *
 * @example
 * ```ts
 * const s = new TrailingAtrStop(0.25);
 * const intent = { side: "LONG" as const, stop: { kind: "points" as const, points: 2 }, target: { kind: "points" as const, points: 3 } };
 * s.initial(4500, intent); // 4498
 * s.onTick(0, 4503, { side: "LONG", entryPrice: 4500, stop: 4498, target: 4505, filled: 1, filledValue: 4500 }); // { price: 4501, ... }
 * ```
 */
export class TrailingAtrStop implements StopManager {
  /** Exits at the stop before it moved count as `atr_stop`. */
  readonly initialBy = "atr_stop";
  #fixed: FixedStop;
  #long = true;
  #dist = 0;
  #best = 0;

  /** A trailing stop on a grid of `tickSize`. */
  constructor(readonly tickSize: number) {
    this.#fixed = new FixedStop(tickSize);
  }

  /** The fixed stop; the trailing distance is its distance from the entry. */
  initial(entry: number, intent: EntryIntent): number {
    const stop = this.#fixed.initial(entry, intent);
    this.#long = intent.side === "LONG";
    this.#dist = Math.abs(entry - stop);
    this.#best = entry;
    return stop;
  }

  /** A new best print pulls the stop behind it; allocates only when the stop moves. */
  onTick(_ts: number, price: number, position: PositionView): LevelMove | undefined {
    if (this.#long) {
      if (!(price > this.#best)) return undefined;
      this.#best = price;
      const p = roundToTick(price - this.#dist, this.tickSize);
      return p > position.stop + EPS
        ? { price: p, reason: "TRAIL", by: "trailing_stop" }
        : undefined;
    }
    if (!(price < this.#best)) return undefined;
    this.#best = price;
    const p = roundToTick(price + this.#dist, this.tickSize);
    return p < position.stop - EPS ? { price: p, reason: "TRAIL", by: "trailing_stop" } : undefined;
  }
}

/**
 * Breakeven stop: placed like the fixed stop; once a print is `after` points (or `after` x R,
 * R being the initial stop's distance) in the trade's favour from the average fill, the stop
 * moves to `offsetTicks` ticks past that fill, locking them in. If the print leaves no room
 * for the whole offset (a stop stays a tick short of the print), the stop goes as far as it
 * may and the rest follows on later prints, until the level is reached.
 *
 * @example
 * ```ts
 * const s = new BreakevenStop(0.25, 1, "r");
 * const intent = { side: "LONG" as const, stop: { kind: "points" as const, points: 2 }, target: { kind: "points" as const, points: 3 } };
 * s.initial(4500, intent); // 4498: R = 2 points, the trigger is at 4502
 * s.onTick(0, 4502, { side: "LONG", entryPrice: 4500, stop: 4498, target: 4503, filled: 1, filledValue: 4500 }); // { price: 4500.25, ... }
 * ```
 */
export class BreakevenStop implements StopManager {
  /** Exits at the stop before it moved count as `atr_stop`. */
  readonly initialBy = "atr_stop";
  #fixed: FixedStop;
  #long = true;
  /** How far past the average fill a print triggers the move, points. */
  #dist = 0;
  /** The move asked for once triggered (one object: re-asked until the stop is there). */
  #move: LevelMove | undefined = undefined;
  #done = false;

  /**
   * Moves to the fill + `offsetTicks` ticks after `after` points (`unit` points) or R
   * multiples (`unit` r).
   */
  constructor(
    readonly tickSize: number,
    readonly after: number,
    readonly unit: "points" | "r",
    readonly offsetTicks = 1,
  ) {
    this.#fixed = new FixedStop(tickSize);
  }

  /** The fixed stop; arms the trigger. */
  initial(entry: number, intent: EntryIntent): number {
    const stop = this.#fixed.initial(entry, intent);
    this.#long = intent.side === "LONG";
    this.#dist = this.unit === "points" ? this.after : this.after * Math.abs(entry - stop);
    this.#move = undefined;
    this.#done = false;
    return stop;
  }

  /** From the first print at or past the trigger, asks for the breakeven level until reached. */
  onTick(_ts: number, price: number, position: PositionView): LevelMove | undefined {
    if (this.#done) return undefined;
    const long = this.#long;
    let m = this.#move;
    if (m === undefined) {
      const avg = position.filledValue / position.filled;
      if (long ? price < avg + this.#dist - EPS : price > avg - this.#dist + EPS) return undefined;
      // On the grid, never short of the offset from an off-grid fill.
      const off = this.offsetTicks * this.tickSize;
      const level = tickToward(long ? avg + off : avg - off, long ? 1 : -1, this.tickSize);
      m = this.#move = { price: level, reason: "BREAKEVEN", by: "breakeven" };
    }
    if (long ? position.stop >= m.price - EPS : position.stop <= m.price + EPS) {
      this.#done = true;
      return undefined;
    }
    return m;
  }
}

/**
 * Swing stop: one tick beyond the lowest low (a short: highest high) of the last `lookback`
 * closed bars, the seeds' "swing high/low: if within your risk tolerance, place the stop
 * just beyond that". Beyond the tolerance (`maxRiskPoints` from the entry), or before any
 * bar closed, it falls back to the fixed ATR stop, so the trade is still taken with the
 * usual risk; the exit then counts as `atr_stop`. At least one tick from the entry.
 *
 * @example
 * ```ts
 * const s = new SwingStop(0.25, 3, 4);
 * s.observeBar({ start: 0, lengthMs: 30_000, open: 4500, high: 4501, low: 4498.5, close: 4500.5, volume: 9, trades: 3 });
 * const intent = { side: "LONG" as const, stop: { kind: "points" as const, points: 2 }, target: { kind: "points" as const, points: 3 } };
 * s.initial(4500.5, intent); // 4498.25: one tick below the swing low 4498.50
 * ```
 */
export class SwingStop implements StopManager {
  #fixed: FixedStop;
  #lows: Float64Array;
  #highs: Float64Array;
  #count = 0;
  #next = 0;
  #by = "swing_stop";

  /** The swing of the last `lookback` bars, within `maxRiskPoints` of the entry. */
  constructor(
    readonly tickSize: number,
    readonly lookback: number,
    readonly maxRiskPoints: number,
  ) {
    this.#fixed = new FixedStop(tickSize);
    this.#lows = new Float64Array(lookback);
    this.#highs = new Float64Array(lookback);
  }

  /** `swing_stop`, or `atr_stop` when the last position fell back to the fixed stop. */
  get initialBy(): string {
    return this.#by;
  }

  /** Remembers the bar's low and high (a ring of `lookback` bars). */
  observeBar(bar: Bar): void {
    this.#lows[this.#next] = bar.low;
    this.#highs[this.#next] = bar.high;
    this.#next = (this.#next + 1) % this.lookback;
    if (this.#count < this.lookback) this.#count++;
  }

  /** One tick beyond the swing, or the fixed stop when that risks too much. */
  initial(entry: number, intent: EntryIntent): number {
    const long = intent.side === "LONG";
    if (this.#count > 0) {
      let swing = long ? Infinity : -Infinity;
      for (let i = 0; i < this.#count; i++) {
        swing = long ? Math.min(swing, this.#lows[i]!) : Math.max(swing, this.#highs[i]!);
      }
      const t = this.tickSize;
      const raw = long ? swing - t : swing + t;
      const stop = oneTickAway(roundToTick(raw, t, entry), entry, long ? -1 : 1, t);
      if (Math.abs(entry - stop) <= this.maxRiskPoints + EPS) {
        this.#by = "swing_stop";
        return stop;
      }
    }
    this.#by = "atr_stop";
    return this.#fixed.initial(entry, intent);
  }
}
