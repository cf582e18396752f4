/**
 * `scalpbot download` against the simulator with the real IB client: a multi-day download
 * across a roll and a holiday, interrupted (drop, 1101, Ctrl+C) and resumed, equals the
 * simulator's history tick for tick; IB's pacing is never violated.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { download, type DownloadOptions, type DownloadProgress } from "../lib/data/download.ts";
import { MANIFEST_NAME, TickStore } from "../lib/data/store.ts";
import { FatalError } from "../lib/ib/listing.ts";
import { startProxy } from "./_live_proxy.ts";
import {
  assertStoreEqualsArchive,
  downloadConfig,
  type DownloadSim,
  EXPECTED_DAYS,
  FROM,
  referenceRequests,
  startDownloadSim,
  TO,
} from "./_download_sim.ts";

/** True when the progress stands inside a day (not at its first or last page). */
function midDay(p: DownloadProgress): boolean {
  const inDay = p.fraction * p.daysTodo - p.daysDone;
  return inDay > 0.05 && inDay < 0.95;
}

/** A download of the whole range into `dir`, on the simulator's clock. */
async function runOn(t: DownloadSim, dir: string, more: Partial<DownloadOptions> = {}) {
  return await download({
    config: downloadConfig(t.port),
    store: await TickStore.open(dir),
    from: FROM,
    to: TO,
    now: t.now,
    sleep: t.sleep,
    ...more,
  });
}

Deno.test("download: a roll and a holiday, pacing kept at scale: every request as worked out, no 162", async () => {
  // The clock runs 120 times the wall: IB's 10-minute window is 5 s, far more than 60
  // requests take (about 1 s, 5 s on a machine 5 times as busy), so the window binds.
  const t = await startDownloadSim({ rate: 120, intensity: 0.25 });
  const dir = await Deno.makeTempDir();
  try {
    const t0 = t.now();
    const s = await runOn(t, dir);
    const elapsed = t.now() - t0;
    const total = await assertStoreEqualsArchive(t, dir);
    const byLocal = new Map(t.archive.contracts.map((c) => [c.localSymbol, c.conId]));
    const want = EXPECTED_DAYS.reduce(
      (n, d) => n + referenceRequests(t.archive, byLocal.get(d.local)!, d.date),
      0,
    );
    assert.ok(want > 60, `only ${want} requests: the 10-minute window is not reached`);
    assert.deepEqual(s.pacing.requests, want);
    assert.deepEqual(t.counts.pages, want, "history answers");
    assert.deepEqual(t.counts.pacing162, 0, "the simulator answered a 162");
    assert.deepEqual(s.pacing.retries162, 0);
    // Request k + 60 leaves 10 minutes after request k.
    const windows = Math.floor((want - 1) / 60);
    assert.ok(elapsed >= windows * 600_000, `${want} requests in ${elapsed / 1000} s`);
    assert.ok(s.pacing.waits >= 1 && s.pacing.waitedMs > 0);
    assert.deepEqual([s.daysDone, s.empty, s.ticks, s.skipped], [6, 1, total, 0]);
    assert.deepEqual(s.contracts, ["MESU5", "MESZ5"]);
    console.log(
      `${want} requests, ${total} trades, ${s.pacing.waits} pacing waits ` +
        `(${(s.pacing.waitedMs / 1000).toFixed(0)} s of IB time), ${(elapsed / 1000).toFixed(0)} s`,
    );
    // A second run has nothing to do and sends no history request.
    const again = await runOn(t, dir);
    assert.deepEqual([again.skipped, again.daysTodo, again.pacing.requests], [6, 0, 0]);
    assert.deepEqual(t.counts.pages, want);
  } finally {
    await t.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("download: a drop, a 1101 and a stop mid-day; the next run resumes and the files equal the history", async () => {
  const t = await startDownloadSim({ rate: 1000, intensity: 0.15 });
  const dir = await Deno.makeTempDir();
  try {
    const stop = new AbortController();
    const lines: string[] = [];
    let requests = 0;
    const fired: string[] = [];
    const progress = (p: DownloadProgress) => {
      if (p.pacing.requests === requests) return;
      requests = p.pacing.requests;
      if (requests === 4 && !fired.includes("drop")) {
        fired.push("drop");
        t.sim.faults.dropAll();
      } else if (requests === 9 && !fired.includes("1101")) {
        fired.push("1101");
        t.sim.faults.connectivityLost();
        setTimeout(() => t.sim.faults.restoredDataLost(), 30);
      } else if (requests >= 14 && !fired.includes("stop") && midDay(p)) {
        fired.push("stop");
        stop.abort();
      }
    };
    const first = await runOn(t, dir, {
      signal: stop.signal,
      progress,
      log: (l) => lines.push(l),
    });
    assert.deepEqual(fired, ["drop", "1101", "stop"]);
    assert.ok(first.stopped);
    assert.ok(first.reconnects >= 1, "no reconnect after the drop");
    assert.ok(lines.some((l) => l.includes("1101")), lines.join("\n"));
    // The stopped day is partial: a part file, no final file, the manifest says so.
    const store = await TickStore.open(dir);
    const partial = store.records().filter((r) => r.status === "partial");
    assert.deepEqual(partial.length, 1);
    const p = partial[0]!;
    assert.ok(p.ticks > 0 && p.cursor! > p.sessions[0]!.start);
    const names = [...Deno.readDirSync(dir)].map((e) => e.name);
    assert.ok(names.includes(p.file! + ".part"));
    assert.ok(!names.includes(p.file!), "a stopped day looks complete");
    // A half-written line (a kill in the middle of a write) is cut off on resume.
    await Deno.writeTextFile(join(dir, p.file! + ".part"), "2025-09-1", { append: true });
    const second = await runOn(t, dir);
    assert.ok(!second.stopped);
    assert.deepEqual(second.skipped + second.daysTodo, 6);
    assert.deepEqual(second.skipped, EXPECTED_DAYS.findIndex((d) => d.date === p.date));
    await assertStoreEqualsArchive(t, dir);
    assert.deepEqual(t.counts.pacing162, 0);
    const manifest = JSON.parse(await Deno.readTextFile(join(dir, MANIFEST_NAME)));
    assert.deepEqual(manifest.format, "scalpbot-ticks/1");
  } finally {
    await t.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("download: TWS unreachable 8 times in a row ends the run with one line; the store is untouched", async () => {
  // A port nothing listens on: take a free one and close it.
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const dir = await Deno.makeTempDir();
  try {
    const lines: string[] = [];
    await assert.rejects(
      download({
        config: downloadConfig(port),
        store: await TickStore.open(dir),
        from: FROM,
        to: TO,
        log: (line) => lines.push(line),
      }),
      new RegExp(`^Error: cannot reach TWS at 127.0.0.1:${port} \\(8 attempts\\)`),
    );
    assert.equal(lines.filter((x) => x.includes("no connection to TWS")).length, 7);
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("download: a 162 backs off and the day goes on; one that persists ends the run with one line, resumed later", async () => {
  const t = await startDownloadSim({ rate: 1000, intensity: 0.15 });
  // History answers 3 and 4 come back as IB's pacing 162 (another client of the account),
  // then every answer from the 12th on.
  let answers = 0;
  const pacing = (
    f: string[],
  ) => ["4", "2", f[1]!, "162", "Historical data request pacing violation", ""];
  const proxy = startProxy(t.port, (f) => {
    if (f[0] !== "98") return f;
    answers++;
    return answers === 3 || answers === 4 || answers >= 12 ? pacing(f) : f;
  });
  const dir = await Deno.makeTempDir();
  try {
    const lines: string[] = [];
    const err = await download({
      config: downloadConfig(proxy.port),
      store: await TickStore.open(dir),
      from: FROM,
      to: TO,
      now: t.now,
      sleep: t.sleep,
      log: (l) => lines.push(l),
    }).then(() => undefined, (e) => e);
    assert.ok(err instanceof FatalError, String(err));
    assert.equal(
      err.message,
      "IB error 162: Historical data request pacing violation: the store keeps what was " +
        "fetched; run again to resume",
    );
    // The first refusals back off 2 s, then 4 s (the simulator, which served the refused
    // request, may refuse its identical retry too), and the walk goes on; the request refused
    // for good is retried five times, 2, 4, 8, 15, 15 s apart, then the run gives up.
    const waits = lines.filter((l) => l.includes("(162)")).map((l) => /in (\d+) s/.exec(l)![1]);
    assert.deepEqual(waits.slice(0, 2), ["2", "4"]);
    assert.deepEqual(waits.slice(-5), ["2", "4", "8", "15", "15"]);
    assert.ok(waits.length >= 7, waits.join(" "));
    assert.ok(answers >= 12, `${answers} answers`);
    const partial = (await TickStore.open(dir)).records().filter((r) => r.status === "partial");
    assert.equal(partial.length, 1);
    // The next run, IB quiet again, resumes the partial day; the files equal the history.
    const again = await runOn(t, dir);
    assert.ok(!again.stopped);
    await assertStoreEqualsArchive(t, dir);
  } finally {
    await proxy.close();
    await t.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("download --contract: the named contract on every day, not the front month; an unknown one is one line", async () => {
  // 11 and 12 Sep: the roll rule picks MESU5 (EXPECTED_DAYS); MESZ5 is asked for instead.
  const t = await startDownloadSim({
    rate: 1000,
    intensity: 0.05,
    from: "2025-09-11",
    to: "2025-09-12",
  });
  const dir = await Deno.makeTempDir();
  try {
    const s = await runOn(t, dir, { from: "2025-09-11", to: "2025-09-12", contract: "mesz5" });
    assert.deepEqual(s.contracts, ["MESZ5"]);
    await assertStoreEqualsArchive(t, dir, [
      { date: "2025-09-11", local: "MESZ5" },
      { date: "2025-09-12", local: "MESZ5" },
    ]);
    await assert.rejects(
      runOn(t, dir, { from: "2025-09-11", to: "2025-09-12", contract: "MESX9" }),
      (e) =>
        e instanceof FatalError &&
        /^--contract MESX9: IB lists no such MES contract \(listed: .*MESU5, MESZ5, MESH6/.test(
          e.message,
        ),
    );
  } finally {
    await t.close();
    await Deno.remove(dir, { recursive: true });
  }
});
