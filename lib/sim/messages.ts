/**
 * TWS API message layouts, both directions, for the messages the simulator speaks.
 * Server-to-client encoders return field lists (or joined text on the hot path) in the
 * layout of the negotiated server version; client-to-server decoders turn field lists
 * into typed requests and throw SyntaxError on non-numeric or missing fields.
 * Layouts follow @stoqey/ib 1.6.10's decoder.js/encoder.js.
 *
 * @module
 */

import type { Field } from "./wire.ts";
import type { ContractQuery, SimContract } from "./contracts.ts";

/** Server-to-client message ids. */
export const IN = {
  ERR_MSG: 4,
  NEXT_VALID_ID: 9,
  CONTRACT_DATA: 10,
  MANAGED_ACCTS: 15,
  HISTORICAL_DATA: 17,
  CURRENT_TIME: 49,
  CONTRACT_DATA_END: 52,
  HISTORICAL_DATA_UPDATE: 90,
  HISTORICAL_TICKS_LAST: 98,
  TICK_BY_TICK: 99,
} as const;

/** Client-to-server message ids. */
export const OUT = {
  REQ_IDS: 8,
  REQ_CONTRACT_DATA: 9,
  REQ_MANAGED_ACCTS: 17,
  REQ_HISTORICAL_DATA: 20,
  CANCEL_HISTORICAL_DATA: 25,
  REQ_CURRENT_TIME: 49,
  START_API: 71,
  REQ_HISTORICAL_TICKS: 96,
  REQ_TICK_BY_TICK_DATA: 97,
  CANCEL_TICK_BY_TICK_DATA: 98,
} as const;

/** Server versions where layouts change (IB's MIN_SERVER_VER names). */
export const VER = {
  SIZE_RULES: 164,
  FRACTIONAL_SIZE_SUPPORT: 163,
  ADVANCED_ORDER_REJECT: 166,
  BOND_ISSUERID: 176,
  LAST_TRADE_DATE: 182,
  INELIGIBILITY_REASONS: 186,
} as const;

/** Lowest server version the simulator negotiates. */
export const MIN_SIM_VERSION = 157;
/** Highest server version the simulator negotiates (@stoqey/ib 1.6.10's maximum). */
export const MAX_SIM_VERSION = 193;

/** ERR_MSG (4): `2, id, code, text[, advancedOrderRejectJson from 166]`. */
export function errorMsg(version: number, id: number, code: number, text: string): Field[] {
  const f: Field[] = [IN.ERR_MSG, 2, id, code, text];
  if (version >= VER.ADVANCED_ORDER_REJECT) f.push("");
  return f;
}

/** NEXT_VALID_ID (9). */
export function nextValidId(orderId: number): Field[] {
  return [IN.NEXT_VALID_ID, 1, orderId];
}

/** MANAGED_ACCTS (15). */
export function managedAccounts(accounts: string): Field[] {
  return [IN.MANAGED_ACCTS, 1, accounts];
}

/** CURRENT_TIME (49), epoch seconds. */
export function currentTime(epochSeconds: number): Field[] {
  return [IN.CURRENT_TIME, 1, epochSeconds];
}

/** CONTRACT_DATA_END (52). */
export function contractDataEnd(reqId: number): Field[] {
  return [IN.CONTRACT_DATA_END, 1, reqId];
}

/** CONTRACT_DATA (10) in the layout of `version`. */
export function contractData(version: number, reqId: number, c: SimContract): Field[] {
  const f: Field[] = [IN.CONTRACT_DATA];
  if (version < VER.SIZE_RULES) f.push(8);
  f.push(reqId, c.symbol, c.secType, c.lastTradeDateText);
  if (version >= VER.LAST_TRADE_DATE) f.push(c.lastTradeDate);
  f.push(
    0, // strike
    "", // right
    c.exchange,
    c.currency,
    c.localSymbol,
    c.marketName,
    c.tradingClass,
    c.conId,
    c.minTick,
  );
  if (version < VER.SIZE_RULES) f.push(1); // mdSizeMultiplier
  f.push(
    c.multiplier,
    c.orderTypes,
    c.validExchanges,
    1, // priceMagnifier
    c.underConId,
    c.longName,
    "", // primaryExch
    c.contractMonth,
    "", // industry
    "", // category
    "", // subcategory
    c.timeZoneId,
    c.tradingHours,
    c.liquidHours,
    "", // evRule
    "", // evMultiplier
    0, // secIdList count
    2147483647, // aggGroup as TWS sends it for futures
    c.underSymbol,
    c.underSecType,
    c.marketRuleIds,
    c.lastTradeDate, // realExpirationDate
    "", // stockType
  );
  if (version === VER.FRACTIONAL_SIZE_SUPPORT) f.push(1); // sizeMinTick, only at 163
  if (version >= VER.SIZE_RULES) f.push(1, 1, 1); // minSize, sizeIncrement, suggestedSizeIncrement
  if (version >= VER.INELIGIBILITY_REASONS) f.push(0);
  return f;
}

const MASK_NONE = 0;

/** Text of one TICK_BY_TICK (99) Last/AllLast frame (hot path: no arrays). */
export function tickByTickLastText(
  reqId: number,
  tickType: 1 | 2,
  epochSeconds: number,
  price: number,
  size: number,
  exchange: string,
): string {
  // mask 0 (neither pastLimit nor unreported), no special conditions.
  return `99\0${reqId}\0${tickType}\0${epochSeconds}\0${price}\0${size}\0${MASK_NONE}\0${exchange}\0\0`;
}

/** One trade of HISTORICAL_TICKS_LAST. */
export interface HistTick {
  ts: number;
  price: number;
  size: number;
}

/** HISTORICAL_TICKS_LAST (98): `reqId, n, n x [time, mask, price, size, exchange, cond], done`. */
export function historicalTicksLast(
  reqId: number,
  ticks: readonly HistTick[],
  exchange: string,
  done: boolean,
): Field[] {
  const f: Field[] = [IN.HISTORICAL_TICKS_LAST, reqId, ticks.length];
  for (const t of ticks) f.push(Math.floor(t.ts / 1000), 0, t.price, t.size, exchange, "");
  f.push(done);
  return f;
}

/** One bar as HISTORICAL_DATA sends it. */
export interface WireBar {
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  wap: number;
  count: number;
}

/** HISTORICAL_DATA (17), no version field from 124: `reqId, start, end, n, bars...`. */
export function historicalData(
  reqId: number,
  start: string,
  end: string,
  bars: readonly WireBar[],
): Field[] {
  const f: Field[] = [IN.HISTORICAL_DATA, reqId, start, end, bars.length];
  for (const b of bars) f.push(b.date, b.open, b.high, b.low, b.close, b.volume, b.wap, b.count);
  return f;
}

/** HISTORICAL_DATA_UPDATE (90): close comes before high and low, wap before volume. */
export function historicalDataUpdate(reqId: number, b: WireBar): Field[] {
  return [
    IN.HISTORICAL_DATA_UPDATE,
    reqId,
    b.count,
    b.date,
    b.open,
    b.close,
    b.high,
    b.low,
    b.wap,
    b.volume,
  ];
}

// ---- client -> server ----

/** Reads fields in order with typed accessors; throws SyntaxError naming the field. */
export class FieldReader {
  #f: readonly string[];
  #i: number;
  #msg: string;

  /** Reads `fields` starting after the message id. */
  constructor(fields: readonly string[], msg: string) {
    this.#f = fields;
    this.#i = 1;
    this.#msg = msg;
  }

  /** Next field as text. */
  str(name: string): string {
    const v = this.#f[this.#i++];
    if (v === undefined) throw new SyntaxError(`Cannot read ${this.#msg}: field ${name} missing`);
    return v;
  }

  /** Next field as an integer ("" reads as 0, as IB's decoders do). */
  int(name: string): number {
    const v = this.str(name);
    if (v === "") return 0;
    if (!/^-?\d{1,15}$/.test(v)) {
      throw new SyntaxError(
        `Cannot read ${this.#msg}: ${name} is ${JSON.stringify(v.slice(0, 30))}`,
      );
    }
    return Number(v);
  }

  /** Next field as a number ("" reads as 0). */
  num(name: string): number {
    const v = this.str(name);
    if (v === "") return 0;
    const n = Number(v);
    if (!Number.isFinite(n)) {
      throw new SyntaxError(
        `Cannot read ${this.#msg}: ${name} is ${JSON.stringify(v.slice(0, 30))}`,
      );
    }
    return n;
  }

  /** Next field as a 0/1 flag. */
  bool(name: string): boolean {
    return this.int(name) !== 0;
  }

  /** Fields not read yet. */
  get rest(): number {
    return this.#f.length - this.#i;
  }
}

/** Reads the 12 contract fields `conId .. tradingClass` common to data requests. */
function readContract(r: FieldReader): ContractQuery {
  const conId = r.int("conId");
  const symbol = r.str("symbol");
  const secType = r.str("secType");
  const ltd = r.str("lastTradeDateOrContractMonth");
  r.num("strike");
  r.str("right");
  r.str("multiplier");
  const exchange = r.str("exchange");
  r.str("primaryExch");
  const currency = r.str("currency");
  const localSymbol = r.str("localSymbol");
  const tradingClass = r.str("tradingClass");
  return {
    conId,
    symbol,
    secType,
    lastTradeDateOrContractMonth: ltd,
    exchange,
    currency,
    localSymbol,
    tradingClass,
  };
}

/** A decoded client request the simulator acts on. */
export type ClientRequest =
  | { kind: "startApi"; clientId: number }
  | { kind: "currentTime" }
  | { kind: "reqIds" }
  | { kind: "managedAccounts" }
  | { kind: "contractDetails"; reqId: number; contract: ContractQuery }
  | {
    kind: "tickByTick";
    reqId: number;
    contract: ContractQuery;
    tickType: string;
    numberOfTicks: number;
  }
  | { kind: "cancelTickByTick"; reqId: number }
  | {
    kind: "historicalData";
    reqId: number;
    contract: ContractQuery;
    endDateTime: string;
    barSize: string;
    duration: string;
    useRth: boolean;
    whatToShow: string;
    formatDate: number;
    keepUpToDate: boolean;
  }
  | { kind: "cancelHistoricalData"; reqId: number }
  | {
    kind: "historicalTicks";
    reqId: number;
    contract: ContractQuery;
    start: string;
    end: string;
    numberOfTicks: number;
    whatToShow: string;
    useRth: boolean;
  }
  | { kind: "unknown"; msgId: number };

/**
 * Decodes one client frame's fields, in the layout @stoqey/ib uses at `version`.
 * Throws SyntaxError for a non-numeric message id or malformed known message.
 */
export function decodeRequest(fields: readonly string[], version: number): ClientRequest {
  const idText = fields[0] ?? "";
  if (!/^\d{1,4}$/.test(idText)) {
    throw new SyntaxError(`Cannot read message id: ${JSON.stringify(idText.slice(0, 30))}`);
  }
  const msgId = Number(idText);
  switch (msgId) {
    case OUT.START_API: {
      const r = new FieldReader(fields, "START_API");
      r.int("version");
      return { kind: "startApi", clientId: r.int("clientId") };
    }
    case OUT.REQ_CURRENT_TIME:
      return { kind: "currentTime" };
    case OUT.REQ_IDS:
      return { kind: "reqIds" };
    case OUT.REQ_MANAGED_ACCTS:
      return { kind: "managedAccounts" };
    case OUT.REQ_CONTRACT_DATA: {
      const r = new FieldReader(fields, "REQ_CONTRACT_DATA");
      r.int("version");
      const reqId = r.int("reqId");
      const contract = readContract(r);
      contract.includeExpired = r.bool("includeExpired");
      r.str("secIdType");
      r.str("secId");
      if (version >= VER.BOND_ISSUERID) r.str("issuerId");
      return { kind: "contractDetails", reqId, contract };
    }
    case OUT.REQ_TICK_BY_TICK_DATA: {
      const r = new FieldReader(fields, "REQ_TICK_BY_TICK_DATA");
      const reqId = r.int("reqId");
      const contract = readContract(r);
      const tickType = r.str("tickType");
      const numberOfTicks = r.int("numberOfTicks");
      r.bool("ignoreSize");
      return { kind: "tickByTick", reqId, contract, tickType, numberOfTicks };
    }
    case OUT.CANCEL_TICK_BY_TICK_DATA: {
      const r = new FieldReader(fields, "CANCEL_TICK_BY_TICK_DATA");
      return { kind: "cancelTickByTick", reqId: r.int("reqId") };
    }
    case OUT.REQ_HISTORICAL_DATA: {
      const r = new FieldReader(fields, "REQ_HISTORICAL_DATA");
      const reqId = r.int("reqId");
      const contract = readContract(r);
      r.bool("includeExpired");
      const endDateTime = r.str("endDateTime");
      const barSize = r.str("barSize");
      const duration = r.str("duration");
      const useRth = r.bool("useRTH");
      const whatToShow = r.str("whatToShow");
      const formatDate = r.int("formatDate");
      if (contract.secType.toUpperCase() === "BAG") {
        const legs = r.int("comboLegCount");
        for (let i = 0; i < legs * 4; i++) r.str("comboLeg");
      }
      const keepUpToDate = r.bool("keepUpToDate");
      r.str("chartOptions");
      return {
        kind: "historicalData",
        reqId,
        contract,
        endDateTime,
        barSize,
        duration,
        useRth,
        whatToShow,
        formatDate,
        keepUpToDate,
      };
    }
    case OUT.CANCEL_HISTORICAL_DATA: {
      const r = new FieldReader(fields, "CANCEL_HISTORICAL_DATA");
      r.int("version");
      return { kind: "cancelHistoricalData", reqId: r.int("reqId") };
    }
    case OUT.REQ_HISTORICAL_TICKS: {
      const r = new FieldReader(fields, "REQ_HISTORICAL_TICKS");
      const reqId = r.int("reqId");
      const contract = readContract(r);
      contract.includeExpired = r.bool("includeExpired");
      const start = r.str("startDateTime");
      const end = r.str("endDateTime");
      const numberOfTicks = r.int("numberOfTicks");
      const whatToShow = r.str("whatToShow");
      const useRth = r.bool("useRth");
      r.bool("ignoreSize");
      r.str("miscOptions");
      return {
        kind: "historicalTicks",
        reqId,
        contract,
        start,
        end,
        numberOfTicks,
        whatToShow,
        useRth,
      };
    }
    default:
      return { kind: "unknown", msgId };
  }
}
