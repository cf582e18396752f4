/**
 * Stop managers beyond the fixed ATR stop: an ATR trailing stop, a breakeven stop and a
 * swing-low/high stop. Each one keeps the state of one position, reset by `initial`. A stop
 * they ask for is capped one tick short of the entry (the trader enforces it too): a stop
 * protects capital and never sits on or past the entry, so locking in profit is the
 * targets' job (the trailing target).
 *
 * @module
 */
import type { EntryIntent } from "../../strategy/strategy.ts";
import type { Bar } from "../../types.ts";
import { FixedStop, type LevelMove, type PositionView, type StopManager } from "../exits.ts";
import { oneTickAway, roundToTick } from "../prices.ts";

/** Float slack when comparing prices that are sums of grid prices. */
const EPS = 1e-9;

/**
 * The tightest stop allowed for an entry at `entry`: the grid price one tick below a long's
 * entry (above a short's), whatever the entry's own grid.
 *
 * @example
 * ```ts
 * stopCap(true, 4501, 0.25); // 4500.75
 * stopCap(false, 4501.1, 0.25); // 4501.5
 * ```
 */
export function stopCap(long: boolean, entry: number, tickSize: number): number {
  return long
    ? oneTickAway(Infinity, entry, -1, tickSize)
    : oneTickAway(-Infinity, entry, 1, tickSize);
}

/**
 * ATR trailing stop: placed like the fixed stop, then kept at the initial distance from the
 * best print since the entry order (the highest for a long), up to one tick short of the
 * entry. It only tightens.
 *
 * @example
 * ```ts
 * const s = new TrailingAtrStop(0.25);
 * const intent = { side: "LONG" as const, stop: { kind: "points" as const, points: 2 }, target: { kind: "points" as const, points: 3 } };
 * s.initial(4500, intent); // 4498
 * s.onTick(0, 4501, { side: "LONG", entryPrice: 4500, stop: 4498, target: 4503, filled: 1 }); // { price: 4499, ... }
 * ```
 */
export class TrailingAtrStop implements StopManager {
  /** Exits at the stop before it moved count as `atr_stop`. */
  readonly initialBy = "atr_stop";
  #fixed: FixedStop;
  #long = true;
  #dist = 0;
  #best = 0;
  #cap = 0;

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
    this.#cap = stopCap(this.#long, entry, this.tickSize);
    return stop;
  }

  /** A new best print pulls the stop behind it; allocates only when the stop moves. */
  onTick(_ts: number, price: number, position: PositionView): LevelMove | undefined {
    if (this.#long) {
      if (!(price > this.#best)) return undefined;
      this.#best = price;
      const p = Math.min(roundToTick(price - this.#dist, this.tickSize), this.#cap);
      return p > position.stop + EPS
        ? { price: p, reason: "TRAIL", by: "trailing_stop" }
        : undefined;
    }
    if (!(price < this.#best)) return undefined;
    this.#best = price;
    const p = Math.max(roundToTick(price + this.#dist, this.tickSize), this.#cap);
    return p < position.stop - EPS ? { price: p, reason: "TRAIL", by: "trailing_stop" } : undefined;
  }
}

/**
 * Breakeven stop: placed like the fixed stop; once a print is `after` points (or `after` x R,
 * R being the initial stop's distance) in the trade's favour, the stop moves once to one tick
 * short of the entry (the closest a stop may be).
 *
 * @example
 * ```ts
 * const s = new BreakevenStop(0.25, 1, "r");
 * const intent = { side: "LONG" as const, stop: { kind: "points" as const, points: 2 }, target: { kind: "points" as const, points: 3 } };
 * s.initial(4500, intent); // 4498: R = 2 points, the trigger is at 4502
 * s.onTick(0, 4502, { side: "LONG", entryPrice: 4500, stop: 4498, target: 4503, filled: 1 }); // { price: 4499.75, ... }
 * ```
 */
export class BreakevenStop implements StopManager {
  /** Exits at the stop before it moved count as `atr_stop`. */
  readonly initialBy = "atr_stop";
  #fixed: FixedStop;
  #long = true;
  #trigger = 0;
  #level = 0;
  #done = false;

  /** Moves to breakeven after `after` points (`unit` points) or R multiples (`unit` r). */
  constructor(readonly tickSize: number, readonly after: number, readonly unit: "points" | "r") {
    this.#fixed = new FixedStop(tickSize);
  }

  /** The fixed stop; arms the trigger. */
  initial(entry: number, intent: EntryIntent): number {
    const stop = this.#fixed.initial(entry, intent);
    this.#long = intent.side === "LONG";
    const dist = this.unit === "points" ? this.after : this.after * Math.abs(entry - stop);
    this.#trigger = this.#long ? entry + dist : entry - dist;
    this.#level = stopCap(this.#long, entry, this.tickSize);
    this.#done = false;
    return stop;
  }

  /** The first print at or past the trigger moves the stop to breakeven. */
  onTick(_ts: number, price: number, position: PositionView): LevelMove | undefined {
    if (this.#done) return undefined;
    if (this.#long ? price < this.#trigger - EPS : price > this.#trigger + EPS) return undefined;
    this.#done = true;
    const tighter = this.#long ? this.#level > position.stop : this.#level < position.stop;
    return tighter ? { price: this.#level, reason: "BREAKEVEN", by: "breakeven" } : undefined;
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
