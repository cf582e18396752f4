/**
 * Robustness of the TWS simulator: thousands of random and mutated frames over raw
 * sockets close only the offending connections, and a real IBApi client keeps working.
 */
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { EventName, type HistoricalTickLast, SecType, type TickByTickDataType } from "@stoqey/ib";
import { startSimulator } from "../lib/sim/server.ts";
import { arraySource } from "../lib/sim/feed.ts";
import {
  encodeFrame,
  encodeHandshake,
  type Field,
  FrameDecoder,
  splitFields,
} from "../lib/sim/wire.ts";
import { connectClient } from "./_sim_client.ts";

const NOW = Date.UTC(2025, 5, 10, 14, 0, 0);
const quiet = { info() {}, warn() {}, debug() {} };

/** mulberry32: a small seeded PRNG so every run sends the same bytes. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const C = [0, "MES", "FUT", "202506", 0, "", "", "CME", "", "USD", "", ""];
/** Valid client frames in @stoqey/ib's layouts at version 193. */
const VALID: Field[][] = [
  [71, 2, 77, ""],
  [49, 1],
  [8, 1, 1],
  [17, 1],
  [9, 8, 5, ...C, 0, "", "", ""],
  [97, 6, ...C, "AllLast", 0, 0],
  [98, 6],
  [20, 7, ...C, 0, "", "1 min", "3600 S", 0, "TRADES", 2, 1, ""],
  [25, 1, 7],
  [96, 8, ...C, 0, "20250610-13:00:00", "", 100, "TRADES", 0, 0, ""],
  [59, 1, 1],
];

function mutate(r: () => number, frame: Field[]): Uint8Array {
  const fields = frame.map(String);
  const pick = Math.floor(r() * 7);
  if (pick === 0) {
    fields[Math.floor(r() * fields.length)] = String.fromCharCode(
      ...Array.from({ length: 1 + Math.floor(r() * 8) }, () => 32 + Math.floor(r() * 90)),
    );
  }
  if (pick === 1) fields.length = Math.floor(r() * fields.length);
  if (pick === 2) {
    fields.splice(Math.floor(r() * fields.length), 0, "x".repeat(Math.floor(r() * 40)));
  }
  if (pick === 3) {
    fields[Math.floor(r() * fields.length)] = String(Math.floor(r() * 2 ** 40) - 2 ** 39);
  }
  let bytes = encodeFrame(fields.length > 0 ? fields : [""]);
  if (pick === 4) {
    bytes = bytes.slice();
    bytes[4 + Math.floor(r() * (bytes.length - 4))] = Math.floor(r() * 256);
  }
  if (pick === 5) bytes = bytes.slice(0, bytes.length - 1 - Math.floor(r() * 3)); // unterminated / cut
  if (pick === 6) {
    bytes = bytes.slice();
    new DataView(bytes.buffer).setUint32(0, Math.floor(r() * 2 ** 32)); // absurd length
  }
  return bytes;
}

function randomBytes(r: () => number, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
}

/** Sends `chunks` on a raw socket, half-closes, and reads until the server closes. */
async function rawSession(port: number, chunks: Uint8Array[]): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const reader = (async () => {
    const buf = new Uint8Array(65536);
    try {
      while ((await conn.read(buf)) !== null) { /* drain */ }
    } catch { /* reset by the server */ }
  })();
  try {
    for (const c of chunks) await conn.write(c);
    await conn.closeWrite();
  } catch { /* the server closed first: expected for malformed input */ }
  await reader;
  conn.close();
}

Deno.test("sim survives thousands of random and mutated frames; a good client still works", async () => {
  const ticks = Array.from(
    { length: 5000 },
    (_, i) => ({ ts: NOW - 3_600_000 + i * 700, price: 5000 + (i % 9) * 0.25, size: 1 }),
  );
  const sim = await startSimulator({
    port: 0,
    clock: { now: () => NOW },
    source: arraySource(ticks),
    historyMs: 3_600_000,
    speed: "max",
    pacing: false,
    logger: quiet,
  });
  // A good client stays connected through the storm.
  const good = await connectClient(sim.port, { clientId: 1 });
  try {
    const r = rng(20250610);
    const sessions: Array<{ kind: number; surelyMalformed: boolean; chunks: Uint8Array[] }> = [];
    for (let s = 0; s < 400; s++) {
      const kind = s % 4;
      const chunks: Uint8Array[] = [];
      // Malformed for certain: random bytes that break the "API\0" prefix, or a handshake
      // whose version range (1..50) cannot meet the simulator's 157..193.
      let surelyMalformed = false;
      if (kind === 0) {
        const bytes = randomBytes(r, 1 + Math.floor(r() * 200)); // no API prefix at all
        chunks.push(bytes);
        surelyMalformed = [0x41, 0x50, 0x49, 0x00].some((b, i) =>
          i < bytes.length && bytes[i] !== b
        );
      } else {
        surelyMalformed = kind === 3 && s % 8 === 3;
        chunks.push(kind === 3 && s % 8 === 3 ? encodeHandshake(1, 50) : encodeHandshake(100, 193));
        chunks.push(encodeFrame([71, 2, 100 + s, ""]));
        for (let k = 0; k < 12; k++) {
          const base = VALID[Math.floor(r() * VALID.length)]!;
          chunks.push(
            kind === 1
              ? encodeFrame(base)
              : kind === 2
              ? mutate(r, base)
              : randomBytes(r, 1 + Math.floor(r() * 64)),
          );
        }
      }
      // Some sessions arrive split at every byte.
      sessions.push({
        kind,
        surelyMalformed,
        chunks: s % 10 === 0
          ? [...chunks.flatMap((c) => [...c])].map((b) => new Uint8Array([b]))
          : chunks,
      });
    }
    // 100 sessions of raw random bytes, then 300 of a handshake, START_API and 12 valid,
    // mutated or random frames each: 4,200 frames after the 100 random blobs.
    const run = async (list: typeof sessions) => {
      for (let i = 0; i < list.length; i += 16) {
        await Promise.all(list.slice(i, i + 16).map((x) => rawSession(sim.port, x.chunks)));
        good.ib.reqCurrentTime();
      }
    };
    // Well-formed sessions first: none of them may be taken for malformed.
    const valid = sessions.filter((x) => x.kind === 1);
    const rest = sessions.filter((x) => x.kind !== 1);
    await run(valid);
    equal(sim.stats().malformedClosed, 0);
    await run(rest);
    const rounds = Math.ceil(valid.length / 16) + Math.ceil(rest.length / 16);
    await good.waitFor(
      "current times",
      () => good.named(EventName.currentTime).length === rounds,
    );
    equal(good.disconnected, false);
    // Every surely-malformed session was closed as such; mutated or random-tail sessions may
    // or may not be (a cut frame just ends with the socket); valid ones never are.
    const sure = rest.filter((x) => x.surelyMalformed).length;
    const { malformedClosed } = sim.stats();
    ok(sure >= 140, `${sure} surely malformed sessions`);
    ok(
      malformedClosed >= sure && malformedClosed <= rest.length,
      `malformed closes ${malformedClosed}, expected ${sure}..${rest.length}`,
    );
    // The good client streams normally afterwards.
    good.ib.reqTickByTickData(
      9,
      {
        symbol: "MES",
        secType: SecType.FUT,
        exchange: "CME",
        lastTradeDateOrContractMonth: "202506",
      },
      "AllLast" as TickByTickDataType,
      0,
      false,
    );
    good.ib.reqHistoricalTicks(
      10,
      {
        symbol: "MES",
        secType: SecType.FUT,
        exchange: "CME",
        lastTradeDateOrContractMonth: "202506",
      },
      "",
      "20250610-14:00:00",
      10,
      "TRADES",
      0,
      false,
    );
    await good.waitFor("history", () => good.named(EventName.historicalTicksLast).length === 1);
    // The last 10 trades up to 14:00:00: trades 4990-4999 (trade 4990 is at +3493 s, a whole
    // second, and trade 4989 is in the second before, so none is added).
    deepStrictEqual(
      (good.named(EventName.historicalTicksLast)[0]![1] as HistoricalTickLast[]).map((t) => [
        t.time,
        t.price,
        t.size,
      ]),
      ticks.slice(4990).map((t) => [Math.floor(t.ts / 1000), t.price, t.size]),
    );
    deepStrictEqual(good.decodeErrors(), []);
    deepStrictEqual(good.errors, []);
    equal(sim.stats().activeSessions, 1);
  } finally {
    await good.close();
    await sim.close();
  }
});

Deno.test("sim answers a whole session written one byte at a time", async () => {
  const sim = await startSimulator({ port: 0, clock: { now: () => NOW }, logger: quiet });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: sim.port });
  try {
    const bytes = [
      ...encodeHandshake(100, 176),
      ...encodeFrame([71, 2, 3, ""]),
      ...encodeFrame([49, 1]),
    ];
    for (const b of bytes) await conn.write(new Uint8Array([b]));
    const dec = new FrameDecoder({ expectPrefix: false });
    const got: string[][] = [];
    const buf = new Uint8Array(4096);
    // Version, accounts, next id, 3 farm messages, current time: 7 frames.
    while (got.length < 7) {
      const n = await conn.read(buf);
      if (n === null) break;
      for (const f of dec.push(buf.subarray(0, n))) got.push(splitFields(f));
    }
    equal(got[0]![0], "176");
    deepStrictEqual(got.slice(1, 3), [["15", "1", "DU1234567"], ["9", "1", "1"]]);
    deepStrictEqual(got.slice(3, 6).map((f) => f[3]), ["2104", "2106", "2158"]);
    deepStrictEqual(got[6], ["49", "1", String(NOW / 1000)]);
  } finally {
    conn.close();
    await sim.close();
  }
});
