/**
 * The simulator state shared by its concerns (requests, history, tick pump, faults):
 * one object, owned by the server, that each concern reads and drives.
 *
 * @module
 */

import type { Clock } from "../types.ts";
import { type ContractQuery, matchContracts, type SimContract } from "./contracts.ts";
import { errorMsg } from "./messages.ts";
import type { OrderBook } from "./orders.ts";
import type { Pacing } from "./pacing.ts";
import type { FeedState, Session, Timer } from "./session.ts";
import type { SimLogger, SimStats, SimulatorOptions } from "./sim_types.ts";

/** What the simulator's concerns share. */
export interface SimCore {
  /** The options it was started with. */
  readonly opts: SimulatorOptions;
  /** Wall clock (pacing, faults, timers). */
  readonly clock: Clock;
  /** Where it logs. */
  readonly log: SimLogger;
  /** Zone for IB date texts without a zone, and for daily fault times. */
  readonly zone: string;
  /** Account id sent in MANAGED_ACCTS. */
  readonly account: string;
  /** Simultaneous tick-by-tick subscriptions allowed (account-wide). */
  readonly tbtLimit: number;
  /** Wall ms at start. */
  readonly startWall: number;
  /** Open client sessions. */
  readonly sessions: Set<Session>;
  /** The replayed feeds, one per symbol. */
  readonly feeds: FeedState[];
  /** Its counters. */
  readonly stats: SimStats;
  /** Historical-data pacing (IB's 162 rule). */
  readonly pacing: Pacing;
  /** Orders, positions and executions (server side, per client id). */
  readonly orders: OrderBook;
  /** Next order id handed out by NEXT_VALID_ID. */
  nextOrderId: number;
  /** Wall ms until which no tick is sent (0: not silent; Infinity: until resumed). */
  silentUntil: number;
  /**
   * Wall ms until which the socket stays open but nothing at all is sent: no ticks and no
   * answers, not even to reqCurrentTime (0: not frozen; Infinity: until resumed).
   */
  frozenUntil: number;
  /** True once close() began. */
  readonly closed: boolean;
  /** Simulator clock now (epoch ms). */
  now(): number;
  /** Schedules a replay pump in `ms` wall ms (earliest wins). */
  kick(ms: number): void;
  /** A timer cleared by close(). */
  setTimer(fn: () => void, ms: number): Timer;
  /** Drops a session's subscriptions. */
  forget(s: Session): void;
  /** Closes every client socket; `graceful`: after what is queued has been sent. */
  dropAll(why: string, graceful?: boolean): void;
  /** Drops every client and refuses connections for `ms` wall ms. */
  refuseFor(ms: number, graceful?: boolean): Promise<void>;
}

/** IB's text for error 200 when nothing matches. */
export const NO_SECDEF_TEXT = "No security definition has been found for the request";

/** One contract for a data request, or an error 200 sent. */
export function resolveContract(
  sim: SimCore,
  s: Session,
  reqId: number,
  q: ContractQuery,
): SimContract | undefined {
  const found = matchContracts(q, sim.now());
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

/** The feed trading contract `c`, if any. */
export function feedFor(sim: SimCore, c: SimContract): FeedState | undefined {
  return sim.feeds.find((f) => f.contract.conId === c.conId);
}
