/**
 * Journal durability per mode (issue 11): `batch` for backtests (whole lines per flush, one
 * fdatasync at the end), `BackgroundJournal` for live (formatting, writes and fdatasync on a
 * worker thread, `durable()` for whatever must wait for the disk), and the marker a killed
 * backtest leaves (a run without SESSION_END, named with its last line).
 */
import assert from "node:assert/strict";
import { type JournalSink, JournalWriter, MemoryJournal } from "../lib/journal/writer.ts";
import { BackgroundJournal } from "../lib/journal/background.ts";
import { parseJournalText } from "../lib/journal/reader.ts";
import { findUnendedRuns, inspectJournal } from "../lib/journal/inspect.ts";
import type { JournalEvent } from "../lib/types.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const OPTS = {
  timeZone: "America/Chicago",
  priceDecimals: 2,
  periods: { emaFast: 9, emaSlow: 21, rsi: 9, atr: 9 },
};
const T0 = Date.UTC(2025, 1, 17, 15);

function start(runId: string, time = T0): JournalEvent {
  return {
    kind: "SESSION_START",
    time,
    runId,
    version: "0.1.0",
    configDigest: "abc",
    source: "file:t.csv",
    symbol: "MES",
    multiplier: 5,
    tickSize: 0.25,
    currency: "USD",
  };
}
function fill(i: number): JournalEvent {
  return {
    kind: "FILL",
    time: T0 + i * 1000,
    tradeId: `r-${i}`,
    price: 5000 + i * 0.25,
    qty: 1,
    filled: 1,
    remaining: 0,
  };
}
function end(runId: string): JournalEvent {
  return {
    kind: "SESSION_END",
    time: T0 + 3_600_000,
    runId,
    reason: "END_OF_DATA",
    ticks: 10,
    bars: 1,
    trades: 0,
  };
}

/** The text a MemoryJournal (the formatting reference) makes of `events`. */
function expectedText(events: JournalEvent[]): string {
  const m = new MemoryJournal(OPTS);
  for (const e of events) m.write(e);
  return m.text();
}

Deno.test("batch journal: lines reach the file only at flush, whole; close writes the rest", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/j.text`;
    const w = JournalWriter.open(path, { ...OPTS, durability: "batch" });
    const events = [start("r"), fill(1), fill(2)];
    for (const e of events) w.write(e);
    assert.equal(await Deno.readTextFile(path), "", "nothing written before the flush");
    w.flush();
    assert.equal(await Deno.readTextFile(path), expectedText(events));
    w.write(fill(3));
    w.write(end("r"));
    w.close();
    const all = [...events, fill(3), end("r")];
    assert.equal(await Deno.readTextFile(path), expectedText(all));
    assert.throws(() => w.write(fill(4)), TypeError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("batch and background journals repair a torn line exactly as the sync one does", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const torn = expectedText([start("a"), fill(1)]) + "2025-02-17T09:00:03-06:00 | FILL | Trad";
    const texts: string[] = [];
    const open = (path: string, mode: string): JournalSink & { close(): void } =>
      mode === "background"
        ? BackgroundJournal.open(path, OPTS)
        : JournalWriter.open(path, { ...OPTS, durability: mode as "sync" | "batch" });
    for (const mode of ["sync", "batch", "background"]) {
      const path = `${dir}/${mode}.text`;
      await Deno.writeTextFile(path, torn);
      const w = open(path, mode);
      w.write(start("b"));
      w.write(fill(5));
      await w.durable?.();
      w.close();
      texts.push(await Deno.readTextFile(path));
    }
    // The reference: the torn text ends with a newline, the next run's start names line 3.
    const marked = expectedText([start("b")]).replace("\n", " | Repaired=3\n");
    assert.equal(texts[0], torn + "\n" + marked + expectedText([fill(5)]));
    assert.equal(texts[1], texts[0]);
    assert.equal(texts[2], texts[0]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("background journal: write returns at once; durable() resolves with every line on disk, in order", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/j.text`;
    const w = BackgroundJournal.open(path, OPTS);
    const events: JournalEvent[] = [start("r")];
    w.write(events[0]!);
    await w.durable();
    assert.equal(await Deno.readTextFile(path), expectedText(events));
    // Durable promises taken along the way resolve, each with at least its prefix on disk.
    const checks: Promise<void>[] = [];
    for (let i = 1; i <= 300; i++) {
      const e = fill(i);
      events.push(e);
      w.write(e);
      if (i % 60 === 0) {
        const prefix = expectedText(events);
        checks.push(
          w.durable().then(async () => {
            assert.ok((await Deno.readTextFile(path)).startsWith(prefix));
          }),
        );
      }
    }
    await Promise.all(checks);
    w.write(end("r"));
    w.close(); // waits for the worker: everything is on disk when it returns
    events.push(end("r"));
    assert.equal(await Deno.readTextFile(path), expectedText(events));
    await w.durable();
    assert.throws(() => w.write(fill(999)), TypeError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("background journal: events written in one task reach the disk at its end without durable()", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/j.text`;
    const w = BackgroundJournal.open(path, OPTS);
    const events = [start("q"), fill(1), fill(2)];
    for (const e of events) w.write(e);
    // Nothing awaited durable(): the post queued by the first write must still happen.
    const want = expectedText(events);
    let text = "";
    for (let i = 0; i < 200 && text !== want; i++) {
      await new Promise((r) => setTimeout(r, 10));
      text = await Deno.readTextFile(path);
    }
    assert.equal(text, want);
    w.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("background journal: an event the formatter refuses fails durable(), the next write and close", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const w = BackgroundJournal.open(`${dir}/j.text`, OPTS);
    w.write({ ...fill(1), price: NaN } as JournalEvent);
    await assert.rejects(w.durable(), RangeError);
    assert.throws(() => w.write(fill(2)), RangeError);
    assert.throws(() => w.close(), RangeError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("findUnendedRuns names each run without its own SESSION_END and its last line", () => {
  // Run a: crashed after its fill (line 2); run b: ended; run c: cut after line 6.
  const events = [start("a"), fill(1), start("b"), end("b"), start("c"), fill(2)];
  const lines = [1, 2, 4, 5, 7, 9]; // line 3 was a torn line, 6 and 8 blank
  assert.deepEqual(findUnendedRuns(events, lines), [
    { runId: "a", startLine: 1, lastLine: 2 },
    { runId: "c", startLine: 7, lastLine: 9 },
  ]);
  // A SESSION_END of another run does not end this one.
  assert.deepEqual(findUnendedRuns([start("a"), end("b")], [1, 2]), [
    { runId: "a", startLine: 1, lastLine: 2 },
  ]);
  assert.deepEqual(findUnendedRuns([start("a"), end("a")], [1, 2]), []);
});

Deno.test("backtest killed with SIGKILL mid-run: whole valid lines, and the run is named with its last line", async () => {
  const dir = await Deno.makeTempDir();
  const journal = `${dir}/j.text`;
  try {
    await Deno.writeTextFile(`${dir}/c.yaml`, "# the defaults\n");
    const args = (command: string, ...rest: string[]) => [
      "run",
      `--allow-read=${dir},.`,
      `--allow-write=${dir}`,
      "--allow-env=LOG_TOKENS,LOG_STREAM",
      MAIN,
      command,
      ...rest,
    ];
    const child = new Deno.Command(Deno.execPath(), {
      args: args(
        "backtest",
        "--days",
        "3650",
        "--quiet",
        "--journal",
        journal,
        "--config",
        `${dir}/c.yaml`,
      ),
      stdout: "null",
      stderr: "null",
    }).spawn();
    // Running and trading: several trades are on disk, years of data still to go.
    for (let i = 0; i < 400; i++) {
      const text = await Deno.readTextFile(journal).catch(() => "");
      if ((text.match(/\| EXIT \|/g) ?? []).length >= 5) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill("SIGKILL");
    await child.status;
    const text = await Deno.readTextFile(journal);
    // Lines go out whole, in one write per batch: the file ends at a line's end.
    assert.ok(text.endsWith("\n"), "the file ends with a whole line");
    const lines = text.split("\n").length - 1;
    const { events, torn, errors } = parseJournalText(text); // strict: any bad line throws
    assert.equal(torn, undefined);
    assert.deepEqual(errors, []);
    assert.equal(events.length, lines);
    assert.equal(events[0]?.kind, "SESSION_START");
    assert.ok(events.filter((e) => e.kind === "EXIT").length >= 5);
    assert.ok(!events.some((e) => e.kind === "SESSION_END"), "killed: no SESSION_END");
    const runId = (events[0] as { runId: string }).runId;

    // The marker: readers name the run and the line it stopped after.
    const found = await inspectJournal(journal);
    assert.deepEqual(found.unended, [{ runId, startLine: 1, lastLine: lines }]);
    const report = await new Deno.Command(Deno.execPath(), {
      args: args("report", journal),
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(report.code, 0);
    assert.equal(
      new TextDecoder().decode(report.stderr).trim(),
      `note: ${journal}: run ${runId} ended without SESSION_END (crashed or killed, or still ` +
        `running) after line ${lines}`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
