/**
 * The pieces of `scalpbot download`, each alone: IB's pacing rules on a fake clock, the
 * forward walk of a session, trading days from IB's hours text, and the store's part files.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { IbRequestError } from "../lib/ib/adapter.ts";
import { HistoryPacer, type TickColumns, walkForward } from "../lib/ib/history.ts";
import { tradingDays, weeklyPattern } from "../lib/data/calendar.ts";
import { type StoreContract, TickStore } from "../lib/data/store.ts";
import { formatProgress, formatSummary } from "../lib/cli/download.ts";

/** A pacer on a fake clock whose sleeps move the clock; `sent` collects send times. */
function fakePacer(intervalMs = 0) {
  const c = { t: 0, sent: [] as number[] };
  const pacer = new HistoryPacer({
    intervalMs,
    now: () => c.t,
    sleep: (ms) => {
      c.t += ms;
      return Promise.resolve();
    },
  });
  const send = () => {
    c.sent.push(c.t);
    return Promise.resolve(c.sent.length);
  };
  return { c, pacer, send };
}

Deno.test("pacer: a 6th request for one contract waits until 2 s after the 1st", async () => {
  const { c, pacer, send } = fakePacer();
  for (let i = 0; i < 6; i++) await pacer.request(`k${i}`, 7, send);
  assert.deepEqual(c.sent, [0, 0, 0, 0, 0, 2000]);
  // Other contracts are not held by contract 7's window.
  await pacer.request("other", 8, send);
  assert.equal(c.sent.at(-1), 2000);
  assert.deepEqual([pacer.stats.requests, pacer.stats.waits, pacer.stats.waitedMs], [7, 1, 2000]);
});

Deno.test("pacer: the 61st request in 10 minutes waits until 10 minutes after the 1st", async () => {
  const { c, pacer, send } = fakePacer();
  for (let i = 0; i < 61; i++) await pacer.request(`k${i}`, i, send);
  assert.deepEqual(c.sent.slice(58), [0, 0, 600_000]);
});

Deno.test("pacer: an identical request waits 15 s; the spacing holds between any two", async () => {
  const { c, pacer, send } = fakePacer(450);
  await pacer.request("a", 1, send);
  await pacer.request("b", 1, send);
  await pacer.request("a", 2, send); // the same text for another contract is not identical
  await pacer.request("a", 1, send);
  assert.deepEqual(c.sent, [0, 450, 900, 15_000]);
});

Deno.test("pacer: a 162 backs off 2 s and retries; the refused request does not count", async () => {
  const { c, pacer } = fakePacer();
  let calls = 0;
  const r = await pacer.request("a", 1, () => {
    c.sent.push(c.t);
    if (++calls === 1) return Promise.reject(new IbRequestError(162, "pacing violation"));
    return Promise.resolve("page");
  });
  assert.equal(r, "page");
  // Refused at 0, so not an identical request for the 15 s rule: retried after the backoff.
  assert.deepEqual(c.sent, [0, 2000]);
  assert.equal(pacer.stats.retries162, 1);
  // Other errors pass through at once, a 162 that is not about pacing too.
  const noData = new IbRequestError(162, "IB error 162: HMDS query returned no data");
  await assert.rejects(pacer.request("c", 1, () => Promise.reject(noData)), /no data/);
  assert.equal(pacer.stats.retries162, 1);
  await assert.rejects(
    pacer.request("b", 1, () => Promise.reject(new IbRequestError(200, "no contract"))),
    /no contract/,
  );
});

Deno.test("pacer: requests of an earlier run hold the windows of the next", async () => {
  let t = 0;
  const earlier = [1, 2, 3, 4, 5].map((i) => ({ at: -1000 + i, key: `k${i}`, conId: 3 }));
  const pacer = new HistoryPacer({
    intervalMs: 0,
    now: () => t,
    sleep: (ms) => Promise.resolve(void (t += ms)),
  }, earlier);
  let at = NaN;
  await pacer.request("new", 3, () => Promise.resolve(at = t));
  assert.equal(at, 1001);
  assert.equal(pacer.recent().length, 6);
});

/** IB's forward semantics over `all`: `count` trades from `start`, then the rest of that second. */
function forwardFetcher(all: TickColumns, count: number, starts: number[]) {
  return (start: number): Promise<TickColumns> => {
    starts.push(start);
    const out: TickColumns = { ts: [], price: [], size: [] };
    let i = all.ts.findIndex((t) => t >= start);
    if (i < 0) return Promise.resolve(out);
    for (; i < all.ts.length; i++) {
      const t = all.ts[i]!;
      if (out.ts.length >= count && Math.floor(t / 1000) !== Math.floor(out.ts.at(-1)! / 1000)) {
        break;
      }
      out.ts.push(t);
      out.price.push(all.price[i]!);
      out.size.push(all.size[i]!);
    }
    return Promise.resolve(out);
  };
}

Deno.test("walkForward: pages from the open, each after its predecessor's last second, until the close", async () => {
  // Seconds 5, 10, 10, 10, 12, 20 (the close), 25: pages of 2 trades from second 6.
  const s = 1000;
  const all: TickColumns = {
    ts: [5 * s, 10 * s, 10 * s + 1, 10 * s + 2, 12 * s, 20 * s, 25 * s],
    price: [1, 2, 3, 4, 5, 6, 7],
    size: [1, 1, 1, 1, 1, 1, 1],
  };
  const starts: number[] = [];
  const pages: Array<[number[], number]> = [];
  const done = await walkForward(
    forwardFetcher(all, 2, starts),
    { cursorMs: 6 * s, endMs: 20 * s },
    (p, next) => void pages.push([p.price, next]),
  );
  assert.equal(done, true);
  // Page 1: the three trades of second 10 (the second is completed); page 2: 12 and 20,
  // which reaches the close: 20 is dropped and the walk ends.
  assert.deepEqual(starts, [6 * s, 11 * s]);
  assert.deepEqual(pages, [[[2, 3, 4], 11 * s], [[5], 20 * s]]);
  // A session without trades (a holiday): one request, whose trades are past the close.
  const hol: Array<[number[], number]> = [];
  await walkForward(
    forwardFetcher(all, 2, []),
    { cursorMs: 13 * s, endMs: 19 * s },
    (p, n) => void hol.push([p.price, n]),
  );
  assert.deepEqual(hol, [[[], 19 * s]]);
  // stop() before a request ends the walk.
  assert.equal(
    await walkForward(
      forwardFetcher(all, 2, []),
      { cursorMs: 0, endMs: 9e9 },
      () => {},
      () => true,
    ),
    false,
  );
});

// IB's CME hours text for the week from Sun 26 Oct 2025 (the simulator's format).
const CME_HOURS = "20251026:1700-20251027:1600;20251027:1700-20251028:1600;" +
  "20251028:1700-20251029:1600;20251029:1700-20251030:1600;20251030:CLOSED;" +
  "20251031:CLOSED;20251101:CLOSED";

Deno.test("calendar: CME trading days from a week of hours, across the end of DST", () => {
  // Thursday is CLOSED in this week's text (a holiday): its session opens Thursday 17:00
  // for Friday, so the pattern has no Friday trading day.
  const p = weeklyPattern(CME_HOURS, "America/Chicago");
  const days = tradingDays(p, "2025-10-31", "2025-11-04");
  // Sat, Sun: no session. Mon 3 Nov: Sun 17:00 CST (23:00Z) to Mon 16:00 CST (22:00Z).
  // Tue 4 Nov likewise. Fri 31 Oct: Thursday's session is not in the pattern.
  assert.deepEqual(days, [
    {
      date: "2025-11-03",
      sessions: [{ start: Date.UTC(2025, 10, 2, 23), end: Date.UTC(2025, 10, 3, 22) }],
    },
    {
      date: "2025-11-04",
      sessions: [{ start: Date.UTC(2025, 10, 3, 23), end: Date.UTC(2025, 10, 4, 22) }],
    },
  ]);
  // Before the change: Tue 28 Oct opens Mon 17:00 CDT (22:00Z), closes 16:00 CDT (21:00Z).
  assert.deepEqual(tradingDays(p, "2025-10-28", "2025-10-28")[0]!.sessions, [
    { start: Date.UTC(2025, 9, 27, 22), end: Date.UTC(2025, 9, 28, 21) },
  ]);
  assert.throws(() => tradingDays(p, "2025-10-32", "2025-11-01"), /"2025-10-32" is not a date/);
});

Deno.test("calendar: two sessions a day (SGX), the night one belongs to the next day", () => {
  const hours = "20251027:0900-20251027:1635;20251027:1715-20251028:0515";
  const p = weeklyPattern(hours, "Asia/Singapore");
  const [tue] = tradingDays(p, "2025-11-04", "2025-11-04");
  // A Monday-only pattern: Tue 4 Nov holds Monday's night session (17:15 to 05:15, UTC+8),
  // which closes on Tuesday; Monday's day session belongs to Monday.
  assert.deepEqual(tue, {
    date: "2025-11-04",
    sessions: [{ start: Date.UTC(2025, 10, 3, 9, 15), end: Date.UTC(2025, 10, 3, 21, 15) }],
  });
});

const C: StoreContract = {
  conId: 1,
  symbol: "MES",
  localSymbol: "MESZ5",
  exchange: "CME",
  month: "202512",
  minTick: 0.25,
  multiplier: 5,
  timeZone: "America/Chicago",
};

Deno.test("store: a day cut mid-write resumes from the manifest's point; finished, it is renamed", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const session = { start: Date.UTC(2025, 9, 1, 22), end: Date.UTC(2025, 9, 2, 21) };
    const t0 = session.start;
    let store = await TickStore.open(dir);
    let w = await store.beginDay(C, "2025-10-02", [session]);
    await w.append({ ts: [t0, t0 + 1000], price: [6500, 6500.25], size: [1, 3] }, 0, t0 + 2000);
    w.close();
    // A kill during the next write: half a line in the part file.
    const part = join(dir, "MES_MESZ5_2025-10-02_trades.csv.part");
    await Deno.writeTextFile(part, "2025-10-01T22:00:0", { append: true });
    store = await TickStore.open(dir);
    assert.equal(store.record("MESZ5", "2025-10-02")!.status, "partial");
    w = await store.beginDay(C, "2025-10-02", [session]);
    assert.deepEqual(w.at, { session: 0, cursor: t0 + 2000, ticks: 2 });
    await w.append({ ts: [t0 + 2000], price: [6499.75], size: [2] }, 1, session.end);
    const rec = await w.finish();
    assert.deepEqual([rec.status, rec.ticks, rec.file], [
      "complete",
      3,
      "MES_MESZ5_2025-10-02_trades.csv",
    ]);
    assert.equal(
      await Deno.readTextFile(join(dir, rec.file!)),
      "ts_utc,price,size\n2025-10-01T22:00:00.000Z,6500.00,1\n" +
        "2025-10-01T22:00:01.000Z,6500.25,3\n2025-10-01T22:00:02.000Z,6499.75,2\n",
    );
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
      "MES_MESZ5_2025-10-02_trades.csv",
      "manifest.json",
    ]);
    // A part file shorter than the manifest says (lost): the day starts afresh.
    store = await TickStore.open(dir);
    w = await store.beginDay(C, "2025-10-03", [session]);
    await w.append({ ts: [t0], price: [1], size: [1] }, 0, t0 + 1000);
    w.close();
    await Deno.writeTextFile(join(dir, "MES_MESZ5_2025-10-03_trades.csv.part"), "ts_utc");
    w = await (await TickStore.open(dir)).beginDay(C, "2025-10-03", [session]);
    assert.deepEqual(w.at, { session: 0, cursor: session.start, ticks: 0 });
    // A day without trades is recorded empty, with no file.
    const empty = await w.finish();
    assert.deepEqual([empty.status, empty.file], ["empty", undefined]);
    assert.ok(
      !(await Deno.stat(join(dir, "MES_MESZ5_2025-10-03_trades.csv.part")).catch(() => false)),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("store: a manifest that is not the store's is refused with one line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "manifest.json"), "{ nope");
    await assert.rejects(TickStore.open(dir), /manifest.json is not JSON .*; move it away/);
    await Deno.writeTextFile(join(dir, "manifest.json"), `{"format":"other"}`);
    await assert.rejects(TickStore.open(dir), /is not a scalpbot-ticks\/1 manifest/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("download progress line: days, trades, requests, pacing waits, ETA from the share done", () => {
  const line = formatProgress({
    daysTodo: 4,
    daysDone: 1,
    skipped: 0,
    empty: 0,
    ticks: 12_345,
    pacing: { requests: 20, waits: 2, waitedMs: 30_500, retries162: 0 },
    fraction: 0.25,
    elapsedMs: 60_000,
    current: "MESZ5 2025-10-01",
  });
  // A quarter done in a minute: three minutes to go.
  assert.equal(
    line,
    "[#####...............] 1/4 days, 12,345 trades, 20 requests, pacing waits 2 (30.5 s), " +
      "ETA 0:03:00  MESZ5 2025-10-01",
  );
});

Deno.test("download summary: days, empty, skipped, not over; trades, requests, waits, 162s, reconnects", () => {
  const text = formatSummary({
    daysTodo: 6,
    daysDone: 6,
    skipped: 2,
    empty: 1,
    ticks: 66_272,
    pacing: { requests: 70, waits: 9, waitedMs: 381_000, retries162: 1 },
    fraction: 1,
    elapsedMs: 670_000,
    notOver: 1,
    contracts: ["MESU5", "MESZ5"],
    reconnects: 2,
    stopped: false,
  }, "data/");
  assert.equal(
    text,
    "Download done: 6 of 6 day(s) fetched (1 without trades), 2 already in the store, " +
      "1 not over yet (left for a later run)\n" +
      "  66,272 trades in 0:11:10, 70 requests, pacing waits 9 (381.0 s), 162 retries 1, " +
      "reconnects 2\n" +
      "  contracts MESU5, MESZ5; store data/manifest.json",
  );
});
