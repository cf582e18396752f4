/**
 * `scalpbot download` of a contract with two sessions a trading day (SGX's XINA50: a night
 * session 17:15-05:15 and a day session 09:00-16:35, Singapore time), against the
 * simulator with the real IB client: the store equals the simulator's history tick for
 * tick, each session is walked from its open, no request starts in a break or reads on
 * from another session, and IB's pacing is never violated.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { configSchema } from "../lib/config/schema.ts";
import { download, type DownloadOptions } from "../lib/data/download.ts";
import { TickStore } from "../lib/data/store.ts";
import { parseIbDateTime } from "../lib/sim/ib_time.ts";
import { decodeRequest } from "../lib/sim/messages.ts";
import { FrameDecoder, splitFields } from "../lib/sim/wire.ts";
import type { GeneratedArchive } from "../lib/sim/history_store.ts";
import { readStoreFile, startDownloadSim } from "./_download_sim.ts";
import { startProxy } from "./_live_proxy.ts";

/** A session, epoch ms. */
interface Span {
  start: number;
  end: number;
}

const FROM = "2025-09-09";
const TO = "2025-09-11";
const H = 3_600_000;
const M = 60_000;

/**
 * The sessions of a trading day, worked out by hand: Singapore is UTC+8 all year, so the
 * night session before the day opens 17:15 SGT = 09:15Z the day before and closes 05:15 SGT
 * = 21:15Z; the day session runs 09:00-16:35 SGT = 01:00Z-08:35Z.
 */
function sgxSessions(date: string): Span[] {
  const d = Date.parse(date + "T00:00:00Z");
  const before = d - 24 * H;
  return [
    { start: before + 9 * H + 15 * M, end: before + 21 * H + 15 * M },
    { start: d + 1 * H, end: d + 8 * H + 35 * M },
  ];
}

/** Tue 9 to Thu 11 Sep 2025; CNU5 (last trade Mon 29 Sep) is the front month with 5 days. */
const DAYS = ["2025-09-09", "2025-09-10", "2025-09-11"];
const SESSIONS = DAYS.flatMap(sgxSessions);

/** Index in SESSIONS of the session holding `ts`, or -1 (a break). */
function sessionOf(ts: number): number {
  return SESSIONS.findIndex((s) => ts >= s.start && ts < s.end);
}

/** A history request as the client sent it on the wire. */
interface SentRequest {
  reqId: number;
  conId: number;
  start: number;
  end: string;
  count: number;
}

/**
 * A loopback tap in front of `targetPort` that decodes the client's frames and records its
 * history-tick requests; the bytes pass through unchanged both ways.
 */
function startRequestTap(targetPort: number) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const requests: SentRequest[] = [];
  const conns = new Set<Deno.Conn>();
  const pipes: Promise<void>[] = [];
  const accept = (async () => {
    for await (const client of listener) {
      const server = await Deno.connect({ hostname: "127.0.0.1", port: targetPort });
      conns.add(client);
      conns.add(server);
      const end = () => {
        for (const c of [client, server]) {
          if (conns.delete(c)) {
            try {
              c.close();
            } catch {
              // already closed
            }
          }
        }
      };
      pipes.push(
        server.readable.pipeTo(client.writable, { preventClose: true }).catch(() => {}).finally(
          end,
        ),
      );
      pipes.push(
        (async () => {
          const dec = new FrameDecoder();
          let handshaken = false;
          const writer = server.writable.getWriter();
          for await (const chunk of client.readable) {
            for (const frame of dec.push(chunk)) {
              // The first frame is the version range, not a message.
              if (!handshaken) {
                handshaken = true;
                continue;
              }
              const fields = splitFields(frame);
              if (fields[0] !== "96") continue;
              const r = decodeRequest(fields, 187);
              if (r.kind !== "historicalTicks") continue;
              requests.push({
                reqId: r.reqId,
                conId: r.contract.conId,
                start: r.start.trim() === "" ? NaN : parseIbDateTime(r.start, "UTC"),
                end: r.end,
                count: r.numberOfTicks,
              });
            }
            await writer.write(chunk);
          }
        })().catch(() => {}).finally(end),
      );
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    requests,
    async close() {
      listener.close();
      for (const c of [...conns]) {
        conns.delete(c);
        try {
          c.close();
        } catch {
          // already closed
        }
      }
      await accept;
      await Promise.all(pipes);
    },
  };
}

/**
 * Requests a forward walk of every session needs, worked out from the archive: from the
 * open, 1,000 trades and the rest of the last second a page, until a request finds no trade
 * of the session or the next second is the close.
 */
function referenceRequests(archive: GeneratedArchive, conId: number): number {
  const h = archive.history(conId)!;
  let n = 0;
  for (const { start, end } of SESSIONS) {
    const endIdx = h.lowerBound(end);
    let cursor = start;
    while (cursor < end) {
      n++;
      let i = h.lowerBound(cursor);
      if (i >= endIdx) break;
      const stop = Math.min(endIdx, i + 1000);
      let last = h.ts(stop - 1);
      i = stop;
      while (i < endIdx && Math.floor(h.ts(i) / 1000) === Math.floor(last / 1000)) last = h.ts(i++);
      cursor = Math.floor(last / 1000) * 1000 + 1000;
    }
  }
  return n;
}

/** The simulator serving XINA50's history, behind a tap of requests and answers. */
async function startTapped(rate: number, intensity: number) {
  const t = await startDownloadSim({
    rate,
    intensity,
    from: FROM,
    to: TO,
    symbol: "XINA50",
    months: ["202509", "202510"],
    holidays: [],
  });
  // Each answer's trade times (whole seconds), by request id.
  const answers = new Map<number, number[]>();
  const answerProxy = startProxy(t.port, (f) => {
    if (f[0] === "98") {
      const n = Number(f[2]);
      answers.set(Number(f[1]), Array.from({ length: n }, (_, k) => Number(f[3 + 6 * k]) * 1000));
    }
    return f;
  });
  const tap = startRequestTap(answerProxy.port);
  const config = configSchema.parse({
    ib: { port: tap.port, max_req_per_sec: 50 },
    contract: { symbol: "XINA50", exchange: "SGX", currency: "USD", tick_size: 1, multiplier: 1 },
    live: {
      roll_days: 5,
      page_interval_ms: 0,
      request_timeout_ms: 3000,
      reconnect_min_ms: 50,
      reconnect_max_ms: 400,
    },
  });
  const run = async (dir: string, more: Partial<DownloadOptions> = {}) =>
    await download({
      config,
      store: await TickStore.open(dir),
      from: FROM,
      to: TO,
      now: t.now,
      sleep: t.sleep,
      ...more,
    });
  return {
    t,
    answers,
    requests: tap.requests,
    run,
    async close() {
      await tap.close();
      await answerProxy.close();
      await t.close();
    },
  };
}

/** Every day is in the store, complete, both sessions, equal to the history tick for tick. */
async function assertStoreEqualsHistory(archive: GeneratedArchive, dir: string): Promise<number> {
  const store = await TickStore.open(dir);
  assert.deepEqual(
    store.records().map((r) => [r.date, r.contract.localSymbol, r.status]),
    DAYS.map((d) => [d, "CNU5", "complete"]),
  );
  let total = 0;
  for (const date of DAYS) {
    const rec = store.record("CNU5", date)!;
    assert.deepEqual(rec.sessions, sgxSessions(date));
    const want = archive.day("CNU5", date);
    // The history itself: every trade in one of the day's two sessions, both well filled.
    const [night, day] = sgxSessions(date) as [Span, Span];
    const inNight = want.ts.filter((x) => x >= night.start && x < night.end).length;
    const inDay = want.ts.filter((x) => x >= day.start && x < day.end).length;
    assert.equal(inNight + inDay, want.ts.length, `${date}: a trade outside the sessions`);
    assert.ok(inNight > 1000 && inDay > 1000, `${date}: ${inNight} night, ${inDay} day trades`);
    const got = await readStoreFile(join(dir, rec.file!));
    assert.equal(got.header, "ts_utc,price,size");
    assert.deepEqual(got.ts, want.ts, `${date}: times`);
    assert.deepEqual(got.price, want.price, `${date}: prices`);
    assert.deepEqual(got.size, want.size, `${date}: sizes`);
    assert.equal(rec.ticks, want.ts.length);
    total += want.ts.length;
  }
  const names = [...Deno.readDirSync(dir)].map((e) => e.name);
  assert.ok(!names.some((n) => n.endsWith(".part")), names.join(" "));
  return total;
}

Deno.test("download: two sessions a day (SGX XINA50): the store equals the history, each session walked from its open, no request starts in a break, no 162", async () => {
  // 120 times the wall: IB's 10-minute window is 5 s, so with more than 60 requests it binds.
  const x = await startTapped(120, 0.4);
  const t = x.t;
  const answers = x.answers;
  const dir = await Deno.makeTempDir();
  try {
    const t0 = t.now();
    const s = await x.run(dir);
    const elapsed = t.now() - t0;
    const cnu5 = t.archive.contracts.find((c) => c.localSymbol === "CNU5")!;
    assert.deepEqual(s.contracts, ["CNU5"]);
    assert.deepEqual([s.daysDone, s.empty, s.skipped, s.stopped], [3, 0, 0, false]);

    // (1) One file a trading day, both sessions in it, equal to the history tick for tick.
    const total = await assertStoreEqualsHistory(t.archive, dir);
    assert.equal(s.ticks, total);

    // (2) The requests on the wire: as many as the walk of each session needs, each starting
    // inside a session, the first of each session at its open, sessions in order.
    const sent = x.requests;
    const want = referenceRequests(t.archive, cnu5.conId);
    assert.ok(want > 60, `only ${want} requests: the 10-minute window is not reached`);
    assert.equal(sent.length, want, "requests sent");
    assert.equal(s.pacing.requests, want);
    assert.equal(t.counts.pages, want, "history answers");
    let prev = -1;
    let readOn = 0;
    for (const [k, r] of sent.entries()) {
      assert.deepEqual([r.conId, r.end, r.count], [cnu5.conId, "", 1000], `request ${k}`);
      const i = sessionOf(r.start);
      const at = new Date(r.start).toISOString();
      assert.ok(i >= 0, `request ${k} starts at ${at}, in a break`);
      assert.ok(i >= prev, `request ${k} at ${at} goes back a session`);
      if (i !== prev) {
        assert.equal(r.start, SESSIONS[i]!.start, `session ${i} not walked from its open`);
      }
      if (k > 0) assert.ok(r.start > sent[k - 1]!.start);
      prev = i;
      // An answer lies in the request's session, or, for a request after the session's last
      // trade, in the next one (IB reads on to its next trade): then the walk stops there
      // and goes on at the next open, never from those trades.
      const ticks = answers.get(r.reqId)!;
      const spans = new Set(ticks.map(sessionOf));
      assert.ok(spans.size <= 1, `answer ${k} spans sessions ${[...spans]}`);
      const j = spans.values().next().value;
      if (j !== undefined && j !== i) {
        assert.equal(j, i + 1, `answer ${k}: session ${j} for a request in ${i}`);
        readOn++;
        const next = sent[k + 1];
        if (next !== undefined) assert.equal(next.start, SESSIONS[i + 1]!.start);
      }
    }
    assert.equal(prev, SESSIONS.length - 1, "the last session not walked");
    assert.deepEqual(new Set(sent.map((r) => sessionOf(r.start))).size, SESSIONS.length);

    // (3) Pacing: no 162, and request k + 60 left 10 minutes after request k.
    assert.equal(t.counts.pacing162, 0, "the simulator answered a 162");
    assert.equal(s.pacing.retries162, 0);
    assert.ok(
      elapsed >= Math.floor((want - 1) / 60) * 600_000,
      `${want} requests in ${elapsed} ms`,
    );
    assert.ok(s.pacing.waits >= 1);
    console.log(
      `${want} requests over ${SESSIONS.length} sessions, ${total} trades, ${s.pacing.waits} ` +
        `pacing waits, ${(elapsed / 1000).toFixed(0)} s of IB time, ${readOn} answer(s) from ` +
        `the next session`,
    );
  } finally {
    await x.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("download: two sessions a day, stopped at the break between them: the next run starts at the day session's open", async () => {
  const x = await startTapped(1000, 0.4);
  const dir = await Deno.makeTempDir();
  try {
    const stop = new AbortController();
    // The night session is 12 h of the day's 19 h 35 min: once the walk stands at 12/19.58 of
    // the first day, the night is stored and the day session not begun.
    const nightShare = 12 / (19 + 35 / 60);
    let seen = NaN;
    const first = await x.run(dir, {
      signal: stop.signal,
      progress: (p) => {
        const inDay = p.fraction * p.daysTodo - p.daysDone;
        if (p.daysDone === 0 && inDay >= nightShare - 1e-9 && !stop.signal.aborted) {
          seen = inDay;
          stop.abort();
        }
      },
    });
    assert.ok(first.stopped);
    assert.ok(Math.abs(seen - nightShare) < 1e-9, `stopped at ${seen} of the day`);
    const [night, day] = sgxSessions(DAYS[0]!) as [Span, Span];
    const store = await TickStore.open(dir);
    const rec = store.record("CNU5", DAYS[0]!)!;
    assert.deepEqual([rec.status, rec.session, rec.cursor], ["partial", 1, day.start]);
    const nightTrades = x.t.archive.day("CNU5", DAYS[0]!).ts.filter((ts) => ts < night.end);
    assert.equal(rec.ticks, nightTrades.length);
    const before = x.requests.length;
    assert.ok(x.requests.every((r) => r.start >= night.start && r.start < night.end));
    const second = await x.run(dir);
    assert.deepEqual([second.stopped, second.skipped, second.daysTodo], [false, 0, 3]);
    // The resumed walk neither re-reads the night nor starts in the 05:15-09:00 break.
    assert.equal(x.requests[before]!.start, day.start);
    await assertStoreEqualsHistory(x.t.archive, dir);
    const cnu5 = x.t.archive.contracts.find((c) => c.localSymbol === "CNU5")!;
    assert.equal(x.requests.length, referenceRequests(x.t.archive, cnu5.conId));
    assert.equal(x.t.counts.pacing162, 0);
  } finally {
    await x.close();
    await Deno.remove(dir, { recursive: true });
  }
});
