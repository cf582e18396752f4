/**
 * Resource limits and request bounds of the TWS simulator: IB's duration limits per bar
 * size, absurd historical ranges, the connection cap, the handshake deadline, clients that
 * stop reading, failures inside the replay, and overlapping or interrupted refusals.
 */
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { EventName, type HistoricalTickLast, SecType } from "@stoqey/ib";
import type { Tick } from "../lib/types.ts";
import { type SimLogger, startSimulator } from "../lib/sim/server.ts";
import { arraySource, type TickSource } from "../lib/sim/feed.ts";
import { encodeFrame, encodeHandshake, type Field } from "../lib/sim/wire.ts";
import { connectClient } from "./_sim_client.ts";

const NOW = Date.UTC(2025, 5, 10, 14, 0, 0);
const quiet = { info() {}, warn() {}, debug() {} };
const MES = {
  symbol: "MES",
  secType: SecType.FUT,
  exchange: "CME",
  lastTradeDateOrContractMonth: "202506",
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A logger that keeps every line, to count what the simulator reported. */
function recordingLogger(): SimLogger & { lines: string[] } {
  const lines: string[] = [];
  const rec = (level: string) => (m: string) => void lines.push(`${level} ${m}`);
  return { lines, info: rec("info"), warn: rec("warn"), debug: rec("debug") };
}

/** 5,000 trades 700 ms apart, ending 100 s before NOW: all of it history at start. */
const BASE = NOW - 3_600_000;
const TICKS: Tick[] = Array.from(
  { length: 5000 },
  (_, i) => ({ ts: BASE + i * 700, price: 5000 + (i % 9) * 0.25, size: 1 + (i % 3) }),
);

function historySim(extra: Parameters<typeof startSimulator>[0] = {}) {
  return startSimulator({
    port: 0,
    clock: { now: () => NOW },
    source: arraySource(TICKS),
    historyMs: 3_600_000,
    pacing: false,
    logger: quiet,
    ...extra,
  });
}

/** Rejects if `p` has not settled within `ms`, so a hang fails the test instead. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle in ${ms} ms`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

/** Waits until `pred` holds, polling every 5 ms; throws after `ms`. */
async function until(what: string, pred: () => boolean, ms = 3000): Promise<void> {
  for (let waited = 0; !pred(); waited += 5) {
    if (waited >= ms) throw new Error(`Timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Reads until the server closes the socket; resolves with the bytes read. */
async function readToEnd(conn: Deno.Conn): Promise<number> {
  const buf = new Uint8Array(65536);
  let total = 0;
  try {
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) return total;
      total += n;
    }
  } catch {
    return total; // reset by the server
  }
}

const C: Field[] = [0, "MES", "FUT", "202506", 0, "", "", "CME", "", "USD", "", ""];
/** Handshake, START_API, then `count` end-anchored 1000-tick history requests (v193 layout). */
function greedyRequests(count: number): Uint8Array {
  const frames = [encodeHandshake(100, 193), encodeFrame([71, 2, 42, ""])];
  for (let i = 0; i < count; i++) {
    frames.push(
      encodeFrame([96, i + 1, ...C, 0, "", "20250610-14:00:00", 1000, "TRADES", 0, 0, ""]),
    );
  }
  const out = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of frames) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}

Deno.test("sim refuses bar durations beyond IB's limit per bar size with 162 and keeps the client", async () => {
  const sim = await historySim();
  const c = await connectClient(sim.port);
  try {
    const ask = (reqId: number, duration: string, barSize: string) =>
      c.ib.reqHistoricalData(
        reqId,
        MES,
        "",
        duration,
        barSize as never,
        "TRADES" as never,
        0,
        2,
        false,
      );
    ask(1, "999999 Y", "1 day"); // the reviewer's probe: used to close the connection
    ask(2, "1801 S", "1 secs"); // one second over IB's 1800 S for 1-second bars
    ask(3, "2 D", "1 min"); // IB serves 1-minute bars up to 1 D
    ask(4, "1800 S", "1 secs"); // exactly at the limit: served
    await c.waitFor(
      "answers",
      () =>
        c.errors.length >= 3 &&
        c.named(EventName.historicalData).some((a) => String(a[1]).startsWith("finished")),
    );
    deepStrictEqual(
      c.errors.map((e) => [e.reqId, e.code]).sort((a, b) => a[0]! - b[0]!),
      [[1, 162], [2, 162], [3, 162]],
    );
    ok(c.errors.every((e) => /Time length exceed max/.test(e.message)));
    // Reference: one 1-second bar per distinct second holding a trade in [NOW-1800 s, NOW).
    const seconds = new Set(
      TICKS.filter((t) => t.ts >= NOW - 1_800_000 && t.ts < NOW).map((t) =>
        Math.floor(t.ts / 1000)
      ),
    );
    const bars = c.named(EventName.historicalData).filter((a) =>
      a[0] === 4 && !String(a[1]).startsWith("finished")
    );
    equal(bars.length, seconds.size);
    // The connection survived every refusal.
    c.ib.reqCurrentTime();
    await c.waitFor("current time", () => c.named(EventName.currentTime).length === 1);
    equal(c.disconnected, false);
    equal(sim.stats().malformedClosed, 0);
  } finally {
    await c.close();
    await sim.close();
  }
});

Deno.test("sim answers historical ticks over absurd ranges with at most 1000 trades", async () => {
  const sim = await historySim();
  const c = await connectClient(sim.port);
  try {
    // From year 0001 forward: the first 1000 trades. Trade 999 is at +699.3 s and trade
    // 1000 at +700 s, so completing the last second adds nothing.
    c.ib.reqHistoricalTicks(1, MES, "00010101-00:00:00", "", 2 ** 31 - 1, "TRADES", 0, false);
    // Up to year 9999 (clipped at now): the last 1000 trades. Trade 4000 starts a second
    // (+2800 s) and trade 3999 is in the previous one, so the page starts at trade 4000.
    c.ib.reqHistoricalTicks(2, MES, "", "99991231-23:59:59", 1000, "TRADES", 0, false);
    await c.waitFor("both pages", () => c.named(EventName.historicalTicksLast).length === 2);
    const page = (id: number) =>
      (c.named(EventName.historicalTicksLast).find((a) => a[0] === id)![1] as HistoricalTickLast[])
        .map((t) => [t.time, t.price, t.size]);
    const wire = (t: Tick) => [Math.floor(t.ts / 1000), t.price, t.size];
    deepStrictEqual(page(1), TICKS.slice(0, 1000).map(wire));
    deepStrictEqual(page(2), TICKS.slice(4000).map(wire));
    deepStrictEqual(c.errors, []);
    equal(c.disconnected, false);
  } finally {
    await c.close();
    await sim.close();
  }
});

Deno.test("sim caps concurrent connections and closes the extra one at once", async () => {
  const log = recordingLogger();
  const sim = await historySim({ maxConnections: 2, logger: log });
  const open: Deno.Conn[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      open.push(await Deno.connect({ hostname: "127.0.0.1", port: sim.port }));
    }
    await until("two sessions", () => sim.stats().activeSessions === 2);
    const extra = await Deno.connect({ hostname: "127.0.0.1", port: sim.port });
    equal(await within(readToEnd(extra), 2000, "closing the third connection"), 0);
    extra.close();
    equal(sim.stats().refusedOverLimit, 1);
    equal(log.lines.filter((l) => l.startsWith("warn Refusing a connection")).length, 1);
    // A slot freed is a slot usable again.
    open.shift()!.close();
    await until("one session", () => sim.stats().activeSessions === 1);
    const c = await connectClient(sim.port);
    equal(c.named(EventName.nextValidId).length, 1);
    await c.close();
    equal(sim.stats().connections, 3);
  } finally {
    for (const conn of open) conn.close();
    await sim.close();
  }
});

Deno.test("sim closes connections that do not finish handshake and START_API in time", async () => {
  const sim = await historySim({ handshakeTimeoutMs: 150 });
  const silent = await Deno.connect({ hostname: "127.0.0.1", port: sim.port });
  const noStart = await Deno.connect({ hostname: "127.0.0.1", port: sim.port });
  try {
    await noStart.write(encodeHandshake(100, 193)); // version negotiated, START_API never sent
    const good = await connectClient(sim.port);
    await within(Promise.all([readToEnd(silent), readToEnd(noStart)]), 3000, "handshake timeouts");
    equal(sim.stats().handshakeTimeouts, 2);
    // A client that started in time outlives the deadline.
    await sleep(250);
    good.ib.reqCurrentTime();
    await good.waitFor("current time", () => good.named(EventName.currentTime).length === 1);
    equal(good.disconnected, false);
    await good.close();
  } finally {
    silent.close();
    noStart.close();
    await sim.close();
  }
});

Deno.test("sim drops a client whose unread queue passes maxQueuedBytes; others keep working", async () => {
  const log = recordingLogger();
  // writeStallMs is long so only the queue limit can drop the client.
  const sim = await historySim({ maxQueuedBytes: 1 << 20, writeStallMs: 60_000, logger: log });
  const greedy = await Deno.connect({ hostname: "127.0.0.1", port: sim.port });
  try {
    // About 30 kB per answer: 1,200 answers are ~36 MB, beyond the kernel's socket buffers
    // plus 1 MiB, while the client reads nothing.
    await greedy.write(greedyRequests(1200));
    await until("the drop", () => sim.stats().slowClientsDropped === 1, 10_000);
    equal(log.lines.filter((l) => l.startsWith("warn Dropping client")).length, 1);
    await within(readToEnd(greedy), 5000, "the greedy socket's end");
    const c = await connectClient(sim.port);
    c.ib.reqCurrentTime();
    await c.waitFor("current time", () => c.named(EventName.currentTime).length === 1);
    await c.close();
    equal(sim.stats().malformedClosed, 0);
  } finally {
    greedy.close();
    await sim.close();
  }
});

Deno.test("sim replayDone settles when a client stops reading: the stalled writer is dropped", async () => {
  const sim = await historySim({ writeStallMs: 200 });
  const stuck = await Deno.connect({ hostname: "127.0.0.1", port: sim.port });
  try {
    // ~12 MB of answers fills the socket buffers, so a write blocks for good.
    await stuck.write(greedyRequests(400));
    await until("a queue", () => sim.stats().queuedBytes > 1 << 20);
    await within(sim.replayDone(), 5000, "replayDone");
    equal(sim.stats().slowClientsDropped, 1);
    await until("the session's end", () => sim.stats().activeSessions === 0);
  } finally {
    stuck.close();
    await sim.close();
  }
});

Deno.test("sim logs a failing tick source instead of crashing, and keeps serving", async () => {
  const log = recordingLogger();
  const ticks = Array.from(
    { length: 50 },
    (_, i) => ({ ts: NOW + 1000 + i * 10, price: 5000, size: 1 }),
  );
  let reads = 0;
  const source: TickSource = {
    next() {
      if (++reads > 20) throw new Error("disk gone");
      return ticks[reads - 1];
    },
  };
  let wall = NOW;
  const sim = await startSimulator({
    port: 0,
    clock: { now: () => wall },
    source,
    logger: log,
  });
  const c = await connectClient(sim.port);
  try {
    c.ib.reqTickByTickData(1, MES, "AllLast" as never, 0, false);
    await sleep(50);
    // Every trade is due now. The replay holds one trade read ahead: trades 1-20 go out,
    // then reading the 21st throws inside the pump. Trade 1 was shifted to the start time
    // and replayed before the subscription, so the client sees trades 2-20: 19.
    wall += 5000;
    sim.faults.resume(); // wakes the pump now rather than at its next 1 s check
    await c.waitFor("ticks", () => c.named(EventName.tickByTickAllLast).length === 19);
    await until("the pump failure log", () => log.lines.some((l) => /Replay pump failed/.test(l)));
    c.ib.reqCurrentTime();
    await c.waitFor("current time", () => c.named(EventName.currentTime).length === 1);
    equal(c.disconnected, false);
  } finally {
    await c.close();
    await sim.close();
  }
});

Deno.test("sim refuseFor resolves when the simulator closes during the window", async () => {
  const sim = await historySim();
  const refusing = sim.faults.refuseFor(60_000);
  await sleep(20);
  await sim.close();
  await within(refusing, 2000, "refuseFor after close");
});

Deno.test("sim overlapping refusals extend one window and re-listen once", async () => {
  const log = recordingLogger();
  const sim = await historySim({ logger: log });
  try {
    const first = sim.faults.refuseFor(200);
    const second = sim.faults.refuseFor(1200);
    let firstDone = false;
    void first.then(() => (firstDone = true));
    // Past the first window's end, inside the second's: still refused.
    await sleep(450);
    equal(firstDone, false);
    let refused = false;
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port: sim.port })).close();
    } catch (e) {
      refused = e instanceof Deno.errors.ConnectionRefused;
    }
    equal(refused, true);
    await within(Promise.all([first, second]), 5000, "both refusals");
    equal(log.lines.filter((l) => /Restart over/.test(l)).length, 1);
    const c = await connectClient(sim.port);
    equal(c.named(EventName.nextValidId).length, 1);
    await c.close();
  } finally {
    await sim.close();
  }
});
