/**
 * `scalpbot sweep`: figures equal separate `scalpbot backtest` runs (the real command as a
 * process, its journals summarised by `scalpbot report --json`), grid validation before
 * anything runs, the date split, the Sharpe ratio.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { fileURLToPath as fromFileUrl } from "node:url";
import { parseSplit, splitFiles } from "../lib/sweep/split.ts";
import { combinations, parseGrid } from "../lib/sweep/grid.ts";

const MAIN = fromFileUrl(new URL("../main.ts", import.meta.url));
const DATA = fromFileUrl(new URL("../../shared/data/ticks/", import.meta.url));
const GC = ["07", "08", "09"].map((d) => `${DATA}GC_GCZ13_2013-10-${d}_trades.csv`);
const haveGc = GC.every((f) => existsSync(f));
if (!haveGc) console.warn(`skipping the sweep-vs-backtest test: ${DATA} has no GC days`);

async function scalpbot(args: string[], cwd?: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    ...(cwd === undefined ? {} : { cwd }),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

function parseCsv(text: string): Record<string, string>[] {
  const [head, ...rows] = text.trim().split("\n").map((l) => l.split(","));
  return rows.map((r) => Object.fromEntries(head!.map((h, i) => [h, r[i]!])));
}

/** The CSV rows of a sweep on two Workers, run in `dir` (it must succeed). */
async function sweepRows(dir: string, args: string[]): Promise<Record<string, string>[]> {
  const sweep = await scalpbot(["sweep", ...args, "--workers=2", `--out=${dir}/r.csv`], dir);
  assert.deepStrictEqual(sweep.code, 0, sweep.stderr);
  return parseCsv(await Deno.readTextFile(`${dir}/r.csv`));
}

interface ReportJson {
  trades: number;
  netPnl: number;
  maxDrawdown: number;
  winRate: number | null;
  profitFactor: number | null;
  sharpe: number | null;
}

/** A sweep CSV row's figures are those `scalpbot report --json` gives of the backtests. */
function assertRowIsReport(row: Record<string, string>, want: ReportJson, days: number) {
  assert.ok(want.trades > 0, "the comparison needs trades");
  assert.deepStrictEqual(Number(row["days"]), days);
  assert.deepStrictEqual(Number(row["trades"]), want.trades);
  assert.deepStrictEqual(row["net_pnl"], want.netPnl.toFixed(2));
  assert.deepStrictEqual(row["max_drawdown"], want.maxDrawdown.toFixed(2));
  assert.deepStrictEqual(row["win_rate"], want.winRate === null ? "" : String(want.winRate));
  assert.deepStrictEqual(
    row["profit_factor"],
    want.profitFactor === null ? "" : String(want.profitFactor),
  );
  assert.deepStrictEqual(row["sharpe"], want.sharpe === null ? "" : String(want.sharpe));
}

Deno.test({
  name: "sweep: each combination's figures equal separate backtest runs of the files",
  ignore: !haveGc,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const rows = await sweepRows(dir, [
        ...GC.flatMap((f) => ["--ticks", f]),
        "--grid=risk.target_points=1,4",
        "--grid=risk.stop_atr_multiple=1.5,2",
        "--set=strategy.short=true",
      ]);
      assert.deepStrictEqual(rows.length, 4);
      // Two of the four combinations, each through three real backtests appended to one
      // journal (the report of all three is what the sweep's row must equal).
      for (const [target, stop] of [["1", "1.5"], ["4", "2"]]) {
        const journal = `${dir}/j_${target}_${stop}.text`;
        // Net P/L per trading day (17:00 Chicago to 17:00, the config's, not the files' UTC
        // days): the backtests' own per-day rows, a day two files share summed.
        const daily = new Map<string, number>();
        for (const f of GC) {
          const bt = await scalpbot([
            "backtest",
            "--ticks",
            f,
            "--set=strategy.short=true",
            `--set=risk.target_points=${target}`,
            `--set=risk.stop_atr_multiple=${stop}`,
            "--journal",
            journal,
            "--append",
            "--json",
          ], dir);
          assert.deepStrictEqual(bt.code, 0, bt.stderr);
          for (const d of JSON.parse(bt.stdout).byDay as { date: string; netPnl: number }[]) {
            daily.set(d.date, Math.round(((daily.get(d.date) ?? 0) + d.netPnl) * 100) / 100);
          }
        }
        const rep = await scalpbot(["report", "--json", journal], dir);
        assert.deepStrictEqual(rep.code, 0, rep.stderr);
        const want = JSON.parse(rep.stdout);
        const row = rows.find((r) =>
          r["risk.target_points"] === target && r["risk.stop_atr_multiple"] === stop
        )!;
        assertRowIsReport(row, want, 3);
        // The report's per-day rows are the three backtests' own.
        assert.deepStrictEqual(
          want.byDay.map((d: { date: string; netPnl: number }) => [d.date, d.netPnl]),
          [...daily],
        );
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

const ORB = fromFileUrl(new URL("../examples/orb.yaml", import.meta.url));

Deno.test({
  name:
    "sweep: a strategy.module config (examples/orb.yaml) runs in every Worker as backtest runs it",
  ignore: !haveGc,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const days = GC.slice(0, 2);
      const rows = await sweepRows(dir, [
        "--config",
        ORB,
        ...days.flatMap((f) => ["--ticks", f]),
        // GC's pit opened 07:20 Chicago time: both opens trade on these days.
        "--grid=strategy.params.open=07:20,08:30",
        "--grid=strategy.params.target_r=1.5,2",
      ]);
      assert.deepStrictEqual(rows.length, 4);
      for (const row of rows) {
        const open = row["strategy.params.open"]!;
        const target = row["strategy.params.target_r"]!;
        const journal = `${dir}/j_${open.replace(":", "")}_${target}.text`;
        for (const f of days) {
          const bt = await scalpbot([
            "backtest",
            "--config",
            ORB,
            "--ticks",
            f,
            `--set=strategy.params.open=${open}`,
            `--set=strategy.params.target_r=${target}`,
            "--journal",
            journal,
            "--append",
          ], dir);
          assert.deepStrictEqual(bt.code, 0, bt.stderr);
        }
        const rep = await scalpbot(["report", "--json", journal], dir);
        assert.deepStrictEqual(rep.code, 0, rep.stderr);
        assertRowIsReport(row, JSON.parse(rep.stdout), 2);
      }
      // A grid value the strategy's own schema refuses names the grid, before anything runs.
      const refused = await scalpbot([
        "sweep",
        "--config",
        ORB,
        "--ticks",
        `${dir}/missing.csv`,
        "--grid=strategy.params.target_r=1,-1",
        `--out=${dir}/bad.csv`,
      ], dir);
      assert.deepStrictEqual(refused.code, 2, refused.stderr);
      assert.match(
        refused.stderr,
        /^scalpbot: --grid strategy\.params\.target_r=-1: strategy\.params\.target_r = -1 is not allowed[^\n]*\n$/,
      );
      // A module that is not there: one line, exit 2, before anything is read or written.
      await Deno.writeTextFile(`${dir}/gone.yaml`, "strategy:\n  module: ./gone.ts\n");
      const bad = await scalpbot([
        "sweep",
        "--config",
        `${dir}/gone.yaml`,
        "--ticks",
        `${dir}/missing.csv`,
        "--grid=risk.target_points=1,2",
        `--out=${dir}/bad.csv`,
      ], dir);
      assert.deepStrictEqual(bad.code, 2, bad.stderr);
      assert.deepStrictEqual(bad.stderr.trim().split("\n").length, 1, bad.stderr);
      assert.match(bad.stderr, /strategy\.module = "\.\/gone\.ts": file not found/);
      assert.ok(!existsSync(`${dir}/bad.csv`));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "sweep --split: in-sample and out-of-sample side by side, by date",
  ignore: !haveGc,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const r = await scalpbot([
        "sweep",
        "--ticks",
        GC[2]!,
        "--ticks",
        GC[0]!,
        "--ticks",
        GC[1]!,
        "--grid=risk.target_points=2,3",
        "--oos-from=2013-10-09",
        `--out=${dir}/r.csv`,
        `--journals=${dir}/j`,
      ], dir);
      assert.deepStrictEqual(r.code, 0, r.stderr);
      assert.match(
        r.stdout,
        /In sample: 2013-10-07 to 2013-10-08 \(2 days\); out of sample: 2013-10-09 to 2013-10-09 \(1 days\)/,
      );
      const rows = parseCsv(await Deno.readTextFile(`${dir}/r.csv`));
      for (const row of rows) {
        assert.deepStrictEqual(row["is_days"], "2");
        assert.deepStrictEqual(row["oos_days"], "1");
        // The out-of-sample figures equal a sweep of that day alone.
        const alone = await scalpbot([
          "sweep",
          "--ticks",
          GC[2]!,
          `--grid=risk.target_points=${row["risk.target_points"]}`,
          `--out=${dir}/alone.csv`,
        ], dir);
        assert.deepStrictEqual(alone.code, 0, alone.stderr);
        const a = parseCsv(await Deno.readTextFile(`${dir}/alone.csv`))[0]!;
        assert.deepStrictEqual(row["oos_net_pnl"], a["net_pnl"]);
        assert.deepStrictEqual(row["oos_trades"], a["trades"]);
        // The 9th's file (UTC) holds two trading days (17:00 Chicago): a Sharpe ratio, its own.
        assert.deepStrictEqual(row["oos_sharpe"], a["sharpe"]);
        assert.notDeepStrictEqual(a["sharpe"], "");
        await Deno.remove(`${dir}/alone.csv`);
      }
      // Journals in date order: the first SESSION_START is the 7th's.
      const j = await Deno.readTextFile(`${dir}/j/combo_001.text`);
      assert.ok(j.indexOf("2013-10-07") < j.indexOf("GC_GCZ13_2013-10-09"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("sweep: a bad grid key or value is one line naming it, before anything runs", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cases: [string, RegExp][] = [
      ["risk.target_pointz=1,2", /risk\.target_pointz/],
      ["risk.target_points=1,-2", /--grid risk\.target_points=-2/],
      ["risk.target_points=1,1", /risk\.target_points=1 is listed twice/],
    ];
    for (const [grid, want] of cases) {
      const r = await scalpbot([
        "sweep",
        "--ticks",
        `${dir}/missing.csv`,
        `--grid=${grid}`,
        `--out=${dir}/r.csv`,
      ], dir);
      assert.deepStrictEqual(r.code, 2, r.stderr);
      assert.deepStrictEqual(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.match(r.stderr, want);
      assert.ok(!existsSync(`${dir}/r.csv`));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sweep units: grid combinations, date split", () => {
  const axes = parseGrid(["a.x=1,2", "b.y=3,4,5"]);
  assert.deepStrictEqual(combinations(axes).length, 6);
  assert.deepStrictEqual(combinations(axes)[1], [["a.x", "1"], ["b.y", "4"]]);
  const dates = ["2024-01-05", "2024-01-02", "2024-01-04", "2024-01-03"];
  // 0.7 of 4 days = 2.8, rounded to 3 in sample: the three oldest.
  assert.deepStrictEqual(splitFiles(dates, { fraction: 0.7 }), {
    inSample: [1, 3, 2],
    outOfSample: [0],
  });
  assert.deepStrictEqual(splitFiles(dates, { oosFrom: "2024-01-04" }), {
    inSample: [1, 3],
    outOfSample: [2, 0],
  });
  let msg = "";
  try {
    splitFiles(dates, parseSplit(undefined, "2024-02-01")!);
  } catch (e) {
    msg = (e as Error).message;
  }
  assert.match(msg, /--oos-from 2024-02-01 leaves no out-of-sample day/);
});
