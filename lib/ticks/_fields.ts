/**
 * Byte-level field parsers for the tick CSV reader (private to `lib/ticks/`).
 *
 * The fast parsers read straight from a `Uint8Array` starting at a position and stop at
 * the first byte that cannot continue the field; they report that position in
 * `cursor.pos`. They never read past a `\n`, which the caller guarantees ends every line
 * (the sentinel that lets the loops skip bounds checks). They return `NaN` when the field
 * needs the slow path; the slow parsers work on strings and explain what is wrong.
 *
 * @module
 */

/** Where the last fast parse stopped, and why a timestamp failed (a `TS_*` code). */
export const cursor = { pos: 0, err: 0 };

/** Exact powers of ten 10^0 .. 10^22 (all exactly representable as doubles). */
const POW10 = new Float64Array(23);
for (let i = 0, v = 1; i < 23; i++, v *= 10) POW10[i] = v;

/** Most significant digits whose integer value is exact in a double (< 2^53). */
const MAX_FAST_DIGITS = 15;

/**
 * Parses an unsigned decimal `123`, `123.45`, `.5` or `7.` at `p`.
 *
 * With at most 15 digits the mantissa is an exact integer and 10^frac an exact double,
 * so one IEEE division gives the correctly rounded value, the same as `parseFloat`.
 * Anything else (sign, exponent, more digits, no digits) returns NaN for the slow path.
 */
export function fastDecimal(buf: Uint8Array, p: number): number {
  let mant = 0;
  let digits = 0;
  let c = buf[p]! - 48;
  while (c >>> 0 < 10) {
    mant = mant * 10 + c;
    digits++;
    c = buf[++p]! - 48;
  }
  let frac = 0;
  if (c === -2) { // '.'
    c = buf[++p]! - 48;
    while (c >>> 0 < 10) {
      mant = mant * 10 + c;
      frac++;
      c = buf[++p]! - 48;
    }
    digits += frac;
  }
  cursor.pos = p;
  if (digits === 0 || digits > MAX_FAST_DIGITS) return NaN;
  return frac === 0 ? mant : mant / POW10[frac]!;
}

const DECIMAL_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parses a decimal number from text (sign and exponent allowed); NaN when it is not one. */
export function slowDecimal(text: string): number {
  return DECIMAL_RE.test(text) ? Number(text) : NaN;
}

/**
 * Timestamp failure codes kept in `cursor.err`. This one: not an ISO-8601 date-time or
 * epoch number.
 */
export const TS_FORMAT = 1;
/** Month outside 01..12. */
export const TS_MONTH = 2;
/** Day outside the month's days. */
export const TS_DAY = 3;
/** Hour above 23. */
export const TS_HOUR = 4;
/** Minute above 59. */
export const TS_MINUTE = 5;
/** Second above 59. */
export const TS_SECOND = 6;
/** Bad time-zone offset. */
export const TS_ZONE = 7;
/** Epoch number at or above `EPOCH_MAX`. */
export const TS_RANGE = 8;

/** Epoch numbers below this are seconds, at or above it milliseconds (1e11 ms is 1973-03-03). */
export const EPOCH_SECONDS_BELOW = 1e11;
/** Epoch numbers at or above this are rejected (they look like micro- or nanoseconds). */
export const EPOCH_MAX = 1e14;

const DAY_MS = 86_400_000;
const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

// Consecutive ticks nearly always share a date, so the day's epoch is cached by YYYYMMDD.
let cachedKey = -1;
let cachedDayMs = 0;

function dayMs(y: number, m: number, d: number): number {
  const key = y * 10000 + m * 100 + d;
  if (key === cachedKey) return cachedDayMs;
  if (m < 1 || m > 12) {
    cursor.err = TS_MONTH;
    return NaN;
  }
  const leap = m === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d < 1 || d > DAYS_IN_MONTH[m]! + (leap ? 1 : 0)) {
    cursor.err = TS_DAY;
    return NaN;
  }
  cachedKey = key;
  cachedDayMs = daysFromCivil(y, m, d) * DAY_MS;
  return cachedDayMs;
}

function d2(buf: Uint8Array, p: number): number {
  const a = buf[p]! - 48;
  const b = buf[p + 1]! - 48;
  return a >>> 0 < 10 && b >>> 0 < 10 ? a * 10 + b : -1;
}

/**
 * Parses an ISO-8601 date-time `YYYY-MM-DD[T ]hh:mm:ss[.fff...][Z|±hh[:mm]]` at `p` to
 * epoch ms; no zone means UTC. Fraction digits beyond milliseconds are read and dropped.
 */
function fastIso(buf: Uint8Array, p: number): number {
  cursor.err = TS_FORMAT;
  const y0 = d2(buf, p);
  const y1 = d2(buf, p + 2);
  const mo = d2(buf, p + 5);
  const d = d2(buf, p + 8);
  const sep = buf[p + 10];
  if ((y0 | y1 | mo | d) < 0 || buf[p + 7] !== 45 || (sep !== 84 && sep !== 32 && sep !== 116)) {
    cursor.pos = p;
    return NaN;
  }
  const hh = d2(buf, p + 11);
  const mi = d2(buf, p + 14);
  const ss = d2(buf, p + 17);
  if ((hh | mi | ss) < 0 || buf[p + 13] !== 58 || buf[p + 16] !== 58) {
    cursor.pos = p;
    return NaN;
  }
  const day = dayMs(y0 * 100 + y1, mo, d);
  if (day !== day) return NaN;
  if (hh > 23) return tsFail(TS_HOUR, p);
  if (mi > 59) return tsFail(TS_MINUTE, p);
  if (ss > 59) return tsFail(TS_SECOND, p);
  let ms = 0;
  let q = p + 19;
  let c = buf[q]!;
  if (c === 46) {
    // Millisecond digits count; the rest only order trades within a millisecond.
    let n = 0;
    let x = buf[++q]! - 48;
    while (x >>> 0 < 10) {
      if (n < 3) ms = ms * 10 + x;
      n++;
      x = buf[++q]! - 48;
    }
    if (n === 0) return tsFail(TS_FORMAT, p);
    if (n === 1) ms *= 100;
    else if (n === 2) ms *= 10;
    c = buf[q]!;
  }
  let t = day + hh * 3_600_000 + mi * 60_000 + ss * 1000 + ms;
  if (c === 90 || c === 122) { // Z z
    q++;
  } else if (c === 43 || c === 45) { // + -
    const oh = d2(buf, q + 1);
    if (oh < 0) return tsFail(TS_ZONE, p);
    let om = 0;
    q += 3;
    if (buf[q] === 58) {
      om = d2(buf, q + 1);
      if (om < 0) return tsFail(TS_ZONE, p);
      q += 3;
    } else if ((buf[q]! - 48) >>> 0 < 10) {
      om = d2(buf, q);
      if (om < 0) return tsFail(TS_ZONE, p);
      q += 2;
    }
    if (oh > 23 || om > 59) return tsFail(TS_ZONE, p);
    const off = oh * 3_600_000 + om * 60_000;
    t = c === 43 ? t - off : t + off;
  }
  cursor.pos = q;
  cursor.err = 0;
  return t;
}

function tsFail(code: number, p: number): number {
  cursor.err = code;
  cursor.pos = p;
  return NaN;
}

/**
 * Parses epoch seconds (fraction allowed) or epoch milliseconds at `p`: values below
 * 1e11 are seconds (1e11 s is the year 5138), values from 1e11 (1973-03-03 in ms) up to
 * 1e14 are milliseconds, larger ones are rejected. Sub-millisecond digits are dropped.
 */
function fastEpoch(buf: Uint8Array, p: number): number {
  let v = 0;
  let digits = 0;
  let c = buf[p]! - 48;
  while (c >>> 0 < 10) {
    v = v * 10 + c;
    digits++;
    c = buf[++p]! - 48;
  }
  let fracMs = 0;
  let n = 0;
  if (c === -2) {
    c = buf[++p]! - 48;
    while (c >>> 0 < 10) {
      if (n < 3) fracMs = fracMs * 10 + c;
      n++;
      c = buf[++p]! - 48;
    }
    if (n === 1) fracMs *= 100;
    else if (n === 2) fracMs *= 10;
  }
  cursor.pos = p;
  if (digits === 0 || digits > MAX_FAST_DIGITS) {
    cursor.err = TS_FORMAT;
    return NaN;
  }
  if (v < EPOCH_SECONDS_BELOW) return v * 1000 + fracMs;
  if (v < EPOCH_MAX) return v;
  cursor.err = TS_RANGE;
  return NaN;
}

/**
 * Parses a timestamp field at `p`: ISO-8601 when the fifth byte is `-`, else an epoch
 * number. Returns epoch ms or NaN (with `cursor.err` saying why).
 */
export function fastTimestamp(buf: Uint8Array, p: number): number {
  return buf[p + 4] === 45 ? fastIso(buf, p) : fastEpoch(buf, p);
}

const scratchEncoder = new TextEncoder();

/**
 * Parses a timestamp from text (already trimmed); returns epoch ms, or a string saying
 * what is wrong. Used on the slow path only.
 */
export function slowTimestamp(text: string): number | string {
  const bytes = scratchEncoder.encode(text + "\n");
  const t = fastTimestamp(bytes, 0);
  if (t === t && cursor.pos === bytes.length - 1) return t;
  const err = t === t ? TS_FORMAT : cursor.err;
  if (err === TS_FORMAT && bytes[4] !== 45) {
    // Epoch numbers with a sign, an exponent or many digits.
    const v = slowDecimal(text);
    if (v === v) {
      if (v < 0) return "negative";
      if (v < EPOCH_SECONDS_BELOW) return Math.floor(v * 1000);
      if (v < EPOCH_MAX) return Math.floor(v);
      return "out of range: epoch seconds must be < 1e11, milliseconds < 1e14";
    }
  }
  switch (err) {
    case TS_MONTH:
      return `month ${text.slice(5, 7)} out of range`;
    case TS_DAY:
      return `day ${text.slice(8, 10)} out of range`;
    case TS_HOUR:
      return `hour ${text.slice(11, 13)} out of range`;
    case TS_MINUTE:
      return `minute ${text.slice(14, 16)} out of range`;
    case TS_SECOND:
      return `second ${text.slice(17, 19)} out of range`;
    case TS_ZONE:
      return "bad time-zone offset";
    case TS_RANGE:
      return "out of range: epoch seconds must be < 1e11, milliseconds < 1e14";
    default:
      return "not an ISO-8601 date-time or epoch number";
  }
}
