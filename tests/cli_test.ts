import assert from "node:assert/strict";
import { runMain } from "./_run_main.ts";
import { BARS_CSV_HEADER } from "../lib/cli/bars_csv.ts";
import { parseJournalText } from "../lib/journal/reader.ts";
import type { JournalEvent } from "../lib/types.ts";
import { VERSION } from "../lib/version.ts";

const run = runMain;

async function journalEvents(path: string): Promise<JournalEvent[]> {
  return parseJournalText(await Deno.readTextFile(path), { source: path }).events;
}

/** Drops run-specific ids so two runs over the same data can be compared. */
function withoutIds(events: JournalEvent[]): unknown[] {
  return events.map((e) => {
    const copy: Record<string, unknown> = { ...e };
    delete copy.runId;
    if ("tradeId" in copy) copy.tradeId = String(copy.tradeId).replace(/^.*-(\d+)$/, "$1");
    return copy;
  });
}

Deno.test("scalpbot --version prints the version that deno.json declares", async () => {
  const deno = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  assert.equal(deno.version, VERSION);
  const r = await run(["--version"]);
  assert.equal(r.code, 0);
  assert.equal(r.out, `scalpbot ${VERSION}`);
});

Deno.test("scalpbot rejects an unknown command with exit code 2", async () => {
  const r = await run(["frobnicate"]);
  assert.equal(r.code, 2);
  assert.match(r.err, /unknown command "frobnicate"/);
});

Deno.test("backtest of the generated session is deterministic and journals whole trades", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const a = await run(["backtest", "--journal", `${dir}/a.text`, "--quiet", "--config", "none"]);
    // --config none is not a file: one clear error, nothing written.
    assert.equal(a.code, 2);
    assert.match(a.err, /none/);
    await assert.rejects(Deno.stat(`${dir}/a.text`), Deno.errors.NotFound);

    const r1 = await run(["backtest", "--journal", `${dir}/a.text`, "--quiet", "--seed", "3"]);
    const r2 = await run(["backtest", "--journal", `${dir}/b.text`, "--quiet", "--seed", "3"]);
    assert.equal(r1.code, 0);
    assert.equal(r2.code, 0);
    const e1 = await journalEvents(`${dir}/a.text`);
    const e2 = await journalEvents(`${dir}/b.text`);
    assert.deepEqual(withoutIds(e1), withoutIds(e2));
    assert.equal(e1[0]!.kind, "SESSION_START");
    assert.equal(e1.at(-1)!.kind, "SESSION_END");
    const entries = e1.filter((e) => e.kind === "ENTRY").length;
    const exits = e1.filter((e) => e.kind === "EXIT").length;
    assert.ok(entries > 0, "the demo session should trade");
    assert.equal(entries, exits);
    // Trade ids are unique across the two runs.
    const ids = [...e1, ...e2].filter((e) => e.kind === "ENTRY").map((e) => e.tradeId);
    assert.equal(new Set(ids).size, ids.length);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("backtest refuses to append to another run's journal unless told to", async () => {
  const dir = await Deno.makeTempDir();
  const j = `${dir}/j.text`;
  try {
    assert.equal((await run(["backtest", "--journal", j, "--quiet"])).code, 0);
    const before = await Deno.readTextFile(j);
    const refused = await run(["backtest", "--journal", j, "--quiet"]);
    assert.equal(refused.code, 2);
    assert.match(refused.err, /already holds 1 run\(s\).*--append/);
    assert.equal(await Deno.readTextFile(j), before, "a refused run writes nothing");
    assert.equal((await run(["backtest", "--journal", j, "--quiet", "--append"])).code, 0);
    const events = await journalEvents(j);
    assert.equal(events.filter((e) => e.kind === "SESSION_START").length, 2);
    assert.equal((await run(["backtest", "--journal", j, "--quiet", "--overwrite"])).code, 0);
    assert.equal((await journalEvents(j)).filter((e) => e.kind === "SESSION_START").length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("backtest rejects a bad config override in one line before writing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await run(["backtest", "--journal", `${dir}/j.text`, "--set", "bars.seconds=7"]);
    assert.equal(r.code, 2);
    assert.equal(r.err.split("\n").length, 1);
    assert.match(r.err, /bars\.seconds = 7 is not allowed: must divide 3600/);
    await assert.rejects(Deno.stat(`${dir}/j.text`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("backtest stops at a malformed tick line, names it, and ends the journal cleanly", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const csv = "ts_utc,price,size\n2025-02-17T15:00:01Z,5000.25,1\n" +
      "2025-02-17T15:00:02Z,abc,1\n2025-02-17T15:00:03Z,5000.5,1\n";
    await Deno.writeTextFile(`${dir}/t.csv`, csv);
    const r = await run(["backtest", "--ticks", `${dir}/t.csv`, "--journal", `${dir}/j.text`]);
    assert.equal(r.code, 1);
    assert.match(r.err, /t\.csv:3/);
    assert.match(r.err, /abc/);
    const events = await journalEvents(`${dir}/j.text`);
    const end = events.at(-1)!;
    assert.ok(end.kind === "SESSION_END");
    assert.equal(end.reason, "ERROR");
    assert.equal(end.ticks, 1);
    // With --skip-malformed the bad line is skipped and counted.
    const s = await run([
      "backtest",
      "--ticks",
      `${dir}/t.csv`,
      "--journal",
      `${dir}/j2.text`,
      "--skip-malformed",
    ]);
    assert.equal(s.code, 0);
    assert.match(s.out, /2 ticks.*1 malformed skipped/s);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("backtest --bars-out writes every bar with the exact header", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // Three 30 s bars by hand: 15:00:00 (2 trades), 15:00:30 (1), 15:01:30 (1); none at 15:01:00.
    const csv = [
      "ts_utc,price,size",
      "2025-02-17T15:00:01.000Z,5000.25,2",
      "2025-02-17T15:00:29.999Z,5000.75,3",
      "2025-02-17T15:00:30.000Z,5000.50,1",
      "2025-02-17T15:01:45.123456789Z,5001.00,4",
    ].join("\n");
    await Deno.writeTextFile(`${dir}/t.csv`, csv);
    const r = await run([
      "backtest",
      "--ticks",
      `${dir}/t.csv`,
      "--journal",
      `${dir}/j.text`,
      "--bars-out",
      `${dir}/bars.csv`,
      "--quiet",
    ]);
    assert.equal(r.code, 0);
    const lines = (await Deno.readTextFile(`${dir}/bars.csv`)).trimEnd().split("\n");
    assert.equal(lines[0], BARS_CSV_HEADER);
    assert.equal(
      lines[0],
      "ts_utc,open,high,low,close,volume,trades,ema_fast,ema_slow,rsi,atr,vwap,rvol,signal",
    );
    // VWAP after bar 1: (5000.25 x 2 + 5000.75 x 3) / 5 = 5000.55.
    assert.equal(
      lines[1],
      "2025-02-17T15:00:00.000Z,5000.25,5000.75,5000.25,5000.75,5,2,,,,,5000.55,,",
    );
    assert.equal(
      lines[2]!.slice(0, 64),
      "2025-02-17T15:00:30.000Z,5000.50,5000.50,5000.50,5000.50,1,1,,,,",
    );
    assert.equal(lines[3]!.slice(0, 24), "2025-02-17T15:01:30.000Z");
    assert.equal(lines.length, 4);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("report prints a journal's figures and its JSON form", async () => {
  const dir = await Deno.makeTempDir();
  const j = `${dir}/j.text`;
  try {
    await run(["backtest", "--journal", j, "--quiet", "--seed", "2"]);
    const events = await journalEvents(j);
    const exits = events.filter((e) => e.kind === "EXIT");
    const net = exits.reduce((s, e) => s + (e.kind === "EXIT" ? e.netPnl : 0), 0);
    const r = await run(["report", j, "--json"]);
    assert.equal(r.code, 0);
    const json = JSON.parse(r.out);
    assert.equal(json.schema, "scalpbot.report/1");
    assert.equal(json.trades, exits.length);
    assert.ok(Math.abs(json.netPnl - net) < 0.005);
    const text = await run(["report", j]);
    assert.equal(text.code, 0);
    assert.match(text.out, /Win rate/);
    const missing = await run(["report", `${dir}/nope.text`]);
    assert.equal(missing.code, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("report names a bad journal line and warns about a torn last line", async () => {
  const dir = await Deno.makeTempDir();
  const j = `${dir}/j.text`;
  try {
    await run(["backtest", "--journal", j, "--quiet", "--seed", "2"]);
    const full = await Deno.readTextFile(j);
    // A crash mid-write: half of a line with no newline.
    await Deno.writeTextFile(j, full + "2025-02-17T12:00:00-06:00 | EXIT | TradeID=X | Si");
    const torn = await run(["report", j]);
    assert.equal(torn.code, 0);
    assert.match(torn.err, /torn last line/);
    const lines = full.split("\n");
    lines.splice(2, 0, "this is not a journal line");
    await Deno.writeTextFile(j, lines.join("\n"));
    const bad = await run(["report", j]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /j\.text:3/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("backtest refuses to write its journal into a file that is not a journal", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/notes.txt`, "my trading notes\nbuy low, sell high\n");
    const r = await run(["backtest", "--journal", `${dir}/notes.txt`, "--quiet"]);
    assert.equal(r.code, 2);
    assert.match(r.err, /notes\.txt is not a scalpbot journal/);
    assert.equal(
      await Deno.readTextFile(`${dir}/notes.txt`),
      "my trading notes\nbuy low, sell high\n",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("backtest of a missing tick file writes no journal and blocks no later run", async () => {
  const dir = await Deno.makeTempDir();
  const j = `${dir}/j.text`;
  try {
    const r = await run(["backtest", "--ticks", `${dir}/nope.csv`, "--journal", j]);
    assert.equal(r.code, 1);
    assert.match(r.err, /nope\.csv/);
    await assert.rejects(Deno.stat(j), Deno.errors.NotFound);
    await Deno.writeTextFile(`${dir}/bad.csv`, "when,what\n1,2\n");
    const h = await run(["backtest", "--ticks", `${dir}/bad.csv`, "--journal", j]);
    assert.equal(h.code, 1);
    await assert.rejects(Deno.stat(j), Deno.errors.NotFound);
    assert.equal((await run(["backtest", "--journal", j, "--quiet"])).code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("backtest --overwrite leaves the journal byte for byte when a tick file is missing or a folder", async () => {
  const dir = await Deno.makeTempDir();
  const j = `${dir}/j.text`;
  try {
    assert.equal((await run(["backtest", "--journal", j, "--quiet"])).code, 0);
    const before = await Deno.readFile(j);
    assert.ok(before.length > 1000);
    await Deno.mkdir(`${dir}/data`);
    for (const ticks of [`${dir}/nope.csv`, `${dir}/data`, `${dir}/data/`]) {
      const r = await run(["backtest", "--ticks", ticks, "--journal", j, "--overwrite"]);
      assert.equal(r.code, 1);
      assert.equal(r.err.split("\n").length, 1, r.err);
      assert.ok(r.err.includes(ticks), r.err);
      assert.deepEqual(await Deno.readFile(j), before);
    }
    // A good run does replace it.
    await Deno.writeTextFile(`${dir}/t.csv`, "ts_utc,price,size\n2025-02-17T15:00:01Z,5000,1\n");
    const ok = await run(["backtest", "--ticks", `${dir}/t.csv`, "--journal", j, "--overwrite"]);
    assert.equal(ok.code, 0, ok.err);
    const events = await journalEvents(j);
    assert.deepEqual(events.map((e) => e.kind), ["SESSION_START", "SESSION_END"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("backtest outside the permitted folder: journal untouched, one line, no stack trace", async () => {
  const dir = await Deno.makeTempDir();
  const outside = await Deno.makeTempDir();
  const j = `${dir}/j.text`;
  try {
    assert.equal((await run(["backtest", "--journal", j, "--quiet"])).code, 0);
    const before = await Deno.readFile(j);
    await Deno.writeTextFile(
      `${outside}/t.csv`,
      "ts_utc,price,size\n2025-02-17T15:00:01Z,5000,1\n",
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        `--allow-read=${dir}`,
        `--allow-write=${dir}`,
        "--allow-env=LOG_TOKENS,LOG_STREAM",
        new URL("../main.ts", import.meta.url).pathname,
        "backtest",
        "--ticks",
        `${outside}/t.csv`,
        "--journal",
        j,
        "--overwrite",
      ],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 1, err);
    assert.match(err.split("\n")[0]!, new RegExp(`read access to "${outside}/t\\.csv"`));
    assert.doesNotMatch(err, /^\s+at /m);
    assert.deepEqual(await Deno.readFile(j), before);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("an option given twice is refused, a repeatable one (--set) is not", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const twice = await run(["backtest", "--journal", `${dir}/a.text`, "--journal", `${dir}/b`]);
    assert.equal(twice.code, 2);
    assert.equal(
      twice.err,
      `scalpbot: backtest: --journal is given twice (--journal "${dir}/a.text", then ` +
        `--journal "${dir}/b"); give it once`,
    );
    assert.deepEqual([...Deno.readDirSync(dir)], []);
    const sets = await run([
      "backtest",
      "--journal",
      `${dir}/j.text`,
      "--quiet",
      "--set",
      "contract.multiplier=7",
      "--set",
      "contract.tick_size=0.5",
    ]);
    assert.equal(sets.code, 0, sets.err);
    const start = (await journalEvents(`${dir}/j.text`))[0]!;
    assert.ok(start.kind === "SESSION_START");
    assert.equal(start.multiplier, 7);
    assert.equal(start.tickSize, 0.5);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an unexpected error ends as one line and a hint, exit 1, no stack trace", async () => {
  const { reportError } = await import("../main.ts");
  const err: string[] = [];
  const { error } = console;
  console.error = (...a: unknown[]) => void err.push(a.join(" "));
  try {
    const code = reportError(new TypeError("Cannot read properties of undefined\n(reading 'x')"));
    assert.equal(code, 1);
  } finally {
    console.error = error;
  }
  assert.equal(err.length, 2);
  assert.equal(
    err[0],
    "scalpbot: unexpected error: TypeError: Cannot read properties of undefined (reading 'x')",
  );
  assert.match(err[1]!, /a bug in scalpbot: please report it/);
  assert.doesNotMatch(err.join("\n"), /^\s+at /m);
});
