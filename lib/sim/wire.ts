/**
 * TWS API framing, pure: the `API\0` prefix, 4-byte big-endian length prefixes and
 * NUL-terminated text fields. Copes with frames split over reads and several frames in
 * one read, and refuses absurd lengths before buffering them.
 *
 * @module
 */

/** Largest client frame the simulator accepts; real requests are far below 64 KiB. */
export const DEFAULT_MAX_FRAME = 1 << 20;

const PREFIX = [0x41, 0x50, 0x49, 0x00]; // "API\0"
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Options of {@linkcode FrameDecoder}. */
export interface FrameDecoderOptions {
  /** Expect the `API\0` prefix before the first frame (server side). Default true. */
  expectPrefix?: boolean;
  /** Largest accepted frame payload in bytes. Default {@linkcode DEFAULT_MAX_FRAME}. */
  maxFrame?: number;
}

/**
 * Incremental decoder of length-prefixed frames. `push` returns the complete payloads
 * found so far; it throws SyntaxError on a wrong prefix and RangeError on a bad length,
 * after which the connection must be closed.
 */
export class FrameDecoder {
  #buf = new Uint8Array(4096);
  #start = 0;
  #end = 0;
  #prefixLeft: number;
  #maxFrame: number;

  /** Creates a decoder; see {@linkcode FrameDecoderOptions}. */
  constructor(options: FrameDecoderOptions = {}) {
    this.#prefixLeft = options.expectPrefix === false ? 0 : PREFIX.length;
    this.#maxFrame = options.maxFrame ?? DEFAULT_MAX_FRAME;
  }

  /** Bytes buffered but not yet part of a complete frame. */
  get pending(): number {
    return this.#end - this.#start;
  }

  /** Appends `chunk` and returns every frame payload completed by it (copies). */
  push(chunk: Uint8Array): Uint8Array[] {
    let offset = 0;
    while (this.#prefixLeft > 0 && offset < chunk.length) {
      const want = PREFIX[PREFIX.length - this.#prefixLeft];
      if (chunk[offset] !== want) {
        throw new SyntaxError(
          `Cannot read API prefix at byte ${PREFIX.length - this.#prefixLeft}: got 0x${
            (chunk[offset] ?? 0).toString(16)
          }`,
        );
      }
      this.#prefixLeft--;
      offset++;
    }
    this.#append(chunk.subarray(offset));
    const frames: Uint8Array[] = [];
    while (this.#end - this.#start >= 4) {
      const b = this.#buf;
      const s = this.#start;
      const len = ((b[s]! << 24) | (b[s + 1]! << 16) | (b[s + 2]! << 8) | b[s + 3]!) >>> 0;
      if (len === 0 || len > this.#maxFrame) {
        throw new RangeError(`Cannot accept frame: length is ${len} (max ${this.#maxFrame})`);
      }
      if (this.#end - s - 4 < len) break;
      frames.push(b.slice(s + 4, s + 4 + len));
      this.#start = s + 4 + len;
    }
    if (this.#start === this.#end) this.#start = this.#end = 0;
    return frames;
  }

  #append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.#end + bytes.length > this.#buf.length) {
      const live = this.#end - this.#start;
      const size = Math.max(this.#buf.length, (live + bytes.length) * 2);
      const next = size === this.#buf.length ? this.#buf : new Uint8Array(size);
      next.set(this.#buf.subarray(this.#start, this.#end), 0);
      this.#buf = next;
      this.#start = 0;
      this.#end = live;
    }
    this.#buf.set(bytes, this.#end);
    this.#end += bytes.length;
  }
}

/**
 * Splits a frame payload into its NUL-terminated text fields. Throws SyntaxError when
 * the payload is not UTF-8 or its last field is unterminated.
 */
export function splitFields(payload: Uint8Array): string[] {
  let text: string;
  try {
    text = decoder.decode(payload);
  } catch {
    throw new SyntaxError(`Cannot decode frame of ${payload.length} bytes: not UTF-8`);
  }
  if (!text.endsWith("\0")) {
    throw new SyntaxError(
      `Cannot split frame: last field is unterminated in ${JSON.stringify(text.slice(-20))}`,
    );
  }
  return text.slice(0, -1).split("\0");
}

/** One field value as the wire writes it: numbers in plain decimal, booleans as 0/1. */
export type Field = string | number | boolean;

/** Text of `fields`, each NUL-terminated (the payload of one frame). */
export function joinFields(fields: readonly Field[]): string {
  let s = "";
  for (const f of fields) {
    s += (typeof f === "boolean" ? (f ? "1" : "0") : String(f)) + "\0";
  }
  return s;
}

/** Encodes `fields` as one length-prefixed frame. */
export function encodeFrame(fields: readonly Field[]): Uint8Array {
  return frameText(joinFields(fields));
}

/** Encodes already-joined field text as one length-prefixed frame. */
export function frameText(text: string): Uint8Array {
  const body = encoder.encode(text);
  const out = new Uint8Array(body.length + 4);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(body, 4);
  return out;
}

/**
 * Accumulates many frames into one buffer, so a burst of ticks costs one socket write.
 * ASCII-only fast path; any other text goes through TextEncoder.
 */
export class FrameWriter {
  #buf = new Uint8Array(1 << 16);
  #len = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.#len;
  }

  /** Appends one frame holding `text` (already NUL-terminated fields). */
  writeText(text: string): void {
    const max = text.length * 3 + 4;
    this.#reserve(max);
    const at = this.#len;
    const r = encoder.encodeInto(text, this.#buf.subarray(at + 4));
    new DataView(this.#buf.buffer).setUint32(at, r.written);
    this.#len = at + 4 + r.written;
  }

  /** Appends one frame of `fields`. */
  write(fields: readonly Field[]): void {
    this.writeText(joinFields(fields));
  }

  /** Returns the bytes written (a copy) and empties the writer. */
  take(): Uint8Array {
    const out = this.#buf.slice(0, this.#len);
    this.#len = 0;
    return out;
  }

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + n));
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }
}

/** Encodes the client's opening bytes: `API\0` then the length-prefixed version range. */
export function encodeHandshake(minVersion: number, maxVersion: number): Uint8Array {
  const text = minVersion < maxVersion ? `v${minVersion}..${maxVersion}` : `v${minVersion}`;
  const body = encoder.encode(text);
  const out = new Uint8Array(8 + body.length);
  out.set(PREFIX, 0);
  new DataView(out.buffer).setUint32(4, body.length);
  out.set(body, 8);
  return out;
}

/** A client's supported version range from its handshake text. */
export interface VersionRange {
  min: number;
  max: number;
}

/**
 * Parses the handshake text `v100..193` or `v157` (options after a space are ignored).
 * Throws SyntaxError when it is not that shape.
 */
export function parseVersionRange(text: string): VersionRange {
  const m = /^v(\d{1,4})(?:\.\.(\d{1,4}))?(?:\s.*)?$/s.exec(text);
  if (m === null) {
    throw new SyntaxError(`Cannot parse version range: ${JSON.stringify(text.slice(0, 40))}`);
  }
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : Number(m[2]);
  if (max < min) throw new SyntaxError(`Cannot parse version range: ${JSON.stringify(text)}`);
  return { min, max };
}
