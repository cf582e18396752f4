/**
 * Reading one journal line's `Key=Value` fields strictly: numbers, money, integers, ISO times
 * with offsets, escaped text and names, each with an error that names the kind and the key.
 * The line format itself is in format.ts.
 *
 * @module
 */

/** Manager and similar names in a journal line (`By=trailing_stop`). */
export const NAME_RE = /^[a-z][a-z0-9_]*$/;
const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{3}))?(Z|([+-])(\d{2}):(\d{2}))$/;
const NUMBER_RE = /^-?\d+(?:\.\d+)?$/;
const MONEY_RE = /^-?\d+\.\d{2}$/;
const INTEGER_RE = /^\d+$/;

/** Thrown inside the parser; turned into a JournalParseError with the location. */
export class Bad extends Error {}

/** Epoch ms of an ISO-8601 time with explicit offset, or undefined if malformed. */
export function parseIso(text: string): number | undefined {
  const m = ISO_RE.exec(text);
  if (m === null) return undefined;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as number[];
  if (mo! < 1 || mo! > 12 || d! < 1 || d! > 31 || h! > 23 || mi! > 59 || s! > 59) return undefined;
  const ms = m[7] === undefined ? 0 : Number(m[7]);
  let offsetMin = 0;
  if (m[8] !== "Z") {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offsetMin = (m[9] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  const local = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, ms);
  // Date.UTC rolls Feb 30 over to March; a rolled date is not the date written.
  if (new Date(local).getUTCDate() !== d) return undefined;
  return local - offsetMin * 60_000;
}

function unescapeText(value: string, key: string): string {
  return value.replace(/%(..)?/g, (match, hex: string | undefined) => {
    if (hex === undefined || !/^[0-9A-Fa-f]{2}$/.test(hex)) {
      throw new Bad(`${key} has a bad escape ${JSON.stringify(match)}`);
    }
    return String.fromCharCode(parseInt(hex, 16));
  });
}

/** Key/value access for one line, with messages that name the kind and the key. */
export class Fields {
  #kind: string;
  #map: Map<string, string>;

  /** The fields of one line of `kind`. */
  constructor(kind: string, map: Map<string, string>) {
    this.#kind = kind;
    this.#map = map;
  }

  /** True when the line has `key`. */
  has(key: string): boolean {
    return this.#map.has(key);
  }

  /** The keys, in line order. */
  keys(): string[] {
    return [...this.#map.keys()];
  }

  /** The value as written; throws when missing. */
  raw(key: string): string {
    const v = this.#map.get(key);
    if (v === undefined) throw new Bad(`${this.#kind} is missing ${key}`);
    return v;
  }

  #bad(key: string, v: string, want: string): Bad {
    return new Bad(`${this.#kind} ${key} is ${JSON.stringify(v)}, expected ${want}`);
  }

  /** Percent-unescaped text. */
  text(key: string): string {
    return unescapeText(this.raw(key), `${this.#kind} ${key}`);
  }

  /** A plain decimal number. */
  number(key: string): number {
    const v = this.raw(key);
    if (!NUMBER_RE.test(v)) throw this.#bad(key, v, "a number");
    return Number(v);
  }

  /** An amount with exactly 2 decimals. */
  money(key: string): number {
    const v = this.raw(key);
    if (!MONEY_RE.test(v)) throw this.#bad(key, v, "an amount with 2 decimals");
    return Number(v);
  }

  /** A non-negative safe integer. */
  integer(key: string): number {
    const v = this.raw(key);
    if (!INTEGER_RE.test(v) || !Number.isSafeInteger(Number(v))) {
      throw this.#bad(key, v, "a non-negative integer");
    }
    return Number(v);
  }

  /** An ISO time with offset, as epoch ms. */
  time(key: string): number {
    const v = this.raw(key);
    const ms = parseIso(v);
    if (ms === undefined) throw this.#bad(key, v, "an ISO time with offset");
    return ms;
  }

  /** A name: lower-case letters, digits, `_`. */
  name(key: string): string {
    const v = this.raw(key);
    if (!NAME_RE.test(v)) throw this.#bad(key, v, "a name (a-z, 0-9, _)");
    return v;
  }

  /** One of `allowed`. */
  oneOf<T extends string>(key: string, allowed: readonly T[]): T {
    const v = this.raw(key);
    if (!(allowed as readonly string[]).includes(v)) {
      throw this.#bad(key, v, `one of ${allowed.join(", ")}`);
    }
    return v as T;
  }
}
