/**
 * The live stream's watchdog. A tick-by-tick stream that goes silent in liquid hours may be
 * a quiet market or a dead feed (TWS can keep the socket open and send nothing). Two
 * answers, both on the runner's bar timer:
 *
 * - after `live.grace_ms` of silence, bar closes are held: a bar closed now would miss the
 *   trades a later backfill brings;
 * - after `live.watchdog_ms`, TWS is asked for its clock: an answer means the socket lives,
 *   so the stream is resubscribed and the gap filled from history (a sync); no answer means
 *   the connection is dead and is dropped, to reconnect.
 *
 * The first trade after a silence may follow lost trades: the runner then fills the gap.
 *
 * @module
 */
import type { Config } from "../config/schema.ts";
import type { LiquidHours } from "../indicators/liquid_hours.ts";
import type { Clock } from "../types.ts";
import type { LiveStats } from "./stats.ts";

/** Settings of {@linkcode Watchdog}. */
export interface WatchdogOptions {
  /** `grace_ms` and `watchdog_ms` (0: no watchdog, bars never held). */
  live: Config["live"];
  /** Local clock: silence is measured on it. */
  clock: Clock;
  /** Counts `watchdogChecks`. */
  stats: LiveStats;
  /** Receives a line per check and per hold. */
  log: (line: string) => void;
  /** The session's liquid hours, once known (undefined: always liquid). */
  liquid: () => LiquidHours | undefined;
  /** Asks TWS something it must answer (its clock); rejects without an answer. */
  probe: () => Promise<unknown>;
  /** The sync generation: an answer that arrives after it changed is ignored. */
  generation: () => number;
  /** True once the run is stopping. */
  stopped: () => boolean;
  /** TWS answered: resubscribe and fill the gap. */
  onAnswer: () => void;
  /** TWS did not answer: the connection is dead. */
  onNoAnswer: () => void;
}

/** Watches the live stream for silence; see the module doc. */
export class Watchdog {
  #o: WatchdogOptions;
  #lastActivity = 0;
  #busy = false;
  /** Bar closes are held: the stream is silent in liquid hours (see `holdBars`). */
  #holding = false;
  /** Set by a check: the stream was silent, so its next trade may follow a gap. */
  #suspect = false;

  /** Watches nothing until the runner's timer calls `holdBars` and `check`. */
  constructor(options: WatchdogOptions) {
    this.#o = options;
  }

  /** The stream (or a sync) just showed life: silence counts from now. */
  activity(): void {
    this.#lastActivity = this.#o.clock.now();
  }

  /**
   * A live trade arrived while not syncing. True, once, when it is the first after a
   * silence the watchdog checked: trades may have been lost in between, fill from history.
   */
  tradeAfterSilence(): boolean {
    if (!this.#suspect) return false;
    this.#suspect = false;
    this.#o.log(`[live] trades again after a silence: filling the gap`);
    return true;
  }

  /**
   * True while bar closes wait for the watchdog: in liquid hours, with the watchdog on, a
   * stream silent for longer than the grace period may be a dead feed, and a bar closed now
   * would miss the trades the backfill brings later. The watchdog's sync (or the next live
   * trade) confirms the stream and lets the held bars close. `now` is IB's time.
   */
  holdBars(now: number): boolean {
    const live = this.#o.live;
    const liquid = this.#o.liquid();
    const silent = live.watchdog_ms > 0 &&
      this.#o.clock.now() - this.#lastActivity > live.grace_ms &&
      (liquid === undefined || liquid.isLiquid(now));
    if (silent && !this.#holding) {
      this.#o.log(
        `[live] no trade for ${live.grace_ms / 1000} s in liquid hours: bar closes wait for ` +
          `the next trade or the watchdog (${live.watchdog_ms / 1000} s)`,
      );
    }
    this.#holding = silent;
    return silent;
  }

  /** After `live.watchdog_ms` of silence in liquid hours (`now`: IB's time), probes TWS. */
  check(now: number): void {
    const o = this.#o;
    const ms = o.live.watchdog_ms;
    if (ms === 0 || this.#busy) return;
    if (o.clock.now() - this.#lastActivity < ms) return;
    const liquid = o.liquid();
    if (liquid !== undefined && !liquid.isLiquid(now)) return;
    this.#busy = true;
    o.stats.watchdogChecks++;
    o.log(`[watchdog] no trade for ${ms / 1000} s in liquid hours: checking the connection`);
    const gen = o.generation();
    o.probe().then(
      () => {
        if (gen !== o.generation() || o.stopped()) return;
        o.log(`[watchdog] TWS answers: resubscribing`);
        this.#suspect = true;
        o.onAnswer();
      },
      () => {
        if (o.stopped() || gen !== o.generation()) return;
        o.log(`[watchdog] no answer from TWS: reconnecting`);
        o.onNoAnswer();
      },
    ).finally(() => {
      this.#busy = false;
      this.#lastActivity = o.clock.now();
    });
  }
}
