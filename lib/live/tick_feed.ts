/**
 * The live run's way into the engine: live trades are buffered while a sync runs and fed
 * after its history; every trade fed moves "where the engine stands" (the last processed
 * second and how many of its trades), against which history and the buffer are
 * deduplicated (see `backfill.ts`). Late ticks are counted and logged here.
 *
 * @module
 */
import type { Engine } from "../engine/engine.ts";
import { StrategyError } from "../strategy/errors.ts";
import { type Processed, type TickColumns, unprocessed } from "./backfill.ts";
import type { LiveStats } from "./stats.ts";

/** Settings of {@linkcode TickFeed}. */
export interface TickFeedOptions {
  /** Counts `lateTicks`. */
  stats: LiveStats;
  /** Receives the late-tick lines. */
  log: (line: string) => void;
  /** The strategy threw: the engine has ended the session; the run stops. */
  onFatal?: ((error: Error) => void) | undefined;
}

/** Buffers live trades during a sync and feeds the engine, keeping track of what it saw. */
export class TickFeed {
  /** True while a sync runs: live trades wait in the buffer. */
  buffering = true;
  #engine: Engine | undefined;
  #stats: LiveStats;
  #log: (line: string) => void;
  #onFatal: ((error: Error) => void) | undefined;
  #buf: TickColumns = { ts: [], price: [], size: [] };
  #lastSecond = -Infinity;
  #inLastSecond = 0;

  /** Feeds nothing until `attach`. */
  constructor(options: TickFeedOptions) {
    this.#stats = options.stats;
    this.#log = options.log;
    this.#onFatal = options.onFatal;
  }

  /** The engine fed, once created. */
  get engine(): Engine | undefined {
    return this.#engine;
  }

  /** Feeds `engine` from now on. */
  attach(engine: Engine): void {
    this.#engine = engine;
  }

  /** Stamp of the last processed trade (ms), or -Infinity before the first. */
  get lastSecond(): number {
    return this.#lastSecond;
  }

  /** A live trade: buffered during a sync, else fed. */
  push(ts: number, price: number, size: number): void {
    if (this.buffering) {
      this.#buf.ts.push(ts);
      this.#buf.price.push(price);
      this.#buf.size.push(size);
      return;
    }
    this.feed(ts, price, size);
  }

  /**
   * Where the engine stands. Live trades buffered during a sync are deduplicated against it,
   * not cut at the sync's `until`: a trade stamped before `until` may reach the history
   * service after the history request (or the live stream late), and is then only in the
   * buffer.
   */
  processed(): Processed {
    return { lastSecond: this.#lastSecond, inLastSecond: this.#inLastSecond };
  }

  /** Empties the live buffer; returns its trades the engine has not processed. */
  takeBuffer(): TickColumns {
    const b = this.#buf;
    this.#buf = { ts: [], price: [], size: [] };
    return unprocessed(b, this.processed());
  }

  /** Feeds the buffered trades the engine has not processed. */
  drain(): void {
    const b = this.takeBuffer();
    for (let i = 0; i < b.ts.length; i++) this.feed(b.ts[i]!, b.price[i]!, b.size[i]!);
  }

  /** The strategy threw: the engine has ended the session; the run stops as on a fatal error. */
  strategyFailed(e: unknown): void {
    if (!(e instanceof StrategyError)) throw e;
    this.#onFatal?.(e);
  }

  /** Feeds one trade to the engine (none before `attach`). */
  feed(ts: number, price: number, size: number): void {
    const engine = this.#engine;
    if (engine === undefined) return;
    const lateBefore = engine.stats.late;
    try {
      engine.onTick(ts, price, size);
    } catch (e) {
      return this.strategyFailed(e);
    }
    if (ts > this.#lastSecond) {
      this.#lastSecond = ts;
      this.#inLastSecond = 1;
    } else if (ts === this.#lastSecond) {
      this.#inLastSecond++;
    }
    if (engine.stats.late !== lateBefore) {
      this.#stats.lateTicks++;
      const n = this.#stats.lateTicks;
      if (n <= 10 || n % 100 === 0) {
        this.#log(
          `[live] late tick #${n} stamped ${new Date(ts).toISOString()} @ ${price} x ${size}: ` +
            `its bar had closed (policy ${engine.config.bars.late_ticks}; stop/target still checked)`,
        );
      }
    }
  }
}
