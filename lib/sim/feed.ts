/**
 * Where the simulator's trades come from and where they go: an abstract tick source,
 * a time-shifting replay at a speed factor, and a bounded history of replayed trades
 * that answers historical requests. Pure: time comes from the caller.
 *
 * @module
 */

import type { Tick } from "../types.ts";

/** A pull source of trades in time order; `undefined` when exhausted. */
export interface TickSource {
  /** Next trade, or undefined at the end. */
  next(): Tick | undefined;
}

/** A source over an in-memory array (the array must not change while replayed). */
export function arraySource(ticks: readonly Tick[]): TickSource {
  let i = 0;
  return { next: () => ticks[i++] };
}

/** Columnar source over parallel arrays (e.g. a whole tick file read into memory). */
export function columnSource(
  ts: ArrayLike<number>,
  price: ArrayLike<number>,
  size: ArrayLike<number>,
): TickSource {
  let i = 0;
  const n = ts.length;
  return {
    next: () => {
      if (i >= n) return undefined;
      const t = { ts: ts[i]!, price: price[i]!, size: size[i]! };
      i++;
      return t;
    },
  };
}

/** Past trades by contract id, for history requests (see `history_store.ts`). */
export interface SimArchive {
  /** The trades of contract `conId`, or undefined for none. */
  history(conId: number): TickHistory | undefined;
}

/** Options of {@linkcode TickHistory}. */
export interface TickHistoryOptions {
  /** Most trades kept; the oldest half is dropped when full. Default 2,000,000. */
  maxTicks?: number;
}

/** Replayed trades of one contract in time order, bounded, with time lookups. */
export class TickHistory {
  #ts: Float64Array;
  #price: Float64Array;
  #size: Float64Array;
  #count = 0;
  #max: number;

  /** Creates an empty history. */
  constructor(options: TickHistoryOptions = {}) {
    this.#max = options.maxTicks ?? 2_000_000;
    if (!(this.#max >= 2)) throw new RangeError(`TickHistory maxTicks is ${this.#max}`);
    const cap = Math.min(this.#max, 4096);
    this.#ts = new Float64Array(cap);
    this.#price = new Float64Array(cap);
    this.#size = new Float64Array(cap);
  }

  /** Trades held. */
  get count(): number {
    return this.#count;
  }

  /** Appends one trade (time must not go backwards). */
  push(ts: number, price: number, size: number): void {
    if (this.#count === this.#ts.length) this.#grow();
    const i = this.#count++;
    this.#ts[i] = ts;
    this.#price[i] = price;
    this.#size[i] = size;
  }

  /** Time of trade `i`. */
  ts(i: number): number {
    return this.#ts[i]!;
  }

  /** Price of trade `i`. */
  price(i: number): number {
    return this.#price[i]!;
  }

  /** Size of trade `i`. */
  size(i: number): number {
    return this.#size[i]!;
  }

  /** Index of the first trade with time >= `ts` (count when none). */
  lowerBound(ts: number): number {
    let lo = 0;
    let hi = this.#count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#ts[mid]! < ts) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #grow(): void {
    if (this.#ts.length < this.#max) {
      const cap = Math.min(this.#max, this.#ts.length * 2);
      const grow = (a: Float64Array) => {
        const next = new Float64Array(cap);
        next.set(a);
        return next;
      };
      this.#ts = grow(this.#ts);
      this.#price = grow(this.#price);
      this.#size = grow(this.#size);
      return;
    }
    // Full: drop the oldest half so appends stay amortised O(1).
    const keep = this.#count - Math.floor(this.#count / 2);
    const from = this.#count - keep;
    this.#ts.copyWithin(0, from, this.#count);
    this.#price.copyWithin(0, from, this.#count);
    this.#size.copyWithin(0, from, this.#count);
    this.#count = keep;
  }
}

/** Replay speed: a factor over real time, or `"max"` for as fast as clients read. */
export type Speed = number | "max";

/** Options of {@linkcode Replay}. */
export interface ReplayOptions {
  /** Speed factor (1 = real time) or "max". */
  speed: Speed;
  /** Wall-clock ms at start (the injected clock's now). */
  startWallMs: number;
  /**
   * How much of the recording lies before the start, in recorded ms: that much is
   * already history when the simulator starts. Default 0.
   */
  historyMs?: number;
}

/**
 * Time-shifted replay of a source: recorded times are moved by a whole number of seconds
 * so that the start of the replay (after `historyMs`) is the simulator's start time, and
 * the simulator clock runs at `speed` times the wall clock.
 */
export class Replay {
  #source: TickSource;
  #speed: Speed;
  #startWall: number;
  #shift = 0;
  #peeked: Tick | undefined;
  #started = false;
  #lastTs = -Infinity;
  #ended = false;

  /** Creates a replay; nothing is read until {@linkcode Replay.start}. */
  constructor(source: TickSource, options: ReplayOptions) {
    if (options.speed !== "max" && !(options.speed > 0 && Number.isFinite(options.speed))) {
      throw new RangeError(`Replay speed is ${options.speed}`);
    }
    this.#source = source;
    this.#speed = options.speed;
    this.#startWall = options.startWallMs;
    const first = source.next();
    this.#peeked = first;
    if (first !== undefined) {
      const historyMs = options.historyMs ?? 0;
      this.#shift = Math.ceil((options.startWallMs - historyMs - first.ts) / 1000) * 1000;
    }
    this.#ended = first === undefined;
  }

  /** Milliseconds added to every recorded time (a whole number of seconds). */
  get shiftMs(): number {
    return this.#shift;
  }

  /** True once the source is exhausted. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Simulator time at wall time `wallMs`. */
  simNow(wallMs: number): number {
    const elapsed = Math.max(0, wallMs - this.#startWall);
    if (this.#speed === "max") return Math.max(this.#startWall + elapsed, this.#lastTs);
    return this.#startWall + elapsed * this.#speed;
  }

  /** Shifted time of the next trade, or undefined at the end. */
  peekTs(): number | undefined {
    return this.#peeked === undefined ? undefined : this.#peeked.ts + this.#shift;
  }

  /** Wall ms until the next trade is due at wall time `wallMs` (0 if due, undefined at end). */
  wallDelayToNext(wallMs: number): number | undefined {
    const next = this.peekTs();
    if (next === undefined) return undefined;
    if (this.#speed === "max") return 0;
    return Math.max(0, (next - this.simNow(wallMs)) / this.#speed);
  }

  /**
   * Moves trades due at `wallMs` (at most `limit`) into `out` with shifted times and
   * returns how many. At speed "max" every next trade is due.
   */
  take(
    wallMs: number,
    limit: number,
    out: (ts: number, price: number, size: number) => void,
  ): number {
    this.#started = true;
    const until = this.#speed === "max" ? Infinity : this.simNow(wallMs);
    let n = 0;
    while (n < limit && this.#peeked !== undefined) {
      const ts = this.#peeked.ts + this.#shift;
      if (ts > until) break;
      out(ts, this.#peeked.price, this.#peeked.size);
      this.#lastTs = ts;
      n++;
      this.#peeked = this.#source.next();
    }
    if (this.#peeked === undefined) this.#ended = true;
    return n;
  }

  /** Moves every trade stamped before the start into `out` (the pre-rolled history). */
  preRoll(out: (ts: number, price: number, size: number) => void): number {
    if (this.#started) throw new RangeError("Replay.preRoll after take");
    let n = 0;
    while (this.#peeked !== undefined && this.#peeked.ts + this.#shift < this.#startWall) {
      const ts = this.#peeked.ts + this.#shift;
      out(ts, this.#peeked.price, this.#peeked.size);
      this.#lastTs = ts;
      n++;
      this.#peeked = this.#source.next();
    }
    if (this.#peeked === undefined) this.#ended = true;
    return n;
  }
}
