/**
 * `scalpbot sim --archive DAYS`: the simulator serves a generated history of the last days,
 * and a download of them equals that history.
 */
import assert from "node:assert/strict";
import { configSchema } from "../lib/config/schema.ts";
import { download } from "../lib/data/download.ts";
import { TickStore } from "../lib/data/store.ts";
import { runSimCommand } from "../lib/sim/command.ts";
import { generateArchive, recentArchiveOptions } from "../lib/sim/history_store.ts";
import type { SimulatorHandle } from "../lib/sim/server.ts";
import { assertStoreEqualsArchive, type DownloadSim } from "./_download_sim.ts";

Deno.test("sim --archive 4: a download of the last days equals the generated history", async () => {
  const stop = new AbortController();
  let sim: SimulatorHandle | undefined;
  const ready = Promise.withResolvers<void>();
  const now = Date.now();
  const o = recentArchiveOptions(now, 4, "MES");
  const log = console.log;
  console.log = () => {};
  const done = runSimCommand(["--archive", "4", "--port", "0"], {
    signal: stop.signal,
    onReady: (s) => {
      sim = s;
      ready.resolve();
    },
  });
  const dir = await Deno.makeTempDir();
  try {
    await ready.promise;
    console.log = log;
    const config = configSchema.parse({ ib: { port: sim!.port }, live: { page_interval_ms: 0 } });
    const s = await download({ config, store: await TickStore.open(dir), from: o.from, to: o.to });
    // The same options give the same archive: the days the download must have stored.
    const archive = generateArchive(o);
    const store = await TickStore.open(dir);
    const days = store.records().map((r) => ({ date: r.date, local: r.contract.localSymbol }));
    assert.ok(days.length >= 1 && s.empty === 0, JSON.stringify(s));
    await assertStoreEqualsArchive({ archive } as DownloadSim, dir, days);
  } finally {
    console.log = log;
    stop.abort();
    await done;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sim --archive: MES or ES only, and not with --ticks", async () => {
  await assert.rejects(
    runSimCommand(["--archive", "4", "--symbol", "GC"]),
    /--archive serves MES or ES history only, without --ticks/,
  );
  await assert.rejects(runSimCommand(["--archive", "0"]), /--archive must be an integer in 1..730/);
});
