/**
 * The TWS connection of a live run: the IB adapter, a state machine whose every transition
 * is logged, reconnects with capped exponential backoff and jitter, the tick subscription's
 * request id, and what IB's info and error codes mean for all of these (1100/1101/1102,
 * 2110, 326, 502, 10190, 162, 200).
 *
 * The data side (resolve, subscribe, backfill, bars) belongs to the caller: it hears about
 * each (re)connection, loss and restoration through {@linkcode IbConnectionHooks}, and
 * moves the state through `syncing` and `connected` ({@linkcode IbConnection.syncing},
 * {@linkcode IbConnection.synced}). Another user of the same socket (an order client) takes
 * {@linkcode IbConnection.adapter}, listens with {@linkcode IbConnection.onSynced} and
 * {@linkcode IbConnection.onState}, and claims its own errors with
 * {@linkcode IbConnection.claimErrors}.
 *
 * @module
 */
import type { Config } from "../config/schema.ts";
import type { ConnectionState } from "../events/types.ts";
import { IbAdapter, type IbAdapterOptions } from "./adapter.ts";
import { hostPort } from "./host.ts";
import { maskAccount } from "./mask.ts";

/**
 * Connection states; every transition is logged. Defined once, with the CONNECTION event that
 * publishes them (lib/events/types.ts imports nothing from lib/ib).
 */
export type ConnState = ConnectionState;

/** Settings of {@linkcode IbConnection}. */
export interface IbConnectionOptions {
  /** Host, port, client id, request rate and tick type. */
  ib: Config["ib"];
  /** Reconnect backoff (`reconnect_*`) and `request_timeout_ms` (also the handshake's). */
  live: Config["live"];
  /** Receives a line per connection event. */
  log?: ((line: string) => void) | undefined;
  /** Uniform [0, 1) for backoff jitter; default Math.random. */
  random?: (() => number) | undefined;
}

/**
 * What the connection tells its owner (the live runner), each synchronously, before the
 * state changes that follows it.
 */
export interface IbConnectionHooks {
  /** A live trade on subscription `reqId` (any subscription: the owner filters). */
  onTick?(reqId: number, ts: number, price: number, size: number): void;
  /** The API is ready after a (re)connect: the owner syncs. */
  onReady?(): void;
  /** The socket closed; a reconnect follows. The subscription is already forgotten. */
  onDisconnected?(): void;
  /** IB lost its connectivity (1100); the state becomes `lost`. */
  onLost?(): void;
  /** IB restored its connectivity: 1101 (data lost, resubscribe) or 1102 (data kept). */
  onRestored?(code: 1101 | 1102): void;
  /** IB refused the tick subscription (10190); the subscription is already forgotten. */
  onSubscriptionRefused?(): void;
  /** The backoff after a 10190 has passed and the API is ready: subscribe again. */
  onResubscribe?(): void;
}

/** Handles an IB error; returns true when it was its own (no log line then). */
export type ErrorClaim = (code: number, message: string, reqId: number) => boolean;

/**
 * One TWS connection that keeps reconnecting until {@linkcode IbConnection.stop}. Nothing
 * connects until {@linkcode IbConnection.connect}.
 */
export class IbConnection {
  /** The IB adapter on this connection (the same instance across reconnects). */
  readonly adapter: IbAdapter;
  #ibCfg: Config["ib"];
  #live: Config["live"];
  #log: (line: string) => void;
  #random: () => number;
  #hooks: IbConnectionHooks;
  #state: ConnState = "idle";
  #subId: number | undefined;
  #attempt = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #accounts: string[] = [];
  #syncWaiters: Array<() => void> = [];
  #stateListeners: Array<(s: ConnState, from: ConnState) => void> = [];
  #syncedListeners: Array<(why: string) => void> = [];
  #claims: ErrorClaim[] = [];

  /** Builds the adapter; nothing connects until `connect`. */
  constructor(options: IbConnectionOptions, hooks: IbConnectionHooks) {
    this.#ibCfg = options.ib;
    this.#live = options.live;
    this.#log = options.log ?? (() => {});
    this.#random = options.random ?? Math.random;
    this.#hooks = hooks;
    const ib = options.ib;
    const adapterOptions: IbAdapterOptions = {
      host: ib.host,
      port: ib.port,
      clientId: ib.client_id,
      maxReqPerSec: ib.max_req_per_sec,
      tickType: ib.tick_type,
      // A peer that accepts TCP but never reaches NEXT_VALID_ID fails like a refused connect.
      handshakeTimeoutMs: options.live.request_timeout_ms,
    };
    this.adapter = new IbAdapter(adapterOptions, {
      onReady: () => this.#onReady(),
      onDisconnected: () => this.#onDisconnected(),
      onTick: (reqId, ts, price, size) => hooks.onTick?.(reqId, ts, price, size),
      onInfo: (code, message) => this.#onInfo(code, message),
      onError: (code, message, reqId) => this.#onError(code, message, reqId),
      onAccounts: (a) => {
        this.#accounts = a.split(",").map((x) => x.trim()).filter((x) => x !== "");
        this.#log(
          `[ib] account ${a.split(",").filter((x) => x !== "").map(maskAccount).join(", ")}`,
        );
      },
      onWarning: (line) => this.#log(line),
    });
  }

  /** Current connection state. */
  get state(): ConnState {
    return this.#state;
  }

  /** True while the API is ready (requests can be sent). */
  get ready(): boolean {
    return this.adapter.ready;
  }

  /** The managed accounts TWS sent last (unmasked: never print them without maskAccount). */
  get accounts(): readonly string[] {
    return this.#accounts;
  }

  /** Request id of the tick-by-tick subscription, while there is one. */
  get subscription(): number | undefined {
    return this.#subId;
  }

  /** Calls `fn` on every state change, after its log line, in the order registered. */
  onState(fn: (s: ConnState, from: ConnState) => void): void {
    this.#stateListeners.push(fn);
  }

  /**
   * Calls `fn` each time a sync completes (state `connected`), with the sync's reason:
   * `connect` after every (re)connect, `1101`/`1102` after IB restored its connectivity,
   * `gap`/`watchdog`/`10190` after the stream was checked or resubscribed.
   */
  onSynced(fn: (why: string) => void): void {
    this.#syncedListeners.push(fn);
  }

  /** Resolves the next time a sync completes (state becomes `connected`). */
  whenSynced(): Promise<void> {
    return new Promise((resolve) => this.#syncWaiters.push(resolve));
  }

  /**
   * Lets `fn` see every IB error first: when it returns true the error is its own (an
   * order's reject, say) and the connection neither logs nor acts on it.
   */
  claimErrors(fn: ErrorClaim): void {
    this.#claims.push(fn);
  }

  /** Connects (and keeps reconnecting after every drop until `stop`). */
  connect(): void {
    if (this.#stopped) return;
    const ib = this.#ibCfg;
    this.#setState("connecting");
    this.#log(`[conn] connecting to ${hostPort(ib.host, ib.port)} (client id ${ib.client_id})`);
    try {
      this.adapter.connect();
    } catch (e) {
      this.#log(`[conn] connect failed: ${(e as Error).message}`);
      this.#scheduleReconnect();
    }
  }

  /** Subscribes to tick-by-tick trades of the contract, replacing any subscription. */
  subscribe(conId: number, exchange: string): void {
    if (this.#subId !== undefined) this.adapter.cancelTicks(this.#subId);
    this.#subId = this.adapter.subscribeTicks(conId, exchange);
  }

  /** Cancels the tick subscription, if any. */
  unsubscribe(): void {
    if (this.#subId !== undefined) this.adapter.cancelTicks(this.#subId);
    this.#subId = undefined;
  }

  /** The next backoff delay in ms, counting one more attempt (failed syncs retry with it). */
  nextBackoff(): number {
    const delay = this.#backoff();
    this.#attempt++;
    return delay;
  }

  /** A sync completed: the next failure waits the shortest delay again. */
  resetBackoff(): void {
    this.#attempt = 0;
  }

  /** A sync started. */
  syncing(): void {
    this.#setState("syncing");
  }

  /** A sync completed: state `connected`, then the `onSynced` listeners. */
  synced(why: string): void {
    this.#setState("connected");
    for (const fn of this.#syncedListeners) fn(why);
  }

  /**
   * Drops a connection that stopped answering: the state leaves `connected` at once, the
   * socket closes, and the usual reconnect follows.
   */
  drop(): void {
    this.#setState("disconnected");
    this.adapter.disconnect();
  }

  /**
   * Stops reconnecting and ignores every later event of the socket; `close` then ends it.
   * Two steps so that a caller can wind down (cancel, journal) on a connection that no
   * longer acts on its own, before the state becomes `stopped`.
   */
  stop(): void {
    this.#stopped = true;
    if (this.#reconnectTimer !== undefined) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
  }

  /** Ends the connection for good: stops it if not yet, state `stopped`, socket closed. */
  close(): void {
    this.stop();
    this.#setState("stopped");
    this.adapter.disconnect();
  }

  #setState(s: ConnState): void {
    if (s === this.#state) return;
    const from = this.#state;
    this.#state = s;
    this.#log(`[conn] ${from} -> ${s}`);
    for (const fn of this.#stateListeners) fn(s, from);
    if (s === "connected") {
      const w = this.#syncWaiters;
      this.#syncWaiters = [];
      for (const f of w) f();
    }
  }

  #backoff(): number {
    const l = this.#live;
    const base = Math.min(
      l.reconnect_max_ms,
      l.reconnect_min_ms * 2 ** Math.min(this.#attempt, 30),
    );
    return Math.round(base * (1 + l.reconnect_jitter * this.#random()));
  }

  #scheduleReconnect(): void {
    if (this.#stopped || this.#reconnectTimer !== undefined) return;
    const delay = this.#backoff();
    this.#attempt++;
    this.#log(`[conn] reconnecting in ${(delay / 1000).toFixed(1)} s (attempt ${this.#attempt})`);
    // Never from inside the disconnected handler: IBApi would lose the request.
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.connect();
    }, delay);
  }

  #onReady(): void {
    if (this.#stopped) return;
    this.#log(`[conn] API ready`);
    this.#hooks.onReady?.();
  }

  #onDisconnected(): void {
    if (this.#stopped) return;
    this.#subId = undefined;
    this.#hooks.onDisconnected?.();
    this.#setState("disconnected");
    this.#scheduleReconnect();
  }

  #onInfo(code: number, message: string): void {
    if (this.#stopped) return;
    switch (code) {
      case 1100:
        this.#log(`[conn] IB connectivity lost (1100): waiting for IB to restore it`);
        this.#hooks.onLost?.();
        this.#setState("lost");
        return;
      case 1101:
        this.#log(`[conn] IB connectivity restored, data lost (1101): resubscribing`);
        this.#hooks.onRestored?.(1101);
        return;
      case 1102:
        this.#log(`[conn] IB connectivity restored, data kept (1102): filling the gap`);
        this.#hooks.onRestored?.(1102);
        return;
      case 2110:
        this.#log(`[conn] TWS-server connectivity broken (2110): waiting`);
        return;
      case 326:
        // IBApi reports every message sent with id -1 as info, this refusal included.
        this.#onError(code, message, -1);
        return;
      default:
        if (code >= 2100 && code < 2200) return; // farm status chatter
        this.#log(`[ib] ${code}: ${message}`);
    }
  }

  #onError(code: number, message: string, reqId: number): void {
    if (this.#stopped) return;
    for (const claim of this.#claims) if (claim(code, message, reqId)) return;
    const ib = this.#ibCfg;
    switch (code) {
      case 502:
        this.#log(
          `[conn] cannot reach TWS at ${hostPort(ib.host, ib.port)} (${message}); ` +
            `is TWS or IB Gateway running with the API enabled on that port? Will keep trying.`,
        );
        return;
      case 326:
        this.#log(`[conn] client id ${ib.client_id} already in use (326): backing off, retrying`);
        this.#attempt += 2;
        return;
      case 10190:
        if (reqId === this.#subId) {
          this.#log(`[ib] tick-by-tick limit reached (10190): retrying the subscription later`);
          this.#subId = undefined;
          this.#hooks.onSubscriptionRefused?.();
          const delay = this.nextBackoff();
          setTimeout(() => {
            if (!this.#stopped && this.adapter.ready) this.#hooks.onResubscribe?.();
          }, delay);
        }
        return;
      default:
        if (reqId >= 0 && reqId === this.#subId) {
          this.#log(`[ib] error ${code} on the tick subscription: ${message}`);
        } else if (reqId < 0 || !(code === 162 || code === 200)) {
          this.#log(`[ib] error ${code}: ${message}`);
        }
    }
  }
}
