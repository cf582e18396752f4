/**
 * The TWS simulator: a loopback TCP server speaking the TWS API wire protocol to real
 * IB clients, replaying trades from a {@linkcode TickSource}, reproducing IB's pacing and
 * subscription limits, and failing on demand the way IB fails.
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
import {
  type ContractQuery,
  frontContract,
  matchContracts,
  type SimContract,
} from "./contracts.ts";
import { Replay, type SimArchive, type Speed, TickHistory, type TickSource } from "./feed.ts";
import { DEFAULT_FAULT_MS, type FaultSpec, parseFaultSpec } from "./fault_spec.ts";
import {
  durationFitsBar,
  durationStart,
  formatConnectionTime,
  formatIbDate,
  formatIbDateTime,
  maxDurationForBar,
  parseBarSize,
  parseIbDateTime,
  parseIbDuration,
} from "./ib_time.ts";
import {
  type ClientRequest,
  contractData,
  contractDataEnd,
  currentTime,
  decodeRequest,
  errorMsg,
  historicalData,
  historicalDataUpdate,
  historicalTicksLast,
  type HistTick,
  managedAccounts,
  MAX_SIM_VERSION,
  MIN_SIM_VERSION,
  nextValidId,
  tickByTickLastText,
  type WireBar,
} from "./messages.ts";
import {
  type Field,
  FrameDecoder,
  FrameWriter,
  joinFields,
  parseVersionRange,
  splitFields,
} from "./wire.ts";
import { localParts } from "../time/zone.ts";

const log = getLogger(["scalpbot", "sim"]);

/** A contract's trade feed: which symbol's front month the source trades. */
export interface SimFeed {
  /** Catalog symbol, e.g. MES. */
  symbol: string;
  /** Trades in time order. */
  source: TickSource;
}

/** Logger subset the simulator uses (defaults to logtape's `["scalpbot","sim"]`). */
export interface SimLogger {
  info(message: string, props?: Record<string, unknown>): void;
  warn(message: string, props?: Record<string, unknown>): void;
  debug(message: string, props?: Record<string, unknown>): void;
}

/** Options of {@linkcode startSimulator}. */
export interface SimulatorOptions {
  /** TCP port; 0 picks a free one. Default 7497. */
  port?: number;
  /** Listen address. Default 127.0.0.1 (loopback only). */
  hostname?: string;
  /** Highest server version to negotiate (157..193). Default 193. */
  maxServerVersion?: number;
  /** Trades for `symbol`'s front month. */
  source?: TickSource;
  /** Symbol traded by `source`. Default MES. */
  symbol?: string;
  /** More feeds (one per symbol). */
  feeds?: SimFeed[];
  /** Replay speed factor or "max". Default 1. */
  speed?: Speed;
  /** Recorded ms already in the past at start (served by history requests). Default 0. */
  historyMs?: number;
  /** Scheduled faults, as specs or parsed. */
  faults?: Array<string | FaultSpec>;
  /** Wall clock (the simulator clock at speed 1). Default: the system clock. */
  clock?: Clock;
  /** Logger; default logtape `["scalpbot","sim"]`. */
  logger?: SimLogger;
  /** Simultaneous tick-by-tick subscriptions allowed (account-wide). Default 5. */
  tbtLimit?: number;
  /** Enforce historical-data pacing (error 162). Default true. */
  pacing?: boolean;
  /** Past trades by contract (any listed or expired one), served to history requests. */
  archive?: SimArchive;
  /** Zone for IB date texts without a zone, and for daily fault times. Default UTC. */
  timeZone?: string;
  /** Account id sent in MANAGED_ACCTS. Default DU1234567. */
  account?: string;
  /** Trades kept per contract for history requests. Default 2,000,000. */
  maxHistoryTicks?: number;
  /**
   * At speed "max", live subscriptions (tick-by-tick or keepUpToDate, all clients) needed
   * before the replay runs. Default 1.
   */
  waitForSubscribers?: number;
  /** Queued bytes at which a client that does not read is dropped. Default 16 MiB. */
  maxQueuedBytes?: number;
  /** Simultaneous client connections; more are closed at once. Default 32. */
  maxConnections?: number;
  /** Wall ms a connection has to complete the handshake and START_API. Default 10,000. */
  handshakeTimeoutMs?: number;
  /** Wall ms one socket write may block (the client reads nothing) before the client is dropped. Default 30,000. */
  writeStallMs?: number;
}

/** Programmatic fault triggers of a running simulator. */
export interface SimFaults {
  /** Closes every client socket now. */
  dropAll(): void;
  /** Drops every client and refuses connections for `ms` wall ms (a TWS restart). */
  refuseFor(ms: number): Promise<void>;
  /** Sends 1100 to every client and stops streaming to them. */
  connectivityLost(): void;
  /** Sends 1101: streaming resumes but every subscription is gone (data lost). */
  restoredDataLost(): void;
  /** Sends 1102: streaming resumes with subscriptions kept (data maintained). */
  restoredDataKept(): void;
  /** Sends 2110 (TWS-server connectivity broken) to every client. */
  send2110(): void;
  /** Stops sending ticks without closing, for `ms` wall ms or until {@linkcode SimFaults.resume}. */
  goSilent(ms?: number): void;
  /** Ends a silence early. */
  resume(): void;
  /** Schedules a daily reset (drop + refuse for `downMs`) at `hhmm` simulator-clock time. */
  nightlyResetAt(hhmm: string, options?: { downMs?: number }): void;
}

/** Counters of a running simulator, for tests and the bench. */
export interface SimStats {
  connections: number;
  activeSessions: number;
  ticksReplayed: number;
  ticksSent: number;
  malformedClosed: number;
  unknownMessages: number;
  /** Connections closed at accept because `maxConnections` were open. */
  refusedOverLimit: number;
  /** Connections closed for not completing handshake + START_API in time. */
  handshakeTimeouts: number;
  /** Clients dropped for not reading (queue over `maxQueuedBytes` or a stalled write). */
  slowClientsDropped: number;
  /** Bytes queued for all clients now, not yet written to their sockets. */
  queuedBytes: number;
}

/** A running simulator. */
export interface SimulatorHandle {
  /** Bound TCP port. */
  readonly port: number;
  /** Bound address. */
  readonly hostname: string;
  /** Fault triggers. */
  readonly faults: SimFaults;
  /** Milliseconds added to recorded trade times of the first feed. */
  readonly shiftMs: number;
  /** Simulator clock now (epoch ms). */
  now(): number;
  /** Counters. */
  stats(): SimStats;
  /** Resolves once the first feed's source is exhausted and every trade has been sent. */
  replayDone(): Promise<void>;
  /** Stops listening, closes every client, clears timers. */
  close(): Promise<void>;
}

type Timer = ReturnType<typeof setTimeout>;

const systemClock: Clock = { now: () => Date.now() };

const TBT_LIMIT_TEXT = "Max number of tick-by-tick requests has been reached.";
const PACING_TEXT =
  "Historical Market Data Service error message:Historical data request pacing violation";
const TIME_LENGTH_TEXT = "Historical Market Data Service error message:Time length exceed max.";
const NO_SECDEF_TEXT = "No security definition has been found for the request";
/** Pending bytes per client above which the replay waits for it (max speed). */
const HIGH_WATER = 4 << 20;
const DEFAULT_MAX_QUEUED = 16 << 20;
/** IB serves at most this many historical ticks per request. */
const MAX_HIST_TICKS = 1000;
const BATCH = 4096;

interface Live {
  feed: FeedState;
  contract: SimContract;
}

interface TbtSub {
  /** Undefined for a contract without a feed: counted against the cap, never fed. */
  feed: FeedState | undefined;
  contract: SimContract;
  tickType: 1 | 2 | 3 | 4;
}

interface BarSub extends Live {
  barMs: number;
  formatDate: number;
  zone: string;
  bar: WireBar & { start: number; pv: number };
  hasBar: boolean;
  lastSentSec: number;
  dirty: boolean;
}

interface FeedState {
  symbol: string;
  contract: SimContract;
  replay: Replay;
  history: TickHistory;
}

interface PacingEntry {
  at: number;
  key: string;
  conId: number;
}

/** Limits a session enforces on its own output, and where it reports a drop. */
interface SessionLimits {
  maxQueued: number;
  writeStallMs: number;
  onSlow(s: Session, why: string): void;
}

class Session {
  readonly id: number;
  readonly conn: Deno.Conn;
  /** Handshake + START_API deadline timer, cleared once started. */
  handshakeTimer: Timer | undefined;
  version = 0;
  clientId: number | undefined;
  started = false;
  closed = false;
  lost = false;
  readonly tbt = new Map<number, TbtSub>();
  readonly bars = new Map<number, BarSub>();
  #out = new FrameWriter();
  #queue: Uint8Array[] = [];
  #pending = 0;
  #writing = false;
  #flushScheduled = false;
  #drainWaiters: Array<() => void> = [];
  #emptyWaiters: Array<() => void> = [];
  #limits: SessionLimits;

  constructor(id: number, conn: Deno.Conn, limits: SessionLimits) {
    this.id = id;
    this.conn = conn;
    this.#limits = limits;
  }

  get pendingBytes(): number {
    return this.#pending + this.#out.length;
  }

  send(fields: readonly Field[]): void {
    this.sendText(joinFields(fields));
  }

  sendText(text: string): void {
    if (this.closed) return;
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

class Simulator {
  #opts: SimulatorOptions;
  #clock: Clock;
  #log: SimLogger;
  #maxVersion: number;
  #hostname: string;
  #port: number;
  #listener: Deno.TcpListener | undefined;
  #sessions = new Set<Session>();
  #nextSessionId = 1;
  #feeds: FeedState[] = [];
  #tbtLimit: number;
  #zone: string;
  #account: string;
  #startWall: number;
  #nextOrderId = 1;
  #closed = false;
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
  #silentUntil = 0;
  #pumpTimer: Timer | undefined;
  #faultTimer: ReturnType<typeof setInterval> | undefined;
  #pumping = false;
  #scheduled: Array<{ spec: FaultSpec; nextAt: number; lastDay: string }> = [];
  #pacing: PacingEntry[] = [];
  #stats: SimStats = {
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
  #doneWaiters: Array<() => void> = [];
  #acceptLoop: Promise<void> | undefined;
  #connTasks = new Set<Promise<void>>();
  #timers = new Set<Timer>();

  constructor(opts: SimulatorOptions) {
    this.#opts = opts;
    this.#clock = opts.clock ?? systemClock;
    this.#log = opts.logger ?? log;
    this.#maxVersion = opts.maxServerVersion ?? MAX_SIM_VERSION;
    if (this.#maxVersion < MIN_SIM_VERSION || this.#maxVersion > MAX_SIM_VERSION) {
      throw new RangeError(
        `Simulator maxServerVersion is ${this.#maxVersion} (supported ${MIN_SIM_VERSION}..${MAX_SIM_VERSION})`,
      );
    }
    this.#hostname = opts.hostname ?? "127.0.0.1";
    this.#port = opts.port ?? 7497;
    this.#tbtLimit = opts.tbtLimit ?? 5;
    this.#zone = opts.timeZone ?? "UTC";
    this.#account = opts.account ?? "DU1234567";
    this.#maxConnections = positive("maxConnections", opts.maxConnections ?? 32);
    this.#handshakeTimeoutMs = positive("handshakeTimeoutMs", opts.handshakeTimeoutMs ?? 10_000);
    this.#limits = {
      maxQueued: positive("maxQueuedBytes", opts.maxQueuedBytes ?? DEFAULT_MAX_QUEUED),
      writeStallMs: positive("writeStallMs", opts.writeStallMs ?? 30_000),
      onSlow: (s, why) => {
        if (s.closed) return;
        this.#stats.slowClientsDropped++;
        this.#log.warn("Dropping client {id}: not reading ({why})", { id: s.id, why });
      },
    };
    this.#startWall = this.#clock.now();
    const speed = opts.speed ?? 1;
    const feeds: SimFeed[] = [...(opts.feeds ?? [])];
    if (opts.source !== undefined) {
      feeds.unshift({ symbol: opts.symbol ?? "MES", source: opts.source });
    }
    for (const f of feeds) {
      const contract = frontContract(f.symbol, this.#startWall);
      if (contract === undefined) {
        throw new RangeError(`Simulator feed symbol "${f.symbol}" is not in the catalog`);
      }
      const replay = new Replay(f.source, {
        speed,
        startWallMs: this.#startWall,
        historyMs: opts.historyMs ?? 0,
      });
      const history = new TickHistory({ maxTicks: opts.maxHistoryTicks ?? 2_000_000 });
      replay.preRoll((ts, p, s) => history.push(ts, p, s));
      this.#feeds.push({ symbol: f.symbol.toUpperCase(), contract, replay, history });
    }
    for (const f of opts.faults ?? []) {
      this.#schedule(typeof f === "string" ? parseFaultSpec(f) : f);
    }
  }

  now(): number {
    const wall = this.#clock.now();
    const first = this.#feeds[0];
    return first === undefined ? wall : first.replay.simNow(wall);
  }

  async listen(): Promise<void> {
    this.#listener = Deno.listen({ hostname: this.#hostname, port: this.#port, transport: "tcp" });
    this.#port = (this.#listener.addr as Deno.NetAddr).port;
    this.#acceptLoop = this.#accept(this.#listener);
    this.#log.info("TWS simulator listening on {host}:{port} (server version <= {v})", {
      host: this.#hostname,
      port: this.#port,
      v: this.#maxVersion,
    });
    this.#faultTimer = setInterval(() => this.#checkFaults(), 50);
    this.#kick(0);
    await Promise.resolve();
  }

  handle(): SimulatorHandle {
    const faults: SimFaults = {
      dropAll: () => this.#dropAll("fault drop"),
      refuseFor: (ms) => this.#refuseFor(ms),
      connectivityLost: () => this.#connectivityLost(),
      restoredDataLost: () => this.#restored(false),
      restoredDataKept: () => this.#restored(true),
      send2110: () =>
        this.#broadcastInfo(
          2110,
          "Connectivity between Trader Workstation and server is broken. It will be restored automatically.",
        ),
      goSilent: (ms) => {
        this.#silentUntil = ms === undefined ? Infinity : this.#clock.now() + ms;
        this.#log.info("Fault: silent for {ms} ms", { ms: ms ?? "ever" });
      },
      resume: () => {
        this.#silentUntil = 0;
        this.#kick(0);
      },
      nightlyResetAt: (hhmm, o = {}) => {
        const spec = parseFaultSpec(`reset@${hhmm}`);
        this.#schedule({ ...spec, durationMs: o.downMs ?? DEFAULT_FAULT_MS.reset });
      },
    };
    const feed = this.#feeds[0];
    return {
      port: this.#port,
      hostname: this.#hostname,
      faults,
      shiftMs: feed?.replay.shiftMs ?? 0,
      now: () => this.now(),
      stats: () => {
        let queuedBytes = 0;
        for (const s of this.#sessions) queuedBytes += s.pendingBytes;
        return { ...this.#stats, activeSessions: this.#sessions.size, queuedBytes };
      },
      replayDone: () => {
        if (feed === undefined || feed.replay.ended) return this.#allDrained();
        return new Promise<void>((resolve) => this.#doneWaiters.push(resolve)).then(() =>
          this.#allDrained()
        );
      },
      close: () => this.close(),
    };
  }

  /**
   * Resolves once every client's queue is empty. Waits on write completions, not a poll:
   * a client that never reads is dropped by the write-stall or queue limit, which wakes it.
   */
  async #allDrained(): Promise<void> {
    await Promise.all([...this.#sessions].map((s) => s.empty()));
  }

  /** Waits `ms` wall ms; settled early by close(). */
  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.#sleepers.delete(done);
        resolve();
      };
      this.#sleepers.add(done);
      this.#setTimer(done, ms);
    });
  }

  #setTimer(fn: () => void, ms: number): Timer {
    const id = setTimeout(() => {
      this.#timers.delete(id);
      fn();
    }, ms);
    this.#timers.add(id);
    return id;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#pumpTimer !== undefined) clearTimeout(this.#pumpTimer);
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
    for (const s of this.#sessions) s.close();
    await this.#acceptLoop;
    await Promise.allSettled([...this.#connTasks]);
    for (const w of this.#doneWaiters) w();
    this.#endRefusalWaiters();
    this.#log.info("TWS simulator closed");
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
      if (this.#closed || this.#refusing) {
        conn.close();
        continue;
      }
      if (this.#sessions.size >= this.#maxConnections) {
        this.#stats.refusedOverLimit++;
        this.#log.warn("Refusing a connection: {n} clients connected (max {max})", {
          n: this.#sessions.size,
          max: this.#maxConnections,
        });
        conn.close();
        continue;
      }
      // Without TCP_NODELAY, Nagle holds each small write until the client's delayed ACK
      // (40 ms on Linux): ticks would reach the client in 40 ms lumps.
      conn.setNoDelay(true);
      const s = new Session(this.#nextSessionId++, conn, this.#limits);
      this.#stats.connections++;
      this.#sessions.add(s);
      s.handshakeTimer = setTimeout(() => {
        s.handshakeTimer = undefined;
        if (s.started || s.closed) return;
        this.#stats.handshakeTimeouts++;
        this.#log.warn("Closing client {id}: no handshake and START_API within {ms} ms", {
          id: s.id,
          ms: this.#handshakeTimeoutMs,
        });
        s.close();
      }, this.#handshakeTimeoutMs);
      const task: Promise<void> = this.#serve(s)
        .catch((e) => {
          this.#log.warn("Session {id} ended with an error: {error}", {
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
            this.#handshake(s, new TextDecoder().decode(frame));
            handshaken = true;
          } else {
            this.#onFrame(s, splitFields(frame));
          }
          if (s.closed) break;
        }
        if (s.closed) break;
      }
    } catch (e) {
      if (!s.closed) {
        this.#stats.malformedClosed++;
        this.#log.warn("Closing client {id}: {error}", { id: s.id, error: (e as Error).message });
      }
    } finally {
      s.close();
      this.#sessions.delete(s);
      this.#forget(s);
      this.#kick(0);
    }
  }

  #forget(s: Session): void {
    s.tbt.clear();
    s.bars.clear();
  }

  #handshake(s: Session, text: string): void {
    const range = parseVersionRange(text);
    const v = Math.min(range.max, this.#maxVersion);
    if (v < Math.max(range.min, MIN_SIM_VERSION)) {
      throw new RangeError(`Cannot negotiate a server version with client range ${text}`);
    }
    s.version = v;
    s.send([v, formatConnectionTime(this.now())]);
    this.#log.debug("Client {id} negotiated version {v}", { id: s.id, v });
  }

  #onFrame(s: Session, fields: string[]): void {
    const req: ClientRequest = decodeRequest(fields, s.version);
    if (!s.started && req.kind !== "startApi") {
      // TWS ignores requests before START_API; so do we, with a log line.
      this.#log.warn("Client {id} sent message {m} before START_API; ignored", {
        id: s.id,
        m: fields[0],
      });
      return;
    }
    switch (req.kind) {
      case "startApi":
        return this.#startApi(s, req.clientId);
      case "currentTime":
        return s.send(currentTime(Math.floor(this.now() / 1000)));
      case "reqIds":
        return s.send(nextValidId(this.#nextOrderId));
      case "managedAccounts":
        return s.send(managedAccounts(this.#account));
      case "contractDetails":
        return this.#contractDetails(s, req.reqId, req.contract);
      case "tickByTick":
        return this.#reqTickByTick(s, req.reqId, req.contract, req.tickType);
      case "cancelTickByTick":
        if (!s.tbt.delete(req.reqId)) {
          this.#log.debug("Client {id} cancelled unknown tick-by-tick {r}", {
            id: s.id,
            r: req.reqId,
          });
        }
        return;
      case "historicalData":
        return this.#reqHistoricalData(s, req);
      case "cancelHistoricalData":
        if (!s.bars.delete(req.reqId)) {
          s.send(
            errorMsg(
              s.version,
              req.reqId,
              366,
              `No historical data query found for ticker id:${req.reqId}`,
            ),
          );
        }
        return;
      case "historicalTicks":
        return this.#reqHistoricalTicks(s, req);
      case "unknown":
        this.#stats.unknownMessages++;
        this.#log.info("Client {id} sent unsupported message {m} ({n} fields); ignored", {
          id: s.id,
          m: req.msgId,
          n: fields.length,
        });
        return;
    }
  }

  #startApi(s: Session, clientId: number): void {
    if (s.started) return;
    for (const o of this.#sessions) {
      if (o !== s && o.started && !o.closed && o.clientId === clientId) {
        s.send(
          errorMsg(
            s.version,
            -1,
            326,
            `Unable to connect as the client id is already in use. Retry with a unique client id.`,
          ),
        );
        s.flush();
        this.#log.warn("Client {id}: client id {c} in use; dropping", { id: s.id, c: clientId });
        // Let the error frame leave before closing, as TWS does.
        this.#setTimer(() => s.close(), 20);
        s.started = false;
        return;
      }
    }
    s.started = true;
    s.clientId = clientId;
    if (s.handshakeTimer !== undefined) clearTimeout(s.handshakeTimer);
    s.handshakeTimer = undefined;
    s.send(managedAccounts(this.#account));
    s.send(nextValidId(this.#nextOrderId));
    for (
      const [code, text] of [
        [2104, "Market data farm connection is OK:usfarm"],
        [2106, "HMDS data farm connection is OK:ushmds"],
        [2158, "Sec-def data farm connection is OK:secdefil"],
      ] as const
    ) s.send(errorMsg(s.version, -1, code, text));
    this.#log.info("Client {id} started API with client id {c} at version {v}", {
      id: s.id,
      c: clientId,
      v: s.version,
    });
  }

  #contractDetails(s: Session, reqId: number, q: ContractQuery): void {
    const found = matchContracts(q, this.now());
    if (found.length === 0) {
      s.send(errorMsg(s.version, reqId, 200, NO_SECDEF_TEXT));
      return;
    }
    for (const c of found) s.send(contractData(s.version, reqId, c));
    s.send(contractDataEnd(reqId));
  }

  /** One contract for a data request, or an error 200 sent. */
  #resolve(s: Session, reqId: number, q: ContractQuery): SimContract | undefined {
    const found = matchContracts(q, this.now());
    if (found.length === 1) return found[0];
    s.send(
      errorMsg(
        s.version,
        reqId,
        200,
        found.length === 0
          ? NO_SECDEF_TEXT
          : `The contract description specified for ${q.symbol} is ambiguous.`,
      ),
    );
    return undefined;
  }

  #feedFor(c: SimContract): FeedState | undefined {
    return this.#feeds.find((f) => f.contract.conId === c.conId);
  }

  #reqTickByTick(s: Session, reqId: number, q: ContractQuery, tickType: string): void {
    const contract = this.#resolve(s, reqId, q);
    if (contract === undefined) return;
    let total = 0;
    for (const o of this.#sessions) total += o.tbt.size;
    if (total >= this.#tbtLimit) {
      s.send(errorMsg(s.version, reqId, 10190, TBT_LIMIT_TEXT));
      return;
    }
    const types: Record<string, 1 | 2 | 3 | 4> = { Last: 1, AllLast: 2, BidAsk: 3, MidPoint: 4 };
    const t = types[tickType];
    if (t === undefined) {
      s.send(errorMsg(s.version, reqId, 10187, `Unsupported tick-by-tick type: ${tickType}`));
      return;
    }
    const feed = this.#feedFor(contract);
    if (feed === undefined) {
      this.#log.info("Client {id} subscribed to {c}, which has no feed: no trades will follow", {
        id: s.id,
        c: contract.localSymbol,
      });
    }
    // Subscriptions without a feed stay counted against the cap, as at IB.
    s.tbt.set(reqId, { feed, contract, tickType: t });
    this.#kick(0);
  }

  #pacingViolated(key: string, conId: number): boolean {
    if (this.#opts.pacing === false) return false;
    const now = this.#clock.now();
    this.#pacing = this.#pacing.filter((p) => now - p.at < 600_000);
    const identical = this.#pacing.some((p) => p.key === key && now - p.at < 15_000);
    const sameContract = this.#pacing.filter((p) => p.conId === conId && now - p.at < 2_000).length;
    const violated = identical || sameContract >= 5 || this.#pacing.length >= 60;
    if (!violated) this.#pacing.push({ at: now, key, conId });
    return violated;
  }

  #parseEnd(text: string): number {
    const now = this.now();
    if (text.trim() === "") return now;
    return Math.min(parseIbDateTime(text, this.#zone), now);
  }

  #reqHistoricalData(s: Session, req: Extract<ClientRequest, { kind: "historicalData" }>): void {
    const contract = this.#resolve(s, req.reqId, req.contract);
    if (contract === undefined) return;
    let barMs: number;
    let end: number;
    let start: number;
    let tooLong = false;
    try {
      barMs = parseBarSize(req.barSize);
      if (req.keepUpToDate && req.endDateTime.trim() !== "") {
        throw new SyntaxError("End date not supported with live updates");
      }
      end = this.#parseEnd(req.endDateTime);
      const duration = parseIbDuration(req.duration);
      tooLong = !durationFitsBar(duration, barMs);
      start = tooLong ? end : durationStart(end, duration);
      // Calendar arithmetic far outside Date's range gives NaN: a bad request, not a crash.
      if (!Number.isFinite(start) || !Number.isFinite(end)) {
        throw new RangeError(`duration ${req.duration} before ${req.endDateTime || "now"}`);
      }
    } catch (e) {
      s.send(
        errorMsg(
          s.version,
          req.reqId,
          321,
          `Error validating request.-'bX' : cause - ${(e as Error).message}`,
        ),
      );
      return;
    }
    if (tooLong) {
      // IB bounds the bars of one request (its step-size table); the cap also keeps one
      // frame small and the scan short.
      const max = maxDurationForBar(barMs);
      this.#log.info("Client {id}: {d} of {b} bars exceeds {max}; answering 162", {
        id: s.id,
        d: req.duration,
        b: req.barSize,
        max: `${max.count} ${max.unit}`,
      });
      s.send(errorMsg(s.version, req.reqId, 162, TIME_LENGTH_TEXT));
      return;
    }
    if (!servesTrades(s, req.reqId, req.whatToShow)) return;
    const key =
      `bars|${contract.conId}|${req.endDateTime}|${req.barSize}|${req.duration}|${req.useRth}|${req.keepUpToDate}`;
    if (barMs <= 30_000 && this.#pacingViolated(key, contract.conId)) {
      s.send(errorMsg(s.version, req.reqId, 162, PACING_TEXT));
      return;
    }
    const feed = this.#feedFor(contract);
    const zone = this.#zone;
    const align = (ts: number) => this.#barStart(ts, barMs, zone);
    const bars: Array<WireBar & { start: number; pv: number }> = [];
    if (feed !== undefined) {
      const h = feed.history;
      const from = align(start);
      for (let i = h.lowerBound(from); i < h.count && h.ts(i) < end; i++) {
        const ts = h.ts(i);
        const b0 = align(ts);
        let b = bars[bars.length - 1];
        if (b === undefined || b.start !== b0) {
          b = this.#newBar(b0, barMs, req.formatDate, zone, h.price(i));
          bars.push(b);
        }
        this.#addToBar(b, h.price(i), h.size(i));
      }
    }
    const fmt = (ms: number) => formatIbDateTime(ms, zone);
    s.send(historicalData(req.reqId, fmt(start), fmt(end), bars.map((b) => this.#wireBar(b))));
    if (req.keepUpToDate && feed !== undefined) {
      const last = bars[bars.length - 1];
      const sub: BarSub = {
        feed,
        contract,
        barMs,
        formatDate: req.formatDate,
        zone,
        bar: last ?? this.#newBar(0, barMs, req.formatDate, zone, 0),
        hasBar: last !== undefined,
        lastSentSec: -1,
        dirty: false,
      };
      s.bars.set(req.reqId, sub);
      this.#kick(0);
    }
  }

  #barStart(ts: number, barMs: number, zone: string): number {
    if (barMs < 86_400_000) return Math.floor(ts / barMs) * barMs;
    const p = localParts(ts, zone);
    return ts - (p.minuteOfDay * 60_000 + (ts % 60_000));
  }

  #newBar(start: number, barMs: number, formatDate: number, zone: string, price: number) {
    const date = formatDate === 2
      ? String(Math.floor(start / 1000))
      : barMs >= 86_400_000
      ? formatIbDate(start, zone)
      : formatIbDateTime(start, zone);
    return {
      start,
      date,
      open: price,
      high: price,
      low: price,
      close: price,
      volume: 0,
      wap: price,
      count: 0,
      pv: 0,
    };
  }

  #addToBar(b: WireBar & { pv: number }, price: number, size: number): void {
    if (b.count === 0) b.open = b.high = b.low = price;
    if (price > b.high) b.high = price;
    if (price < b.low) b.low = price;
    b.close = price;
    b.volume += size;
    b.pv += price * size;
    b.count++;
    b.wap = b.volume > 0 ? b.pv / b.volume : price;
  }

  #wireBar(b: WireBar): WireBar {
    // Round WAP to 8 decimals, as TWS does not send float noise.
    return { ...b, wap: Math.round(b.wap * 1e8) / 1e8 };
  }

  #reqHistoricalTicks(s: Session, req: Extract<ClientRequest, { kind: "historicalTicks" }>): void {
    const contract = this.#resolve(s, req.reqId, req.contract);
    if (contract === undefined) return;
    if (!servesTrades(s, req.reqId, req.whatToShow)) return;
    const hasStart = req.start.trim() !== "";
    const hasEnd = req.end.trim() !== "";
    let start = 0;
    let end = 0;
    try {
      if (hasStart === hasEnd) {
        throw new SyntaxError("exactly one of start and end date/time must be set");
      }
      if (!(req.numberOfTicks >= 1)) throw new RangeError(`numberOfTicks is ${req.numberOfTicks}`);
      if (hasStart) start = parseIbDateTime(req.start, this.#zone);
      else end = parseIbDateTime(req.end, this.#zone);
      if (!Number.isFinite(start) || !Number.isFinite(end)) {
        throw new RangeError(`date out of range: "${hasStart ? req.start : req.end}"`);
      }
    } catch (e) {
      s.send(
        errorMsg(
          s.version,
          req.reqId,
          162,
          `Historical Market Data Service error message:${(e as Error).message}`,
        ),
      );
      return;
    }
    const key =
      `ticks|${contract.conId}|${req.start}|${req.end}|${req.numberOfTicks}|${req.useRth}`;
    if (this.#pacingViolated(key, contract.conId)) {
      s.send(errorMsg(s.version, req.reqId, 162, PACING_TEXT));
      return;
    }
    const n = Math.min(req.numberOfTicks, MAX_HIST_TICKS);
    const h = this.#feedFor(contract)?.history ?? this.#opts.archive?.history(contract.conId);
    const out: HistTick[] = [];
    if (h !== undefined) {
      // Only trades strictly before the simulator's now are history.
      const limit = h.lowerBound(this.now());
      if (hasStart) {
        let i = h.lowerBound(start);
        for (; i < limit && out.length < n; i++) {
          out.push({ ts: h.ts(i), price: h.price(i), size: h.size(i) });
        }
        // IB completes the last second rather than cut it.
        const lastSec = out.length > 0 ? Math.floor(out[out.length - 1]!.ts / 1000) : NaN;
        for (; i < limit && Math.floor(h.ts(i) / 1000) === lastSec; i++) {
          out.push({ ts: h.ts(i), price: h.price(i), size: h.size(i) });
        }
      } else {
        // End is inclusive to the second: trades stamped up to end + 999 ms count.
        const j = Math.min(h.lowerBound(end + 1000), limit);
        let first = Math.max(0, j - n);
        const firstSec = first < j ? Math.floor(h.ts(first) / 1000) : NaN;
        while (first > 0 && Math.floor(h.ts(first - 1) / 1000) === firstSec) first--;
        for (let i = first; i < j; i++) {
          out.push({ ts: h.ts(i), price: h.price(i), size: h.size(i) });
        }
      }
    }
    s.send(historicalTicksLast(req.reqId, out, contract.exchange, true));
  }

  // ---- replay ----

  /** Schedules a pump in `ms` wall ms (earliest wins). */
  #kick(ms: number): void {
    if (this.#closed || this.#pumping) return;
    if (this.#pumpTimer !== undefined) clearTimeout(this.#pumpTimer);
    this.#pumpTimer = setTimeout(() => {
      this.#pumpTimer = undefined;
      this.#pump().catch((e) => {
        this.#log.warn("Replay pump failed: {error}", { error: String(e) });
      });
    }, ms);
  }

  #hasLiveSubscribers(): boolean {
    let n = 0;
    for (const s of this.#sessions) n += s.tbt.size + s.bars.size;
    return n >= (this.#opts.waitForSubscribers ?? 1);
  }

  async #pump(): Promise<void> {
    if (this.#closed || this.#pumping) return;
    this.#pumping = true;
    try {
      const maxSpeed = (this.#opts.speed ?? 1) === "max";
      for (;;) {
        const wall = this.#clock.now();
        // At max speed the market waits for a subscriber, so no trade is lost unseen.
        if (maxSpeed && !this.#hasLiveSubscribers()) break;
        if (maxSpeed && wall < this.#silentUntil) break;
        let moved = 0;
        for (const f of this.#feeds) moved += this.#pumpFeed(f, wall);
        for (const s of this.#sessions) s.flush();
        if (!maxSpeed || moved === 0) break;
        // Back-pressure: wait for slow readers before replaying more.
        for (const s of this.#sessions) {
          if ((s.tbt.size > 0 || s.bars.size > 0) && !s.closed) await s.drained();
        }
        await new Promise((r) => setTimeout(r, 0));
        if (this.#closed) return;
      }
      this.#notifyDone();
    } finally {
      this.#pumping = false;
    }
    if (this.#closed) return;
    const wall = this.#clock.now();
    let delay: number | undefined;
    for (const f of this.#feeds) {
      const d = f.replay.wallDelayToNext(wall);
      if (d !== undefined) delay = delay === undefined ? d : Math.min(delay, d);
    }
    if (delay === undefined) return;
    const maxSpeed = (this.#opts.speed ?? 1) === "max";
    if (maxSpeed) {
      if (!this.#hasLiveSubscribers()) return; // kicked again on subscribe
      if (wall < this.#silentUntil) delay = Math.min(this.#silentUntil - wall, 1000);
    }
    this.#kick(Math.min(Math.max(delay, 0), 1000));
  }

  #notifyDone(): void {
    const f = this.#feeds[0];
    if (f !== undefined && f.replay.ended && this.#doneWaiters.length > 0) {
      const w = this.#doneWaiters;
      this.#doneWaiters = [];
      for (const fn of w) fn();
    }
  }

  #pumpFeed(f: FeedState, wall: number): number {
    const silent = wall < this.#silentUntil;
    // Collect live subscribers of this feed once per batch.
    const tbt: Array<{ s: Session; reqId: number; type: 1 | 2 }> = [];
    const bars: Array<{ s: Session; reqId: number; sub: BarSub }> = [];
    if (!silent) {
      for (const s of this.#sessions) {
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
      const sec = Math.floor(ts / 1000);
      for (const t of tbt) {
        t.s.sendText(tickByTickLastText(t.reqId, t.type, sec, price, size, exchange));
        sent++;
      }
      for (const b of bars) this.#updateBar(b.s, b.reqId, b.sub, ts, price, size);
    });
    this.#stats.ticksReplayed += n;
    this.#stats.ticksSent += sent;
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
    const start = this.#barStart(ts, sub.barMs, sub.zone);
    if (!sub.hasBar || sub.bar.start !== start) {
      if (sub.hasBar && sub.dirty) s.send(historicalDataUpdate(reqId, this.#wireBar(sub.bar)));
      sub.bar = this.#newBar(start, sub.barMs, sub.formatDate, sub.zone, price);
      sub.hasBar = true;
    }
    this.#addToBar(sub.bar, price, size);
    sub.dirty = true;
    // At most one update per second of simulator time, plus the last state of each bar.
    const sec = Math.floor(ts / 1000);
    if (sec !== sub.lastSentSec) {
      sub.lastSentSec = sec;
      sub.dirty = false;
      s.send(historicalDataUpdate(reqId, this.#wireBar(sub.bar)));
    }
  }

  // ---- faults ----

  #broadcastInfo(code: number, text: string): void {
    this.#log.info("Fault: sending {code} to every client", { code });
    for (const s of this.#sessions) if (s.started) s.send(errorMsg(s.version, -1, code, text));
  }

  #dropAll(why: string): void {
    this.#log.info("Fault: dropping {n} client(s) ({why})", { n: this.#sessions.size, why });
    for (const s of this.#sessions) s.close();
  }

  /**
   * Drops every client and closes the listener for `ms`. An overlapping call extends the
   * window (one re-listen at its end); every caller resolves when connections are accepted
   * again, or when the simulator closes.
   */
  #refuseFor(ms: number): Promise<void> {
    if (!(ms >= 0) || !Number.isFinite(ms)) {
      return Promise.reject(new RangeError(`refuseFor ms is ${ms}`));
    }
    if (this.#closed) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.#refuseWaiters.push(resolve));
    const now = this.#clock.now();
    const until = now + ms;
    this.#dropAll("restart");
    if (this.#refusing) {
      // Overlap: the window ends at the later of the two ends, with a single re-listen.
      if (this.#refuseTimer === undefined || until > this.#refusedUntil) {
        this.#log.info("Fault: restart window extended to {ms} ms from now", { ms });
        this.#refusedUntil = until;
        this.#armRefusal(ms);
      }
      return done;
    }
    this.#log.info("Fault: restart, refusing connections for {ms} ms", { ms });
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
    this.#refuseTimer = this.#setTimer(() => {
      this.#refuseTimer = undefined;
      this.#relisten().catch((e) => {
        this.#log.warn("Re-listening after a restart failed: {error}", { error: String(e) });
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
      if (this.#closed || this.#refuseTimer !== undefined) return;
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
      this.#log.info("Restart over: accepting connections again");
      this.#endRefusalWaiters();
      return;
    }
    this.#log.warn("Could not listen on {host}:{port} again after a restart", {
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

  #connectivityLost(): void {
    this.#broadcastInfo(1100, "Connectivity between IB and Trader Workstation has been lost.");
    for (const s of this.#sessions) s.lost = true;
  }

  #restored(kept: boolean): void {
    if (kept) {
      this.#broadcastInfo(
        1102,
        "Connectivity between IB and Trader Workstation has been restored - data maintained. All data farms are connected: usfarm; ushmds; secdefil.",
      );
    } else {
      this.#broadcastInfo(
        1101,
        "Connectivity between IB and Trader Workstation has been restored - data lost.",
      );
    }
    for (const s of this.#sessions) {
      s.lost = false;
      if (!kept) this.#forget(s);
    }
    this.#kick(0);
  }

  #schedule(spec: FaultSpec): void {
    const nextAt = "afterMs" in spec.when ? this.#startWall + spec.when.afterMs : Infinity;
    this.#scheduled.push({ spec, nextAt, lastDay: "" });
  }

  #checkFaults(): void {
    const wall = this.#clock.now();
    const sim = this.now();
    if (wall >= this.#silentUntil && this.#silentUntil !== 0 && this.#silentUntil !== Infinity) {
      this.#silentUntil = 0;
      this.#kick(0);
    }
    for (const item of this.#scheduled) {
      const { spec } = item;
      if ("afterMs" in spec.when) {
        if (wall < item.nextAt) continue;
        item.nextAt = Infinity;
      } else {
        const p = localParts(sim, this.#zone);
        const day = `${p.y}-${p.m}-${p.d}`;
        if (p.minuteOfDay !== spec.when.minuteOfDay || item.lastDay === day) continue;
        item.lastDay = day;
      }
      this.#fire(spec);
    }
  }

  #fire(spec: FaultSpec): void {
    const d = spec.durationMs ?? 0;
    switch (spec.kind) {
      case "drop":
        return this.#dropAll("scheduled drop");
      case "refuse":
      case "reset":
        this.#refuseFor(d).catch((e) => {
          this.#log.warn("Scheduled refusal failed: {error}", { error: String(e) });
        });
        return;
      case "1101":
      case "1102":
        this.#connectivityLost();
        this.#setTimer(() => this.#restored(spec.kind === "1102"), d);
        return;
      case "2110":
        return this.#broadcastInfo(
          2110,
          "Connectivity between Trader Workstation and server is broken. It will be restored automatically.",
        );
      case "silent":
        this.#silentUntil = this.#clock.now() + d;
        this.#log.info("Fault: silent for {ms} ms", { ms: d });
        return;
    }
  }
}

/** True for TRADES, the only history served; anything else is answered with IB's 162. */
function servesTrades(s: Session, reqId: number, whatToShow: string): boolean {
  if (whatToShow.toUpperCase() === "TRADES") return true;
  s.send(
    errorMsg(
      s.version,
      reqId,
      162,
      `Historical Market Data Service error message:No data of type ${whatToShow} is available`,
    ),
  );
  return false;
}
