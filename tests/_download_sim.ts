/**
 * Harness of the download tests: the simulator serving a generated MES history (Sep 2025:
 * the U5 to Z5 roll, a holiday), on a clock that can run faster than the wall, behind a
 * proxy that counts what the simulator answers (162s, history pages). Private to
 * tests/download_*.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { configSchema } from "../lib/config/schema.ts";
import { TickStore } from "../lib/data/store.ts";
import type { Config } from "../lib/config/schema.ts";
import { generateArchive, type GeneratedArchive } from "../lib/sim/history_store.ts";
import { type SimulatorHandle, startSimulator } from "../lib/sim/server.ts";
import { zonedTimeToUtc } from "../lib/time/zone.ts";
import { quietSimLog } from "./_live_harness.ts";
import { type LiveProxy, startProxy } from "./_live_proxy.ts";

/** IB's time in the tests: the history lies months before it. */
export const NOW = Date.UTC(2025, 11, 1, 12);
/** The range: Wed 10 Sep to Wed 17 Sep 2025 (MESU5 expires Fri 19 Sep 08:30 CT). */
export const FROM = "2025-09-10";
export const TO = "2025-09-17";
export const HOLIDAY = "2025-09-16";

/**
 * Trading days of the range and their contracts, worked out by hand: CME sessions open
 * 17:00 CT the day before; with live.roll_days 5 the front month is U5 until a session opens
 * within 5 days of 19 Sep 08:30 CT, i.e. from Sunday 14 Sep 17:00 (Monday's session) on.
 */
export const EXPECTED_DAYS: ReadonlyArray<{ date: string; local: string }> = [
  { date: "2025-09-10", local: "MESU5" },
  { date: "2025-09-11", local: "MESU5" },
  { date: "2025-09-12", local: "MESU5" },
  { date: "2025-09-15", local: "MESZ5" },
  { date: "2025-09-16", local: "MESZ5" },
  { date: "2025-09-17", local: "MESZ5" },
];

/** The session of a CME trading day `date`: 17:00 CT the day before to 16:00 CT. */
export function cmeSession(date: string): { start: number; end: number } {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const before = new Date(Date.UTC(y, m - 1, d - 1));
  return {
    start: zonedTimeToUtc(
      before.getUTCFullYear(),
      before.getUTCMonth() + 1,
      before.getUTCDate(),
      17,
      0,
      "America/Chicago",
    ),
    end: zonedTimeToUtc(y, m, d, 16, 0, "America/Chicago"),
  };
}

/** A running test simulator. */
export interface DownloadSim {
  sim: SimulatorHandle;
  archive: GeneratedArchive;
  proxy: LiveProxy;
  /** Port to connect to (the proxy's). */
  port: number;
  /** What the simulator answered. */
  counts: { pacing162: number; pages: number };
  /** Clock shared by the simulator and the pacer, `rate` times the wall. */
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  close(): Promise<void>;
}

/** Starts the simulator on a clock `rate` times the wall, with pacing enforced. */
export async function startDownloadSim(
  o: {
    rate: number;
    intensity: number;
    from?: string;
    to?: string;
    seed?: number;
    /** Another symbol's history (default MES, months 202509 and 202512, the holiday). */
    symbol?: string;
    months?: string[];
    holidays?: string[];
  },
): Promise<DownloadSim> {
  const archive = generateArchive({
    symbol: o.symbol ?? "MES",
    months: o.months ?? ["202509", "202512"],
    from: o.from ?? FROM,
    to: o.to ?? TO,
    holidays: o.holidays ?? [HOLIDAY],
    now: NOW,
    intensity: o.intensity,
    seed: o.seed ?? 1,
  });
  const wall0 = performance.now();
  const now = () => NOW + (performance.now() - wall0) * o.rate;
  const sim = await startSimulator({
    port: 0,
    archive,
    clock: { now },
    logger: quietSimLog,
  });
  const counts = { pacing162: 0, pages: 0 };
  const proxy = startProxy(sim.port, (fields) => {
    if (fields[0] === "4" && fields[3] === "162") counts.pacing162++;
    if (fields[0] === "98") counts.pages++;
    return fields;
  });
  return {
    sim,
    archive,
    proxy,
    port: proxy.port,
    counts,
    now,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms / o.rate)),
    async close() {
      await proxy.close();
      await sim.close();
    },
  };
}

/** Config for the download tests: the simulator's port, fast reconnects. */
export function downloadConfig(port: number): Config {
  return configSchema.parse({
    ib: { port, max_req_per_sec: 50 },
    live: {
      page_interval_ms: 0,
      request_timeout_ms: 3000,
      reconnect_min_ms: 50,
      reconnect_max_ms: 400,
    },
  });
}

/** Trades of a store CSV, parsed here (not with the project's reader). */
export async function readStoreFile(
  path: string,
): Promise<{ header: string; ts: number[]; price: number[]; size: number[] }> {
  const lines = (await Deno.readTextFile(path)).split("\n");
  const out = {
    header: lines[0]!,
    ts: [] as number[],
    price: [] as number[],
    size: [] as number[],
  };
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    const [t, p, s] = line.split(",");
    out.ts.push(Date.parse(t!));
    out.price.push(Number(p));
    out.size.push(Number(s));
  }
  return out;
}

/**
 * Requests a forward walk of a day needs against the simulator, worked out from the
 * archive: from the session open, 1,000 trades and the rest of the last second a page, until
 * a page is empty or reaches the close.
 */
export function referenceRequests(archive: GeneratedArchive, conId: number, date: string): number {
  const h = archive.history(conId)!;
  const { start, end } = cmeSession(date);
  // IB never spans a session break in one answer: a page stops at the session's last trade,
  // and the request after it (from the next second) finds nothing before the break.
  const endIdx = h.lowerBound(end);
  let cursor = start;
  let n = 0;
  for (;;) {
    n++;
    let i = h.lowerBound(cursor);
    if (i >= endIdx) return n;
    const stop = Math.min(endIdx, i + 1000);
    let last = h.ts(stop - 1);
    i = stop;
    while (i < endIdx && Math.floor(h.ts(i) / 1000) === Math.floor(last / 1000)) last = h.ts(i++);
    cursor = Math.floor(last / 1000) * 1000 + 1000;
  }
}

/** Every one of `days` is in the store, equal to the simulator's history. */
export async function assertStoreEqualsArchive(
  t: DownloadSim,
  dir: string,
  days: ReadonlyArray<{ date: string; local: string }> = EXPECTED_DAYS,
): Promise<number> {
  const store = await TickStore.open(dir);
  assert.deepEqual(
    store.records().map((r) => [r.date, r.contract.localSymbol, r.status]),
    days.map((d) => [d.date, d.local, d.date === HOLIDAY ? "empty" : "complete"]),
  );
  let total = 0;
  for (const d of days) {
    const want = t.archive.day(d.local, d.date);
    const rec = store.record(d.local, d.date)!;
    assert.deepEqual(rec.sessions, [cmeSession(d.date)]);
    if (d.date === HOLIDAY) {
      assert.deepEqual(want.ts.length, 0);
      assert.ok(rec.file === undefined);
      continue;
    }
    assert.ok(want.ts.length > 1000, `${d.local} ${d.date}: only ${want.ts.length} trades`);
    const got = await readStoreFile(join(dir, rec.file!));
    assert.deepEqual(got.header, "ts_utc,price,size");
    assert.deepEqual(got.ts, want.ts, `${d.local} ${d.date}: times`);
    assert.deepEqual(got.price, want.price, `${d.local} ${d.date}: prices`);
    assert.deepEqual(got.size, want.size, `${d.local} ${d.date}: sizes`);
    assert.deepEqual(rec.ticks, want.ts.length);
    total += want.ts.length;
  }
  // Nothing half-written is left.
  const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  assert.ok(!names.some((n) => n.endsWith(".part") || n.endsWith(".tmp")), names.join(" "));
  return total;
}
