/**
 * The tick pump: replays each feed's trades on the simulator clock to the live
 * subscribers (tick-by-tick and keepUpToDate bars), with back-pressure at max speed.
 *
 * @module
 */

import { historicalDataUpdate } from "./messages.ts";
import { addToBar, barStart, newBar, wireBar } from "./history.ts";
import type { SimCore } from "./core.ts";
import type { BarSub, FeedState, Session, Timer } from "./session.ts";
import { tickByTickLastText } from "./messages.ts";

const BATCH = 4096;

/** Moves replayed trades to subscribers; one per simulator. */
export class TickPump {
  #sim: SimCore;
  #pumpTimer: Timer | undefined;
  #pumping = false;
  #doneWaiters: Array<() => void> = [];

  /** A pump over `sim`'s feeds and sessions. */
  constructor(sim: SimCore) {
    this.#sim = sim;
  }

  /** Resolves once the first feed's source is exhausted. */
  firstFeedDone(): Promise<void> {
    const feed = this.#sim.feeds[0];
    if (feed === undefined || feed.replay.ended) return Promise.resolve();
    return new Promise<void>((resolve) => this.#doneWaiters.push(resolve));
  }

  /** Stops the pump timer (at close). */
  stop(): void {
    if (this.#pumpTimer !== undefined) clearTimeout(this.#pumpTimer);
  }

  /** Releases every replayDone waiter (at close). */
  releaseWaiters(): void {
    for (const w of this.#doneWaiters) w();
  }

  /** Schedules a pump in `ms` wall ms (earliest wins). */
  kick(ms: number): void {
    if (this.#sim.closed || this.#pumping) return;
    if (this.#pumpTimer !== undefined) clearTimeout(this.#pumpTimer);
    this.#pumpTimer = setTimeout(() => {
      this.#pumpTimer = undefined;
      this.#pump().catch((e) => {
        this.#sim.log.warn("Replay pump failed: {error}", { error: String(e) });
      });
    }, ms);
  }

  #hasLiveSubscribers(): boolean {
    let n = 0;
    for (const s of this.#sim.sessions) n += s.tbt.size + s.bars.size;
    return n >= (this.#sim.opts.waitForSubscribers ?? 1);
  }

  async #pump(): Promise<void> {
    if (this.#sim.closed || this.#pumping) return;
    this.#pumping = true;
    try {
      const maxSpeed = (this.#sim.opts.speed ?? 1) === "max";
      for (;;) {
        const wall = this.#sim.clock.now();
        // At max speed the market waits for a subscriber, so no trade is lost unseen.
        if (maxSpeed && !this.#hasLiveSubscribers()) break;
        if (maxSpeed && wall < this.#sim.silentUntil) break;
        let moved = 0;
        for (const f of this.#sim.feeds) moved += this.#pumpFeed(f, wall);
        for (const s of this.#sim.sessions) s.flush();
        if (!maxSpeed || moved === 0) break;
        // Back-pressure: wait for slow readers before replaying more.
        for (const s of this.#sim.sessions) {
          if ((s.tbt.size > 0 || s.bars.size > 0) && !s.closed) await s.drained();
        }
        await new Promise((r) => setTimeout(r, 0));
        if (this.#sim.closed) return;
      }
      this.#notifyDone();
    } finally {
      this.#pumping = false;
    }
    if (this.#sim.closed) return;
    const wall = this.#sim.clock.now();
    let delay: number | undefined;
    for (const f of this.#sim.feeds) {
      const d = f.replay.wallDelayToNext(wall);
      if (d !== undefined) delay = delay === undefined ? d : Math.min(delay, d);
    }
    if (delay === undefined) return;
    const maxSpeed = (this.#sim.opts.speed ?? 1) === "max";
    if (maxSpeed) {
      if (!this.#hasLiveSubscribers()) return; // kicked again on subscribe
      if (wall < this.#sim.silentUntil) delay = Math.min(this.#sim.silentUntil - wall, 1000);
    }
    this.kick(Math.min(Math.max(delay, 0), 1000));
  }

  #notifyDone(): void {
    const f = this.#sim.feeds[0];
    if (f !== undefined && f.replay.ended && this.#doneWaiters.length > 0) {
      const w = this.#doneWaiters;
      this.#doneWaiters = [];
      for (const fn of w) fn();
    }
  }

  #pumpFeed(f: FeedState, wall: number): number {
    const silent = wall < this.#sim.silentUntil;
    // Collect live subscribers of this feed once per batch.
    const tbt: Array<{ s: Session; reqId: number; type: 1 | 2 }> = [];
    const bars: Array<{ s: Session; reqId: number; sub: BarSub }> = [];
    if (!silent) {
      for (const s of this.#sim.sessions) {
        if (s.lost || s.closed) continue;
        for (const [reqId, sub] of s.tbt) {
          if (sub.feed === f && (sub.tickType === 1 || sub.tickType === 2)) {
            tbt.push({ s, reqId, type: sub.tickType });
          }
        }
        for (const [reqId, sub] of s.bars) if (sub.feed === f) bars.push({ s, reqId, sub });
      }
    }
    const exchange = f.contract.exchange;
    let sent = 0;
    const n = f.replay.take(wall, BATCH, (ts, price, size) => {
      f.history.push(ts, price, size);
      this.#sim.orders.onTrade(f, ts, price, size);
      const sec = Math.floor(ts / 1000);
      for (const t of tbt) {
        t.s.sendText(tickByTickLastText(t.reqId, t.type, sec, price, size, exchange));
        sent++;
      }
      for (const b of bars) this.#updateBar(b.s, b.reqId, b.sub, ts, price, size);
    });
    this.#sim.stats.ticksReplayed += n;
    this.#sim.stats.ticksSent += sent;
    return n;
  }

  #updateBar(
    s: Session,
    reqId: number,
    sub: BarSub,
    ts: number,
    price: number,
    size: number,
  ): void {
    const start = barStart(ts, sub.barMs, sub.zone);
    if (!sub.hasBar || sub.bar.start !== start) {
      if (sub.hasBar && sub.dirty) s.send(historicalDataUpdate(reqId, wireBar(sub.bar)));
      sub.bar = newBar(start, sub.barMs, sub.formatDate, sub.zone, price);
      sub.hasBar = true;
    }
    addToBar(sub.bar, price, size);
    sub.dirty = true;
    // At most one update per second of simulator time, plus the last state of each bar.
    const sec = Math.floor(ts / 1000);
    if (sec !== sub.lastSentSec) {
      sub.lastSentSec = sec;
      sub.dirty = false;
      s.send(historicalDataUpdate(reqId, wireBar(sub.bar)));
    }
  }
}
