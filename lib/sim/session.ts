/**
 * One client connection of the simulator: its output queue with back-pressure and
 * slow-reader limits, its subscriptions, and the version handshake.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import type { SimContract } from "./contracts.ts";
import type { Replay, TickHistory } from "./feed.ts";
import { formatConnectionTime } from "./ib_time.ts";
import { MIN_SIM_VERSION, type WireBar } from "./messages.ts";
import { type Field, FrameWriter, joinFields, parseVersionRange } from "./wire.ts";
import type { SimLogger } from "./sim_types.ts";

const log = getLogger(["scalpbot", "sim"]);

/** A timer id. */
export type Timer = ReturnType<typeof setTimeout>;

/** Pending bytes per client above which the replay waits for it (max speed). */
export const HIGH_WATER = 4 << 20;
/** Default queued bytes at which a client that does not read is dropped. */
export const DEFAULT_MAX_QUEUED = 16 << 20;

/** A live subscription's feed and contract. */
export interface Live {
  /** The feed the subscription follows. */
  feed: FeedState;
  /** The contract it was asked for. */
  contract: SimContract;
}

/** A tick-by-tick subscription. */
export interface TbtSub {
  /** Undefined for a contract without a feed: counted against the cap, never fed. */
  feed: FeedState | undefined;
  /** The contract it was asked for. */
  contract: SimContract;
  /** 1 Last, 2 AllLast, 3 BidAsk, 4 MidPoint. */
  tickType: 1 | 2 | 3 | 4;
}

/** A keepUpToDate bar subscription and its bar in progress. */
export interface BarSub extends Live {
  /** Bar length in ms. */
  barMs: number;
  /** IB's formatDate: 1 date texts, 2 epoch seconds. */
  formatDate: number;
  /** Zone of the date texts and of daily bar starts. */
  zone: string;
  /** The bar in progress (with its price x size sum for the WAP). */
  bar: WireBar & { start: number; pv: number };
  /** False until the first bar exists. */
  hasBar: boolean;
  /** Simulator second of the last update sent (at most one a second). */
  lastSentSec: number;
  /** True when the bar changed since the last update sent. */
  dirty: boolean;
}

/** One replayed feed: its contract, replay and history. */
export interface FeedState {
  /** Symbol of the feed. */
  symbol: string;
  /** Its contract. */
  contract: SimContract;
  /** The tick replay. */
  replay: Replay;
  /** The ticks replayed so far (for history requests). */
  history: TickHistory;
}

/** Limits a session enforces on its own output, and where it reports a drop. */
export interface SessionLimits {
  /** Queued bytes at which a client that does not read is dropped. */
  maxQueued: number;
  /** Time a blocked write may take before the client is dropped. */
  writeStallMs: number;
  /** Called once when the client is dropped as slow, with why. */
  onSlow(s: Session, why: string): void;
}

/** One client connection. */
export class Session {
  /** Connection number. */
  readonly id: number;
  /** The socket. */
  readonly conn: Deno.Conn;
  /** Handshake + START_API deadline timer, cleared once started. */
  handshakeTimer: Timer | undefined;
  /** Server version agreed in the handshake (0 before). */
  version = 0;
  /** Client id of START_API; undefined before. */
  clientId: number | undefined;
  /** True once START_API came. */
  started = false;
  /** True once closed. */
  closed = false;
  /** True while connectivity is lost (fault 1100): no data is sent. */
  lost = false;
  /** Tick-by-tick subscriptions by request id. */
  readonly tbt = new Map<number, TbtSub>();
  /** keepUpToDate bar subscriptions by request id. */
  readonly bars = new Map<number, BarSub>();
  #out = new FrameWriter();
  #queue: Uint8Array[] = [];
  #pending = 0;
  #writing = false;
  #flushScheduled = false;
  #drainWaiters: Array<() => void> = [];
  #emptyWaiters: Array<() => void> = [];
  #limits: SessionLimits;
  /** Set by closeAfterFlush: no new output, the queue drains, then the socket closes. */
  #muted = false;

  /** A session on `conn`, numbered `id`. */
  constructor(id: number, conn: Deno.Conn, limits: SessionLimits) {
    this.id = id;
    this.conn = conn;
    this.#limits = limits;
  }

  /** Bytes queued and not yet written. */
  get pendingBytes(): number {
    return this.#pending + this.#out.length;
  }

  /** Queues one message (written on the next microtask). */
  send(fields: readonly Field[]): void {
    this.sendText(joinFields(fields));
  }

  /** Queues one message already joined into its text. */
  sendText(text: string): void {
    if (this.closed || this.#muted) return;
    this.#out.writeText(text);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Sends raw bytes (the version frame precedes nothing else, so order is kept). */
  flush(): void {
    this.#flushScheduled = false;
    if (this.closed || this.#out.length === 0) return;
    const bytes = this.#out.take();
    this.#queue.push(bytes);
    this.#pending += bytes.length;
    if (this.#pending > this.#limits.maxQueued) {
      this.#limits.onSlow(this, `${this.#pending} bytes queued unread`);
      this.close();
      return;
    }
    if (!this.#writing) {
      this.#writeLoop().catch((e) => {
        log.warn("Write loop of client {id} failed: {error}", { id: this.id, error: String(e) });
        this.close();
      });
    }
  }

  /** Resolves once fewer than HIGH_WATER bytes are pending, or the session is closed. */
  drained(): Promise<void> {
    if (this.pendingBytes < HIGH_WATER || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /** Resolves once nothing is pending, or the session is closed (event-driven, no polling). */
  empty(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.flush();
    if (this.pendingBytes === 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.#emptyWaiters.push(resolve));
  }

  /** One socket write; a client that reads nothing for `writeStallMs` is dropped. */
  async #write(chunk: Uint8Array): Promise<number> {
    const timer = setTimeout(() => {
      this.#limits.onSlow(this, `write blocked for ${this.#limits.writeStallMs} ms`);
      this.close();
    }, this.#limits.writeStallMs);
    try {
      return await this.conn.write(chunk);
    } finally {
      clearTimeout(timer);
    }
  }

  async #writeLoop(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#queue.length > 0 && !this.closed) {
        let chunk = this.#queue.shift()!;
        // Coalesce small chunks into one write.
        if (this.#queue.length > 0 && chunk.length < 65536) {
          let total = chunk.length;
          let k = 0;
          while (k < this.#queue.length && total < 1 << 20) total += this.#queue[k++]!.length;
          const merged = new Uint8Array(total);
          merged.set(chunk, 0);
          let at = chunk.length;
          for (let j = 0; j < k; j++) {
            const c = this.#queue.shift()!;
            merged.set(c, at);
            at += c.length;
          }
          chunk = merged;
        }
        let off = 0;
        while (off < chunk.length) off += await this.#write(chunk.subarray(off));
        this.#pending -= chunk.length;
        if (this.#pending < HIGH_WATER) this.#wake();
        if (this.pendingBytes === 0) this.#wakeEmpty();
      }
    } catch (e) {
      log.debug("Write to client {id} failed: {error}", { id: this.id, error: String(e) });
      this.close();
    } finally {
      this.#writing = false;
    }
  }

  #wake(): void {
    const w = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const f of w) f();
  }

  #wakeEmpty(): void {
    const w = this.#emptyWaiters;
    this.#emptyWaiters = [];
    for (const f of w) f();
  }

  /** Sends what is queued, takes no more output, then closes: a drop that loses nothing sent before it. */
  closeAfterFlush(): void {
    if (this.closed || this.#muted) return;
    this.flush();
    this.#muted = true;
    void this.empty().then(() => this.close());
  }

  /** Closes the socket at once; what is queued is lost. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#queue = [];
    this.#pending = 0;
    if (this.handshakeTimer !== undefined) clearTimeout(this.handshakeTimer);
    this.#wake();
    this.#wakeEmpty();
    try {
      this.conn.close();
    } catch {
      // already closed by the peer
    }
  }
}

/**
 * Answers a client's version range with the negotiated version and connection time.
 * Throws RangeError when no version both sides support exists.
 */
export function handshake(
  s: Session,
  text: string,
  maxVersion: number,
  now: number,
  logger: SimLogger,
): void {
  const range = parseVersionRange(text);
  const v = Math.min(range.max, maxVersion);
  if (v < Math.max(range.min, MIN_SIM_VERSION)) {
    throw new RangeError(`Cannot negotiate a server version with client range ${text}`);
  }
  s.version = v;
  s.send([v, formatConnectionTime(now)]);
  logger.debug("Client {id} negotiated version {v}", { id: s.id, v });
}
