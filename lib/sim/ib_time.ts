/**
 * IB's date, duration and bar-size texts: `20250620 09:30:00 US/Eastern`,
 * `20250620-13:30:00` (UTC), `1 D`, `5 mins`. Pure functions over epoch milliseconds.
 *
 * @module
 */

import { assertTimeZone, zonedTimeToUtc, zoneOffsetMinutes } from "../time/zone.ts";

const DAY_MS = 86_400_000;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/**
 * Parses an IB date-time: `yyyymmdd HH:MM:SS` (in `defaultZone`), `yyyymmdd HH:MM:SS ZONE`,
 * `yyyymmdd-HH:MM:SS` (UTC) or `yyyymmdd` (midnight in `defaultZone`). Throws SyntaxError.
 */
export function parseIbDateTime(text: string, defaultZone: string): number {
  const t = text.trim();
  const m = /^(\d{4})(\d{2})(\d{2})(?:([ -])(\d{2}):(\d{2}):(\d{2})(?:\s+(\S+))?)?$/.exec(t);
  if (m === null) throw new SyntaxError(`Cannot parse IB date-time "${text}"`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const hh = Number(m[5] ?? 0);
  const mm = Number(m[6] ?? 0);
  const ss = Number(m[7] ?? 0);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 59) {
    throw new SyntaxError(`Cannot parse IB date-time "${text}": field out of range`);
  }
  if (m[4] === "-") {
    if (m[8] !== undefined) throw new SyntaxError(`Cannot parse IB date-time "${text}"`);
    return Date.UTC(y, mo - 1, d, hh, mm, ss);
  }
  const zone = m[8] ?? defaultZone;
  try {
    assertTimeZone(zone);
  } catch {
    throw new SyntaxError(`Cannot parse IB date-time "${text}": unknown time zone "${zone}"`);
  }
  return zonedTimeToUtc(y, mo, d, hh, mm, zone) + ss * 1000;
}

/** Local wall-clock fields of `ms` in `zone`. */
function wall(ms: number, zone: string): Date {
  return new Date(ms + zoneOffsetMinutes(ms, zone) * 60_000);
}

/** `yyyymmdd` of `ms` in `zone`. */
export function formatIbDate(ms: number, zone: string): string {
  const w = wall(ms, zone);
  return `${w.getUTCFullYear()}${pad(w.getUTCMonth() + 1)}${pad(w.getUTCDate())}`;
}

/** `yyyymmdd HH:MM:SS ZONE` of `ms`, as TWS writes bar dates with a time zone. */
export function formatIbDateTime(ms: number, zone: string): string {
  const w = wall(ms, zone);
  return `${formatIbDate(ms, zone)} ${pad(w.getUTCHours())}:${pad(w.getUTCMinutes())}:${
    pad(w.getUTCSeconds())
  } ${zone}`;
}

/** Connection-time text of the server's first frame, e.g. `20250323 22:21:01 Greenwich Mean Time`. */
export function formatConnectionTime(ms: number): string {
  const w = new Date(ms);
  return `${w.getUTCFullYear()}${pad(w.getUTCMonth() + 1)}${pad(w.getUTCDate())} ${
    pad(w.getUTCHours())
  }:${pad(w.getUTCMinutes())}:${pad(w.getUTCSeconds())} Greenwich Mean Time`;
}

/** A parsed IB duration such as `3600 S` or `2 D`. */
export interface IbDuration {
  count: number;
  unit: "S" | "D" | "W" | "M" | "Y";
}

/** Parses an IB duration string (`N S|D|W|M|Y`); throws SyntaxError. */
export function parseIbDuration(text: string): IbDuration {
  const m = /^\s*(\d{1,6})\s+([SDWMY])\s*$/.exec(text);
  if (m === null || Number(m[1]) === 0) throw new SyntaxError(`Cannot parse IB duration "${text}"`);
  return { count: Number(m[1]), unit: m[2] as IbDuration["unit"] };
}

/** Start of the span `duration` ending at `end` (calendar arithmetic in UTC for M/Y). */
export function durationStart(end: number, duration: IbDuration): number {
  switch (duration.unit) {
    case "S":
      return end - duration.count * 1000;
    case "D":
      return end - duration.count * DAY_MS;
    case "W":
      return end - duration.count * 7 * DAY_MS;
    case "M": {
      const d = new Date(end);
      d.setUTCMonth(d.getUTCMonth() - duration.count);
      return d.getTime();
    }
    case "Y": {
      const d = new Date(end);
      d.setUTCFullYear(d.getUTCFullYear() - duration.count);
      return d.getTime();
    }
  }
}

const BAR_UNITS: Record<string, number> = {
  sec: 1000,
  secs: 1000,
  min: 60_000,
  mins: 60_000,
  hour: 3_600_000,
  hours: 3_600_000,
  day: DAY_MS,
};

const VALID_BARS = new Set([
  "1 secs",
  "5 secs",
  "10 secs",
  "15 secs",
  "30 secs",
  "1 min",
  "2 mins",
  "3 mins",
  "5 mins",
  "10 mins",
  "15 mins",
  "20 mins",
  "30 mins",
  "1 hour",
  "2 hours",
  "3 hours",
  "4 hours",
  "8 hours",
  "1 day",
]);

/** Length in ms of an IB bar size (`1 secs` .. `1 day`); throws SyntaxError for others. */
export function parseBarSize(text: string): number {
  const t = text.trim().replace(/\s+/g, " ");
  if (!VALID_BARS.has(t)) throw new SyntaxError(`Cannot parse IB bar size "${text}"`);
  const [n, unit] = t.split(" ");
  return Number(n) * BAR_UNITS[unit!]!;
}
