/**
 * Push-based, allocation-free parser of tick CSV text into reusable columnar batches.
 * No I/O: feed it bytes with `push`, finish with `end`. See `csv_reader.ts` for files.
 *
 * Format rules:
 * - A header line names the columns (case-insensitive, surrounding spaces and quotes
 *   ignored). Time: `ts_utc`, `ts`, `time`, `timestamp` or `datetime`; `price`; size:
 *   `size`, `qty`, `quantity` or `volume`. Other columns are ignored. Fields are split on
 *   every comma: quoted fields with commas inside are not supported.
 * - Timestamps: ISO-8601 `YYYY-MM-DDThh:mm:ss[.f...][Z|±hh:mm|±hhmm|±hh]` (`T` or a
 *   space; no zone means UTC), or an epoch number: below 1e11 it is seconds (fraction
 *   allowed), from 1e11 to 1e14 milliseconds, larger values are rejected. Output is whole
 *   epoch milliseconds: sub-millisecond digits are parsed and dropped (truncated); the
 *   file order still orders trades within a millisecond, and ticks are never reordered.
 * - Price must be > 0 and below `MAX_PRICE` (1e9); size >= 0 (size 0 is valid here) and
 *   below `MAX_SIZE` (1e9): the bounds of every tick source (`bounds.ts`), so a 1e300
 *   price is a malformed line, not a tick the engine must drop. Ticks that go back in
 *   time are valid here: the engine has the late-tick policy.
 * - CRLF or LF line endings, a UTF-8 BOM, blank lines (skipped) and a last line without
 *   newline are accepted. A line longer than 65,536 bytes is malformed.
 *
 * @module
 */

import type { Tick, TickBatch } from "../types.ts";
import { cursor, fastDecimal, fastTimestamp, slowDecimal, slowTimestamp } from "./_fields.ts";
import { MAX_PRICE, MAX_SIZE } from "./bounds.ts";

/** Longest accepted line in bytes, which bounds the memory held for a split line. */
export const MAX_LINE_BYTES = 65_536;
/** How many malformed lines `TickReadStats.firstMalformed` keeps. */
export const MAX_KEPT_MALFORMED = 10;
const MAX_TEXT = 120;
// The bounds as written in messages: "1e9".
const PRICE_BOUND = MAX_PRICE.toExponential().replace("+", "");
const SIZE_BOUND = MAX_SIZE.toExponential().replace("+", "");

const TIME_NAMES = ["ts_utc", "ts", "time", "timestamp", "datetime"];
const PRICE_NAMES = ["price"];
const SIZE_NAMES = ["size", "qty", "quantity", "volume"];

const COL_OTHER = 0;
const COL_TS = 1;
const COL_PRICE = 2;
const COL_SIZE = 3;

/** One malformed line, as kept for display. */
export interface MalformedLine {
  /** 1-based physical line number. */
  line: number;
  /** The line, truncated to about 120 characters. */
  text: string;
  /** What is wrong, e.g. `price is "abc"`. */
  reason: string;
}

/** Counts from one read. */
export interface TickReadStats {
  /** Physical lines read, including the header and blank lines. */
  lines: number;
  /** Ticks delivered. */
  ticks: number;
  /** Malformed lines skipped (only with `skipMalformed`). */
  malformed: number;
  /** The first few malformed lines (at most `MAX_KEPT_MALFORMED`). */
  firstMalformed: MalformedLine[];
  /** Bytes read. */
  bytes: number;
}

/** A tick line (or the header) that cannot be parsed. */
export class TickParseError extends SyntaxError {
  /** The source name given to the parser, e.g. the file path. */
  readonly file: string;
  /** 1-based physical line number. */
  readonly line: number;
  /** The offending line, truncated to about 120 characters. */
  readonly text: string;
  /** What is wrong, without the place, e.g. `price is "abc"`. */
  readonly reason: string;

  /** Builds the error; the message names file, line, reason and text. */
  constructor(file: string, line: number, text: string, reason: string) {
    super(`Cannot parse tick at ${file}:${line}: ${reason} (line: ${JSON.stringify(text)})`);
    this.name = "TickParseError";
    this.file = file;
    this.line = line;
    this.text = text;
    this.reason = reason;
  }
}

/** Options of {@linkcode TickCsvParser}. */
export interface TickCsvParserOptions {
  /** Name used in errors, e.g. the file path. */
  source: string;
  /** Ticks per batch (default 8192). */
  batchSize?: number;
  /** Skip and count malformed lines instead of throwing (default false). */
  skipMalformed?: boolean;
  /**
   * Receives each full batch, and the last partial one at `end`. The same batch object
   * and arrays are reused: consume them synchronously, copy what you keep.
   */
  onBatch: (batch: TickBatch) => void;
}

const decoder = new TextDecoder();

/**
 * Batch arrays of ended parsers, by batch size. A backtest of a store reads hundreds of day
 * files; arrays per file are memory outside V8's heap that young collections do not free.
 */
const spareBatches = new Map<number, TickBatch[]>();
const MAX_SPARE_BATCHES = 4;

function truncate(text: string): string {
  return text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) + "..." : text;
}

function unquote(field: string): string {
  const t = field.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
}

function isStandard(kinds: Uint8Array | null): boolean {
  return kinds !== null && kinds.length === 3 && kinds[0] === COL_TS &&
    kinds[1] === COL_PRICE && kinds[2] === COL_SIZE;
}

/**
 * Streaming tick CSV parser: bytes in, reusable `TickBatch`es out.
 *
 * @example
 * ```ts
 * const p = new TickCsvParser({ source: "t.csv", onBatch: (b) => console.log(b.count) });
 * p.push(new TextEncoder().encode("ts_utc,price,size\n2024-01-02T14:30:00Z,4800.25,1\n"));
 * p.end(); // logs 1
 * ```
 */
export class TickCsvParser {
  #source: string;
  #skip: boolean;
  #onBatch: (batch: TickBatch) => void;
  #batch: TickBatch;
  #cap: number;
  // Bytes of a line split across pushes; always ends with the `\n` sentinel when parsed.
  #carry = new Uint8Array(256);
  #carryLen = 0;
  #overlong = false;
  #lineNo = 0;
  #kinds: Uint8Array | null = null;
  #names: string[] = [];
  #ticks = 0;
  #malformed = 0;
  #firstMalformed: MalformedLine[] = [];
  #bytes = 0;
  #ended = false;

  /** Creates a parser; nothing is read until `push`. */
  constructor(options: TickCsvParserOptions) {
    const size = options.batchSize ?? 8192;
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`Cannot create TickCsvParser: batchSize is ${size}`);
    }
    this.#source = options.source;
    this.#skip = options.skipMalformed ?? false;
    this.#onBatch = options.onBatch;
    this.#cap = size;
    this.#batch = spareBatches.get(size)?.pop() ?? {
      ts: new Float64Array(size),
      price: new Float64Array(size),
      size: new Float64Array(size),
      count: 0,
    };
  }

  /**
   * Parses the complete lines in `chunk`, delivers their ticks (a batch may be partly
   * full, so a slow source such as a pipe is never held back), and keeps a trailing partial
   * line for the next push. The chunk is not kept, so the caller may reuse its buffer.
   */
  push(chunk: Uint8Array): void {
    if (this.#ended) throw new TypeError(`Cannot push to ${this.#source}: parser has ended`);
    this.#bytes += chunk.length;
    let pos = 0;
    if (this.#carryLen > 0 || this.#overlong) {
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        this.#append(chunk, 0, chunk.length);
        return;
      }
      this.#append(chunk, 0, nl + 1);
      this.#finishCarry();
      pos = nl + 1;
    }
    const last = chunk.lastIndexOf(10);
    if (last >= pos) pos = this.#parseLines(chunk, pos, last);
    if (pos < chunk.length) this.#append(chunk, pos, chunk.length);
    this.#flush();
  }

  /** Parses a last line without newline, delivers the last batch and returns counts. */
  end(): TickReadStats {
    if (this.#ended) throw new TypeError(`Cannot end ${this.#source}: parser has ended`);
    if (this.#carryLen > 0 || this.#overlong) {
      this.#append(new Uint8Array([10]), 0, 1);
      this.#finishCarry();
    }
    this.#ended = true;
    if (this.#kinds === null) {
      throw new TickParseError(this.#source, Math.max(1, this.#lineNo), "", "no header line");
    }
    this.#flush();
    // Consumers are done with the batch (they consume it in onBatch): the next parser takes it.
    const spare = spareBatches.get(this.#cap) ?? [];
    if (spare.length < MAX_SPARE_BATCHES) spare.push(this.#batch);
    spareBatches.set(this.#cap, spare);
    return {
      lines: this.#lineNo,
      ticks: this.#ticks,
      malformed: this.#malformed,
      firstMalformed: this.#firstMalformed,
      bytes: this.#bytes,
    };
  }

  #flush(): void {
    const b = this.#batch;
    if (b.count > 0) {
      this.#ticks += b.count;
      this.#onBatch(b);
      b.count = 0;
    }
  }

  #append(src: Uint8Array, from: number, to: number): void {
    let n = to - from;
    const room = MAX_LINE_BYTES + 1 - this.#carryLen;
    if (n > room) {
      // Keep only a prefix (for the error text) and drop the rest up to the newline.
      this.#overlong = true;
      n = Math.max(0, room - 1);
    }
    if (this.#carryLen + n > this.#carry.length) {
      const grown = new Uint8Array(Math.min(MAX_LINE_BYTES + 1, (this.#carryLen + n) * 2));
      grown.set(this.#carry.subarray(0, this.#carryLen));
      this.#carry = grown;
    }
    this.#carry.set(src.subarray(from, from + n), this.#carryLen);
    this.#carryLen += n;
  }

  #finishCarry(): void {
    if (this.#overlong) {
      this.#lineNo++;
      const text = decoder.decode(this.#carry.subarray(0, Math.min(this.#carryLen, 200)));
      this.#bad(truncate(text), `line is longer than ${MAX_LINE_BYTES} bytes`);
    } else {
      this.#parseLines(this.#carry, 0, this.#carryLen - 1);
    }
    this.#carryLen = 0;
    this.#overlong = false;
  }

  /** Records or throws a malformed line (line number already counted). */
  #bad(text: string, reason: string): void {
    if (!this.#skip) {
      this.#flush();
      throw new TickParseError(this.#source, this.#lineNo, text, reason);
    }
    this.#malformed++;
    if (this.#firstMalformed.length < MAX_KEPT_MALFORMED) {
      this.#firstMalformed.push({ line: this.#lineNo, text, reason });
    }
  }

  /**
   * The hot loop: parses the lines in `buf[pos..last]`, where `buf[last]` is `\n`, and
   * returns `last + 1`. Well-formed lines are parsed in one pass over their bytes;
   * anything unusual goes to `#slowLine`.
   */
  #parseLines(buf: Uint8Array, pos: number, last: number): number {
    const batch = this.#batch;
    const tsA = batch.ts;
    const priceA = batch.price;
    const sizeA = batch.size;
    const cap = this.#cap;
    let n = batch.count;
    let lineNo = this.#lineNo;
    let kinds = this.#kinds;
    let nCols = kinds === null ? 0 : kinds.length;
    let std = isStandard(kinds);
    while (pos <= last) {
      lineNo++;
      const start = pos;
      let c = buf[pos]!;
      if (c === 10) {
        pos++;
        continue;
      }
      if (c === 13 && buf[pos + 1] === 10) {
        pos += 2;
        continue;
      }
      let t = NaN;
      let p = NaN;
      let s = NaN;
      let ok = false;
      if (std) {
        // The shared-data layout `ts,price,size`, unrolled.
        t = fastTimestamp(buf, pos);
        let q = cursor.pos;
        if (buf[q] === 44) {
          p = fastDecimal(buf, q + 1);
          q = cursor.pos;
          if (buf[q] === 44) {
            s = fastDecimal(buf, q + 1);
            q = cursor.pos;
            c = buf[q]!;
            // NaN fails every comparison; the fast parser reads no sign, so s >= 0.
            if (t === t && p > 0 && p < MAX_PRICE && s < MAX_SIZE && q - start <= MAX_LINE_BYTES) {
              if (c === 10) {
                ok = true;
                pos = q + 1;
              } else if (c === 13 && buf[q + 1] === 10) {
                ok = true;
                pos = q + 2;
              }
            }
          }
        }
      } else if (kinds !== null) {
        let q = pos;
        for (let col = 0;;) {
          const k = kinds[col];
          if (k === COL_TS) t = fastTimestamp(buf, q);
          else if (k === COL_PRICE) p = fastDecimal(buf, q);
          else if (k === COL_SIZE) s = fastDecimal(buf, q);
          else {
            while ((c = buf[q]!) !== 44 && c !== 10 && c !== 13) q++;
            cursor.pos = q;
          }
          q = cursor.pos;
          c = buf[q]!;
          if (++col === nCols) break;
          if (c !== 44) {
            q = -1;
            break;
          }
          q++;
        }
        if (
          q >= 0 && t === t && p > 0 && p < MAX_PRICE && s < MAX_SIZE &&
          q - start <= MAX_LINE_BYTES
        ) {
          if (c === 10) {
            ok = true;
            pos = q + 1;
          } else if (c === 13 && buf[q + 1] === 10) {
            ok = true;
            pos = q + 2;
          }
        }
      }
      if (ok) {
        tsA[n] = t;
        priceA[n] = p;
        sizeA[n] = s;
        if (++n === cap) {
          batch.count = n;
          this.#ticks += n;
          this.#onBatch(batch);
          n = 0;
          batch.count = 0;
        }
        continue;
      }
      this.#lineNo = lineNo;
      batch.count = n;
      pos = this.#slowLine(buf, start);
      n = batch.count;
      kinds = this.#kinds;
      nCols = kinds === null ? 0 : kinds.length;
      std = isStandard(kinds);
    }
    this.#lineNo = lineNo;
    batch.count = n;
    return pos;
  }

  /** Header, blank-with-spaces and unusual or malformed lines; returns the next position. */
  #slowLine(buf: Uint8Array, start: number): number {
    const nl = buf.indexOf(10, start);
    const end = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
    const line = decoder.decode(buf.subarray(start, end));
    const next = nl + 1;
    if (line.trim() === "") return next;
    if (this.#kinds === null) {
      this.#header(line);
      return next;
    }
    const text = truncate(line);
    if (end - start > MAX_LINE_BYTES) {
      this.#bad(text, `line is longer than ${MAX_LINE_BYTES} bytes`);
      return next;
    }
    const kinds = this.#kinds;
    const fields = line.split(",");
    if (fields.length !== kinds.length) {
      this.#bad(text, `expected ${kinds.length} fields, found ${fields.length}`);
      return next;
    }
    let t = NaN;
    let p = NaN;
    let s = NaN;
    for (let i = 0; i < kinds.length; i++) {
      const k = kinds[i];
      if (k === COL_OTHER) continue;
      const raw = fields[i]!;
      const f = unquote(raw);
      const name = this.#names[i]!;
      if (k === COL_TS) {
        const v = slowTimestamp(f);
        if (typeof v === "string") {
          this.#bad(text, `${name} is ${JSON.stringify(raw)} (${v})`);
          return next;
        }
        t = v;
      } else if (k === COL_PRICE) {
        p = slowDecimal(f);
        if (!(p > 0 && p < MAX_PRICE)) {
          const why = p === p ? ` (must be positive and below ${PRICE_BOUND})` : "";
          this.#bad(text, `${name} is ${JSON.stringify(raw)}${why}`);
          return next;
        }
      } else {
        s = slowDecimal(f);
        if (!(s >= 0 && s < MAX_SIZE)) {
          const why = s === s ? ` (must be non-negative and below ${SIZE_BOUND})` : "";
          this.#bad(text, `${name} is ${JSON.stringify(raw)}${why}`);
          return next;
        }
      }
    }
    const b = this.#batch;
    b.ts[b.count] = t;
    b.price[b.count] = p;
    b.size[b.count] = s + 0; // -0 -> 0
    if (++b.count === this.#cap) {
      this.#ticks += b.count;
      this.#onBatch(b);
      b.count = 0;
    }
    return next;
  }

  #header(line: string): void {
    const names = line.split(",").map((f) => unquote(f));
    const lower = names.map((f) => f.toLowerCase());
    const find = (wanted: string[]) => {
      for (const w of wanted) {
        const i = lower.indexOf(w);
        if (i >= 0) return i;
      }
      return -1;
    };
    const ti = find(TIME_NAMES);
    const pi = find(PRICE_NAMES);
    const si = find(SIZE_NAMES);
    const missing: string[] = [];
    if (ti < 0) missing.push(`time (${TIME_NAMES.join("/")})`);
    if (pi < 0) missing.push("price");
    if (si < 0) missing.push(`size (${SIZE_NAMES.join("/")})`);
    if (missing.length > 0) {
      throw new TickParseError(
        this.#source,
        this.#lineNo,
        truncate(line),
        `header has no ${missing.join(", no ")} column`,
      );
    }
    const kinds = new Uint8Array(names.length);
    kinds[ti] = COL_TS;
    kinds[pi] = COL_PRICE;
    kinds[si] = COL_SIZE;
    this.#kinds = kinds;
    this.#names = names;
  }
}

/** Options of {@linkcode parseTickCsvText}. */
export interface ParseTickCsvTextOptions {
  /** Name used in errors (default `"text"`). */
  source?: string;
  /** Skip and count malformed lines instead of throwing (default false). */
  skipMalformed?: boolean;
}

/**
 * Parses a whole CSV text into `Tick` objects; for tests and small inputs.
 *
 * @example
 * ```ts
 * const { ticks } = parseTickCsvText("ts,price,size\n1700000000,10.5,2\n");
 * // ticks = [{ ts: 1700000000000, price: 10.5, size: 2 }]
 * ```
 */
export function parseTickCsvText(
  text: string,
  options: ParseTickCsvTextOptions = {},
): { ticks: Tick[]; stats: TickReadStats } {
  const ticks: Tick[] = [];
  const parser = new TickCsvParser({
    source: options.source ?? "text",
    skipMalformed: options.skipMalformed ?? false,
    onBatch: (b) => {
      for (let i = 0; i < b.count; i++) {
        ticks.push({ ts: b.ts[i]!, price: b.price[i]!, size: b.size[i]! });
      }
    },
  });
  parser.push(new TextEncoder().encode(text));
  return { ticks, stats: parser.end() };
}
