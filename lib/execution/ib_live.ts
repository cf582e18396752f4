/**
 * Real orders in a live run (`execution.venue: ib`): builds the order client and the
 * {@linkcode IbVenue} on the runner's IB connection, and the guards around them (paper account
 * only unless allowed twice, maximum position, daily loss limit, kill switch). The live runner
 * calls four hooks: `venue` for the engine, `onAccounts`, `onSynced` after every (re)connect
 * once the engine exists, and `stop`.
 *
 * @module
 */
import type { Config } from "../config/schema.ts";
import type { IbAdapter } from "../ib/adapter.ts";
import type { IbConnection } from "../ib/connection.ts";
import { OrderClient } from "../ib/orders.ts";
import { patchConfig, type ResolvedContract } from "../ib/contract.ts";
import {
  accountRefusal,
  DailyLoss,
  type TradingDayClock,
  watchKillSwitch,
} from "../ib/orders_guards.ts";
import { TradingDays } from "../data/trading_day.ts";
import { SessionSchedule } from "../indicators/session_schedule.ts";
import type { FillEvent, JournalEvent } from "../types.ts";
import { IbVenue, type ReconcileReport } from "./ib_venue.ts";
import type { Venue } from "./venue.ts";

/** What {@linkcode IbOrders} needs from the run. */
export interface IbOrdersOptions {
  config: Config;
  /** The runner's connection (its `api` carries the orders). */
  adapter: Pick<IbAdapter, "api">;
  /** The traded contract, from contract details. */
  contract: { conId: number; exchange: string; minTick: number; timeZone: string };
  /** `--live-account` was given. */
  liveAccountFlag: boolean;
  /** IB's clock, epoch ms. */
  clock: () => number;
  /** The journal's `durable` (every line written so far on disk). */
  durable?: () => Promise<void>;
  log: (line: string) => void;
  /** Exec ids the journal holds and its last fill time (restart). */
  knownExecIds?: Iterable<string>;
  execSince?: number;
  /** Watch SIGUSR1 (default true; tests running several bots in one process say false). */
  signal?: boolean;
  /** TWS's account may not get orders (see `onAccounts`): the run must stop. */
  onRefused?: (line: string) => void;
  /**
   * The session whose trading days the daily loss limit follows: config.session as patched
   * from the contract's trading hours (live.contract_hours). Default: config.session.
   */
  session?: Config["session"];
  /**
   * The journal's earlier exits (restart): those of the current trading day count toward
   * the daily loss limit, so that a restart after the limit tripped does not trade again.
   */
  pastExits?: readonly PastExit[];
}

/** An EXIT already in the journal: its time (epoch ms) and net P/L. */
export interface PastExit {
  time: number;
  netPnl: number;
}

/**
 * Trading days as the engine's session sees them (config.session: zone and starts): the day
 * changes at the evening session start (CME 17:00 Chicago), else at local midnight.
 */
export function sessionDays(session: Config["session"]): TradingDayClock {
  const days = new TradingDays(session.timezone, session.starts);
  const m = days.changeMinute % 1440;
  const hhmm = `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
  const change = new SessionSchedule({ timeZone: session.timezone, starts: [hhmm] });
  return { dayOf: (ms) => days.dayOf(ms), dayEnd: (ms) => change.nextStartAfter(ms) };
}

/** The order side of a live run. */
export class IbOrders {
  /** The venue to hand to the engine. */
  readonly venue: IbVenue;
  #o: IbOrdersOptions;
  #orders: OrderClient;
  #account: string | undefined = "TWS has not named its account yet";
  #loss: DailyLoss | undefined;
  #stopKill: () => void;
  #reconciling: Promise<ReconcileReport | undefined> | undefined;
  #refusedOnce = false;

  /** Builds the client and the venue; the kill switch is watched from here on. */
  constructor(options: IbOrdersOptions) {
    this.#o = options;
    const x = options.config.execution;
    this.#orders = new OrderClient(options.adapter.api, {
      contract: {
        conId: options.contract.conId,
        exchange: options.contract.exchange,
        tickSize: options.contract.minTick,
      },
      timeZone: options.contract.timeZone,
    });
    this.venue = new IbVenue({
      orders: this.#orders,
      conId: options.contract.conId,
      clock: options.clock,
      log: options.log,
      maxPosition: x.max_position ?? options.config.risk.contracts,
      unexplained: x.unexplained,
      // Two bars: a live signal is placed within a bar of its print; older ones come from a
      // reconnect's backfill.
      maxEntryAgeMs: 2 * options.config.bars.seconds * 1000,
      gate: () => this.#account,
      ...(options.durable === undefined ? {} : { durable: options.durable }),
      ...(options.knownExecIds === undefined ? {} : { knownExecIds: options.knownExecIds }),
      ...(options.execSince === undefined ? {} : { execSince: options.execSince }),
    });
    if (x.daily_loss_limit !== undefined) {
      this.#loss = new DailyLoss(x.daily_loss_limit, sessionDays(this.#session));
      this.#seedLoss(options.pastExits ?? []);
    }
    this.#stopKill = watchKillSwitch(
      { file: x.kill_file, signal: options.signal !== false },
      (why) => this.venue.halt(why),
    );
  }

  get #session(): Config["session"] {
    return this.#o.session ?? this.#o.config.session;
  }

  /** Books today's exits from the journal; halts at once when they already reach the limit. */
  #seedLoss(exits: readonly PastExit[]): void {
    const loss = this.#loss!;
    const now = this.#o.clock();
    const today = sessionDays(this.#session);
    const day = today.dayOf(now);
    let n = 0;
    for (const e of exits) {
      if (e.time > now || today.dayOf(e.time) !== day) continue;
      loss.add(e.time, e.netPnl);
      n++;
    }
    if (n === 0) return;
    this.#o.log(
      `[orders] daily loss limit: ${n} exit(s) of today in the journal, ${
        loss.pnl.toFixed(2)
      } so far`,
    );
    this.#haltOnLoss(now);
  }

  /** Halts (until the day ends) when the day's loss has reached the limit. */
  #haltOnLoss(now: number): void {
    const loss = this.#loss;
    if (loss === undefined || !loss.trippedAt(now)) return;
    this.venue.halt(`daily loss limit: ${loss.pnl.toFixed(2)} today`, loss.dayEnd);
  }

  /**
   * TWS's managed accounts: undefined when orders may go there; otherwise the one line why
   * not (the run must stop: no order at all, not even a flatten, goes to such an account).
   */
  onAccounts(accounts: string): string | undefined {
    const refusal = accountRefusal(accounts, {
      allowLiveAccount: this.#o.config.execution.allow_live_account,
      liveAccountFlag: this.#o.liveAccountFlag,
    });
    this.#account = refusal;
    return refusal;
  }

  /**
   * After every (re)connect, once the engine has resumed its trade: reconciles with TWS
   * (one at a time). Resolves to the report, or undefined when it failed (logged; the next
   * reconnect tries again).
   */
  onSynced(): Promise<ReconcileReport | undefined> {
    if (this.#account !== undefined) return Promise.resolve(undefined);
    this.#reconciling ??= this.venue.reconcile().then(
      (r) => {
        // A trade taken over from the journal on a day whose limit is reached: closed now.
        if (this.venue.busy) this.#haltOnLoss(this.#o.clock());
        return r;
      },
      (e) => {
        this.#o.log(`[orders] reconciliation failed: ${e instanceof Error ? e.message : e}`);
        return undefined;
      },
    ).finally(() => this.#reconciling = undefined);
    return this.#reconciling;
  }

  /**
   * Hooks onto the run's connection: claims the errors of its orders, checks the accounts and
   * reconciles after every (re)connect and IB restore (1101/1102).
   */
  attach(conn: IbConnection): void {
    conn.claimErrors((_code, _message, reqId) => this.#orders.owns(reqId));
    const allowed = () => {
      const refusal = this.onAccounts(conn.accounts.join(","));
      if (refusal !== undefined && !this.#refusedOnce) {
        this.#refusedOnce = true;
        this.#o.log(`[orders] ${refusal}`);
        this.#o.onRefused?.(refusal);
      }
      return refusal === undefined;
    };
    // TWS named its accounts at the handshake, before the contract was resolved.
    if (conn.accounts.length > 0) allowed();
    conn.onSynced((why) => {
      if (why !== "connect" && why !== "1101" && why !== "1102") return;
      if (allowed()) void this.onSynced();
    });
  }

  /**
   * Before the run stops with `live.on_stop: close`: cancels every working order, closes the
   * position, and waits (at most `timeoutMs`) until IB confirmed it. True when flat.
   */
  async closeAll(timeoutMs: number): Promise<boolean> {
    await this.#reconciling;
    this.venue.closeAll("MANUAL");
    const end = Date.now() + timeoutMs;
    // Flat at IB, and its fills booked (a late commission report is waited for).
    while ((this.venue.busy || this.venue.booking) && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 20));
    }
    if (this.venue.busy) this.#o.log(`[orders] not flat after ${timeoutMs / 1000} s: check TWS`);
    return !this.venue.busy;
  }

  /** Every journal event of the run: EXITs count toward the daily loss limit. */
  onEvent(e: JournalEvent): void {
    if (e.kind !== "EXIT" || this.#loss === undefined) return;
    if (this.#loss.add(e.time, e.netPnl)) {
      this.venue.halt(`daily loss limit: ${this.#loss.pnl.toFixed(2)} today`, this.#loss.dayEnd);
    }
  }

  /** Books held fills, stops the kill-switch watch and the client's listeners. */
  stop(): void {
    this.venue.settleBookings();
    this.#stopKill();
    this.#orders.dispose();
  }
}

/** What the live command knows when it sets up real orders. */
export interface IbOrdersSetup {
  config: Config;
  /** The runner's connection (available once the runner exists). */
  connection: () => IbConnection;
  /** `--live-account`. */
  liveAccountFlag: boolean;
  clock: () => number;
  durable: () => Promise<void>;
  log: (line: string) => void;
  /** Subscribes to the run's journal events. */
  subscribe: (fn: (e: JournalEvent) => void) => void;
  /** The journal's open trade: its fills (exec ids) and the time of its last event. */
  resume?: { fills: readonly FillEvent[]; since?: number | undefined } | undefined;
  /** The run must stop: TWS's account may not get orders. */
  onRefused: (line: string) => void;
  /** The journal's EXITs of this contract's live runs (the daily loss limit's seed). */
  pastExits?: readonly PastExit[];
}

/** The live command's side of `execution.venue: ib`. */
export interface IbOrdersHookup {
  /** The runner's `venue` option: builds IbOrders on the resolved contract. */
  venue: (contract: ResolvedContract) => Venue;
  /** The orders, once built. */
  readonly orders: IbOrders | undefined;
  /**
   * Before the runner stops: with `live.on_stop: close`, closes the position at IB and waits
   * for it (at most 15 s); then stops the kill-switch watch.
   */
  beforeStop(): Promise<void>;
}

/** Wires real orders into a live run (lib/cli/live.ts). */
export function ibOrdersHookup(s: IbOrdersSetup): IbOrdersHookup {
  let orders: IbOrders | undefined;
  s.subscribe((e) => orders?.onEvent(e));
  const execIds = (s.resume?.fills ?? []).flatMap((f) => f.execId === undefined ? [] : [f.execId]);
  return {
    venue(contract) {
      const conn = s.connection();
      orders = new IbOrders({
        config: s.config,
        adapter: conn.adapter,
        contract,
        liveAccountFlag: s.liveAccountFlag,
        clock: s.clock,
        durable: s.durable,
        log: s.log,
        knownExecIds: execIds,
        // Without an open trade, executions before the start are no business of this run.
        execSince: s.resume === undefined ? s.clock() : s.resume.since ?? s.clock(),
        onRefused: s.onRefused,
        // Trading days as the engine sees them: the contract's hours when it follows them.
        session: patchConfig(s.config, contract).session,
        ...(s.pastExits === undefined ? {} : { pastExits: s.pastExits }),
      });
      orders.attach(conn);
      return orders.venue;
    },
    get orders() {
      return orders;
    },
    async beforeStop() {
      if (orders === undefined) return;
      if (s.config.live.on_stop === "close" && orders.venue.busy) await orders.closeAll(15_000);
      orders.stop();
    },
  };
}
