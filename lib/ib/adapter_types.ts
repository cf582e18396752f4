/**
 * The plain data of the IB adapter's interface: its settings, the events it reports, its
 * counters, request errors, contract queries and history pages. No `@stoqey/ib` here.
 *
 * @module
 */

/** Settings of `IbAdapter` (adapter.ts). */
export interface IbAdapterOptions {
  /** TWS or IB Gateway host. */
  host: string;
  /** Its API port. */
  port: number;
  /** API client id (another client on the same id is refused by TWS). */
  clientId: number;
  /** Requests a second at most (the library's queue). */
  maxReqPerSec: number;
  /** Tick-by-tick stream: `AllLast` (default) or `Last`. */
  tickType: "AllLast" | "Last";
  /**
   * Time from `connect` to NEXT_VALID_ID before the attempt is dropped as failed (default
   * {@linkcode HANDSHAKE_TIMEOUT_MS}).
   */
  handshakeTimeoutMs?: number;
  /** Largest TWS message accepted (default {@linkcode MAX_FRAME_BYTES}). */
  maxFrameBytes?: number;
}

/** Default handshake timeout: TWS answers in well under a second, even when busy. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;

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
  /**
   * One line about a misbehaving peer (bad framing, handshake timeout, dropped rows: the
   * first of each kind). Account ids are already masked.
   */
  onWarning?(line: string): void;
}

/** What the adapter dropped or refused, for tests and the end-of-run summary. */
export interface IbAdapterStats {
  /** Connections dropped for bad framing or an undecodable message. */
  protocolDrops: number;
  /** Connection attempts dropped by the handshake timeout. */
  handshakeTimeouts: number;
  /** Messages the library could not decode (505) that were skipped. */
  undecodable: number;
  /** Trades and history rows dropped, by `"<source>: <kind>"`. */
  droppedRows: Record<string, number>;
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
  /** Contract symbol, e.g. MES. */
  symbol: string;
  /** FUT for a dated future, CONTFUT for the continuous one. */
  secType: "FUT" | "CONTFUT";
  /** Exchange, e.g. CME. */
  exchange: string;
  /** Currency, e.g. USD. */
  currency: string;
  /** `yyyymm`, or undefined for every listed expiry. */
  month?: string | undefined;
  /** Also list expired contracts (IB keeps about two years). */
  includeExpired?: boolean;
}

/** One page of historical trades. */
export interface TickPage {
  /** Trade times, epoch ms. */
  ts: number[];
  /** Trade prices. */
  price: number[];
  /** Trade sizes. */
  size: number[];
}

/** Formats epoch ms as IB's UTC date-time `yyyymmdd-HH:MM:SS`. */
export function formatIbUtc(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${
    p(d.getUTCHours())
  }:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}
