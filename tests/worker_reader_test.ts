/**
 * The tick reader on a Worker (issue 11: parsing overlaps the engine) delivers exactly what
 * the in-thread reader does: the same ticks in the same order, the same stats, the same
 * error for a bad line.
 */
import assert from "node:assert/strict";
import { readTickFile, TickParseError } from "../lib/ticks/csv_reader.ts";
import { readTickFileInWorker } from "../lib/ticks/worker_reader.ts";
import type { ReadTickFileOptions } from "../lib/ticks/csv_reader.ts";

type Reader = (path: string, o: ReadTickFileOptions) => Promise<unknown>;

/** Every tick as [ts, price, size], and what the reader returned. */
async function collect(read: Reader, path: string, skipMalformed = false) {
  const ticks: number[][] = [];
  let progress = 0;
  const stats = await read(path, {
    skipMalformed,
    onBatch: (b) => {
      for (let i = 0; i < b.count; i++) ticks.push([b.ts[i]!, b.price[i]!, b.size[i]!]);
    },
    onProgress: (read) => (progress = read),
  });
  return { ticks, stats, progress };
}

/** `n` rows of a 1 ms tape, prices on a 0.25 grid, sizes 1..5. */
function csv(n: number, bad?: { at: number; row: string }): string {
  const rows = ["ts_utc,price,size"];
  for (let i = 0; i < n; i++) {
    if (bad?.at === i) rows.push(bad.row);
    rows.push(
      `${new Date(Date.UTC(2025, 1, 17, 15) + i).toISOString()},${5000 + (i % 9) * 0.25},${
        1 + (i % 5)
      }`,
    );
  }
  return rows.join("\n") + "\n";
}

Deno.test("worker reader: the same ticks, order, stats and progress as readTickFile over several chunks", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/t.csv`;
    // About 3.5 MiB: several 1 MiB chunks, so batches cross chunk ends and acks come back.
    await Deno.writeTextFile(path, csv(100_000));
    const inThread = await collect(readTickFile, path);
    const inWorker = await collect(readTickFileInWorker, path);
    assert.equal(inThread.ticks.length, 100_000);
    assert.deepEqual(inWorker.ticks, inThread.ticks);
    assert.deepEqual(inWorker.stats, inThread.stats);
    assert.equal(inWorker.progress, (await Deno.stat(path)).size);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("worker reader: a bad line fails with the same TickParseError; skipMalformed counts it the same", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/t.csv`;
    // The bad row is line 50,002 (header, 50,000 rows, then it).
    await Deno.writeTextFile(path, csv(60_000, { at: 50_000, row: "2025-02-17T15:00:50Z,abc,1" }));
    const e1 = await collect(readTickFile, path).catch((e) => e);
    const e2 = await collect(readTickFileInWorker, path).catch((e) => e);
    assert.ok(e1 instanceof TickParseError && e2 instanceof TickParseError);
    assert.equal(e2.message, e1.message);
    assert.equal(e2.line, 50_002);
    const s1 = await collect(readTickFile, path, true);
    const s2 = await collect(readTickFileInWorker, path, true);
    assert.deepEqual(s2.stats, s1.stats);
    assert.deepEqual(s2.ticks, s1.ticks);
    assert.equal(s2.ticks.length, 60_000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("worker reader: an abort stops the read with the signal's reason", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/t.csv`;
    await Deno.writeTextFile(path, csv(100_000));
    const abort = new AbortController();
    let seen = 0;
    const err = await readTickFileInWorker(path, {
      signal: abort.signal,
      onBatch: (b) => {
        seen += b.count;
        if (seen > 10_000) abort.abort(new RangeError("stop here"));
      },
    }).catch((e) => e);
    assert.ok(err instanceof RangeError && err.message === "stop here");
    assert.ok(seen < 100_000, `${seen} ticks after the abort`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
