/**
 * Contract resolution from IB contract details, pure: the front-month roll rule, IB's
 * trading/liquid-hours strings, and the config patch live mode gives the engine (tick size,
 * multiplier, time zone, session starts and liquid hours come from the exchange, not config).
 *
 * Roll rule: among the listed expiries, the front month is the one with the nearest last
 * trade date that is more than `rollDays` days after now. With `rollDays` 5, an ES contract
 * expiring on Friday is left for the next quarter from the Sunday before.
 *
 * @module
 */
import type { Config } from "../config/schema.ts";
import { isTimeZone, localParts, zonedTimeToUtc } from "../time/zone.ts";

const DAY_MS = 86_400_000;

/** The fields of IB's contract details that scalpbot reads (plain data, easy to build in tests). */
export interface DetailsRecord {
  conId: number;
  symbol: string;
  secType: string;
  exchange: string;
  currency: string;
  localSymbol: string;
  /** `yyyymmdd`, `yyyymmdd HH:MM Zone` or `yyyymm`. */
  lastTradeDateOrContractMonth: string;
  /** `yyyymm`, when sent. */
  contractMonth: string;
  minTick: number;
  multiplier: number;
  timeZoneId: string;
  tradingHours: string;
  liquidHours: string;
}

/** A resolved futures contract. */
export interface ResolvedContract extends DetailsRecord {
  /** Last trade time, epoch ms (end of the last trade day when IB gives no time). */
  lastTradeMs: number;
  /** IANA zone the exchange's hours are in. */
  timeZone: string;
}

/** One session of an hours string, epoch ms, end exclusive. */
export interface SessionSpan {
  start: number;
  end: number;
}

/**
 * Last trade time of a contract. IB sends `20250620 08:30 US/Central` (recent servers),
 * `20250620` or a bare month `202506`; a date without a time means the end of that day.
 * Throws SyntaxError for anything else.
 */
export function lastTradeMs(text: string, timeZone: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})?(?:[ -](\d{2}):(\d{2})(?::\d{2})?)?/.exec(text.trim());
  if (m === null) {
    throw new SyntaxError(`Cannot parse lastTradeDateOrContractMonth "${text}"`);
  }
  const y = Number(m[1]);
  const mo = Number(m[2]);
  if (m[3] === undefined) {
    // A bare month: take its last day.
    const last = new Date(Date.UTC(y, mo, 0)).getUTCDate();
    return zonedTimeToUtc(y, mo, last, 0, 0, timeZone) + DAY_MS;
  }
  const d = Number(m[3]);
  if (m[4] === undefined) return zonedTimeToUtc(y, mo, d, 0, 0, timeZone) + DAY_MS;
  return zonedTimeToUtc(y, mo, d, Number(m[4]), Number(m[5]), timeZone);
}

/** Completes a details record with its last trade time and checked zone. */
export function resolveContract(d: DetailsRecord, fallbackZone: string): ResolvedContract {
  const timeZone = isTimeZone(d.timeZoneId) ? d.timeZoneId : fallbackZone;
  return { ...d, timeZone, lastTradeMs: lastTradeMs(d.lastTradeDateOrContractMonth, timeZone) };
}

/** Options of {@linkcode pickFrontMonth}. */
export interface PickOptions {
  /** Skip expiries whose last trade is within this many days of now. */
  rollDays: number;
  /** Wanted contract month `yyyymm`; when set the roll rule does not apply. */
  month?: string | undefined;
}

/**
 * Picks the contract to trade: the given month, or the front month by the roll rule
 * (nearest last trade date more than `rollDays` days away). Undefined when none fits.
 */
export function pickFrontMonth(
  list: readonly ResolvedContract[],
  now: number,
  options: PickOptions,
): ResolvedContract | undefined {
  const sorted = [...list].sort((a, b) => a.lastTradeMs - b.lastTradeMs);
  if (options.month !== undefined) {
    const month = options.month;
    return sorted.find((c) =>
      c.contractMonth === month || c.lastTradeDateOrContractMonth.startsWith(month)
    );
  }
  const horizon = now + options.rollDays * DAY_MS;
  return sorted.find((c) => c.lastTradeMs > horizon);
}

/**
 * Parses IB's hours text (`20250521:1700-20250522:1600;20250524:CLOSED;...`) into sessions
 * in epoch ms, in time order. Throws SyntaxError naming the bad part.
 */
export function parseIbHours(text: string, timeZone: string): SessionSpan[] {
  const out: SessionSpan[] = [];
  for (const raw of text.split(";")) {
    const part = raw.trim();
    if (part === "" || /^\d{8}:CLOSED$/.test(part)) continue;
    const m = /^(\d{4})(\d{2})(\d{2}):(\d{2})(\d{2})-(\d{4})(\d{2})(\d{2}):(\d{2})(\d{2})$/.exec(
      part,
    );
    if (m === null) throw new SyntaxError(`Cannot parse IB hours "${part}" in "${text}"`);
    const n = m.slice(1).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const start = zonedTimeToUtc(n[0], n[1], n[2], n[3], n[4], timeZone);
    const end = zonedTimeToUtc(n[5], n[6], n[7], n[8], n[9], timeZone);
    if (end > start) out.push({ start, end });
  }
  return out.sort((a, b) => a.start - b.start);
}

function hhmm(minute: number): string {
  const m = ((minute % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

/**
 * Daily windows `HH:MM-HH:MM` (the engine's `session.liquid_hours`) of sessions, each end
 * moved `cutMinutes` earlier (flatten before the close), duplicates removed.
 */
export function dailyWindows(
  sessions: readonly SessionSpan[],
  timeZone: string,
  cutMinutes = 0,
): string[] {
  const out = new Set<string>();
  for (const s of sessions) {
    const a = localParts(s.start, timeZone).minuteOfDay;
    const b = localParts(s.end - cutMinutes * 60_000, timeZone).minuteOfDay;
    if (a !== b) out.add(`${hhmm(a)}-${hhmm(b)}`);
  }
  return [...out];
}

/** Local opening times `HH:MM` of sessions (the engine's `session.starts`), sorted, unique. */
export function sessionStarts(sessions: readonly SessionSpan[], timeZone: string): string[] {
  const out = new Set<string>();
  for (const s of sessions) out.add(hhmm(localParts(s.start, timeZone).minuteOfDay));
  return [...out].sort();
}

/**
 * The config copy the live engine gets: tick size, multiplier, zone, session starts and
 * liquid hours from the contract (when `live.contract_hours` is on). The flatten period at
 * the end of each window is the engine's session policy (lib/engine/session_policy.ts).
 */
export function patchConfig(config: Config, c: ResolvedContract): Config {
  if (!config.live.contract_hours) return config;
  const trading = parseIbHours(c.tradingHours, c.timeZone);
  const liquid = parseIbHours(c.liquidHours, c.timeZone);
  const starts = sessionStarts(trading, c.timeZone);
  return {
    ...config,
    contract: { ...config.contract, tick_size: c.minTick, multiplier: c.multiplier },
    session: {
      ...config.session,
      timezone: c.timeZone,
      starts: starts.length > 0 ? starts : config.session.starts,
      liquid_hours: liquid.length > 0
        ? dailyWindows(liquid, c.timeZone)
        : config.session.liquid_hours,
    },
  };
}

/** Account masking lives in `mask.ts` (one function for every printed text). */
export { maskAccount } from "./mask.ts";
