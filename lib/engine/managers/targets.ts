/**
 * Target managers beyond fixed points: an R-multiple target and a trailing target. Each one
 * keeps the state of one position, reset by `initial`.
 *
 * @module
 */
import type { EntryIntent } from "../../strategy/strategy.ts";
import { type LevelMove, onGridAway, type PositionView, type TargetManager } from "../exits.ts";

/** Float slack when comparing prices that are sums of grid prices. */
const EPS = 1e-9;

/**
 * R-multiple target: `multiple` times the initial stop's distance (R) from the entry, on the
 * grid and at least a tick from the entry.
 *
 * @example
 * ```ts
 * const t = new RMultipleTarget(0.25, 2);
 * const intent = { side: "LONG" as const, stop: { kind: "points" as const, points: 1.5 }, target: { kind: "points" as const, points: 3 } };
 * t.initial(4501, intent, 4499.5); // 4504: 2 x 1.5 points above the entry
 * ```
 */
export class RMultipleTarget implements TargetManager {
  /** Exits at this target count as `r_target`. */
  readonly initialBy = "r_target";

  /** A target `multiple` R from the entry, on a grid of `tickSize`. */
  constructor(readonly tickSize: number, readonly multiple: number) {}

  /** `multiple x |entry - stop|` from the entry. */
  initial(entry: number, intent: EntryIntent, stop: number): number {
    const dir = intent.side === "LONG" ? 1 : -1;
    const r = Math.abs(entry - stop);
    return onGridAway(entry + dir * this.multiple * r, entry, dir, this.tickSize);
  }
}

/**
 * Trailing target: placed by `base`; the first print at or past it does not fill it but
 * arms the trail. From then on the target is kept `trailPoints` ahead of the best print
 * (a `TARGET_MOVE` per new best, so that no print reaches it), and a print that gives back
 * `trailPoints` from the best exits at once, as a market order (reason TARGET, counted as
 * `trailing_target`). This is how a trade keeps running past its target, exiting on a
 * give-back rather than at a resting stop.
 *
 * @example
 * ```ts
 * import { FixedTarget } from "../exits.ts";
 * const t = new TrailingTarget(0.25, 1, new FixedTarget(0.25));
 * const intent = { side: "LONG" as const, stop: { kind: "points" as const, points: 2 }, target: { kind: "points" as const, points: 3 } };
 * t.initial(4500, intent, 4498); // 4503
 * t.onTick(0, 4503, { side: "LONG", entryPrice: 4500, stop: 4498, target: 4503, filled: 1, filledValue: 4500 }); // moves to 4504
 * ```
 */
export class TrailingTarget implements TargetManager {
  #long = true;
  #armed = false;
  #best = 0;

  /** Trails `trailPoints` behind the best print once `base`'s target is reached. */
  constructor(
    readonly tickSize: number,
    readonly trailPoints: number,
    readonly base: TargetManager,
  ) {}

  /** Exits before the trail is armed count as the base target's. */
  get initialBy(): string {
    return this.base.initialBy ?? "points_target";
  }

  /** The base target; disarms the trail. */
  initial(entry: number, intent: EntryIntent, stop: number): number {
    this.#long = intent.side === "LONG";
    this.#armed = false;
    return this.base.initial(entry, intent, stop);
  }

  /** Arms at the target, moves ahead of each new best, exits on a give-back. */
  onTick(_ts: number, price: number, position: PositionView): LevelMove | undefined {
    const long = this.#long;
    if (!this.#armed) {
      if (long ? price < position.target - EPS : price > position.target + EPS) return undefined;
      this.#armed = true;
      this.#best = price;
      return this.#ahead("TRAIL_ARMED");
    }
    if (long ? price > this.#best : price < this.#best) {
      this.#best = price;
      return this.#ahead("TRAIL");
    }
    const back = long ? this.#best - price : price - this.#best;
    if (back < this.trailPoints - EPS) return undefined;
    return { price, reason: "GIVEBACK", by: "trailing_target", exit: true };
  }

  #ahead(reason: string): LevelMove {
    const dir = this.#long ? 1 : -1;
    const price = onGridAway(this.#best + dir * this.trailPoints, this.#best, dir, this.tickSize);
    return { price, reason, by: "trailing_target" };
  }
}
