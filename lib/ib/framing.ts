/**
 * A guard for TWS's wire framing (4-byte big-endian length, then the message), run on the
 * socket's bytes before `@stoqey/ib` sees them.
 *
 * Why: @stoqey/ib 1.6.10's `Socket.onData` reads the length with `readInt32BE` and then
 * `slice(4 + msgSize)`. A negative length (`80 00 00 00 41`) never advances the buffer: a
 * synchronous loop at 100% CPU that not even SIGINT stops. A huge length is buffered with a
 * `Buffer.concat` per chunk up to 16 MiB, which a slow trickle turns into ~500 MB of RSS.
 * The guard reads the length itself, refuses a bad one before buffering anything, and hands
 * the library only whole frames, so the library's own buffer never holds a partial message.
 *
 * @module
 */

/**
 * Largest message accepted, header excluded. Measured with the simulator's encoders: the
 * biggest answer the bot asks for, a 1000-row historical-ticks page, is 29 KB (plus the rest
 * of its earliest second); a contract-details record is under 1 KB; `reqHistoricalData`
 * bars take 83 bytes each, so a month of 1-minute futures bars (~30,000) is ~2.5 MB.
 * 4 MiB leaves room for all of these. The guard allocates by doubling, never past the
 * announced length, so a frame costs at most 1.5 times its length while it grows (the
 * library's own 16 MiB limit, reached by a trickle, cost ~500 MB of RSS).
 */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;

/** A framing violation: the connection must be dropped. */
export class FramingError extends RangeError {
  /** Builds the error; `message` says what was wrong and the value. */
  constructor(message: string) {
    super(message);
    this.name = "FramingError";
  }
}

/** Options of {@linkcode FrameGuard}. */
export interface FrameGuardOptions {
  /** Largest message body accepted, in bytes (default {@linkcode MAX_FRAME_BYTES}). */
  maxFrameBytes?: number;
}

const FIRST_CHUNK = 64 * 1024;
const decoder = new TextDecoder();

/**
 * Splits a byte stream into whole frames, checking each length prefix. The first frame of
 * a connection must be the handshake answer: a server version (digits) then a NUL.
 *
 * @example
 * ```ts
 * const guard = new FrameGuard();
 * const bytes = new Uint8Array([0, 0, 0, 4, 0x31, 0x37, 0x36, 0]); // "176\0"
 * guard.push(bytes.subarray(0, 3)).length; // 0: incomplete
 * guard.push(bytes.subarray(3)).length; // 1: one whole frame, header included
 * ```
 */
export class FrameGuard {
  /** Largest message body accepted. */
  readonly maxFrameBytes: number;
  #header = new Uint8Array(4);
  #headerFill = 0;
  /** The frame being filled (header included), or undefined between frames. */
  #frame: Uint8Array | undefined;
  #frameLen = 0;
  #fill = 0;
  #frames = 0;
  #failed: FramingError | undefined;

  /** Creates a guard for one connection. */
  constructor(options: FrameGuardOptions = {}) {
    this.maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
  }

  /** Bytes held for a frame not complete yet. */
  get buffered(): number {
    return this.#headerFill + this.#fill;
  }

  /** Capacity currently allocated for the incomplete frame. */
  get allocated(): number {
    return this.#frame?.length ?? 0;
  }

  /** Whole frames seen since the last `reset`. */
  get frames(): number {
    return this.#frames;
  }

  /** Forgets everything: call on each new connection. */
  reset(): void {
    this.#headerFill = 0;
    this.#frame = undefined;
    this.#frameLen = 0;
    this.#fill = 0;
    this.#frames = 0;
    this.#failed = undefined;
  }

  /**
   * Takes the next bytes of the stream; returns the frames they complete, each with its
   * 4-byte header. Throws a {@linkcode FramingError} on a bad length or handshake, and again
   * on every later call until `reset`.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.#failed !== undefined) throw this.#failed;
    const out: Uint8Array[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (this.#frame === undefined) {
        const take = Math.min(4 - this.#headerFill, chunk.length - i);
        this.#header.set(chunk.subarray(i, i + take), this.#headerFill);
        this.#headerFill += take;
        i += take;
        if (this.#headerFill < 4) break;
        const len = new DataView(this.#header.buffer).getInt32(0, false);
        this.#check(len);
        this.#frameLen = 4 + len;
        this.#frame = new Uint8Array(Math.min(this.#frameLen, FIRST_CHUNK));
        this.#frame.set(this.#header, 0);
        this.#fill = 4;
        this.#headerFill = 0;
      }
      const need = this.#frameLen - this.#fill;
      const take = Math.min(need, chunk.length - i);
      this.#ensure(this.#fill + take);
      this.#frame!.set(chunk.subarray(i, i + take), this.#fill);
      this.#fill += take;
      i += take;
      if (this.#fill === this.#frameLen) {
        const frame = this.#frame!.length === this.#frameLen
          ? this.#frame!
          : this.#frame!.slice(0, this.#frameLen);
        if (this.#frames === 0) this.#checkHandshake(frame);
        this.#frames++;
        out.push(frame);
        this.#frame = undefined;
        this.#fill = 0;
      }
    }
    return out;
  }

  #fail(message: string): never {
    this.#failed = new FramingError(message);
    this.#frame = undefined;
    this.#fill = 0;
    this.#headerFill = 0;
    throw this.#failed;
  }

  #check(len: number): void {
    const hex = (len >>> 0).toString(16).padStart(8, "0");
    if (len < 0) this.#fail(`negative message length ${len} (0x${hex})`);
    // Every TWS message ends with a NUL, so none is empty.
    if (len === 0) this.#fail(`empty message (length 0)`);
    if (len > this.maxFrameBytes) {
      this.#fail(`message length ${len} (0x${hex}) above the ${this.maxFrameBytes}-byte cap`);
    }
  }

  #checkHandshake(frame: Uint8Array): void {
    const body = frame.subarray(4, Math.min(frame.length, 4 + 40));
    const nul = body.indexOf(0);
    const version = decoder.decode(nul < 0 ? body : body.subarray(0, nul));
    if (nul < 1 || !/^\d{1,6}$/.test(version)) {
      this.#fail(`handshake answer is not a server version: ${JSON.stringify(version)}`);
    }
  }

  #ensure(size: number): void {
    const f = this.#frame!;
    if (size <= f.length) return;
    let cap = f.length;
    while (cap < size) cap *= 2;
    const grown = new Uint8Array(Math.min(cap, this.#frameLen));
    grown.set(f.subarray(0, this.#fill), 0);
    this.#frame = grown;
  }
}
