/**
 * The HTML report's parts without a browser: candles merged per span, the P/L histogram, marks
 * and levels per candle, `--html` checked before anything is written and the launcher's grant
 * for it. The page in a real browser: html_report_test.ts.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runMain } from "./_run_main.ts";
import { CandleSampler } from "../lib/report/html/candles.ts";
import { buildSeries, histogram } from "../lib/report/html/series.ts";
import type { Bar } from "../lib/types.ts";
import { planPermissions, statDir } from "../lib/cli/permissions.ts";
import { launchArgs } from "../lib/cli/launch.ts";
import { parseConfigText } from "../lib/config/load.ts";
import { bigJournal } from "./_html_report.ts";

Deno.test("html report: merged candles are the bars' open, high, low and close per aligned span", () => {
  const bars: Bar[] = Array.from({ length: 250 }, (_, i) => ({
    start: 1_000_020_000 + i * 60_000,
    lengthMs: 60_000,
    open: 100 + (i % 7),
    high: 110 + ((i * 3) % 11),
    low: 90 - ((i * 5) % 13),
    close: 100 + ((i * 2) % 9),
    volume: 1,
    trades: 1,
  }));
  const s = new CandleSampler(100);
  for (const bar of bars) s.add(bar);
  const c = s.columns();
  // 250 one-minute bars over a cap of 100: 2 min gives 126 candles (unaligned start), 4 min 63.
  assert.equal(c.lengthMs, 240_000);
  const groups = new Map<number, Bar[]>();
  for (const bar of bars) {
    const k = bar.start - (bar.start % 240_000);
    groups.set(k, [...(groups.get(k) ?? []), bar]);
  }
  assert.deepEqual(c.start, [...groups.keys()]);
  assert.deepEqual(c.open, [...groups.values()].map((g) => g[0]!.open));
  assert.deepEqual(c.close, [...groups.values()].map((g) => g.at(-1)!.close));
  assert.deepEqual(c.high, [...groups.values()].map((g) => Math.max(...g.map((x) => x.high))));
  assert.deepEqual(c.low, [...groups.values()].map((g) => Math.min(...g.map((x) => x.low))));
  assert.equal(c.bars, 250);
});

Deno.test("html report: P/L histogram bins have a round width, 0 on an edge, every trade counted once", () => {
  // 16 nets from -19.99 to 12.51: range 32.5 / 5 bins = 6.5 -> width 10; bins -20..20.
  const nets = [
    12.51,
    -19.99,
    12.51,
    12.51,
    -13.74,
    12.51,
    12.51,
    12.51,
    12.51,
    -16.24,
    12.51,
    12.51,
    -13.74,
    -11.24,
    -11.24,
    -13.74,
  ];
  const h = histogram(nets);
  assert.deepEqual(h.from, [-20, -10, 0, 10]);
  assert.deepEqual(h.to, [-10, 0, 10, 20]);
  assert.deepEqual(h.count, [7, 0, 0, 9]);
  // A value on an edge goes to the bin it starts: 0.3 with width 0.1 is bin [0.3, 0.4).
  const e = histogram([0, 0.3, 0.5]);
  assert.equal(e.count.reduce((a, b) => a + b), 3);
  assert.equal(e.count[e.from.indexOf(0.3)], 1);
});

Deno.test("html report: --html is checked as an output before anything is written", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const journal = join(dir, "j.text");
    await Deno.writeTextFile(journal, bigJournal(3));
    // The page may not be the journal; the journal stays as it was.
    const same = await runMain(["report", journal, "--html", journal]);
    assert.equal(same.code, 2);
    assert.match(same.err, /--html .* is the journal; choose another file/);
    assert.equal(await Deno.readTextFile(journal), bigJournal(3));
    // A folder as the page: one line, no trades file written.
    const csv = join(dir, "t.csv");
    const folder = await runMain(["report", journal, "--trades-csv", csv, "--html", dir]);
    assert.equal(folder.code, 1);
    assert.match(folder.err, /--html .* is a directory/);
    await assert.rejects(Deno.stat(csv), Deno.errors.NotFound);
    // A bad zone is refused before the journal is read.
    const tz = await runMain([
      "report",
      journal,
      "--tz",
      "Mars/Base",
      "--html",
      join(dir, "x.html"),
    ]);
    assert.equal(tz.code, 2);
    assert.match(tz.err, /--tz must be an IANA time zone/);
    await assert.rejects(Deno.stat(join(dir, "x.html")), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("html report: the launcher grants --html as an output and read access to the chart library file only", () => {
  const config = parseConfigText("", { source: "c.yaml" });
  const library = new URL(
    "lightweight-charts.standalone.production.js",
    import.meta.resolve("lightweight-charts"),
  ).pathname;
  const report = planPermissions("report", ["j.text", "--html", "out/r.html"], {
    config,
    dirExists: (d) => d !== "out",
  });
  assert.deepEqual(report.read, ["j.text", "out/r.html", library]);
  assert.deepEqual(report.write, ["out/r.html", "out"]);
  const bt = planPermissions("backtest", ["--html=b.html"], { config, dirExists: () => true });
  assert.ok(bt.read.includes(library) && bt.read.includes("b.html"), bt.read.join(","));
  assert.ok(bt.write.includes("b.html"), bt.write.join(","));
  // No --html, no library.
  const plain = planPermissions("report", ["j.text"], { config, dirExists: () => true });
  assert.deepEqual(plain.read, ["j.text"]);
});

Deno.test("html report: a page in an existing folder is written with the launcher's grant (the file only)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(dir, "runs"));
    await Deno.writeTextFile(join(dir, "j.text"), bigJournal(3));
    await Deno.writeTextFile(join(dir, "runs", "r.html"), "old page");
    const args = await launchArgs("report", ["j.text", "--html", "runs/r.html"], {
      mainPath: new URL("../main.ts", import.meta.url).pathname,
      dirExists: (d) => statDir(join(dir, d)),
    });
    assert.ok(
      !args.some((a) => a.startsWith("--allow-write=") && a.includes("runs,")),
      args.join(" "),
    );
    // Deno checks mkdir against the folder even when it exists: the write must not need it.
    const r = await new Deno.Command(Deno.execPath(), {
      args,
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
    assert.ok((await Deno.readTextFile(join(dir, "runs", "r.html"))).startsWith("<!doctype html>"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("report: --trades-csv and --trades-jsonl in a missing folder are written, as backtest's", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "j.text"), bigJournal(3));
    const cli = ["j.text", "--trades-csv", "out/t.csv", "--trades-jsonl", "out/t.jsonl"];
    const args = await launchArgs("report", cli, {
      mainPath: new URL("../main.ts", import.meta.url).pathname,
      dirExists: (d) => statDir(join(dir, d)),
    });
    const r = await new Deno.Command(Deno.execPath(), {
      args,
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    // It used to write t.csv, then fail on t.jsonl: "No such file or directory ... open".
    assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
    const csv = (await Deno.readTextFile(join(dir, "out", "t.csv"))).trim().split("\n");
    const jsonl = (await Deno.readTextFile(join(dir, "out", "t.jsonl"))).trim().split("\n");
    assert.equal(csv.length, 1 + jsonl.length); // the header, then one line per trade
    assert.ok(jsonl.length > 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("html report: marks and levels sit on the candle that holds them; a trade's levels are hidden outside it", () => {
  const candles = new CandleSampler(100);
  for (let i = 0; i <= 10; i++) {
    candles.add({
      start: i * 60_000,
      lengthMs: 60_000,
      open: 100,
      high: 102,
      low: 98,
      close: 101,
      volume: 1,
      trades: 1,
    });
  }
  const s = buildSeries({
    timeZone: "UTC",
    candles: candles.columns(),
    noBarsNote: "",
    marks: [
      { time: 65_000, price: 100.25, kind: "long" },
      { time: 250_000, price: 101, kind: "win" },
      { time: 370_000, price: 100, kind: "short" },
      { time: 490_000, price: 101, kind: "loss" },
    ],
    // Trade A: filled in candle 1, stop moved in candle 3, out in candle 4; trade B: 6 to 8.
    levels: [
      {
        start: 65_000,
        end: 250_000,
        stops: [[65_000, 99], [185_000, 100]],
        targets: [[65_000, 103]],
      },
      { start: 370_000, end: 490_000, stops: [[370_000, 101]], targets: [[370_000, 98]] },
    ],
    exits: [{ time: 250_000, net: 5 }, { time: 490_000, net: -7.5 }],
    firstTime: 0,
    byDay: [],
    byHour: [],
  });
  // Before each trade a hidden point at its first level (no step drawn from the last trade's),
  // its own points shown, the line leaving its exit hidden.
  assert.deepEqual(s.stop, {
    t: [0, 60, 180, 240, 300, 360, 480],
    v: [99, 99, 100, 100, 101, 101, 101],
    on: [0, 1, 1, 0, 0, 1, 0],
  });
  assert.deepEqual(s.target, {
    t: [0, 60, 240, 300, 360, 480],
    v: [103, 103, 103, 98, 98, 98],
    on: [0, 1, 0, 0, 1, 0],
  });
  assert.deepEqual(s.marks, {
    t: [60, 240, 360, 480],
    k: [0, 2, 1, 3],
    p: [100.25, 101, 100, 101],
  });
  assert.deepEqual(s.equity, { t: [0, 250, 490], v: [0, 5, -2.5] });
  assert.deepEqual(s.drawdown, { t: [0, 250, 490], v: [0, 0, -7.5] });
  assert.equal(s.fills, null);
  assert.equal(s.candles!.t.length, 11);
  // Chicago in February is UTC-6: the charts label wall time.
  const cst = buildSeries({
    timeZone: "America/Chicago",
    candles: undefined,
    noBarsNote: "none",
    marks: [{ time: Date.UTC(2025, 1, 17, 15, 0, 0, 500), price: 1, kind: "long" }],
    levels: [],
    exits: [],
    firstTime: undefined,
    byDay: [],
    byHour: [],
  });
  assert.deepEqual(cst.marks.t, [Date.UTC(2025, 1, 17, 9) / 1000]);
  assert.deepEqual(cst.fills, { t: [Date.UTC(2025, 1, 17, 9) / 1000], v: [1] });
  assert.equal(cst.candleNote, "none");
});
