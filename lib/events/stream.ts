/**
 * The engine's one event stream: in-process, typed, synchronous. `publish` returns only
 * once every subscriber has run, in order, so the first subscriber (the journal) has
 * recorded an event before the engine goes on, and before any other subscriber (console,
 * bars CSV, report, dashboard) sees it.
 *
 * @module
 */
import type { EngineEvent, SubscribeOptions, Subscriber } from "./types.ts";

/**
 * A synchronous publish/subscribe channel for {@linkcode EngineEvent}s.
 *
 * A subscriber that throws stops the publish, and the error reaches whoever published (the
 * engine, then the command): a journal that cannot write must stop the run. Subscribers
 * that must not stop trading (a browser connection) catch their own errors.
 *
 * @example
 * ```ts
 * import { EventStream } from "./stream.ts";
 * const stream = new EventStream();
 * const seen: string[] = [];
 * stream.subscribe((e) => seen.push(e.kind));
 * stream.subscribe((e) => seen.push(`journal ${e.kind}`), { first: true });
 * stream.publish({ kind: "CONNECTION", time: 0, from: "idle", state: "connecting" });
 * // seen: ["journal CONNECTION", "CONNECTION"]
 * ```
 */
export class EventStream {
  #all: Subscriber[] = [];
  #ticks: Subscriber[] = [];

  /**
   * Adds a subscriber; returns a function that removes it. Without `ticks`, TICKS events
   * are not delivered to it.
   */
  subscribe(fn: Subscriber, options: SubscribeOptions = {}): () => void {
    // Copies, not in-place edits: a subscriber that (un)subscribes during a publish does
    // not change the list being walked.
    const add = (list: Subscriber[]) => options.first === true ? [fn, ...list] : [...list, fn];
    this.#all = add(this.#all);
    if (options.ticks === true) this.#ticks = add(this.#ticks);
    return () => {
      this.#all = this.#all.filter((f) => f !== fn);
      this.#ticks = this.#ticks.filter((f) => f !== fn);
    };
  }

  /** True when some subscriber wants TICKS events (the engine builds none otherwise). */
  get wantsTicks(): boolean {
    return this.#ticks.length > 0;
  }

  /** Number of subscribers (tests). */
  get size(): number {
    return this.#all.length;
  }

  /**
   * Delivers `event` to every subscriber, in order, before returning. TICKS go only to the
   * subscribers that asked for them.
   */
  publish(event: EngineEvent): void {
    const list = event.kind === "TICKS" ? this.#ticks : this.#all;
    for (let i = 0; i < list.length; i++) list[i]!(event);
  }
}
