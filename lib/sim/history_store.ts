/**
 * A generated multi-day trade history for the simulator's history requests: several
 * contracts of one CME-style symbol (a 17:00-16:00 Chicago session, a daily break, closed
 * weekends), holidays without trades, and each contract's trades ending at its last trade
 * time, so a download across a roll meets an expired contract. Stamps are whole seconds,
 * as IB's history has them. Deterministic for a seed.
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
  type SimContract,
} from "./contracts.ts";
import { type SimArchive, TickHistory } from "./feed.ts";

/** Options of {@linkcode generateArchive}. */
export interface ArchiveOptions {
  /** Catalog symbol with a CME-style session (MES, ES). */
  symbol: string;
  /** Contract months `yyyymm` to generate. */
  months: string[];
  /** First and last trading day `yyyy-mm-dd` (a day's session opens at 17:00 the day before). */
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

const ZONE = "US/Central";
const OPEN_MINUTE = 17 * 60;

function addDays(date: string, n: number): { y: number; m: number; d: number } {
  const t = new Date(Date.parse(date + "T00:00:00Z") + n * 86_400_000);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

/** Trading day of a CME trade: the next date from the 17:00 open on. */
function tradingDate(ts: number): string {
  const p = localParts(ts, ZONE);
  const shift = p.minuteOfDay >= OPEN_MINUTE ? 1 : 0;
  return new Date(Date.UTC(p.y, p.m - 1, p.d + shift)).toISOString().slice(0, 10);
}

/** Generates the archive; RangeError for a month the catalog does not list at `now`. */
export function generateArchive(o: ArchiveOptions): GeneratedArchive {
  const first = addDays(o.from, -1);
  const last = addDays(o.to, 0);
  const startMs = zonedTimeToUtc(first.y, first.m, first.d, 17, 0, ZONE);
  const endMs = zonedTimeToUtc(last.y, last.m, last.d, 16, 0, ZONE);
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
      startPrice: 6500 + 40 * k,
      timeZone: ZONE,
      sessionBreak: { start: "16:00", end: "17:00" },
      liquidHours: { start: "08:30", end: "15:00" },
      intensity: o.intensity ?? 0.2,
    });
    const h = new TickHistory({ maxTicks: 50_000_000 });
    for (let t = gen.next(); t !== undefined; t = gen.next()) {
      const date = tradingDate(t.ts);
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
