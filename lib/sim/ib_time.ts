/**
 * IB's date, duration and bar-size texts: `20250620 09:30:00 US/Eastern`,
 * `20250620-13:30:00` (UTC), `1 D`, `5 mins`. Pure functions over epoch milliseconds.
 *
 * @module
 */

import { isTimeZone, zonedTimeToUtc, zoneOffsetMinutes } from "../time/zone.ts";

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
  if (!isTimeZone(zone)) {
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

/**
 * Longest duration IB serves per bar size, from IB's "Step Sizes" table (historical data
 * limitations): 1 secs up to 1800 S, 5 secs up to 3600 S, 10-15 secs up to 14400 S,
 * 30 secs up to 28800 S, 1 min up to 1 D, 2 mins up to 2 D, 3-20 mins up to 1 W,
 * 30 mins-8 hours up to 1 M. Daily bars: IB's table says 1 Y but TWS serves more; we cap at
 * 20 Y so one request stays a few thousand bars.
 */
const MAX_DURATION: ReadonlyArray<readonly [maxBarMs: number, max: IbDuration]> = [
  [1000, { count: 1800, unit: "S" }],
  [5000, { count: 3600, unit: "S" }],
  [15_000, { count: 14400, unit: "S" }],
  [30_000, { count: 28800, unit: "S" }],
  [60_000, { count: 1, unit: "D" }],
  [120_000, { count: 2, unit: "D" }],
  [1_200_000, { count: 1, unit: "W" }],
  [28_800_000, { count: 1, unit: "M" }],
  [DAY_MS, { count: 20, unit: "Y" }],
];

/** Nominal seconds of a duration, months as 31 days and years as 366 (upper bounds). */
function nominalSeconds(d: IbDuration): number {
  const unit = { S: 1, D: 86_400, W: 604_800, M: 31 * 86_400, Y: 366 * 86_400 }[d.unit];
  return d.count * unit;
}

/** Longest duration IB serves for bars of `barMs` (see IB's step-size table). */
export function maxDurationForBar(barMs: number): IbDuration {
  for (const [upTo, max] of MAX_DURATION) if (barMs <= upTo) return max;
  throw new RangeError(`No duration limit for bar length ${barMs} ms`);
}

/** True when `duration` is within what IB serves for bars of `barMs`. */
export function durationFitsBar(duration: IbDuration, barMs: number): boolean {
  return nominalSeconds(duration) <= nominalSeconds(maxDurationForBar(barMs));
}

/** Length in ms of an IB bar size (`1 secs` .. `1 day`); throws SyntaxError for others. */
export function parseBarSize(text: string): number {
  const t = text.trim().replace(/\s+/g, " ");
  if (!VALID_BARS.has(t)) throw new SyntaxError(`Cannot parse IB bar size "${text}"`);
  const [n, unit] = t.split(" ");
  return Number(n) * BAR_UNITS[unit!]!;
}
