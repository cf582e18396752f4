/**
 * The simulator's contract catalog: MES, ES, XINA50 and GC futures with the fields TWS
 * returns in contract details. Expiries and trading-hours strings are computed from the
 * simulator clock, so the listed months are always the ones a real TWS would list.
 *
 * @module
 */

import { localParts, zonedTimeToUtc } from "../time/zone.ts";

/** Contract details as the simulator sends them (a subset of IB's ContractDetails). */
export interface SimContract {
  /** IB's contract id. */
  conId: number;
  /** Symbol, e.g. MES. */
  symbol: string;
  /** Futures only. */
  secType: "FUT";
  /** `yyyymmdd` last trade date. */
  lastTradeDate: string;
  /** Text of lastTradeDateOrContractMonth as TWS sends it: `yyyymmdd HH:MM Zone`. */
  lastTradeDateText: string;
  /** Epoch ms of the last trade. */
  lastTradeMs: number;
  /** `yyyymm`. */
  contractMonth: string;
  /** Exchange, e.g. CME. */
  exchange: string;
  /** Currency, e.g. USD. */
  currency: string;
  /** Local symbol, e.g. MESZ5. */
  localSymbol: string;
  /** Market name, e.g. MES. */
  marketName: string;
  /** Trading class, e.g. MES. */
  tradingClass: string;
  /** Minimum price increment. */
  minTick: number;
  /** Currency per point per contract. */
  multiplier: number;
  /** Order types IB lists for it (comma-separated). */
  orderTypes: string;
  /** Exchanges it trades on (comma-separated). */
  validExchanges: string;
  /** Contract id of the underlying. */
  underConId: number;
  /** Long name, e.g. Micro E-Mini S&P 500 Stock Price Index. */
  longName: string;
  /** IANA zone of the trading and liquid hours. */
  timeZoneId: string;
  /** IB's tradingHours text (sessions by date). */
  tradingHours: string;
  /** IB's liquidHours text (regular hours by date). */
  liquidHours: string;
  /** Symbol of the underlying. */
  underSymbol: string;
  /** Security type of the underlying (IND, CMDTY). */
  underSecType: string;
  /** IB's market rule ids (comma-separated). */
  marketRuleIds: string;
}

interface Spec {
  symbol: string;
  exchange: string;
  currency: string;
  tz: string;
  minTick: number;
  multiplier: number;
  baseConId: number;
  underConId: number;
  longName: string;
  /** Letter prefix of the local symbol. */
  localRoot: string;
  marketRuleIds: string;
  underSymbol: string;
  underSecType: string;
  validExchanges: string;
  /** Listed months for the next expiries, given the current (y, m). */
  months(y: number, m: number): Array<[number, number]>;
  /** Local last-trade day (y, m, d) and minute of day for a contract month. */
  lastTrade(y: number, m: number): { d: number; minute: number };
  /** Sessions of a local trading day (weekday 0 = Sunday) as [open, close] minutes; close may pass 1440. */
  sessions(weekday: number): Array<[number, number]>;
  liquid(weekday: number): Array<[number, number]>;
}

const MONTH_CODES = "FGHJKMNQUVXZ";
const ORDER_TYPES =
  "ACTIVETIM,AD,ADJUST,ALERT,ALGO,ALLOC,AVGCOST,BASKET,BENCHPX,COND,CONDORDER,DAY,DEACT,DEACTDIS,DEACTEOD,GAT,GTC,GTD,GTT,HID,ICE,IOC,LIT,LMT,LTH,MIT,MKT,MTL,NGCOMB,NONALGO,OCA,PEGBENCH,SCALE,SCALERST,SNAPMID,SNAPMKT,SNAPREL,STP,STPLMT,TRAIL,TRAILLIT,TRAILLMT,TRAILMIT,WHATIF";

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function weekday(y: number, m: number, d: number): number {
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

function thirdFriday(y: number, m: number): number {
  const first = weekday(y, m, 1);
  return 1 + ((5 - first + 7) % 7) + 14;
}

/** The n-th last business day (Mon-Fri) of a month; n = 1 is the last one. */
function nthLastBusinessDay(y: number, m: number, n: number): number {
  let d = daysInMonth(y, m);
  let seen = 0;
  for (;; d--) {
    const w = weekday(y, m, d);
    if (w !== 0 && w !== 6 && ++seen === n) return d;
  }
}

function nextMonths(
  y: number,
  m: number,
  allowed: number[],
  count: number,
): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; out.length < count && i < 48; i++) {
    const mm = ((m - 1 + i) % 12) + 1;
    const yy = y + Math.floor((m - 1 + i) / 12);
    if (allowed.includes(mm)) out.push([yy, mm]);
  }
  return out;
}

const QUARTERS = [3, 6, 9, 12];
// CME Globex equity index: Sunday-Friday 17:00-16:00 CT, liquid (RTH) 08:30-15:00 CT.
const cmeSessions = (w: number): Array<[number, number]> =>
  w === 6 || w === 5 ? [] : [[17 * 60, 24 * 60 + 16 * 60]];
const cmeLiquid = (w: number): Array<[number, number]> =>
  w === 0 || w === 6 ? [] : [[8 * 60 + 30, 15 * 60]];

const SPECS: Spec[] = [
  {
    symbol: "ES",
    exchange: "CME",
    currency: "USD",
    tz: "US/Central",
    minTick: 0.25,
    multiplier: 50,
    baseConId: 495512000,
    underConId: 11004968,
    longName: "E-mini S&P 500",
    localRoot: "ES",
    marketRuleIds: "67,67",
    underSymbol: "ES",
    underSecType: "IND",
    validExchanges: "CME,QBALGO",
    months: (y, m) => nextMonths(y, m, QUARTERS, 5),
    lastTrade: (y, m) => ({ d: thirdFriday(y, m), minute: 8 * 60 + 30 }),
    sessions: cmeSessions,
    liquid: cmeLiquid,
  },
  {
    symbol: "MES",
    exchange: "CME",
    currency: "USD",
    tz: "US/Central",
    minTick: 0.25,
    multiplier: 5,
    baseConId: 586139000,
    underConId: 362673777,
    longName: "Micro E-Mini S&P 500 Stock Price Index",
    localRoot: "MES",
    marketRuleIds: "67,67",
    underSymbol: "MES",
    underSecType: "IND",
    validExchanges: "CME,QBALGO",
    months: (y, m) => nextMonths(y, m, QUARTERS, 5),
    lastTrade: (y, m) => ({ d: thirdFriday(y, m), minute: 8 * 60 + 30 }),
    sessions: cmeSessions,
    liquid: cmeLiquid,
  },
  {
    symbol: "GC",
    exchange: "COMEX",
    currency: "USD",
    tz: "US/Eastern",
    minTick: 0.1,
    multiplier: 100,
    baseConId: 79702000,
    underConId: 12087792,
    longName: "Gold",
    localRoot: "GC",
    marketRuleIds: "32,32",
    underSymbol: "GC",
    underSecType: "CMDTY",
    validExchanges: "COMEX,QBALGO",
    months: (y, m) => nextMonths(y, m, [2, 4, 6, 8, 10, 12], 6),
    // Third last business day of the contract month, 13:30 ET.
    lastTrade: (y, m) => ({ d: nthLastBusinessDay(y, m, 3), minute: 13 * 60 + 30 }),
    sessions: (w) => (w === 5 || w === 6 ? [] : [[18 * 60, 24 * 60 + 17 * 60]]),
    liquid: (w) => (w === 0 || w === 6 ? [] : [[8 * 60 + 20, 13 * 60 + 30]]),
  },
  {
    symbol: "XINA50",
    exchange: "SGX",
    currency: "USD",
    tz: "Singapore",
    minTick: 1, // 1 index point since 5 Oct 2020 (2.5 before): see examples/xina50.yaml
    multiplier: 1,
    baseConId: 633660000,
    underConId: 152540223,
    longName: "FTSE China A50 Index",
    localRoot: "CN",
    marketRuleIds: "1541,1541",
    underSymbol: "XINA50",
    underSecType: "IND",
    validExchanges: "SGX",
    // Two serial months, then quarterlies.
    months: (y, m) => {
      const serial = nextMonths(y, m, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 2);
      const [ly, lm] = serial[1]!;
      const q = lm === 12
        ? nextMonths(ly + 1, 1, QUARTERS, 4)
        : nextMonths(ly, lm + 1, QUARTERS, 4);
      return [...serial, ...q];
    },
    // Second last business day of the month, 16:35 SGT.
    lastTrade: (y, m) => ({ d: nthLastBusinessDay(y, m, 2), minute: 16 * 60 + 35 }),
    // T session 09:00-16:35, T+1 session 17:15-05:15 next morning.
    sessions: (w) =>
      w === 0 || w === 6 ? [] : [[9 * 60, 16 * 60 + 35], [17 * 60 + 15, 24 * 60 + 5 * 60 + 15]],
    liquid: (w) => (w === 0 || w === 6 ? [] : [[9 * 60, 16 * 60 + 35]]),
  },
];

function pad(n: number, w = 2): string {
  return String(n).padStart(w, "0");
}

function ymd(y: number, m: number, d: number): string {
  return `${y}${pad(m)}${pad(d)}`;
}

function addDays(y: number, m: number, d: number, n: number): [number, number, number] {
  const t = new Date(Date.UTC(y, m - 1, d + n));
  return [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()];
}

/** IB hours text for 7 local days from `now`: `20250521:1700-20250522:1600;20250524:CLOSED`. */
function hoursText(
  now: number,
  tz: string,
  sessions: (w: number) => Array<[number, number]>,
): string {
  const p = localParts(now, tz);
  const parts: string[] = [];
  for (let i = 0; i < 7; i++) {
    const [y, m, d] = addDays(p.y, p.m, p.d, i);
    const list = sessions(weekday(y, m, d));
    if (list.length === 0) {
      parts.push(`${ymd(y, m, d)}:CLOSED`);
      continue;
    }
    for (const [open, close] of list) {
      const [cy, cm, cd] = addDays(y, m, d, Math.floor(close / 1440));
      const c = close % 1440;
      parts.push(
        `${ymd(y, m, d)}:${pad(Math.floor(open / 60))}${pad(open % 60)}-${ymd(cy, cm, cd)}:${
          pad(Math.floor(c / 60))
        }${pad(c % 60)}`,
      );
    }
  }
  return parts.join(";");
}

function build(spec: Spec, y: number, m: number, now: number): SimContract {
  const lt = spec.lastTrade(y, m);
  const hh = Math.floor(lt.minute / 60);
  const mi = lt.minute % 60;
  const lastTradeMs = zonedTimeToUtc(y, m, lt.d, hh, mi, spec.tz);
  const local = `${spec.localRoot}${MONTH_CODES[m - 1]}${y % 10}`;
  return {
    conId: spec.baseConId + (y - 2000) * 12 + m,
    symbol: spec.symbol,
    secType: "FUT",
    lastTradeDate: ymd(y, m, lt.d),
    lastTradeDateText: `${ymd(y, m, lt.d)} ${pad(hh)}:${pad(mi)} ${spec.tz}`,
    lastTradeMs,
    contractMonth: `${y}${pad(m)}`,
    exchange: spec.exchange,
    currency: spec.currency,
    localSymbol: local,
    marketName: spec.localRoot,
    tradingClass: spec.localRoot,
    minTick: spec.minTick,
    multiplier: spec.multiplier,
    orderTypes: ORDER_TYPES,
    validExchanges: spec.validExchanges,
    underConId: spec.underConId,
    longName: spec.longName,
    timeZoneId: spec.tz,
    tradingHours: hoursText(now, spec.tz, spec.sessions),
    liquidHours: hoursText(now, spec.tz, spec.liquid),
    underSymbol: spec.underSymbol,
    underSecType: spec.underSecType,
    marketRuleIds: spec.marketRuleIds,
  };
}

/** Symbols the catalog knows. */
export const SIM_SYMBOLS: readonly string[] = SPECS.map((s) => s.symbol);

/** Every listed (unexpired) contract of `symbol` at `now`, nearest expiry first. */
export function listedContracts(symbol: string, now: number): SimContract[] {
  const spec = SPECS.find((s) => s.symbol === symbol.toUpperCase());
  if (spec === undefined) return [];
  const p = localParts(now, spec.tz);
  // Start one month early so a contract expiring later this month is still listed.
  const out: SimContract[] = [];
  for (const [y, m] of spec.months(p.y, p.m)) {
    const c = build(spec, y, m, now);
    if (c.lastTradeMs > now) out.push(c);
  }
  if (out.length < spec.months(p.y, p.m).length) {
    const [ny, nm] = p.m === 12 ? [p.y + 1, 1] : [p.y, p.m + 1];
    const more = spec.months(ny, nm).map(([y, m]) => build(spec, y, m, now));
    for (const c of more) {
      if (!out.some((o) => o.conId === c.conId) && c.lastTradeMs > now) out.push(c);
    }
  }
  return out.sort((a, b) => a.lastTradeMs - b.lastTradeMs);
}

/**
 * Contracts of `symbol` whose last trade lies within the two years before `now`, oldest
 * first: what TWS adds for a request with includeExpired.
 */
export function expiredContracts(symbol: string, now: number): SimContract[] {
  const spec = SPECS.find((s) => s.symbol === symbol.toUpperCase());
  if (spec === undefined) return [];
  const p = localParts(now, spec.tz);
  const out = new Map<number, SimContract>();
  for (let k = 25; k >= 0; k--) {
    const t = p.y * 12 + p.m - 1 - k;
    const first = spec.months(Math.floor(t / 12), (t % 12) + 1)[0];
    if (first === undefined) continue;
    const c = build(spec, first[0], first[1], now);
    if (c.lastTradeMs <= now && c.lastTradeMs > now - 730 * 86_400_000) out.set(c.conId, c);
  }
  return [...out.values()].sort((a, b) => a.lastTradeMs - b.lastTradeMs);
}

/** Front (nearest unexpired) contract of `symbol`, or undefined for an unknown symbol. */
export function frontContract(symbol: string, now: number): SimContract | undefined {
  return listedContracts(symbol, now)[0];
}

/** Contract fields of a client request, as strings from the wire. */
export interface ContractQuery {
  /** Contract id; 0 when not given. */
  conId: number;
  /** Symbol; empty when not given. */
  symbol: string;
  /** Security type, e.g. FUT or CONTFUT. */
  secType: string;
  /** `yyyymm` or `yyyymmdd`; empty for every expiry. */
  lastTradeDateOrContractMonth: string;
  /** Exchange. */
  exchange: string;
  /** Currency. */
  currency: string;
  /** Local symbol. */
  localSymbol: string;
  /** Trading class. */
  tradingClass: string;
  /** The request's includeExpired: expired contracts match too. */
  includeExpired?: boolean;
}

/** Contracts matching a request's fields (empty fields match anything), as TWS filters them. */
export function matchContracts(q: ContractQuery, now: number): SimContract[] {
  const symbols = q.symbol !== "" ? [q.symbol.toUpperCase()] : SPECS.map((s) => s.symbol);
  const all = symbols.flatMap((s) => [
    ...(q.includeExpired === true ? expiredContracts(s, now) : []),
    ...listedContracts(s, now),
  ]);
  const ltd = q.lastTradeDateOrContractMonth.trim().split(/\s+/)[0] ?? "";
  return all.filter((c) =>
    (q.conId === 0 || c.conId === q.conId) &&
    (q.secType === "" || q.secType.toUpperCase() === c.secType) &&
    (ltd === "" || c.lastTradeDate === ltd || c.contractMonth === ltd) &&
    (q.exchange === "" || q.exchange.toUpperCase() === c.exchange) &&
    (q.currency === "" || q.currency.toUpperCase() === c.currency) &&
    (q.localSymbol === "" || q.localSymbol.toUpperCase() === c.localSymbol) &&
    (q.tradingClass === "" || q.tradingClass.toUpperCase() === c.tradingClass)
  );
}

/** Session opens of `symbol` (epoch ms, ascending) on the local days within 8 of `ts`'s. */
function opensAround(symbol: string, ts: number): number[] {
  return sessionsAround(symbol, ts).list.map((s) => s.start);
}

/** A session of the catalog: epoch ms from its open to its close. */
export interface SimSession {
  start: number;
  end: number;
}

/**
 * Sessions of `symbol` opening on the local days within 8 of `ts`'s, by open (empty for
 * an unknown symbol), with the IANA zone of its hours.
 */
export function sessionsAround(symbol: string, ts: number): { tz: string; list: SimSession[] } {
  const spec = SPECS.find((s) => s.symbol === symbol.toUpperCase());
  if (spec === undefined) return { tz: "UTC", list: [] };
  const p = localParts(ts, spec.tz);
  const list: SimSession[] = [];
  const at = (y: number, m: number, d: number, minute: number) => {
    const [yy, mm, dd] = addDays(y, m, d, Math.floor(minute / 1440));
    const mod = minute % 1440;
    return zonedTimeToUtc(yy, mm, dd, Math.floor(mod / 60), mod % 60, spec.tz);
  };
  for (let i = -8; i <= 8; i++) {
    const [y, m, d] = addDays(p.y, p.m, p.d, i);
    for (const [open, close] of spec.sessions(weekday(y, m, d))) {
      list.push({ start: at(y, m, d, open), end: at(y, m, d, close) });
    }
  }
  return { tz: spec.tz, list: list.sort((a, b) => a.start - b.start) };
}

/**
 * Epoch ms of the latest session open of `symbol` at or before `ts` (a trade in a
 * break belongs to the session before it); -Infinity if none is near or the symbol is unknown.
 */
export function sessionOpenAtOrBefore(symbol: string, ts: number): number {
  let best = -Infinity;
  for (const o of opensAround(symbol, ts)) if (o <= ts) best = o;
  return best;
}

/** Epoch ms of the first session open of `symbol` after `ts`; Infinity if none is near. */
export function nextSessionOpen(symbol: string, ts: number): number {
  for (const o of opensAround(symbol, ts)) if (o > ts) return o;
  return Infinity;
}
