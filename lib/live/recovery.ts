/**
 * Restart recovery: the first sync of a live run, which must complete whatever interrupts
 * it (a drop, a timeout, pacing) before any bar is evaluated, and which checks the journal's
 * open trade against every trade printed since its last journaled event.
 *
 * The check is the engine's own: the history is fed with the trade resumed at the first
 * print stamped at or after that event's second (the journal keeps whole seconds, and the
 * fill print itself was checked by the run that wrote it), so the exit is the paper
 * trader's, at the first print that touches, stamped with that print's time. Such an exit
 * is marked `recovered` (`Recovered=1` in the journal). When that event is older than the
 * warm-up, the history starts there instead (more warm-up bars; `live.max_pages` still caps
 * it, with a warning naming the prints left unchecked).
 *
 * @module
 */
import type { Engine } from "../engine/engine.ts";
import type { OpenTradeState } from "../engine/paper_trader.ts";
import type { JournalEvent } from "../types.ts";
import type { RangeResult, TickColumns } from "./backfill.ts";

/** A trade found open in the journal, to be managed again (restart recovery). */
export interface ResumeState {
  /** The trade as the paper trader holds it. */
  state: OpenTradeState;
  /** Trade numbers already used by this run id (0 for a new run id). */
  lastSeq: number;
  /**
   * Time of the trade's last journaled event (ENTRY, FILL, CANCEL, a level move or a
   * scale-out part): every print from that second on is checked against its stop and target.
   * Undefined: from the live start only.
   */
  since?: number | undefined;
}

/**
 * State of a run's first sync. It stays pending until one sync has completed: a sync
 * interrupted by a drop, a timeout or pacing leaves the next one the first, so the resume,
 * the warm-up and the recovery check always happen before any bar is evaluated.
 */
export class FirstSync {
  readonly #resume: ResumeState | undefined;
  #done = false;
  #resumed = false;
  /** True while the first sync's history is being fed (exits found then are recovered). */
  #replaying = false;

  /** `resume` is the journal's open trade, if any. */
  constructor(resume: ResumeState | undefined) {
    this.#resume = resume;
  }

  /** True once a first sync has completed. */
  get done(): boolean {
    return this.#done;
  }

  /** Time from which every print is checked against the resumed trade, if any. */
  get since(): number | undefined {
    const s = this.#resume?.since;
    return s !== undefined && Number.isFinite(s) ? Math.floor(s / 1000) * 1000 : undefined;
  }

  /**
   * Start of the history the first sync fetches: the warm-up start (`warmupFrom`, undefined
   * without warm-up), or earlier when the resumed trade's last event is older.
   */
  historyFrom(warmupFrom: number | undefined, untilMs: number): number | undefined {
    const s = this.since;
    if (s === undefined || s >= untilMs) return warmupFrom;
    return warmupFrom === undefined ? s : Math.min(warmupFrom, s);
  }

  /**
   * A line to log when a page cap cut the history after the resumed trade's last event: the
   * prints before the returned history's start went unchecked. Undefined when complete.
   */
  gapWarning(r: RangeResult): string | undefined {
    const s = this.since;
    if (s === undefined || !r.truncated || this.#resume === undefined) return undefined;
    const first = r.ts[0];
    if (first !== undefined && first <= s) return undefined;
    return `[live] history capped (live.max_pages): prints between ${new Date(s).toISOString()} ` +
      `and ${first === undefined ? "the live start" : new Date(first).toISOString()} were not ` +
      `checked against trade ${this.#resume.state.tradeId}'s stop and target`;
  }

  /**
   * Feeds the first sync's history through `feed` (oldest first): prints before the resumed
   * trade's last event warm the engine up, then the trade is resumed, then the rest are fed,
   * each checked against its stop and target by the engine. Then the trade is resumed if it
   * was not yet (no print after its last event). No await inside: nothing interleaves.
   */
  feedHistory(
    engine: Engine,
    ticks: TickColumns,
    feed: (ts: number, price: number, size: number) => void,
    log: (line: string) => void,
  ): void {
    const since = this.since ?? Infinity;
    this.#replaying = true;
    try {
      for (let i = 0; i < ticks.ts.length; i++) {
        const ts = ticks.ts[i]!;
        if (ts >= since) this.resume(engine, log);
        feed(ts, ticks.price[i]!, ticks.size[i]!);
      }
    } finally {
      this.#replaying = false;
    }
    this.resume(engine, log);
  }

  /** Resumes the journal's open trade in `engine`, once. */
  resume(engine: Engine, log: (line: string) => void): void {
    const r = this.#resume;
    if (r === undefined || this.#resumed) return;
    this.#resumed = true;
    engine.resumeTrade(r.state, r.lastSeq);
    const t = r.state;
    log(
      `[live] resumed open trade ${t.tradeId}: ${t.side} ${t.filled} @ ${t.entryPrice}, ` +
        `stop ${t.stop}, target ${t.target}`,
    );
  }

  /** Marks the first sync complete: later syncs only backfill gaps. */
  complete(): void {
    this.#done = true;
  }

  /**
   * The event as journaled: an EXIT of the resumed trade found while the history was being
   * fed gets `recovered: true`. Other events pass unchanged.
   */
  mark(e: JournalEvent): JournalEvent {
    if (
      this.#replaying && e.kind === "EXIT" && e.tradeId === this.#resume?.state.tradeId
    ) {
      return { ...e, recovered: true };
    }
    return e;
  }
}
