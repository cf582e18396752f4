/**
 * `scalpbot live` as a real subprocess against the simulator: SIGINT and SIGTERM end the
 * run cleanly (journal ended, report printed, exit 0); a TWS address without network
 * permission gives the flag to grant instead of a stack trace.
 */
import assert from "node:assert/strict";
import { journalFormatOptions } from "../lib/cli/console.ts";
import { readJournal } from "../lib/journal/reader.ts";
import { JournalWriter } from "../lib/journal/writer.ts";
import { liveConfig, withGeneratedSim } from "./_live_harness.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

/**
 * `scalpbot live ARGS` as a subprocess that may read `dir` and the code, write `dir` and reach
 * 127.0.0.1:`port` only.
 */
function liveCommand(dir: string, args: string[], port: number): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      `--allow-read=${dir},${MAIN.replace(/main\.ts$/, "")}`,
      `--allow-write=${dir}`,
      "--allow-env=LOG_TOKENS,LOG_STREAM",
      `--allow-net=127.0.0.1:${port}`,
      MAIN,
      "live",
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
    cwd: dir,
  });
}

/** Runs `scalpbot live` against `port` with journal `journal` until it is in sync, then signals it. */
async function liveUntilSynced(
  port: number,
  dir: string,
  journal: string,
  signal: Deno.Signal,
  extra: string[] = [],
): Promise<{ out: string; err: string; code: number }> {
  await Deno.writeTextFile(`${dir}/none.yaml`, `ib:\n  port: ${port}\nlive:\n  warmup: "off"\n`);
  const args = ["--config", `${dir}/none.yaml`, "--journal", journal, "--no-bars", ...extra];
  const p = liveCommand(dir, args, port).spawn();
  const reader = p.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("in sync")) {
    const r = await reader.read();
    if (r.done) break;
    out += r.value;
  }
  const synced = out.includes("in sync");
  if (synced) p.kill(signal);
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
    out += r.value;
  }
  const status = await p.status;
  const err = await new Response(p.stderr).text();
  return { out, err, code: status.code };
}

function withSim(fn: (port: number, dir: string) => Promise<void>): Promise<void> {
  return withGeneratedSim(async (port) => {
    const dir = await Deno.makeTempDir();
    try {
      await fn(port, dir);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

async function runUntilSynced(signal: Deno.Signal): Promise<void> {
  await withSim(async (port, dir) => {
    const journal = `${dir}/j.text`;
    const { out, err, code } = await liveUntilSynced(port, dir, journal, signal);
    assert.ok(out.includes("in sync"), out + err);
    assert.equal(code, 0, err);
    assert.ok(out.includes("Net P/L"), "report printed");
    // DU1234567 with at most 3 of its characters shown (issue 12).
    assert.ok(out.includes("DU******7"), "account masked");
    assert.ok(!out.includes("DU1234567"), "account not shown in full");
    const j = await readJournal(journal);
    const end = j.events.at(-1)!;
    assert.equal(end.kind, "SESSION_END");
    assert.equal(end.kind === "SESSION_END" && end.reason, signal);
  });
}

Deno.test("live CLI: SIGINT cancels, ends the journal, prints the report, exits 0", async () => {
  await runUntilSynced("SIGINT");
});

Deno.test("live CLI: SIGTERM ends the run the same way", async () => {
  await runUntilSynced("SIGTERM");
});

Deno.test("live CLI: a TWS address without net permission names the flag to grant", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-env=LOG_TOKENS,LOG_STREAM",
      "--allow-net=127.0.0.1:7497",
      MAIN,
      "live",
      "--set",
      "ib.host=10.1.2.3",
      "--set",
      "ib.port=4002",
      "--journal",
      "/nonexistent/j.text",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 2);
  assert.ok(err.includes("--allow-net=10.1.2.3:4002"), err);
  assert.ok(!err.includes("    at "), "no stack trace");
});

Deno.test("live CLI: a restart continues its own journal without a flag", async () => {
  await withSim(async (port, dir) => {
    const journal = `${dir}/j.text`;
    const first = await liveUntilSynced(port, dir, journal, "SIGINT");
    assert.equal(first.code, 0, first.err);
    const second = await liveUntilSynced(port, dir, journal, "SIGINT");
    assert.equal(second.code, 0, second.err);
    const j = await readJournal(journal);
    const starts = j.events.filter((e) => e.kind === "SESSION_START");
    assert.equal(starts.length, 2);
    assert.equal(j.events.filter((e) => e.kind === "SESSION_END").length, 2);
  });
});

/** A journal holding one backtest run (Source=file:...). */
async function backtestJournal(path: string): Promise<string> {
  const cfg = liveConfig(7497);
  const w = JournalWriter.open(path, journalFormatOptions(cfg));
  w.write({
    kind: "SESSION_START",
    time: Date.UTC(2023, 0, 3, 14),
    runId: "BT",
    version: "test",
    configDigest: "0123456789ab",
    source: "file:ticks.csv",
    symbol: "MES",
    multiplier: 5,
    tickSize: 0.25,
    currency: "USD",
  });
  w.write({
    kind: "SESSION_END",
    time: Date.UTC(2023, 0, 3, 15),
    runId: "BT",
    reason: "END_OF_DATA",
    ticks: 10,
    bars: 1,
    trades: 0,
  });
  w.close();
  return await Deno.readTextFile(path);
}

/** `scalpbot live` with `args`, allowed only loopback TWS 7497 and the folder `dir`. */
async function liveCli(dir: string, args: string[], port = 7497) {
  const out = await liveCommand(dir, args, port).output();
  return { code: out.code, err: new TextDecoder().decode(out.stderr) };
}

Deno.test("live CLI: a journal holding a backtest is refused without --append and left as it was", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const journal = `${dir}/j.text`;
    const before = await backtestJournal(journal);
    const r = await liveCli(dir, ["--journal", journal, "--no-bars"]);
    assert.equal(r.code, 2, r.err);
    const lines = r.err.trim().split("\n");
    assert.equal(lines.length, 1, r.err);
    assert.ok(lines[0]!.includes(journal) && lines[0]!.includes("--append"), r.err);
    assert.ok(lines[0]!.includes("run BT (source file:ticks.csv"), r.err);
    assert.equal(await Deno.readTextFile(journal), before);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("live CLI: --append adds a live run to a backtest's journal", async () => {
  await withSim(async (port, dir) => {
    const journal = `${dir}/j.text`;
    const before = await backtestJournal(journal);
    // Without --append the run is refused before connecting.
    await Deno.writeTextFile(`${dir}/none.yaml`, `ib:\n  port: ${port}\n`);
    const refused = await liveCli(
      dir,
      ["--config", `${dir}/none.yaml`, "--journal", journal],
      port,
    );
    assert.equal(refused.code, 2, refused.err);
    assert.equal(await Deno.readTextFile(journal), before);
    const appended = await liveUntilSynced(port, dir, journal, "SIGINT", ["--append"]);
    assert.equal(appended.code, 0, appended.err);
    const text = await Deno.readTextFile(journal);
    assert.ok(text.startsWith(before), "the backtest's lines are kept");
    const runs = (await readJournal(journal)).events.filter((e) => e.kind === "SESSION_START");
    assert.deepEqual(runs.map((e) => e.kind === "SESSION_START" && e.source.split(":")[0]), [
      "file",
      "ib",
    ]);
  });
});

Deno.test("live CLI: bad inputs are refused before the journal (or its folder) is created", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // An invalid config: no journal folder, no journal.
    await Deno.writeTextFile(`${dir}/bad.yaml`, "bars:\n  seconds: -5\n");
    const bad = await liveCli(dir, [
      "--config",
      `${dir}/bad.yaml`,
      "--journal",
      `${dir}/new/j.text`,
    ]);
    assert.equal(bad.code, 2, bad.err);
    assert.equal(bad.err.trim().split("\n").length, 1, bad.err);
    assert.equal(await Deno.stat(`${dir}/new`).then(() => true, () => false), false);
    // A directory where the journal should be: one line naming it.
    await Deno.mkdir(`${dir}/jdir`);
    const isDir = await liveCli(dir, ["--journal", `${dir}/jdir`]);
    assert.equal(isDir.code, 1, isDir.err);
    assert.equal(isDir.err.trim().split("\n").length, 1, isDir.err);
    assert.ok(isDir.err.includes(`${dir}/jdir is a directory`), isDir.err);
    assert.ok(!isDir.err.includes("    at "), "no stack trace");
    // A file that is not a journal is left alone.
    await Deno.writeTextFile(`${dir}/notes.text`, "hello\n");
    const notJournal = await liveCli(dir, ["--journal", `${dir}/notes.text`]);
    assert.equal(notJournal.code, 2, notJournal.err);
    assert.ok(notJournal.err.includes("not a scalpbot journal"), notJournal.err);
    assert.equal(await Deno.readTextFile(`${dir}/notes.text`), "hello\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
