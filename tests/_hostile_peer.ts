/**
 * Raw TCP peers for the hostile-peer tests: a one-connection server on 127.0.0.1 that plays
 * a script after the client's hello, and an IB adapter that records what it reports.
 * Private to tests/hostile_peer_test.ts and tests/ib_hostile_*_test.ts.
 *
 * @module
 */
import assert from "node:assert/strict";
import { IbAdapter, type IbAdapterOptions } from "../lib/ib/adapter.ts";
import { managedAccounts, nextValidId } from "../lib/sim/messages.ts";
import { encodeFrame, type Field, frameText } from "../lib/sim/wire.ts";

/** Server version the raw peers announce. */
export const SERVER_VERSION = 176;
/** Handshake timeout given to the adapter in these tests. */
export const HANDSHAKE_MS = 300;

/** What a raw peer does after reading the client's hello. */
export type Script = (conn: Deno.Conn) => Promise<void>;

/** A one-connection raw TCP peer running `script` after reading the client's hello. */
export function peer(script: Script): { port: number; done: Promise<void>; close(): void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  let conn: Deno.Conn | undefined;
  const done = (async () => {
    conn = await listener.accept();
    const c = conn;
    // The hello: "API\0", then a frame "v100..193".
    const buf = new Uint8Array(64);
    let got = 0;
    while (got < 8) {
      const n = await c.read(buf.subarray(got));
      if (n === null) return;
      got += n;
    }
    // Read and drop whatever the client sends later, so its writes never block.
    const drain = (async () => {
      const sink = new Uint8Array(4096);
      try {
        while ((await c.read(sink)) !== null) { /* requests are not answered */ }
      } catch { /* closed */ }
    })();
    try {
      await script(c);
    } catch { /* the adapter closed first */ }
    await drain;
  })();
  return {
    port,
    done,
    close() {
      try {
        listener.close();
      } catch { /* closed */ }
      try {
        conn?.close();
      } catch { /* closed */ }
    },
  };
}

/** What the adapter reported during a case. */
export interface Recorder {
  adapter: IbAdapter;
  warnings: string[];
  errors: string[];
  ticks: Array<[number, number, number]>;
  ready: number;
  disconnects: number;
  /** Largest gap between 10 ms timer callbacks: the event loop's responsiveness. */
  maxLagMs(): number;
  until(what: string, pred: () => boolean, ms?: number): Promise<void>;
  stop(): Promise<void>;
}

/** An adapter to 127.0.0.1:`port` that records everything it reports. */
export function record(port: number, options: Partial<IbAdapterOptions> = {}): Recorder {
  let last = performance.now();
  let lag = 0;
  const beat = setInterval(() => {
    const now = performance.now();
    lag = Math.max(lag, now - last);
    last = now;
  }, 10);
  const r: Recorder = {
    warnings: [],
    errors: [],
    ticks: [],
    ready: 0,
    disconnects: 0,
    adapter: undefined as unknown as IbAdapter,
    maxLagMs: () => lag,
    async until(what, pred, ms = 3000) {
      const t0 = performance.now();
      while (!pred()) {
        if (performance.now() - t0 > ms) {
          throw new Error(`timed out waiting for ${what}; warnings: ${r.warnings.join(" / ")}`);
        }
        await new Promise((res) => setTimeout(res, 5));
      }
    },
    async stop() {
      clearInterval(beat);
      r.adapter.disconnect();
      await new Promise((res) => setTimeout(res, 30));
    },
  };
  r.adapter = new IbAdapter({
    host: "127.0.0.1",
    port,
    clientId: 1,
    maxReqPerSec: 1000,
    tickType: "AllLast",
    handshakeTimeoutMs: HANDSHAKE_MS,
    ...options,
  }, {
    onReady: () => r.ready++,
    onDisconnected: () => r.disconnects++,
    onWarning: (line) => r.warnings.push(line),
    onError: (code, message) => r.errors.push(`${code}: ${message}`),
    onInfo: (code, message) => r.errors.push(`${code}: ${message}`),
    onTick: (_id, ts, price, size) => r.ticks.push([ts, price, size]),
  });
  return r;
}

/** Writes all of `bytes`. */
export const write = async (c: Deno.Conn, bytes: Uint8Array) => {
  await c.write(bytes);
};
/** The handshake answer: server version and time. */
export const serverVersion = (c: Deno.Conn) =>
  write(c, frameText(`${SERVER_VERSION}\u000020261207 11:00:00 Greenwich Mean Time\u0000`));
/** Byte arrays joined into one. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
/** Several frames as one buffer. */
export const frames = (...fs: Field[][]) => concat(...fs.map(encodeFrame));
/** A complete handshake: version, managed accounts, NEXT_VALID_ID. */
export const handshake = async (c: Deno.Conn) => {
  await serverVersion(c);
  await write(c, frames(managedAccounts("DU1234567"), nextValidId(1)));
};
/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
let released: Promise<void> = Promise.resolve();
/** Keeps the connection open, silent, until the current case ends. */
export function hold(_c: Deno.Conn): Promise<void> {
  return released;
}

/** Bad inputs sent by the cases of the running test file (each file counts its own). */
export const campaign = { badInputs: 0 };

/**
 * Runs one case: the peer plays `script`; the adapter connects; `check` asserts on what
 * it recorded. Every case also asserts a responsive loop and no raw stack in any line.
 */
export async function hostileCase(
  script: Script,
  check: (r: Recorder) => Promise<void>,
  options: Partial<IbAdapterOptions> = {},
): Promise<Recorder> {
  const p = peer(script);
  const r = record(p.port, options);
  let release = () => {};
  released = new Promise<void>((res) => release = res);
  try {
    r.adapter.connect();
    await check(r);
    assert.ok(r.maxLagMs() < 500, `event loop stalled for ${r.maxLagMs().toFixed(0)} ms`);
    for (const w of [...r.warnings, ...r.errors]) {
      assert.ok(!/\n\s+at /.test(w), `stack trace in a line: ${w}`);
    }
  } finally {
    release();
    await r.stop();
    p.close();
    await p.done;
  }
  campaign.badInputs++;
  return r;
}

/** Waits for the drop and asserts exactly one warning matching `re`. */
export async function expectDrop(r: Recorder, re: RegExp): Promise<void> {
  await r.until("the disconnect", () => r.disconnects > 0);
  assert.deepEqual(r.warnings.length, 1, r.warnings.join(" / "));
  assert.match(r.warnings[0]!, re);
  assert.deepEqual(r.ready, 0);
}
