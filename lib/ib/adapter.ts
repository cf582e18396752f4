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
import {
  type Contract,
  type ContractDetails,
  EventName,
  type HistoricalTickLast,
  IBApi,
  SecType,
  TickByTickDataType,
} from "@stoqey/ib";
import type { DetailsRecord } from "./contract.ts";

/** Settings of {@linkcode IbAdapter}. */
export interface IbAdapterOptions {
  host: string;
  port: number;
  clientId: number;
  maxReqPerSec: number;
  /** Tick-by-tick stream: `AllLast` (default) or `Last`. */
  tickType: "AllLast" | "Last";
}

/** What the adapter reports. Every handler is optional and called synchronously. */
export interface IbAdapterEvents {
  /** A live trade on subscription `reqId`; `ts` in epoch ms (IB stamps are whole seconds). */
  onTick?(reqId: number, ts: number, price: number, size: number): void;
  /** The API is ready (NEXT_VALID_ID arrived): requests can be sent. */
  onReady?(): void;
  /** The socket closed (or never opened). */
  onDisconnected?(): void;
  /** Messages sent with id -1: 1100/1101/1102, 2104, 2110... */
  onInfo?(code: number, message: string): void;
  /** Errors, with the request id they belong to (-1 for none). */
  onError?(code: number, message: string, reqId: number): void;
  /** Managed accounts, comma-separated, as TWS sends them. */
  onAccounts?(accounts: string): void;
}

/** A request answered by an IB error, or by nothing in time. */
export class IbRequestError extends Error {
  /** IB's error code; 0 for a timeout, -2 for a disconnect. */
  readonly code: number;
  /** Creates the error. */
  constructor(code: number, message: string) {
    super(message);
    this.name = "IbRequestError";
    this.code = code;
  }
}

/** Contract fields for a contract-details query. */
export interface ContractQuery {
  symbol: string;
  secType: "FUT" | "CONTFUT";
  exchange: string;
  currency: string;
  /** `yyyymm`, or undefined for every listed expiry. */
  month?: string | undefined;
}

/** One page of historical trades. */
export interface TickPage {
  ts: number[];
  price: number[];
  size: number[];
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
  acc: unknown[];
}

/** Formats epoch ms as IB's UTC date-time `yyyymmdd-HH:MM:SS`. */
export function formatIbUtc(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${
    p(d.getUTCHours())
  }:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/**
 * A TWS connection. Call `connect`, wait for `onReady`, then request. Requests pending when
 * the socket drops are rejected with code -2.
 */
export class IbAdapter {
  readonly options: IbAdapterOptions;
  #ib: IBApi;
  #events: IbAdapterEvents;
  #nextReqId = 1000;
  #pending = new Map<number, Pending>();
  #timeWaiters: Array<{ resolve(ms: number): void; timer: ReturnType<typeof setTimeout> }> = [];
  #ready = false;

  /** Creates the client; nothing connects until `connect`. */
  constructor(options: IbAdapterOptions, events: IbAdapterEvents) {
    this.options = options;
    this.#events = events;
    this.#ib = new IBApi({
      host: options.host,
      port: options.port,
      clientId: options.clientId,
      maxReqPerSec: options.maxReqPerSec,
    });
    this.#wire();
  }

  /** True between `onReady` and `onDisconnected`. */
  get ready(): boolean {
    return this.#ready;
  }

  /** Opens the socket with the configured client id (the same one on every reconnect). */
  connect(): void {
    this.#ib.connect(this.options.clientId);
  }

  /** Closes the socket. */
  disconnect(): void {
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
    this.#ib.reqTickByTickData(reqId, { conId, exchange }, type, 0, false);
    return reqId;
  }

  /** Cancels a tick-by-tick subscription. */
  cancelTicks(reqId: number): void {
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
    const reqId = this.#nextReqId++;
    const p = this.#track<TickPage>(reqId, options.timeoutMs, "historical ticks");
    this.#ib.reqHistoricalTicks(
      reqId,
      { conId, exchange },
      "",
      formatIbUtc(endMs),
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

  #fail(reqId: number, error: Error): void {
    const p = this.#pending.get(reqId);
    if (p === undefined) return;
    this.#pending.delete(reqId);
    clearTimeout(p.timer);
    p.reject(error);
  }

  #wire(): void {
    const ib = this.#ib;
    const ev = this.#events;
    ib.on(EventName.nextValidId, () => {
      if (this.#ready) return;
      this.#ready = true;
      ev.onReady?.();
    });
    ib.on(EventName.disconnected, () => {
      this.#ready = false;
      for (const id of [...this.#pending.keys()]) {
        this.#fail(id, new IbRequestError(-2, "Disconnected from TWS"));
      }
      ev.onDisconnected?.();
    });
    ib.on(EventName.managedAccounts, (accounts: string) => ev.onAccounts?.(accounts));
    ib.on(EventName.info, (message: string, code: number) => ev.onInfo?.(code, message));
    ib.on(EventName.error, (err: Error, code: number, reqId: number) => {
      const id = reqId ?? -1;
      if (id >= 0 && this.#pending.has(id)) {
        this.#fail(id, new IbRequestError(code, `IB error ${code}: ${err.message}`));
      }
      ev.onError?.(code, err.message, id);
    });
    ib.on(EventName.currentTime, (time: number) => {
      const w = this.#timeWaiters;
      this.#timeWaiters = [];
      for (const x of w) {
        clearTimeout(x.timer);
        x.resolve(Number(time) * 1000);
      }
    });
    ib.on(EventName.contractDetails, (reqId: number, d: ContractDetails) => {
      this.#pending.get(reqId)?.acc.push(toRecord(d));
    });
    ib.on(EventName.contractDetailsEnd, (reqId: number) => {
      const p = this.#pending.get(reqId);
      if (p !== undefined) this.#settle(reqId, p.acc);
    });
    ib.on(EventName.historicalTicksLast, (reqId: number, ticks: HistoricalTickLast[]) => {
      const page: TickPage = { ts: [], price: [], size: [] };
      for (const t of ticks) {
        page.ts.push(Number(t.time) * 1000);
        page.price.push(Number(t.price));
        page.size.push(Number(t.size));
      }
      this.#settle(reqId, page);
    });
    const onTick = ev.onTick;
    if (onTick !== undefined) {
      const handler = (
        reqId: number,
        _type: number,
        time: string | number,
        price: number,
        size: number,
      ) => onTick(reqId, Number(time) * 1000, price, size);
      ib.on(EventName.tickByTickAllLast, handler);
    }
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
