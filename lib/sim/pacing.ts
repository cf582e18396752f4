/**
 * IB's historical-data pacing rules (error 162): no identical request within 15 s, at
 * most 5 per contract in 2 s, at most 60 in 10 min.
 *
 * @module
 */

import type { Clock } from "../types.ts";

interface PacingEntry {
  at: number;
  key: string;
  conId: number;
}

/** The pacing record of one simulator. */
export class Pacing {
  #pacing: PacingEntry[] = [];
  #clock: Clock;
  #enabled: boolean;

  /** Pacing on the wall `clock`; `enabled` false lets every request through. */
  constructor(clock: Clock, enabled: boolean) {
    this.#clock = clock;
    this.#enabled = enabled;
  }

  /** True if a request with `key` on `conId` violates pacing now; records it otherwise. */
  violated(key: string, conId: number): boolean {
    if (!this.#enabled) return false;
    const now = this.#clock.now();
    this.#pacing = this.#pacing.filter((p) => now - p.at < 600_000);
    const identical = this.#pacing.some((p) => p.key === key && now - p.at < 15_000);
    const sameContract = this.#pacing.filter((p) => p.conId === conId && now - p.at < 2_000).length;
    const violated = identical || sameContract >= 5 || this.#pacing.length >= 60;
    if (!violated) this.#pacing.push({ at: now, key, conId });
    return violated;
  }
}
