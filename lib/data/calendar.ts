/**
 * Trading days of a contract in the past, pure. IB's contract details give the trading
 * hours of the coming week only; a week of them is taken as the weekly pattern (local open
 * and close per weekday, DST-correct when applied to another date). A holiday of the past is
 * not in the pattern: it shows up as a session without trades (recorded as an empty day).
 *
 * A session's trading day is the local date of its close (CME's Sunday 17:00 to Monday
 * 16:00 session is Monday's), as the exchange books it.
 *
 * @module
 */
import { parseIbHours, type SessionSpan } from "../ib/contract.ts";
import { localParts, zonedTimeToUtc } from "../time/zone.ts";

const DAY_MS = 86_400_000;

/** One weekly session: local open on its weekday, local close `closeDays` later. */
interface WeeklySession {
  openMinute: number;
  closeDays: number;
  closeMinute: number;
}

/** A contract's weekly session pattern in its exchange zone. */
export interface WeeklyPattern {
  timeZone: string;
  /** Sessions by weekday of their open (0 = Sunday). */
  byWeekday: WeeklySession[][];
}

/** One trading day: its date `yyyy-mm-dd` and its sessions, in time order. */
export interface TradingDay {
  date: string;
  sessions: SessionSpan[];
}

function dayNumber(y: number, m: number, d: number): number {
  return Math.round(Date.UTC(y, m - 1, d) / DAY_MS);
}

function fromDayNumber(n: number): { y: number; m: number; d: number } {
  const t = new Date(n * DAY_MS);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

/** `yyyy-mm-dd` of a day number. */
function isoDate(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The weekly pattern of IB's `tradingHours` (or `liquidHours`) text. Throws SyntaxError
 * for unreadable hours and RangeError when they hold no session at all.
 */
export function weeklyPattern(hours: string, timeZone: string): WeeklyPattern {
  const byWeekday: WeeklySession[][] = [[], [], [], [], [], [], []];
  const seen = new Set<string>();
  const spans = parseIbHours(hours, timeZone);
  if (spans.length === 0) throw new RangeError(`No session in the trading hours "${hours}"`);
  for (const s of spans) {
    const a = localParts(s.start, timeZone);
    const b = localParts(s.end, timeZone);
    const w: WeeklySession = {
      openMinute: a.minuteOfDay,
      closeDays: dayNumber(b.y, b.m, b.d) - dayNumber(a.y, a.m, a.d),
      closeMinute: b.minuteOfDay,
    };
    const key = `${a.weekday}|${w.openMinute}|${w.closeDays}|${w.closeMinute}`;
    if (seen.has(key)) continue;
    seen.add(key);
    byWeekday[a.weekday]!.push(w);
  }
  for (const list of byWeekday) list.sort((x, y) => x.openMinute - y.openMinute);
  return { timeZone, byWeekday };
}

/**
 * The trading days `from`..`to` (`yyyy-mm-dd`, inclusive) of a pattern, oldest first;
 * days without a session (weekends) are left out. Throws RangeError for a bad date.
 */
export function tradingDays(pattern: WeeklyPattern, from: string, to: string): TradingDay[] {
  const a = parseDate(from);
  const b = parseDate(to);
  const z = pattern.timeZone;
  const days = new Map<number, SessionSpan[]>();
  // Sessions open up to a week before their trading day.
  for (let n = a - 7; n <= b; n++) {
    const { y, m, d } = fromDayNumber(n);
    const weekday = new Date(n * DAY_MS).getUTCDay();
    for (const w of pattern.byWeekday[weekday]!) {
      const c = fromDayNumber(n + w.closeDays);
      const start = zonedTimeToUtc(y, m, d, Math.floor(w.openMinute / 60), w.openMinute % 60, z);
      const end = zonedTimeToUtc(
        c.y,
        c.m,
        c.d,
        Math.floor(w.closeMinute / 60),
        w.closeMinute % 60,
        z,
      );
      const e = localParts(end - 1, z);
      const day = dayNumber(e.y, e.m, e.d);
      if (day < a || day > b || !(end > start)) continue;
      const list = days.get(day) ?? [];
      list.push({ start, end });
      days.set(day, list);
    }
  }
  return [...days.entries()].sort((x, y) => x[0] - y[0]).map(([n, sessions]) => ({
    date: isoDate(n),
    sessions: sessions.sort((x, y) => x.start - y.start),
  }));
}

/** Day number of a `yyyy-mm-dd` date; RangeError naming the text otherwise. */
export function parseDate(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (m !== null) {
    const n = dayNumber(Number(m[1]), Number(m[2]), Number(m[3]));
    if (isoDate(n) === text) return n;
  }
  throw new RangeError(`"${text}" is not a date yyyy-mm-dd`);
}
