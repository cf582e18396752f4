/**
 * The only code that imports `@stoqey/ib`. Wraps the raw `IBApi` (not `IBApiNext`: that one
 * asks for `Last` instead of `AllLast`, hides 1101/1102 and reconnects on its own) and turns
 * its events into plain ticks, connection events and error codes; requests become promises.
 *
 * host, port, clientId and maxReqPerSec are always passed, so the library never reads the
 * environment or a `.env` file.
 *
 * @module
 */
// The adapter's interface types live in adapter_types.ts; its importers keep importing them here.
export {
  type ContractQuery,
  formatIbUtc,
  HANDSHAKE_TIMEOUT_MS,
  type IbAdapterEvents,
  type IbAdapterOptions,
  type IbAdapterStats,
  IbRequestError,
  type TickPage,
} from "./adapter_types.ts";
import {
  type Contract,
  type ContractDetails,
  ErrorCode,
  EventName,
  type HistoricalTickLast,
  IBApi,
  SecType,
  TickByTickDataType,
} from "@stoqey/ib";
import type { DetailsRecord } from "./contract.ts";
import { FrameGuard, FramingError, MAX_FRAME_BYTES } from "./framing.ts";
import { bareHost, hostPort } from "./host.ts";
import {
  type ContractQuery,
  formatIbUtc,
  HANDSHAKE_TIMEOUT_MS,
  type IbAdapterEvents,
  type IbAdapterOptions,
  type IbAdapterStats,
  IbRequestError,
  type TickPage,
} from "./adapter_types.ts";
import { type LibraryInternals, libraryInternals } from "./library_pin.ts";
import { maskAccounts } from "./mask.ts";
import {
  describeRow,
  MAX_TRADE_MS,
  MIN_TRADE_MS,
  parseEpochSeconds,
  TickValidator,
  toNumber,
  tradeFault,
} from "./validate.ts";

type HistoryOptions = { count: number; timeoutMs: number; includeExpired: boolean };
type HistoryAt = { startMs?: number; endMs?: number };

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
  acc: unknown[];
}

/**
 * A TWS connection. Call `connect`, wait for `onReady`, then request. Requests pending when
 * the socket drops are rejected with code -2.
 */
export class IbAdapter {
  /** The settings it was created with. */
  readonly options: IbAdapterOptions;
  #ib: IBApi;
  #events: IbAdapterEvents;
  #nextReqId = 1000;
  #pending = new Map<number, Pending>();
  #timeWaiters: Array<{ resolve(ms: number): void; timer: ReturnType<typeof setTimeout> }> = [];
  #ready = false;
  #lib: LibraryInternals;
  #guard: FrameGuard;
  #validator: TickValidator;
  /** Tick size by conId, learned from contract details; by request for subscriptions. */
  #tickSizes = new Map<number, number>();
  #reqTick = new Map<number, number>();
  #histEnd = new Map<number, number>();
  #handshakeTimer: ReturnType<typeof setTimeout> | undefined;
  /** Why this adapter is closing the socket (so the close is not reported twice). */
  #closing: string | undefined;
  #tcpOpen = false;
  #emitDepth = 0;
  #handlerThrew = false;
  #warnedUndecodable = false;
  #protocolDrops = 0;
  #handshakeTimeouts = 0;
  #undecodable = 0;

  /** Creates the client; nothing connects until `connect`. */
  constructor(options: IbAdapterOptions, events: IbAdapterEvents) {
    this.options = options;
    this.#events = events;
    this.#ib = new IBApi({
      host: bareHost(options.host),
      port: options.port,
      clientId: options.clientId,
      maxReqPerSec: options.maxReqPerSec,
    });
    this.#lib = libraryInternals(this.#ib);
    this.#guard = new FrameGuard({ maxFrameBytes: options.maxFrameBytes ?? MAX_FRAME_BYTES });
    this.#validator = new TickValidator({ log: (line) => this.#warn(line) });
    this.#guardSocket();
    this.#wire();
  }

  /** Drops and refusals so far. */
  get stats(): IbAdapterStats {
    return {
      protocolDrops: this.#protocolDrops,
      handshakeTimeouts: this.#handshakeTimeouts,
      undecodable: this.#undecodable,
      droppedRows: this.#validator.counts(),
    };
  }

  /** True between `onReady` and `onDisconnected`. */
  get ready(): boolean {
    return this.#ready;
  }

  /** The raw client, for the order client (orders.ts) only; nothing outside lib/ib uses it. */
  get api(): IBApi {
    return this.#ib;
  }

  /**
   * Opens the socket with the configured client id (the same one on every reconnect). An
   * attempt that does not reach NEXT_VALID_ID in `handshakeTimeoutMs` is dropped with a
   * warning and ends in `onDisconnected`, as a refused connection does.
   */
  connect(): void {
    this.#guard.reset();
    // A message cut by a previous drop must not run into the next connection's first one.
    this.#lib.clearDecoderQueue();
    this.#closing = undefined;
    this.#tcpOpen = false;
    this.#warnedUndecodable = false;
    this.#ib.connect(this.options.clientId);
    this.#lib.onTcpConnect(() => this.#tcpOpen = true);
    this.#clearHandshakeTimer();
    const ms = this.options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS;
    this.#handshakeTimer = setTimeout(() => {
      this.#handshakeTimer = undefined;
      if (this.#ready) return;
      this.#handshakeTimeouts++;
      const stage = !this.#tcpOpen
        ? "the TCP connection did not open"
        : this.#guard.frames === 0
        ? "no server version came back"
        : "no NEXT_VALID_ID came back";
      this.#drop(
        `[ib] TWS at ${this.#where()} did not complete the API handshake in ` +
          `${(ms / 1000).toFixed(1)} s (${stage}): dropping the attempt`,
      );
    }, ms);
  }

  /** Closes the socket. */
  disconnect(): void {
    this.#clearHandshakeTimer();
    this.#closing ??= "disconnect";
    this.#ib.disconnect();
  }

  /** Asks TWS for its clock; resolves to epoch ms (whole seconds), rejects on timeout. */
  currentTime(timeoutMs: number): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const waiter = {
        resolve,
        timer: setTimeout(() => {
          this.#timeWaiters = this.#timeWaiters.filter((w) => w !== waiter);
          reject(new IbRequestError(0, `No answer to reqCurrentTime in ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.#timeWaiters.push(waiter);
      this.#ib.reqCurrentTime();
    });
  }

  /** Every contract matching `q` (all listed expiries without a month). */
  contractDetails(q: ContractQuery, timeoutMs: number): Promise<DetailsRecord[]> {
    const reqId = this.#nextReqId++;
    const contract: Contract = {
      symbol: q.symbol,
      secType: q.secType === "FUT" ? SecType.FUT : SecType.CONTFUT,
      exchange: q.exchange,
      currency: q.currency,
    };
    if (q.month !== undefined) contract.lastTradeDateOrContractMonth = q.month;
    if (q.includeExpired === true) contract.includeExpired = true;
    const p = this.#track<DetailsRecord[]>(reqId, timeoutMs, "contract details");
    this.#ib.reqContractDetails(reqId, contract);
    return p;
  }

  /** Subscribes to tick-by-tick trades of `conId`; returns the request id. */
  subscribeTicks(conId: number, exchange: string): number {
    const reqId = this.#nextReqId++;
    const type = this.options.tickType === "Last"
      ? TickByTickDataType.Last
      : TickByTickDataType.AllLast;
    const tick = this.#tickSizes.get(conId);
    if (tick !== undefined) this.#reqTick.set(reqId, tick);
    this.#ib.reqTickByTickData(reqId, { conId, exchange }, type, 0, false);
    return reqId;
  }

  /** Cancels a tick-by-tick subscription. */
  cancelTicks(reqId: number): void {
    this.#reqTick.delete(reqId);
    if (this.#ready) this.#ib.cancelTickByTickData(reqId);
  }

  /**
   * Historical trades up to `endMs` (inclusive to the second), at most `count` (IB: 1000)
   * plus the rest of the earliest second, oldest first.
   */
  historicalTicksBefore(
    conId: number,
    exchange: string,
    endMs: number,
    options: { count: number; timeoutMs: number },
  ): Promise<TickPage> {
    return this.#historicalTicks(conId, exchange, { endMs }, { ...options, includeExpired: false });
  }

  /**
   * Historical trades from `startMs` on, at most `count` (IB: 1000) plus the rest of the
   * last second, oldest first; `includeExpired` for a contract past its last trade.
   */
  historicalTicksFrom(
    conId: number,
    exchange: string,
    startMs: number,
    options: HistoryOptions,
  ): Promise<TickPage> {
    return this.#historicalTicks(conId, exchange, { startMs }, options);
  }

  #historicalTicks(conId: number, exchange: string, at: HistoryAt, options: HistoryOptions) {
    const reqId = this.#nextReqId++;
    const p = this.#track<TickPage>(reqId, options.timeoutMs, "historical ticks");
    const tick = this.#tickSizes.get(conId);
    if (tick !== undefined) this.#reqTick.set(reqId, tick);
    if (at.endMs !== undefined) this.#histEnd.set(reqId, Math.floor(at.endMs / 1000) * 1000 + 1000);
    const contract: Contract = { conId, exchange };
    if (options.includeExpired) contract.includeExpired = true;
    this.#ib.reqHistoricalTicks(
      reqId,
      contract,
      at.startMs === undefined ? "" : formatIbUtc(at.startMs),
      at.endMs === undefined ? "" : formatIbUtc(at.endMs),
      options.count,
      "TRADES" as never,
      0,
      false,
    );
    return p;
  }

  #track<T>(reqId: number, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(reqId);
        this.#forget(reqId);
        reject(new IbRequestError(0, `No answer to ${what} request ${reqId} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(reqId, {
        resolve: resolve as (v: unknown) => void,
        reject,
        timer,
        acc: [],
      });
    });
  }

  #settle(reqId: number, value: unknown): void {
    const p = this.#pending.get(reqId);
    if (p === undefined) return;
    this.#pending.delete(reqId);
    clearTimeout(p.timer);
    p.resolve(value);
  }

  #forget(reqId: number): void {
    this.#reqTick.delete(reqId);
    this.#histEnd.delete(reqId);
  }

  #fail(reqId: number, error: Error): void {
    const p = this.#pending.get(reqId);
    if (p === undefined) return;
    this.#forget(reqId);
    this.#pending.delete(reqId);
    clearTimeout(p.timer);
    p.reject(error);
  }

  #where(): string {
    return hostPort(this.options.host, this.options.port);
  }

  #warn(line: string): void {
    this.#events.onWarning?.(maskAccounts(line));
  }

  #clearHandshakeTimer(): void {
    if (this.#handshakeTimer !== undefined) clearTimeout(this.#handshakeTimer);
    this.#handshakeTimer = undefined;
  }

  /** Logs `line` once and closes the connection; `onDisconnected` follows. */
  #drop(line: string): void {
    if (this.#closing !== undefined) return;
    this.#closing = line;
    this.#warn(line);
    this.#clearHandshakeTimer();
    this.#ib.disconnect();
  }

  /**
   * Puts the frame guard between the socket and the library, and turns an exception from
   * the library's decoder into a dropped connection instead of an uncaught error.
   */
  #guardSocket(): void {
    const ib = this.#ib;
    const emit = ib.emit.bind(ib);
    // Exceptions thrown by our own handlers (inside emit) are not the peer's fault: rethrown.
    ib.emit = ((name: string, ...args: unknown[]) => {
      this.#emitDepth++;
      try {
        return emit(name, ...args);
      } catch (e) {
        this.#handlerThrew = true;
        throw e;
      } finally {
        this.#emitDepth--;
      }
    }) as typeof ib.emit;
    this.#lib.interceptData((data, deliver) => {
      if (this.#closing !== undefined) return;
      let frames: Uint8Array[];
      try {
        frames = this.#guard.push(data);
      } catch (e) {
        if (!(e instanceof FramingError)) throw e;
        this.#protocolDrops++;
        this.#drop(
          `[ib] bad framing from TWS at ${this.#where()}: ${e.message}; dropping the connection`,
        );
        return;
      }
      for (const f of frames) {
        if (this.#closing !== undefined) return;
        this.#handlerThrew = false;
        try {
          deliver(f);
        } catch (e) {
          if (this.#handlerThrew) throw e;
          this.#protocolDrops++;
          this.#drop(
            `[ib] cannot decode a message from TWS at ${this.#where()} ` +
              `(${String(e).slice(0, 120)}): dropping the connection`,
          );
          return;
        }
      }
    });
  }

  #wire(): void {
    const ib = this.#ib;
    const ev = this.#events;
    ib.on(EventName.nextValidId, () => {
      if (this.#ready) return;
      this.#clearHandshakeTimer();
      this.#ready = true;
      ev.onReady?.();
    });
    ib.on(EventName.disconnected, () => {
      this.#clearHandshakeTimer();
      if (this.#closing === undefined && !this.#ready && this.#tcpOpen) {
        this.#warn(`[ib] TWS at ${this.#where()} closed the connection during the API handshake`);
      } else if (this.#closing === undefined && this.#guard.buffered > 0) {
        this.#warn(
          `[ib] TWS at ${this.#where()} closed the connection in the middle of a message ` +
            `(${this.#guard.buffered} bytes received)`,
        );
      }
      this.#closing ??= "closed";
      this.#guard.reset();
      this.#ready = false;
      for (const id of [...this.#pending.keys()]) {
        this.#fail(id, new IbRequestError(-2, "Disconnected from TWS"));
      }
      ev.onDisconnected?.();
    });
    ib.on(EventName.managedAccounts, (accounts: string) => ev.onAccounts?.(accounts));
    ib.on(EventName.info, (message: string, code: number) => {
      ev.onInfo?.(code, maskAccounts(String(message)));
    });
    ib.on(EventName.error, (err: Error, code: number, reqId: number) => {
      const id = reqId ?? -1;
      const message = maskAccounts(String(err?.message ?? err));
      // The library's own decode complaints (505): one line per connection, then counted.
      if (code === ErrorCode.UNKNOWN_ID && id < 0) {
        this.#undecodable++;
        if (!this.#warnedUndecodable) {
          this.#warnedUndecodable = true;
          this.#warn(
            `[ib] undecodable message from TWS at ${this.#where()} skipped ` +
              `(${message.slice(0, 160)}); later ones are only counted`,
          );
        }
        return;
      }
      if (id >= 0 && this.#pending.has(id)) {
        this.#fail(id, new IbRequestError(code, `IB error ${code}: ${message}`));
      }
      ev.onError?.(code, message, id);
    });
    ib.on(EventName.currentTime, (time: number) => {
      const ms = parseEpochSeconds(time);
      if (!(ms >= MIN_TRADE_MS && ms < MAX_TRADE_MS)) {
        // Left unanswered: the waiter times out as it would without an answer.
        this.#validator.drop("current time", "time out of range", `time ${String(time)}`);
        return;
      }
      const w = this.#timeWaiters;
      this.#timeWaiters = [];
      for (const x of w) {
        clearTimeout(x.timer);
        x.resolve(ms);
      }
    });
    ib.on(EventName.contractDetails, (reqId: number, d: ContractDetails) => {
      const r = toRecord(d);
      if (!(r.minTick > 0 && r.minTick < 1e6) || !(r.multiplier > 0 && r.multiplier < 1e9)) {
        this.#validator.drop(
          "contract details record",
          "minTick or multiplier not a positive number",
          `conId ${r.conId}, minTick ${r.minTick}, multiplier ${r.multiplier}`,
        );
        return;
      }
      this.#tickSizes.set(r.conId, r.minTick);
      this.#pending.get(reqId)?.acc.push(r);
    });
    ib.on(EventName.contractDetailsEnd, (reqId: number) => {
      const p = this.#pending.get(reqId);
      if (p !== undefined) this.#settle(reqId, p.acc);
    });
    ib.on(EventName.historicalTicksLast, (reqId: number, ticks: HistoricalTickLast[]) => {
      if (!this.#pending.has(reqId)) return;
      this.#settle(reqId, this.#page(reqId, ticks));
    });
    const onTick = ev.onTick;
    if (onTick !== undefined) {
      const handler = (
        reqId: number,
        _type: number,
        time: unknown,
        price: unknown,
        size: unknown,
      ) => {
        const ts = parseEpochSeconds(time);
        const p = toNumber(price);
        const s = toNumber(size);
        const fault = tradeFault(ts, p, s, this.#reqTick.get(reqId));
        if (fault !== undefined) {
          this.#validator.drop("live trade", fault, describeRow(time, price, size));
          return;
        }
        onTick(reqId, ts, p, s);
      };
      ib.on(EventName.tickByTickAllLast, handler);
    }
  }

  /** The sound rows of a history answer, in order; the others dropped and counted. */
  #page(reqId: number, ticks: HistoricalTickLast[]): TickPage {
    const page: TickPage = { ts: [], price: [], size: [] };
    const tick = this.#reqTick.get(reqId);
    // IB's end is inclusive to the second: nothing may be stamped past that second.
    const end = this.#histEnd.get(reqId) ?? Infinity;
    this.#reqTick.delete(reqId);
    this.#histEnd.delete(reqId);
    for (const t of Array.isArray(ticks) ? ticks : []) {
      const ts = parseEpochSeconds(t?.time);
      const price = toNumber(t?.price);
      const size = toNumber(t?.size);
      let fault = tradeFault(ts, price, size, tick);
      if (fault === undefined && ts >= end) fault = "time after the requested end";
      if (fault === undefined && ts < (page.ts[page.ts.length - 1] ?? -Infinity)) {
        fault = "time out of order";
      }
      if (fault !== undefined) {
        this.#validator.drop("history row", fault, describeRow(t?.time, t?.price, t?.size));
        continue;
      }
      page.ts.push(ts);
      page.price.push(price);
      page.size.push(size);
    }
    return page;
  }
}

function toRecord(d: ContractDetails): DetailsRecord {
  const c = d.contract;
  return {
    conId: c.conId ?? 0,
    symbol: c.symbol ?? "",
    secType: String(c.secType ?? ""),
    exchange: c.exchange ?? "",
    currency: c.currency ?? "",
    localSymbol: c.localSymbol ?? "",
    lastTradeDateOrContractMonth: c.lastTradeDateOrContractMonth ?? "",
    contractMonth: d.contractMonth ?? "",
    minTick: Number(d.minTick ?? NaN),
    multiplier: Number(c.multiplier ?? NaN),
    timeZoneId: d.timeZoneId ?? "",
    tradingHours: d.tradingHours ?? "",
    liquidHours: d.liquidHours ?? "",
  };
}
