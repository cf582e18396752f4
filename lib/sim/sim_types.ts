/**
 * Public types of the TWS simulator: options, fault triggers, counters and the handle.
 *
 * @module
 */

import type { Clock } from "../types.ts";
import type { SimArchive, Speed, TickSource } from "./feed.ts";
import type { FaultSpec } from "./fault_spec.ts";

/** A contract's trade feed: which symbol's front month the source trades. */
export interface SimFeed {
  /** Catalog symbol, e.g. MES. */
  symbol: string;
  /** Trades in time order. */
  source: TickSource;
}

/** Logger subset the simulator uses (defaults to logtape's `["scalpbot","sim"]`). */
export interface SimLogger {
  /** Logs at info level; `props` fill the message's `{placeholders}`. */
  info(message: string, props?: Record<string, unknown>): void;
  /** Logs at warning level. */
  warn(message: string, props?: Record<string, unknown>): void;
  /** Logs at debug level. */
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
  /**
   * Account id sent in MANAGED_ACCTS and on orders, positions and executions. Default
   * DU1234567 (IB paper accounts start with DU); e.g. U7654321 looks like a live account.
   */
  account?: string;
  /** Commission per contract and execution, in the contract's currency. Default 0.62. */
  commissionPerContract?: number;
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
  /**
   * Freezes TWS for `ms` wall ms or until {@linkcode SimFaults.resume}: the socket stays
   * open, but no tick and no answer is sent (requests meanwhile are dropped unanswered).
   */
  freeze(ms?: number): void;
  /** Ends a silence or a freeze early. */
  resume(): void;
  /**
   * Schedules a fault from a spec, as the `faults` option does: at a time (`drop@+2s`) or
   * at an order event (`drop@parent-fill`, `refuse@partial-fill:3s`, `freeze@cancel:1s`).
   */
  schedule(spec: string | FaultSpec): void;
  /** Schedules a daily reset (drop + refuse for `downMs`) at `hhmm` simulator-clock time. */
  nightlyResetAt(hhmm: string, options?: { downMs?: number }): void;
}

/** Counters of a running simulator, for tests and the bench. */
export interface SimStats {
  /** Connections accepted. */
  connections: number;
  /** Sessions open now. */
  activeSessions: number;
  /** Ticks taken from the replay. */
  ticksReplayed: number;
  /** Tick-by-tick messages sent. */
  ticksSent: number;
  /** Connections closed for a malformed message. */
  malformedClosed: number;
  /** Messages of an id the simulator does not handle. */
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
  /** Replays at once every trade due at the clock's now (tests driving a manual clock). */
  pumpNow(): void;
  /** Resolves once the first feed's source is exhausted and every trade has been sent. */
  replayDone(): Promise<void>;
  /** Stops listening, closes every client, clears timers. */
  close(): Promise<void>;
}
