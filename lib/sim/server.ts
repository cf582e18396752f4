/**
 * The TWS simulator: a loopback TCP server speaking the TWS API wire protocol to real
 * IB clients, replaying trades from a `TickSource` (feed.ts), reproducing IB's pacing and
 * subscription limits, and failing on demand the way IB fails.
 *
 * This module owns the listener, connections and their lifetime; the concerns live in
 * session.ts (connection output, handshake), requests.ts (dispatch), history.ts,
 * pacing.ts, pump.ts (tick pump), faults.ts and orders.ts (with order_messages.ts).
 *
 * @example
 * ```ts
 * import { arraySource } from "./feed.ts";
 * import type { Tick } from "../types.ts";
 * const ticks: Tick[] = [{ ts: Date.UTC(2025, 0, 6, 14, 30), price: 5000.25, size: 1 }];
 * const sim = await startSimulator({ port: 0, source: arraySource(ticks), speed: "max" });
 * // connect an IBApi client to 127.0.0.1:sim.port ...
 * await sim.close();
 * ```
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import type { Clock } from "../types.ts";
import { frontContract } from "./contracts.ts";
import { Replay, TickHistory } from "./feed.ts";
import { parseFaultSpec } from "./fault_spec.ts";
import { MAX_SIM_VERSION, MIN_SIM_VERSION } from "./messages.ts";
import { FrameDecoder, splitFields } from "./wire.ts";
import type { SimCore } from "./core.ts";
import { FaultScheduler } from "./faults.ts";
import { OrderBook } from "./orders.ts";
import { Pacing } from "./pacing.ts";
import { TickPump } from "./pump.ts";
import { onFrame } from "./requests.ts";
import {
  DEFAULT_MAX_QUEUED,
  type FeedState,
  handshake,
  Session,
  type SessionLimits,
  type Timer,
} from "./session.ts";
import type {
  SimFeed,
  SimLogger,
  SimStats,
  SimulatorHandle,
  SimulatorOptions,
} from "./sim_types.ts";

export type {
  SimFaults,
  SimFeed,
  SimLogger,
  SimStats,
  SimulatorHandle,
  SimulatorOptions,
} from "./sim_types.ts";

const log = getLogger(["scalpbot", "sim"]);

const systemClock: Clock = { now: () => Date.now() };

/** `value` if it is a positive finite number; RangeError naming the option otherwise. */
function positive(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new RangeError(`Simulator option ${name} is ${value} (must be a positive number)`);
  }
  return value;
}

/**
 * Starts a simulator listening on `hostname:port` and returns its handle.
 * Throws RangeError for an out-of-range option and TypeError for a bad fault spec type.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const sim = new Simulator(options);
  await sim.listen();
  return sim.handle();
}

class Simulator implements SimCore {
  readonly opts: SimulatorOptions;
  readonly clock: Clock;
  readonly log: SimLogger;
  #maxVersion: number;
  #hostname: string;
  #port: number;
  #listener: Deno.TcpListener | undefined;
  readonly sessions = new Set<Session>();
  #nextSessionId = 1;
  readonly feeds: FeedState[] = [];
  readonly tbtLimit: number;
  readonly zone: string;
  readonly account: string;
  readonly startWall: number;
  nextOrderId = 1;
  closed = false;
  /** True from a refusal's start until the listener is back (a TWS restart window). */
  #refusing = false;
  #refusedUntil = 0;
  #refuseTimer: Timer | undefined;
  #refuseWaiters: Array<() => void> = [];
  /** Resolvers of pending #sleep calls, settled by close() so nothing awaits forever. */
  #sleepers = new Set<() => void>();
  #limits: SessionLimits;
  #maxConnections: number;
  #handshakeTimeoutMs: number;
  silentUntil = 0;
  frozenUntil = 0;
  #faultTimer: ReturnType<typeof setInterval> | undefined;
  readonly pacing: Pacing;
  readonly orders: OrderBook;
  readonly pump: TickPump;
  readonly faults: FaultScheduler;
  readonly stats: SimStats = {
    connections: 0,
    activeSessions: 0,
    ticksReplayed: 0,
    ticksSent: 0,
    malformedClosed: 0,
    unknownMessages: 0,
    refusedOverLimit: 0,
    handshakeTimeouts: 0,
    slowClientsDropped: 0,
    queuedBytes: 0,
  };
  #acceptLoop: Promise<void> | undefined;
  #connTasks = new Set<Promise<void>>();
  #timers = new Set<Timer>();

  constructor(opts: SimulatorOptions) {
    this.opts = opts;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? log;
    this.pacing = new Pacing(this.clock, opts.pacing !== false);
    this.pump = new TickPump(this);
    this.faults = new FaultScheduler(this);
    this.orders = new OrderBook(this, {
      commissionPerContract: opts.commissionPerContract,
      onEvent: (e) => this.faults.orderEvent(e),
    });
    this.#maxVersion = opts.maxServerVersion ?? MAX_SIM_VERSION;
    if (this.#maxVersion < MIN_SIM_VERSION || this.#maxVersion > MAX_SIM_VERSION) {
      throw new RangeError(
        `Simulator maxServerVersion is ${this.#maxVersion} (supported ${MIN_SIM_VERSION}..${MAX_SIM_VERSION})`,
      );
    }
    this.#hostname = opts.hostname ?? "127.0.0.1";
    this.#port = opts.port ?? 7497;
    this.tbtLimit = opts.tbtLimit ?? 5;
    this.zone = opts.timeZone ?? "UTC";
    this.account = opts.account ?? "DU1234567";
    this.#maxConnections = positive("maxConnections", opts.maxConnections ?? 32);
    this.#handshakeTimeoutMs = positive("handshakeTimeoutMs", opts.handshakeTimeoutMs ?? 10_000);
    this.#limits = {
      maxQueued: positive("maxQueuedBytes", opts.maxQueuedBytes ?? DEFAULT_MAX_QUEUED),
      writeStallMs: positive("writeStallMs", opts.writeStallMs ?? 30_000),
      onSlow: (s, why) => {
        if (s.closed) return;
        this.stats.slowClientsDropped++;
        this.log.warn("Dropping client {id}: not reading ({why})", { id: s.id, why });
      },
    };
    this.startWall = this.clock.now();
    const speed = opts.speed ?? 1;
    const feeds: SimFeed[] = [...(opts.feeds ?? [])];
    if (opts.source !== undefined) {
      feeds.unshift({ symbol: opts.symbol ?? "MES", source: opts.source });
    }
    for (const f of feeds) {
      const contract = frontContract(f.symbol, this.startWall);
      if (contract === undefined) {
        throw new RangeError(`Simulator feed symbol "${f.symbol}" is not in the catalog`);
      }
      const replay = new Replay(f.source, {
        speed,
        startWallMs: this.startWall,
        historyMs: opts.historyMs ?? 0,
      });
      const history = new TickHistory({ maxTicks: opts.maxHistoryTicks ?? 2_000_000 });
      replay.preRoll((ts, p, s) => history.push(ts, p, s));
      this.feeds.push({ symbol: f.symbol.toUpperCase(), contract, replay, history });
    }
    for (const f of opts.faults ?? []) {
      this.faults.schedule(typeof f === "string" ? parseFaultSpec(f) : f);
    }
  }

  now(): number {
    const wall = this.clock.now();
    const first = this.feeds[0];
    return first === undefined ? wall : first.replay.simNow(wall);
  }

  async listen(): Promise<void> {
    this.#listener = Deno.listen({ hostname: this.#hostname, port: this.#port, transport: "tcp" });
    this.#port = (this.#listener.addr as Deno.NetAddr).port;
    this.#acceptLoop = this.#accept(this.#listener);
    this.log.info("TWS simulator listening on {host}:{port} (server version <= {v})", {
      host: this.#hostname,
      port: this.#port,
      v: this.#maxVersion,
    });
    this.#faultTimer = setInterval(() => this.faults.checkFaults(), 50);
    this.kick(0);
    await Promise.resolve();
  }

  handle(): SimulatorHandle {
    const faults = this.faults.triggers();
    const feed = this.feeds[0];
    return {
      port: this.#port,
      hostname: this.#hostname,
      faults,
      shiftMs: feed?.replay.shiftMs ?? 0,
      now: () => this.now(),
      stats: () => {
        let queuedBytes = 0;
        for (const s of this.sessions) queuedBytes += s.pendingBytes;
        return { ...this.stats, activeSessions: this.sessions.size, queuedBytes };
      },
      replayDone: () => this.pump.firstFeedDone().then(() => this.#allDrained()),
      pumpNow: () => this.kick(0),
      close: () => this.close(),
    };
  }

  /**
   * Resolves once every client's queue is empty. Waits on write completions, not a poll:
   * a client that never reads is dropped by the write-stall or queue limit, which wakes it.
   */
  async #allDrained(): Promise<void> {
    await Promise.all([...this.sessions].map((s) => s.empty()));
  }

  /** Waits `ms` wall ms; settled early by close(). */
  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.#sleepers.delete(done);
        resolve();
      };
      this.#sleepers.add(done);
      this.setTimer(done, ms);
    });
  }

  setTimer(fn: () => void, ms: number): Timer {
    const id = setTimeout(() => {
      this.#timers.delete(id);
      fn();
    }, ms);
    this.#timers.add(id);
    return id;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pump.stop();
    if (this.#faultTimer !== undefined) clearInterval(this.#faultTimer);
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#refuseTimer = undefined;
    for (const wake of [...this.#sleepers]) wake();
    try {
      this.#listener?.close();
    } catch {
      // already closed during a refusal window
    }
    for (const s of this.sessions) s.close();
    await this.#acceptLoop;
    await Promise.allSettled([...this.#connTasks]);
    this.pump.releaseWaiters();
    this.#endRefusalWaiters();
    this.log.info("TWS simulator closed");
  }

  // ---- connections ----

  async #accept(listener: Deno.TcpListener): Promise<void> {
    for (;;) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch {
        return; // listener closed (shutdown or refusal window)
      }
      if (this.closed || this.#refusing) {
        conn.close();
        continue;
      }
      if (this.sessions.size >= this.#maxConnections) {
        this.stats.refusedOverLimit++;
        this.log.warn("Refusing a connection: {n} clients connected (max {max})", {
          n: this.sessions.size,
          max: this.#maxConnections,
        });
        conn.close();
        continue;
      }
      // Without TCP_NODELAY, Nagle holds each small write until the client's delayed ACK
      // (40 ms on Linux): ticks would reach the client in 40 ms lumps.
      conn.setNoDelay(true);
      const s = new Session(this.#nextSessionId++, conn, this.#limits);
      this.stats.connections++;
      this.sessions.add(s);
      s.handshakeTimer = setTimeout(() => {
        s.handshakeTimer = undefined;
        if (s.started || s.closed) return;
        this.stats.handshakeTimeouts++;
        this.log.warn("Closing client {id}: no handshake and START_API within {ms} ms", {
          id: s.id,
          ms: this.#handshakeTimeoutMs,
        });
        s.close();
      }, this.#handshakeTimeoutMs);
      const task: Promise<void> = this.#serve(s)
        .catch((e) => {
          this.log.warn("Session {id} ended with an error: {error}", {
            id: s.id,
            error: String(e),
          });
        })
        .finally(() => this.#connTasks.delete(task));
      this.#connTasks.add(task);
    }
  }

  async #serve(s: Session): Promise<void> {
    const dec = new FrameDecoder();
    const buf = new Uint8Array(65536);
    let handshaken = false;
    try {
      for (;;) {
        let n: number | null;
        try {
          n = await s.conn.read(buf);
        } catch {
          break;
        }
        if (n === null || s.closed) break;
        for (const frame of dec.push(buf.subarray(0, n))) {
          if (!handshaken) {
            handshake(s, new TextDecoder().decode(frame), this.#maxVersion, this.now(), this.log);
            handshaken = true;
          } else {
            onFrame(this, s, splitFields(frame));
          }
          if (s.closed) break;
        }
        if (s.closed) break;
      }
    } catch (e) {
      if (!s.closed) {
        this.stats.malformedClosed++;
        this.log.warn("Closing client {id}: {error}", { id: s.id, error: (e as Error).message });
      }
    } finally {
      s.close();
      this.sessions.delete(s);
      this.forget(s);
      this.kick(0);
    }
  }

  forget(s: Session): void {
    s.tbt.clear();
    s.bars.clear();
  }

  /** Kicks the tick pump. */
  kick(ms: number): void {
    this.pump.kick(ms);
  }

  // ---- faults acting on connections ----

  dropAll(why: string, graceful = false): void {
    this.log.info("Fault: dropping {n} client(s) ({why})", { n: this.sessions.size, why });
    for (const s of this.sessions) {
      if (graceful) s.closeAfterFlush();
      else s.close();
    }
  }

  /**
   * Drops every client and closes the listener for `ms`. An overlapping call extends the
   * window (one re-listen at its end); every caller resolves when connections are accepted
   * again, or when the simulator closes.
   */
  refuseFor(ms: number, graceful = false): Promise<void> {
    if (!(ms >= 0) || !Number.isFinite(ms)) {
      return Promise.reject(new RangeError(`refuseFor ms is ${ms}`));
    }
    if (this.closed) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.#refuseWaiters.push(resolve));
    const now = this.clock.now();
    const until = now + ms;
    this.dropAll("restart", graceful);
    if (this.#refusing) {
      // Overlap: the window ends at the later of the two ends, with a single re-listen.
      if (this.#refuseTimer === undefined || until > this.#refusedUntil) {
        this.log.info("Fault: restart window extended to {ms} ms from now", { ms });
        this.#refusedUntil = until;
        this.#armRefusal(ms);
      }
      return done;
    }
    this.log.info("Fault: restart, refusing connections for {ms} ms", { ms });
    this.#refusing = true;
    this.#refusedUntil = until;
    try {
      this.#listener?.close();
    } catch {
      // already closed
    }
    this.#armRefusal(ms);
    return done;
  }

  #armRefusal(ms: number): void {
    if (this.#refuseTimer !== undefined) {
      clearTimeout(this.#refuseTimer);
      this.#timers.delete(this.#refuseTimer);
    }
    this.#refuseTimer = this.setTimer(() => {
      this.#refuseTimer = undefined;
      this.#relisten().catch((e) => {
        this.log.warn("Re-listening after a restart failed: {error}", { error: String(e) });
        this.#endRefusalWaiters();
      });
    }, ms);
  }

  /** Listens again after a refusal window; yields to a window extended meanwhile. */
  async #relisten(): Promise<void> {
    await this.#acceptLoop;
    this.#listener = undefined;
    for (let attempt = 0; attempt < 100; attempt++) {
      // Closed, or a new refusal re-armed the timer: that one re-listens.
      if (this.closed || this.#refuseTimer !== undefined) return;
      try {
        this.#listener = Deno.listen({
          hostname: this.#hostname,
          port: this.#port,
          transport: "tcp",
        });
      } catch {
        await this.#sleep(50);
        continue;
      }
      this.#acceptLoop = this.#accept(this.#listener);
      this.#refusing = false;
      this.log.info("Restart over: accepting connections again");
      this.#endRefusalWaiters();
      return;
    }
    this.log.warn("Could not listen on {host}:{port} again after a restart", {
      host: this.#hostname,
      port: this.#port,
    });
    this.#endRefusalWaiters();
  }

  #endRefusalWaiters(): void {
    const w = this.#refuseWaiters;
    this.#refuseWaiters = [];
    for (const f of w) f();
  }
}
