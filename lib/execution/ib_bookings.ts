/**
 * IbVenue's outbox to the trade manager: a fill whose commission report is late (IB sends it
 * after the execution, usually within a second, sometimes much later) is held, with every
 * event after it, until that report arrives or `waitMs` has passed, so that the journal's
 * FILL and EXIT carry the commission IB really charged. Only the booking waits: IbVenue's
 * order logic (protection, flatten, OCA) has already acted on the execution.
 *
 * @module
 */
import type { VenueEvent } from "./venue.ts";

/** The outbox (see the module doc). */
export class Bookings {
  #emit: (e: VenueEvent) => void;
  #waitMs: number;
  #log: (line: string) => void;
  #queue: VenueEvent[] = [];
  /** Exec ids whose commission is still awaited, with when to stop waiting (epoch ms). */
  #awaited = new Map<string, number>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** Events go to `emit`; a fill waits at most `waitMs` for its commission (0: never). */
  constructor(emit: (e: VenueEvent) => void, waitMs: number, log: (line: string) => void) {
    this.#emit = emit;
    this.#waitMs = waitMs;
    this.#log = log;
  }

  /** True while events wait for a commission. */
  get holding(): boolean {
    return this.#queue.length > 0;
  }

  /** Passes `e` on, or queues it behind a fill that waits (or as one, without commission). */
  push(e: VenueEvent): void {
    const waits = e.kind === "fill" && e.commission === undefined && e.execId !== undefined &&
      this.#waitMs > 0;
    if (!waits && this.#queue.length === 0) return this.#emit(e);
    this.#queue.push(e);
    if (waits) {
      this.#awaited.set(e.execId!, Date.now() + this.#waitMs);
      this.#timer ??= setTimeout(() => this.#expire(), this.#waitMs);
    }
  }

  /** A late commission report: true when its fill was still held (now booked with it). */
  commission(execId: string, commission: number): boolean {
    if (!this.#awaited.delete(execId)) return false;
    for (const e of this.#queue) {
      if (e.kind === "fill" && e.execId === execId) e.commission = commission;
    }
    this.#flush();
    return true;
  }

  /** Books everything held now, at the configured commission where IB's is missing. */
  settle(): void {
    this.#giveUp(Infinity, "the run stops");
  }

  /** Stops waiting for the commissions due by `until`, then books what it can. */
  #giveUp(until: number, why = `none after ${this.#waitMs / 1000} s`): void {
    for (const [id, due] of this.#awaited) {
      if (due > until) continue;
      this.#awaited.delete(id);
      this.#log(
        `[orders] execution ${id}: no commission report (${why}); booked at the configured rate`,
      );
    }
    this.#flush();
  }

  #expire(): void {
    this.#timer = undefined;
    this.#giveUp(Date.now());
    const next = Math.min(...this.#awaited.values());
    if (Number.isFinite(next)) {
      this.#timer = setTimeout(() => this.#expire(), Math.max(0, next - Date.now()));
    }
  }

  #flush(): void {
    while (this.#queue.length > 0) {
      const head = this.#queue[0]!;
      if (head.kind === "fill" && head.execId !== undefined && this.#awaited.has(head.execId)) {
        break;
      }
      this.#queue.shift();
      this.#emit(head);
    }
    if (this.#awaited.size === 0 && this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }
}
