/**
 * IB's clock as seen from here: the local clock plus an estimated offset. Tick stamps and
 * `reqCurrentTime` answers are whole seconds, so each observation only bounds the offset:
 * a tick stamped S arriving at local time L says IB's now was at least S; a current time T
 * asked at local time A and answered at L says IB's now at L was in [T, T + 1 s + (L - A)).
 * The estimate is the lower bound, raised by ticks and clamped by current-time answers,
 * so bars close late rather than early.
 *
 * @module
 */
import type { Clock } from "../types.ts";

/** Local clock plus the estimated IB offset. */
export class ExchangeClock implements Clock {
  #local: Clock;
  #offset: number | undefined = undefined;

  /** `local` is the injected local clock. */
  constructor(local: Clock) {
    this.#local = local;
  }

  /** Estimated offset (IB minus local) in ms; 0 before any observation. */
  get offset(): number {
    return this.#offset ?? 0;
  }

  /** Estimated IB time now, epoch ms. */
  now(): number {
    return this.#local.now() + this.offset;
  }

  /** A live tick stamped `ts` (whole seconds) arrived now. */
  observeTick(ts: number): void {
    const lower = ts - this.#local.now();
    if (this.#offset === undefined || lower > this.#offset) this.#offset = lower;
  }

  /** IB answered `serverMs` (whole seconds) to a request sent at local time `askedAt`. */
  observeServerTime(serverMs: number, askedAt: number): void {
    const at = this.#local.now();
    const lower = serverMs - at;
    const upper = serverMs + 1000 - askedAt;
    const cur = this.#offset ?? lower;
    this.#offset = Math.min(Math.max(cur, lower), upper);
  }
}
