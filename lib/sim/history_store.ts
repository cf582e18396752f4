/**
 * A generated multi-day trade history for the simulator's history requests: several
 * contracts of one symbol, trading only in the catalog's sessions (MES/ES: 17:00-16:00
 * Chicago; XINA50: two a day, 09:00-16:35 and 17:15-05:15 Singapore, with breaks between),
 * holidays without trades, and each contract's trades ending at its last trade time, so a
 * download across a roll meets an expired contract. A trade's trading day is the local
 * date of its session's close (lib/data/calendar.ts's rule). Stamps are whole seconds, as
 * IB's history has them. Deterministic for a seed.
 *
 * @example
 * ```ts
 * const now = Date.UTC(2025, 11, 1);
 * const archive = generateArchive({
 *   symbol: "MES", months: ["202509", "202512"], from: "2025-09-10", to: "2025-09-17",
 *   holidays: ["2025-09-16"], now,
 * });
 * // startSimulator({ archive, clock: { now: () => now }, ... })
 * ```
 *
 * @module
 */
import { TickGenerator } from "../gen/generator.ts";
import { localParts, zonedTimeToUtc } from "../time/zone.ts";
import {
  expiredContracts,
  listedContracts,
  matchContracts,
  sessionsAround,
  type SimContract,
  type SimSession,
} from "./contracts.ts";
import { type SimArchive, TickHistory } from "./feed.ts";

/** Options of {@linkcode generateArchive}. */
export interface ArchiveOptions {
  /** Catalog symbol: MES, ES (one CME session a day) or XINA50 (two SGX sessions a day). */
  symbol: string;
  /** Contract months `yyyymm` to generate. */
  months: string[];
  /** First and last trading day `yyyy-mm-dd` (a CME day's session opens at 17:00 the day before). */
  from: string;
  to: string;
  /** Trading days without any trade. */
  holidays?: string[];
  /** Simulator time: the catalog's contracts are built at it. */
  now: number;
  /** PRNG seed (default 1). */
  seed?: number;
  /** Trades per second at liquid midday (default 0.2); the night trades at 0.12 of it. */
  intensity?: number;
}

/** One contract's day, as a download should store it. */
export interface ArchiveDay {
  localSymbol: string;
  date: string;
  ts: number[];
  price: number[];
  size: number[];
}

/** The generated archive: what the simulator serves, and the days for tests to compare. */
export interface GeneratedArchive extends SimArchive {
  contracts: SimContract[];
  /** Trades of a contract on a trading day (empty for a holiday or after expiry). */
  day(localSymbol: string, date: string): ArchiveDay;
  /** Trades in the archive, all contracts. */
  total: number;
}

/** CME hours of recentArchiveOptions (MES, ES). */
const ZONE = "US/Central";

function addDays(date: string, n: number): { y: number; m: number; d: number } {
  const t = new Date(Date.parse(date + "T00:00:00Z") + n * 86_400_000);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

/** The generator's shape of a symbol's tape: its daily pause, liquid hours and price. */
interface TapeShape {
  sessionBreak: { start: string; end: string };
  /** False when the catalog's sessions close the weekends (they filter the trades). */
  closedWeekends?: boolean;
  liquidHours: { start: string; end: string };
  startPrice: number;
}

const CME_TAPE: TapeShape = {
  sessionBreak: { start: "16:00", end: "17:00" },
  liquidHours: { start: "08:30", end: "15:00" },
  startPrice: 6500,
};
const TAPES: Record<string, TapeShape> = {
  MES: CME_TAPE,
  ES: CME_TAPE,
  // The generator knows one daily pause; the night-to-day break and the weekend (Friday's
  // night session runs to Saturday 05:15) come from the catalog's sessions.
  XINA50: {
    sessionBreak: { start: "16:35", end: "17:15" },
    closedWeekends: false,
    liquidHours: { start: "09:00", end: "16:35" },
    startPrice: 13000,
  },
};

/** A session of the range with its trading day. */
interface DaySession extends SimSession {
  date: string;
}

/** The catalog's sessions of `symbol` whose trading day lies in `from`..`to`, by open. */
function rangeSessions(symbol: string, from: string, to: string): DaySession[] {
  const byStart = new Map<number, DaySession>();
  const last = Date.parse(to + "T12:00:00Z") + 2 * 86_400_000;
  // sessionsAround covers 8 local days either side: a step of 7 misses none.
  for (let t = Date.parse(from + "T12:00:00Z") - 2 * 86_400_000; t <= last + 7 * 86_400_000;) {
    const { tz, list } = sessionsAround(symbol, t);
    for (const s of list) {
      const p = localParts(s.end - 1, tz);
      const date = new Date(Date.UTC(p.y, p.m - 1, p.d)).toISOString().slice(0, 10);
      if (date >= from && date <= to) byStart.set(s.start, { ...s, date });
    }
    t += 7 * 86_400_000;
  }
  return [...byStart.values()].sort((a, b) => a.start - b.start);
}

/** Generates the archive; RangeError for a month the catalog does not list at `now`. */
export function generateArchive(o: ArchiveOptions): GeneratedArchive {
  const shape = TAPES[o.symbol.toUpperCase()];
  if (shape === undefined) throw new RangeError(`No generated history for ${o.symbol}`);
  const sessions = rangeSessions(o.symbol, o.from, o.to);
  if (sessions.length === 0) throw new RangeError(`No ${o.symbol} session in ${o.from}..${o.to}`);
  const startMs = sessions[0]!.start;
  const endMs = sessions.at(-1)!.end;
  const holidays = new Set(o.holidays ?? []);
  const byConId = new Map<number, TickHistory>();
  const byDay = new Map<string, ArchiveDay>();
  const contracts: SimContract[] = [];
  let total = 0;
  o.months.forEach((month, k) => {
    const found = matchContracts({
      conId: 0,
      symbol: o.symbol,
      secType: "FUT",
      lastTradeDateOrContractMonth: month,
      exchange: "",
      currency: "",
      localSymbol: "",
      tradingClass: "",
      includeExpired: true,
    }, o.now);
    const c = found[0];
    if (c === undefined) throw new RangeError(`No ${o.symbol} contract for month ${month}`);
    contracts.push(c);
    const gen = new TickGenerator({
      seed: (o.seed ?? 1) * 1000 + k,
      startMs,
      endMs: Math.min(endMs, c.lastTradeMs),
      tickSize: c.minTick,
      startPrice: shape.startPrice + 40 * k,
      timeZone: c.timeZoneId,
      sessionBreak: shape.sessionBreak,
      closedWeekends: shape.closedWeekends,
      liquidHours: shape.liquidHours,
      intensity: o.intensity ?? 0.2,
    });
    const h = new TickHistory({ maxTicks: 50_000_000 });
    let j = 0;
    for (let t = gen.next(); t !== undefined; t = gen.next()) {
      while (j < sessions.length && sessions[j]!.end <= t.ts) j++;
      const session = sessions[j];
      // Outside the catalog's sessions (a break, a weekend) IB has no trades.
      if (session === undefined || t.ts < session.start) continue;
      const date = session.date;
      if (holidays.has(date)) continue;
      const ts = Math.floor(t.ts / 1000) * 1000;
      h.push(ts, t.price, t.size);
      const key = `${c.localSymbol} ${date}`;
      let d = byDay.get(key);
      if (d === undefined) {
        d = { localSymbol: c.localSymbol, date, ts: [], price: [], size: [] };
        byDay.set(key, d);
      }
      d.ts.push(ts);
      d.price.push(t.price);
      d.size.push(t.size);
      total++;
    }
    byConId.set(c.conId, h);
  });
  return {
    contracts,
    total,
    history: (conId) => byConId.get(conId),
    day: (localSymbol, date) =>
      byDay.get(`${localSymbol} ${date}`) ?? { localSymbol, date, ts: [], price: [], size: [] },
  };
}

/**
 * Archive options for `scalpbot sim --archive DAYS`: the trading days of the last `days`
 * calendar days before `now` (Chicago dates, today left out), every contract of `symbol`
 * that is front month in them or expires in them, and a light tape (0.05 trades/s at liquid
 * midday, about 2,500 trades a day) so that a download finishes in seconds.
 */
export function recentArchiveOptions(now: number, days: number, symbol: string): ArchiveOptions {
  const p = localParts(now, ZONE);
  const date = (n: number) => new Date(Date.UTC(p.y, p.m - 1, p.d - n)).toISOString().slice(0, 10);
  const from = date(days);
  const to = date(1);
  const a = addDays(from, -1);
  const b = addDays(to, 0);
  const fromMs = zonedTimeToUtc(a.y, a.m, a.d, 17, 0, ZONE);
  const toMs = zonedTimeToUtc(b.y, b.m, b.d, 16, 0, ZONE);
  // A quarterly contract is the front month for at most the ~100 days before its expiry.
  const months = [...expiredContracts(symbol, now), ...listedContracts(symbol, now)]
    .filter((c) => c.lastTradeMs > fromMs && c.lastTradeMs - 100 * 86_400_000 < toMs)
    .map((c) => c.contractMonth);
  return { symbol, months, from, to, now, intensity: 0.05 };
}
