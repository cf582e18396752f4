/**
 * A broken or hostile TWS peer: a raw TCP server on 127.0.0.1 answers the IB adapter with
 * bad framing, a cut or silent handshake, undecodable messages and out-of-range values.
 * Every case must end in one clear line (or a counted drop), with no exception escaping,
 * no hang, and the event loop kept responsive. `BAD_INPUTS` counts the cases for the
 * issue's campaign figure.
 *
 * @module
 */
import assert from "node:assert/strict";
import { IbAdapter, type IbAdapterOptions, type TickPage } from "../lib/ib/adapter.ts";
import { MAX_FRAME_BYTES } from "../lib/ib/framing.ts";
import { LiveRunner } from "../lib/live/runner.ts";
import { MemoryJournal } from "../lib/journal/writer.ts";
import { journalFormatOptions } from "../lib/cli/console.ts";
import { generatedTicks, liveConfig, startLiveRun, until } from "./_live_harness.ts";
import { parseJournalLine } from "../lib/journal/format.ts";
import {
  contractData,
  contractDataEnd,
  errorMsg,
  managedAccounts,
  nextValidId,
} from "../lib/sim/messages.ts";
import { listedContracts } from "../lib/sim/contracts.ts";
import { encodeFrame, type Field, frameText } from "../lib/sim/wire.ts";

const SERVER_VERSION = 176;
const HANDSHAKE_MS = 300;
/** Bad inputs sent by this file, counted as the cases run. */
let badInputs = 0;

type Script = (conn: Deno.Conn) => Promise<void>;

/** A one-connection raw TCP peer running `script` after reading the client's hello. */
function peer(script: Script): { port: number; done: Promise<void>; close(): void } {
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

interface Recorder {
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

function record(port: number, options: Partial<IbAdapterOptions> = {}): Recorder {
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

const write = async (c: Deno.Conn, bytes: Uint8Array) => {
  await c.write(bytes);
};
const serverVersion = (c: Deno.Conn) =>
  write(c, frameText(`${SERVER_VERSION}\u000020261207 11:00:00 Greenwich Mean Time\u0000`));
const frames = (...fs: Field[][]) => {
  const parts = fs.map(encodeFrame);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const handshake = async (c: Deno.Conn) => {
  await serverVersion(c);
  await write(c, frames(managedAccounts("DU1234567"), nextValidId(1)));
};
const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
/** Keeps the connection open, silent, until the case ends. */
let hold: (c: Deno.Conn) => Promise<void> = () => Promise.resolve();

/**
 * Runs one case: the peer plays `script`; the adapter connects; `check` asserts on what
 * it recorded. Every case also asserts a responsive loop and no raw stack in any line.
 */
async function hostileCase(
  script: Script,
  check: (r: Recorder) => Promise<void>,
  options: Partial<IbAdapterOptions> = {},
): Promise<Recorder> {
  const p = peer(script);
  const r = record(p.port, options);
  let release = () => {};
  const released = new Promise<void>((res) => release = res);
  hold = () => released;
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
  badInputs++;
  return r;
}

/** Waits for the drop and asserts exactly one warning matching `re`. */
async function expectDrop(r: Recorder, re: RegExp): Promise<void> {
  await r.until("the disconnect", () => r.disconnects > 0);
  assert.deepEqual(r.warnings.length, 1, r.warnings.join(" / "));
  assert.match(r.warnings[0]!, re);
  assert.deepEqual(r.ready, 0);
}

// ---- framing ----

Deno.test("hostile peer: a negative length prefix (80 00 00 00 41) drops the connection with one line", async () => {
  const r = await hostileCase(
    async (c) => {
      await write(c, new Uint8Array([0x80, 0, 0, 0, 0x41]));
      await hold(c);
    },
    (r) => expectDrop(r, /bad framing .*negative message length -2147483648 \(0x80000000\)/),
  );
  assert.deepEqual(r.adapter.stats.protocolDrops, 1);
});

for (
  const [label, bytes] of [
    ["-1", [0xff, 0xff, 0xff, 0xff]],
    ["0x80000041", [0x80, 0, 0, 0x41]],
    ["-4", [0xff, 0xff, 0xff, 0xfc]],
  ] as const
) {
  Deno.test(`hostile peer: length prefix ${label} as the first frame is refused`, async () => {
    await hostileCase(async (c) => {
      await write(c, new Uint8Array([...bytes, 0x41, 0x42]));
      await hold(c);
    }, (r) => expectDrop(r, /negative message length/));
  });
}

Deno.test("hostile peer: a negative length after a good handshake drops the connection", async () => {
  await hostileCase(async (c) => {
    await handshake(c);
    await sleep(50);
    await write(c, new Uint8Array([0x80, 0, 0, 0, 0x41]));
    await hold(c);
  }, async (r) => {
    await r.until("the drop", () => r.disconnects > 0);
    assert.deepEqual(r.ready, 1);
    assert.deepEqual(r.warnings.length, 1);
    assert.match(r.warnings[0]!, /negative message length/);
  });
});

Deno.test("hostile peer: an empty message (length 0) is refused", async () => {
  await hostileCase(async (c) => {
    await write(c, new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0]));
    await hold(c);
  }, (r) => expectDrop(r, /empty message \(length 0\)/));
});

Deno.test("hostile peer: a 0x7fffffff length with a slow trickle is dropped before anything is buffered", async () => {
  const rss0 = Deno.memoryUsage().rss;
  let sent = 0;
  await hostileCase(
    async (c) => {
      await write(c, new Uint8Array([0x7f, 0xff, 0xff, 0xff]));
      const chunk = new Uint8Array(1024).fill(0x41);
      for (let i = 0; i < 200; i++) {
        await write(c, chunk);
        sent += chunk.length;
        await sleep(1);
      }
    },
    (r) =>
      expectDrop(
        r,
        new RegExp(`length 2147483647 \\(0x7fffffff\\) above the ${MAX_FRAME_BYTES}-byte cap`),
      ),
  );
  // The library would have held every byte (and copied the buffer on each chunk).
  const grown = Deno.memoryUsage().rss - rss0;
  assert.ok(grown < 64 * 1024 * 1024, `RSS grew by ${grown} bytes`);
  assert.ok(sent < 200 * 1024 + 1);
});

Deno.test("hostile peer: a length just above the cap is refused; one at the cap, cut short, is not held after the close", async () => {
  await hostileCase(async (c) => {
    const h = new Uint8Array(4);
    new DataView(h.buffer).setInt32(0, MAX_FRAME_BYTES + 1);
    await write(c, h);
    await hold(c);
  }, (r) => expectDrop(r, /above the .*-byte cap/));
  await hostileCase(async (c) => {
    await handshake(c);
    await sleep(30);
    const h = new Uint8Array(4);
    new DataView(h.buffer).setInt32(0, MAX_FRAME_BYTES);
    await write(c, h);
    for (let i = 0; i < 20; i++) await write(c, new Uint8Array(4096).fill(0x31));
    await sleep(50);
    c.close();
  }, async (r) => {
    await r.until("the close", () => r.disconnects > 0);
    assert.deepEqual(r.warnings.length, 1, r.warnings.join(" / "));
    assert.match(
      r.warnings[0]!,
      /closed the connection in the middle of a message \(\d+ bytes received\)/,
    );
  });
});

Deno.test("hostile peer: an HTTP answer instead of the handshake is refused by its length", async () => {
  await hostileCase(async (c) => {
    await write(c, new TextEncoder().encode("HTTP/1.1 400 Bad Request\r\n\r\n"));
    await hold(c);
  }, (r) => expectDrop(r, /length 1213486160 \(0x48545450\) above the/));
});

Deno.test("hostile peer: a handshake frame without a server version is refused", async () => {
  for (const text of ["hello\0world\0", "\0\0", "176", "-5\0x\0", "99999999\0t\0"]) {
    await hostileCase(async (c) => {
      await write(c, frameText(text));
      await hold(c);
    }, (r) => expectDrop(r, /handshake answer is not a server version/));
  }
});

/** Deterministic bytes (xorshift32). */
function randomBytes(seed: number, n: number): Uint8Array {
  let x = seed >>> 0 || 1;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

Deno.test("hostile peer: 40 connections of random bytes each end in one line, none hangs", async () => {
  for (let seed = 1; seed <= 40; seed++) {
    await hostileCase(async (c) => {
      await write(c, randomBytes(seed, 64));
      await hold(c);
    }, async (r) => {
      await r.until("the drop", () => r.disconnects > 0);
      assert.deepEqual(r.warnings.length, 1, `seed ${seed}: ${r.warnings.join(" / ")}`);
      assert.match(
        r.warnings[0]!,
        /bad framing|did not complete the API handshake/,
        `seed ${seed}`,
      );
    });
  }
});

Deno.test("hostile peer: random bytes after a good handshake end in one line, none hangs", async () => {
  for (let seed = 101; seed <= 120; seed++) {
    await hostileCase(async (c) => {
      await handshake(c);
      await sleep(20);
      await write(c, randomBytes(seed, 256));
      await sleep(100);
      c.close();
    }, async (r) => {
      await r.until("the close", () => r.disconnects > 0);
      assert.deepEqual(r.ready, 1);
      assert.ok(r.warnings.length >= 1 && r.warnings.length <= 2, r.warnings.join(" / "));
      assert.match(r.warnings[0]!, /bad framing|middle of a message|undecodable|cannot decode/);
    });
  }
});

// ---- handshake ----

Deno.test("hostile peer: silence after the TCP accept times out as a failed connect", async () => {
  const r = await hostileCase(
    hold,
    (r) =>
      expectDrop(r, /did not complete the API handshake in 0\.3 s \(no server version came back\)/),
  );
  assert.deepEqual(r.adapter.stats.handshakeTimeouts, 1);
});

Deno.test("hostile peer: a handshake cut in the middle times out", async () => {
  await hostileCase(async (c) => {
    const f = frameText(`${SERVER_VERSION}\u000020261207 11:00:00 GMT\u0000`);
    await write(c, f.subarray(0, 7));
    await hold(c);
  }, (r) => expectDrop(r, /did not complete the API handshake .*no server version came back/));
});

Deno.test("hostile peer: a handshake cut by a close is reported once", async () => {
  await hostileCase(async (c) => {
    const f = frameText(`${SERVER_VERSION}\u000020261207 11:00:00 GMT\u0000`);
    await write(c, f.subarray(0, 7));
    await sleep(30);
    c.close();
  }, (r) => expectDrop(r, /closed the connection during the API handshake/));
});

Deno.test("hostile peer: a server version without NEXT_VALID_ID times out", async () => {
  await hostileCase(async (c) => {
    await serverVersion(c);
    await write(c, frames(managedAccounts("DU1234567")));
    await hold(c);
  }, (r) => expectDrop(r, /did not complete the API handshake .*no NEXT_VALID_ID came back/));
});

Deno.test("hostile peer: silence after a complete handshake keeps the connection (the runner's watchdog owns that)", async () => {
  await hostileCase(async (c) => {
    await handshake(c);
    await hold(c);
  }, async (r) => {
    await r.until("ready", () => r.ready === 1);
    await sleep(HANDSHAKE_MS * 2);
    // The handshake timer was cleared by NEXT_VALID_ID: no drop, no line.
    assert.deepEqual(r.disconnects, 0);
    assert.deepEqual(r.warnings, []);
    const t = r.adapter.currentTime(100).then(() => "answered", (e: Error) => e.message);
    assert.match(await t, /No answer to reqCurrentTime in 100 ms/);
  });
});

// ---- undecodable messages ----

Deno.test("hostile peer: undecodable frames are skipped with one line and counted", async () => {
  const r = await hostileCase(async (c) => {
    await handshake(c);
    await write(c, frames(["abc", 1], [9999, 1, 2], [""], [99, 1001]));
    await write(c, frames(errorMsg(SERVER_VERSION, -1, 2104, "still alive")));
    await hold(c);
  }, async (r) => {
    await r.until("the later message", () => r.errors.some((e) => e.includes("still alive")));
    assert.deepEqual(r.disconnects, 0);
    assert.deepEqual(r.warnings.length, 1, r.warnings.join(" / "));
    assert.match(r.warnings[0]!, /undecodable message from TWS .* later ones are only counted/);
  });
  // The library reports 505 twice for a message with an unknown id and fields after it
  // ("No parser" + "unprocessed data"), once for the lone "" and for the cut TICK_BY_TICK.
  assert.deepEqual(r.adapter.stats.undecodable, 2 + 2 + 1 + 1);
  badInputs += 3;
});

Deno.test("hostile peer: a message that throws in the library's decoder drops the connection", async () => {
  // HISTORICAL_TICKS_LAST with a negative or absurd count: `new Array(n)` throws a RangeError.
  for (const n of [-1, 1e12, -2147483648]) {
    await hostileCase(async (c) => {
      await handshake(c);
      await write(c, frames([98, 1000, n, 1]));
      await hold(c);
    }, async (r) => {
      await r.until("the drop", () => r.disconnects > 0);
      assert.deepEqual(r.warnings.length, 1, r.warnings.join(" / "));
      assert.match(
        r.warnings[0]!,
        /cannot decode a message from TWS .*RangeError: Invalid array length/,
      );
    });
  }
});

// ---- values ----

const NOW_S = Math.floor(Date.UTC(2026, 11, 7, 11, 0, 0) / 1000);
const MES = listedContracts("MES", NOW_S * 1000)[0]!;

/** A session where the adapter learns MES (tick 0.25), subscribes, and gets `rows`. */
async function valueSession(
  live: Array<[string, string, string]>,
  hist: Array<[string, string, string]>,
): Promise<{ r: Recorder; page: TickPage }> {
  let page: TickPage = { ts: [], price: [], size: [] };
  const r = await hostileCase(async (c) => {
    await handshake(c);
    await sleep(60);
    // Request ids are the adapter's: 1000 contract details, 1001 ticks, 1002 history.
    await write(c, frames(contractData(SERVER_VERSION, 1000, MES), contractDataEnd(1000)));
    await sleep(60);
    const out: Uint8Array[] = [];
    for (const [t, p, s] of live) {
      out.push(
        frameText(`99\u00001001\u00002\u0000${t}\u0000${p}\u0000${s}\u00000\u0000CME\u0000\u0000`),
      );
    }
    for (const f of out) await write(c, f);
    let h = `98\u00001002\u0000${hist.length}\u0000`;
    for (const [t, p, s] of hist) h += `${t}\u00000\u0000${p}\u0000${s}\u0000CME\u0000\u0000`;
    h += "1\u0000";
    await sleep(60);
    await write(c, frameText(h));
    await hold(c);
  }, async (r) => {
    await r.until("ready", () => r.ready === 1);
    const details = await r.adapter.contractDetails(
      { symbol: "MES", secType: "FUT", exchange: "CME", currency: "USD" },
      2000,
    );
    assert.deepEqual(details.length, 1);
    assert.deepEqual(details[0]!.minTick, 0.25);
    r.adapter.subscribeTicks(details[0]!.conId, "CME");
    page = await r.adapter.historicalTicksBefore(details[0]!.conId, "CME", NOW_S * 1000, {
      count: 1000,
      timeoutMs: 2000,
    });
    assert.deepEqual(r.disconnects, 0);
  });
  return { r, page };
}

const T = String(NOW_S - 10);
const BAD_ROWS: Array<[string, string, string, RegExp]> = [
  [T, "NaN", "1", /price not a number/],
  [T, "Infinity", "1", /price not a number/],
  [T, "-Infinity", "1", /price not a number/],
  [T, "-5004", "1", /price not positive/],
  [T, "0", "1", /price not positive/],
  [T, "1e300", "1", /price too large/],
  [T, "1e9", "1", /price too large/],
  [T, "5004.1", "1", /price off the tick grid/],
  [T, "5004.26", "1", /price off the tick grid/],
  [T, "abc", "1", /price not a number/],
  [T, "5004.25", "0", /size not positive/],
  [T, "5004.25", "-3", /size not positive/],
  [T, "5004.25", "NaN", /size not a number/],
  [T, "5004.25", "Infinity", /size not a number/],
  [T, "5004.25", "1e300", /size too large/],
  [T, "5004.25", "", /size not a number/],
  ["abc", "5004.25", "1", /time not a number/],
  ["", "5004.25", "1", /time (not a number|out of range)/],
  ["-5", "5004.25", "1", /time out of range/],
  ["1e20", "5004.25", "1", /time out of range/],
  ["99999999999999", "5004.25", "1", /time out of range/],
  ["0", "5004.25", "1", /time out of range/],
  ["4102444800", "5004.25", "1", /time out of range/],
];

Deno.test("hostile peer: out-of-range live trades are dropped, counted, logged once per kind; good ones pass", async () => {
  const good: Array<[string, string, string]> = [[T, "5004.25", "2"], [T, "5004.5", "1"]];
  const rows = [
    good[0]!,
    ...BAD_ROWS.map(([t, p, s]) => [t, p, s] as [string, string, string]),
    good[1]!,
  ];
  const { r } = await valueSession(rows, []);
  await r.until("the ticks", () => r.ticks.length >= 2).catch(() => {});
  assert.deepEqual(r.ticks, [[(NOW_S - 10) * 1000, 5004.25, 2], [(NOW_S - 10) * 1000, 5004.5, 1]]);
  const counts = r.adapter.stats.droppedRows;
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  assert.deepEqual(total, BAD_ROWS.length);
  // One line per distinct kind.
  const kinds = new Set(Object.keys(counts));
  assert.deepEqual(r.warnings.length, kinds.size, r.warnings.join("\n"));
  for (const [t, p, s, re] of BAD_ROWS) {
    assert.ok([...kinds].some((k) => re.test(k)), `no drop kind for ${t}/${p}/${s}`);
  }
  for (const w of r.warnings) assert.match(w, /^\[ib\] dropped a live trade from TWS: /);
  badInputs += BAD_ROWS.length - 1;
});

Deno.test("hostile peer: out-of-range history rows are dropped; the page keeps the good rows in order", async () => {
  const late = String(NOW_S + 5); // after the requested end
  const rows: Array<[string, string, string]> = [
    [String(NOW_S - 30), "5004.25", "1"],
    ...BAD_ROWS.map(([t, p, s]) => [t, p, s] as [string, string, string]),
    [String(NOW_S - 20), "5004.5", "3"],
    [String(NOW_S - 40), "5004.5", "3"], // out of order
    [late, "5004.5", "3"],
  ];
  const { r, page } = await valueSession([], rows);
  assert.deepEqual(page, {
    ts: [(NOW_S - 30) * 1000, (NOW_S - 20) * 1000],
    price: [5004.25, 5004.5],
    size: [1, 3],
  });
  const counts = r.adapter.stats.droppedRows;
  assert.deepEqual(counts["history row: time out of order"], 1);
  assert.deepEqual(counts["history row: time after the requested end"], 1);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  assert.deepEqual(total, BAD_ROWS.length + 2);
  badInputs += BAD_ROWS.length + 1;
});

Deno.test("hostile peer: account ids inside TWS message texts are masked", async () => {
  const r = await hostileCase(async (c) => {
    await handshake(c);
    await write(
      c,
      frames(
        errorMsg(SERVER_VERSION, -1, 2100, "Account DU1234567 and U7654321 were updated"),
        errorMsg(SERVER_VERSION, 7, 201, "Order rejected: account DF123456 has no funds"),
      ),
    );
    await hold(c);
  }, async (r) => {
    await r.until("both messages", () => r.errors.length >= 2);
  });
  assert.deepEqual(r.errors, [
    "2100: Account DU******7 and U*****21 were updated",
    "201: Order rejected: account DF*****6 has no funds",
  ]);
  badInputs += 1;
});

Deno.test("hostile peer: the campaign count of bad inputs sent by this file", () => {
  // Recomputed by the cases above as they ran (run the whole file to get it).
  console.log(`hostile peer bad inputs: ${badInputs}`);
  assert.ok(badInputs === 0 || badInputs >= 100, `only ${badInputs} bad inputs`);
});

// ---- the live runner on top ----

Deno.test("live runner: a peer that never completes the handshake is logged, dropped and retried with backoff", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const conns: Deno.Conn[] = [];
  const accepting = (async () => {
    try {
      for await (const c of listener) conns.push(c); // accepted, never answered
    } catch { /* closed */ }
  })();
  const config = liveConfig(port, (c) => {
    c.live.request_timeout_ms = 150;
    c.live.reconnect_min_ms = 50;
    c.live.reconnect_max_ms = 400;
    c.live.reconnect_jitter = 0.2;
  });
  const lines: string[] = [];
  const runner = new LiveRunner({
    config,
    journal: new MemoryJournal(journalFormatOptions(config)),
    runId: "HOSTILE",
    clock: { now: () => Date.now() },
    version: "test",
    configDigest: "test",
    log: (l) => lines.push(l),
    random: () => 0.5,
  });
  const timeouts = () => lines.filter((l) => /did not complete the API handshake/.test(l));
  try {
    runner.start();
    const t0 = performance.now();
    while (timeouts().length < 3) {
      assert.ok(performance.now() - t0 < 5000, lines.join("\n"));
      await sleep(10);
    }
  } finally {
    runner.stop("test");
    listener.close();
    for (const c of conns) {
      try {
        c.close();
      } catch { /* closed */ }
    }
    await accepting;
    await sleep(30);
  }
  assert.ok(conns.length >= 3);
  assert.match(
    timeouts()[0]!,
    new RegExp(
      `^\\[ib\\] TWS at 127\\.0\\.0\\.1:${port} did not complete the API handshake in 0\\.1 s ` +
        `\\(no server version came back\\): dropping the attempt$`,
    ),
  );
  // Backoff as for a refused connect: min * 2^attempt, times 1 + jitter * 0.5.
  const delays = [50, 100, 200].map((b) => (Math.round(b * 1.1) / 1000).toFixed(1));
  for (let a = 1; a <= 3; a++) {
    assert.ok(
      lines.includes(`[conn] reconnecting in ${delays[a - 1]} s (attempt ${a})`),
      `attempt ${a}:\n${lines.join("\n")}`,
    );
  }
  assert.ok(lines.includes("[conn] connecting -> disconnected"), lines.join("\n"));
});

Deno.test("hostile peer: contract details with a bad minTick or multiplier are dropped, not resolved", async () => {
  const bad = [
    { ...MES, conId: 1, minTick: NaN },
    { ...MES, conId: 2, minTick: 0 },
    { ...MES, conId: 3, minTick: -0.25 },
    { ...MES, conId: 4, multiplier: Infinity },
    { ...MES, conId: 5, multiplier: 0 },
  ];
  let details: unknown[] = [];
  const r = await hostileCase(async (c) => {
    await handshake(c);
    await sleep(60);
    await write(
      c,
      frames(...bad.map((d) => contractData(SERVER_VERSION, 1000, d)), contractDataEnd(1000)),
    );
    await hold(c);
  }, async (r) => {
    await r.until("ready", () => r.ready === 1);
    details = await r.adapter.contractDetails(
      { symbol: "MES", secType: "FUT", exchange: "CME", currency: "USD" },
      2000,
    );
  });
  assert.deepEqual(details, []);
  assert.deepEqual(r.adapter.stats.droppedRows, {
    "contract details record: minTick or multiplier not a positive number": 5,
  });
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0]!, /conId 1, minTick NaN, multiplier 5/);
  badInputs += bad.length - 1;
});

Deno.test("hostile peer: a garbage current time is dropped; the request times out as unanswered", async () => {
  const times = ["abc", "-1", "99999999999", ""];
  const r = await hostileCase(async (c) => {
    await handshake(c);
    await sleep(60);
    await write(c, frames(...times.map((t) => [49, 1, t])));
    await hold(c);
  }, async (r) => {
    await r.until("ready", () => r.ready === 1);
    const got = await r.adapter.currentTime(500).then(String, (e: Error) => e.message);
    assert.match(got, /No answer to reqCurrentTime in 500 ms/);
  });
  assert.deepEqual(r.adapter.stats.droppedRows, { "current time: time out of range": 4 });
  assert.equal(r.warnings.length, 1);
  badInputs += times.length - 1;
});

Deno.test("live runner: NaN, Infinity, negative and 1e300 values from the socket are dropped; bars and journal stay sound", async () => {
  const ticks = generatedTicks(2, 7);
  const lo = Math.min(...ticks.map((t) => t.price));
  const hi = Math.max(...ticks.map((t) => t.price));
  // [field index in a TICK_BY_TICK frame, value]: 3 time, 4 price, 5 size.
  const liveFaults: Array<[number, string]> = [
    [4, "NaN"],
    [4, "Infinity"],
    [4, "-5004"],
    [4, "1e300"],
    [4, "0"],
    [5, "0"],
    [5, "-1"],
    [5, "NaN"],
    [3, "abc"],
    [3, "99999999999999"],
  ];
  // [offset in a HISTORICAL_TICKS_LAST row: 0 time, 2 price, 3 size, value].
  const histFaults: Array<[number, string]> = [[2, "NaN"], [2, "-5004"], [3, "Infinity"], [
    0,
    "-7",
  ]];
  let n99 = 0;
  let n98 = 0;
  const run = await startLiveRun({
    ticks,
    historyMs: 30_000,
    speed: 40,
    patch: (c) => {
      c.live.warmup = "ticks";
    },
    rewrite: (f) => {
      if (f[0] === "99" && ++n99 % 3 === 0) {
        const [i, v] = liveFaults[(n99 / 3) % liveFaults.length]!;
        const g = [...f];
        g[i] = v;
        return g;
      }
      if (f[0] === "98" && Number(f[2]) > histFaults.length) {
        n98++;
        const g = [...f];
        histFaults.forEach(([off, v], k) => g[3 + k * 6 + off] = v);
        return g;
      }
      return f;
    },
  });
  try {
    await run.sim.replayDone();
    await until("bars", () => run.bars.length >= 4, 20_000);
  } finally {
    await run.finish();
  }
  assert.ok(n99 > 30 && n98 >= 1, `${n99} tick frames, ${n98} history pages`);
  assert.equal(run.runner.stats.disconnects, 0);
  for (const b of run.bars) {
    for (const v of [b.open, b.high, b.low, b.close]) {
      assert.ok(v >= lo && v <= hi, `bar price ${v} outside ${lo}..${hi}`);
    }
    assert.ok(Number.isFinite(b.volume) && b.volume > 0);
  }
  const drops = run.lines.filter((l) => l.startsWith("[ib] dropped a "));
  const kinds = drops.map((l) => /^\[ib\] dropped an? ([a-z ]+) from TWS: ([a-z ]+) \(/.exec(l)!);
  // One line per source and kind, never two.
  assert.equal(new Set(kinds.map((m) => `${m[1]}: ${m[2]}`)).size, drops.length);
  const live = kinds.filter((m) => m[1] === "live trade").map((m) => m[2]).sort();
  assert.deepEqual(live, [
    "price not a number",
    "price not positive",
    "price too large",
    "size not a number",
    "size not positive",
    "time not a number",
    "time out of range",
  ]);
  const hist = kinds.filter((m) => m[1] === "history row").map((m) => m[2]).sort();
  assert.deepEqual(hist, [
    "price not a number",
    "price not positive",
    "size not a number",
    "time out of range",
  ]);
  for (const [i, line] of run.journal.lines.entries()) parseJournalLine(line, i + 1, "journal");
  badInputs += liveFaults.length + histFaults.length;
});

Deno.test("live CLI: a peer sending a negative length prefix never hangs the process; SIGINT ends it", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const conns: Deno.Conn[] = [];
  const serving = (async () => {
    try {
      for await (const c of listener) {
        conns.push(c);
        (async () => {
          const buf = new Uint8Array(64);
          await c.read(buf); // the hello
          await c.write(new Uint8Array([0x80, 0, 0, 0, 0x41]));
        })().catch(() => {});
      }
    } catch { /* closed */ }
  })();
  const dir = await Deno.makeTempDir();
  const main = new URL("../main.ts", import.meta.url).pathname;
  await Deno.writeTextFile(
    `${dir}/c.yaml`,
    `ib:\n  port: ${port}\nlive:\n  warmup: "off"\n  reconnect_min_ms: 100\n  reconnect_max_ms: 200\n`,
  );
  const p = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      `--allow-read=${dir},${main.replace(/main\.ts$/, "")}`,
      `--allow-write=${dir}`,
      "--allow-env=LOG_TOKENS,LOG_STREAM",
      `--allow-net=127.0.0.1:${port}`,
      main,
      "live",
      "--config",
      `${dir}/c.yaml`,
      "--journal",
      `${dir}/j.text`,
      "--no-bars",
    ],
    stdout: "piped",
    stderr: "piped",
    env: { DENO_NO_UPDATE_CHECK: "1" },
  }).spawn();
  const reader = p.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  const framing = () => out.split("\n").filter((l) => l.includes("bad framing")).length;
  let killedAt = 0;
  const guard = setTimeout(() => p.kill("SIGKILL"), 20_000);
  try {
    while (framing() < 2) {
      const r = await reader.read();
      if (r.done) break;
      out += r.value;
    }
    p.kill("SIGINT");
    killedAt = performance.now();
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      out += r.value;
    }
  } finally {
    const status = await p.status;
    clearTimeout(guard);
    const stopMs = performance.now() - killedAt;
    const err = await new Response(p.stderr).text();
    listener.close();
    for (const c of conns) {
      try {
        c.close();
      } catch { /* closed */ }
    }
    await serving;
    await Deno.remove(dir, { recursive: true });
    assert.ok(status.signal === null, `killed by ${status.signal}:\n${out}\n${err}`);
    assert.ok(stopMs < 5000, `SIGINT took ${stopMs.toFixed(0)} ms`);
    assert.doesNotMatch(out + err, /\n\s+at /);
  }
  assert.ok(framing() >= 2, out);
  const lines = out.split("\n").filter((l) => l.includes("bad framing"));
  for (const l of lines) {
    assert.equal(
      l,
      `[ib] bad framing from TWS at 127.0.0.1:${port}: negative message length -2147483648 ` +
        `(0x80000000); dropping the connection`,
    );
  }
  // One line per connection attempt, not 7,000 a second.
  assert.ok(lines.length <= conns.length, `${lines.length} lines for ${conns.length} connections`);
  badInputs += 1;
});
