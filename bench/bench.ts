/**
 * `deno task bench`: every benchmark figure of the project in one run. Absolute times drift
 * on shared machines; quote the ratios printed here, which are measured side by side.
 *
 * @module
 */
import { benchEngineStages, writeBenchFile } from "./engine_bench.ts";
import { benchIndicators, randomWalkBars } from "./indicators_bench.ts";
import { benchSim } from "./sim_bench.ts";
import { benchLive, formatLatency } from "./live_bench.ts";
import { benchSweep } from "./sweep_bench.ts";
import {
  type BacktestFigure,
  backtestFigures,
  medianOf,
  peakRss,
  timeBacktest,
  timeDeno,
} from "./cli_bench.ts";
import {
  DENSE_DAY,
  GC_SETTINGS,
  haveSharedData,
  SHARED_TICKS,
  writeDenseFile,
} from "./dense_data.ts";

const fmt = (x: number) => Math.round(x).toLocaleString("en-US");
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
const MAIN = new URL("../main.ts", import.meta.url).pathname;

function printFigures(rows: BacktestFigure[]): void {
  for (const r of rows) {
    console.log(
      `${r.label.padEnd(44)} ${r.seconds.toFixed(2).padStart(6)} s ${
        (r.ticksPerSec / 1e6).toFixed(2).padStart(6)
      } M ticks/s  ${r.ratio.toFixed(2)}x floor`,
    );
  }
}

function goals(rows: BacktestFigure[]): void {
  const quiet = rows.find((r) => r.label.startsWith("backtest --quiet, journal on disk"))!;
  const rate = quiet.ticksPerSec >= 6e6 ? "met" : "NOT met";
  const ratio = quiet.ratio <= 1.5 ? "met" : "NOT met";
  console.log(
    `goals for backtest --quiet on disk: >= 6 M ticks/s ${rate}; within 1.5x of the floor ${ratio}`,
  );
}

const tmp = await Deno.makeTempDir({ prefix: "scalpbot_bench_" });
// The machine's load tells how far to trust the absolute figures.
const load = () => Deno.loadavg().map((x) => x.toFixed(2)).join(" ");
try {
  console.log(`# scalpbot benchmarks (load average at start: ${load()})\n`);
  const shared = haveSharedData();

  console.log("## Backtest as a process: real dense data (the issue's figures)");
  if (shared) {
    const dense = `${tmp}/gc_250_days.csv`;
    const ticks = await writeDenseFile(dense, 250);
    const bytes = (await Deno.stat(dense)).size;
    console.log(
      `file: ${DENSE_DAY} repeated 250 times, a day apart: ${fmt(ticks)} ticks, ${mib(bytes)} MiB`,
    );
    const real = await backtestFigures(dense, ticks, tmp, GC_SETTINGS);
    printFigures(real.rows);
    goals(real.rows);
    await Deno.remove(dense);
  } else {
    console.log(`skipped: no shared data at ${SHARED_TICKS}`);
  }

  console.log("\n## Backtest as a process: generated data (MES-like random walk)");
  const gen = `${tmp}/generated.csv`;
  const genTicks = 4_000_000;
  const genBytes = await writeBenchFile(gen, genTicks);
  console.log(`file: ${fmt(genTicks)} generated ticks, ${mib(genBytes)} MiB`);
  const generated = await backtestFigures(gen, genTicks, tmp, ["strategy.short=true"]);
  printFigures(generated.rows);

  console.log("\n## Start-up of a small backtest (process wall time, median of 5)");
  const small = shared ? `${SHARED_TICKS}ES_ESU4_2024-07-01_trades.csv` : `${tmp}/small.csv`;
  if (!shared) await writeBenchFile(small, 120);
  const version = await medianOf(5, () => timeDeno(["run", MAIN, "--version"]));
  const startup = await medianOf(5, () => timeBacktest(small, `${tmp}/small.text`, ["--quiet"]));
  // From a folder without config.yaml: the built-in defaults, no YAML parser or config schema.
  const bare = await medianOf(
    5,
    () => timeBacktest(small, `${tmp}/small.text`, ["--quiet"], tmp),
  );
  console.log(`deno run main.ts --version:                 ${(version * 1000).toFixed(0)} ms`);
  console.log(
    `backtest --quiet of 120 ticks, no config:   ${(bare * 1000).toFixed(0)} ms (goal <= 120 ms: ${
      bare <= 0.12 ? "met" : "NOT met"
    })`,
  );
  console.log(
    `the same with the repo's config.yaml:       ${
      (startup * 1000).toFixed(0)
    } ms (yaml, zod and the config schema load; goal <= 120 ms: ${
      startup <= 0.12 ? "met" : "NOT met"
    })`,
  );

  console.log("\n## Parameter sweep: 50 combinations x the 3 shared GC days (process wall time)");
  if (shared) {
    const sw = await benchSweep(tmp);
    const jobs = sw.combos * sw.files;
    console.log(`scalpbot sweep --workers 1:                 ${sw.sweep1.toFixed(2)} s`);
    console.log(
      `scalpbot sweep --workers 2:                 ${sw.sweep2.toFixed(2)} s (goal <= 10 s: ${
        sw.sweep2 <= 10 ? "met" : "NOT met"
      })`,
    );
    console.log(
      `old way, ${jobs} backtest processes in a row:  ${
        sw.oldSerial.toFixed(1)
      } s; two at a time: ${
        sw.oldParallel.toFixed(1)
      } s (${sw.sample} of the ${jobs} runs timed, extrapolated); sweep ${
        (sw.oldParallel / sw.sweep2).toFixed(0)
      }x faster on 2 cores`,
    );
  } else {
    console.log(`skipped: no shared data at ${SHARED_TICKS}`);
  }

  console.log("\n## Peak RSS of `scalpbot backtest --quiet` as the input grows");
  const sizes: [string, string, number, string[]][] = [];
  if (shared) {
    for (const days of [10, 1000]) {
      const path = `${tmp}/gc_${days}_days.csv`;
      const n = await writeDenseFile(path, days);
      sizes.push([`${days} GC days`, path, n, GC_SETTINGS.flatMap((s) => ["--set", s])]);
    }
  } else {
    for (const n of [400_000, 40_000_000]) {
      const path = `${tmp}/gen_${n}.csv`;
      await writeBenchFile(path, n);
      sizes.push([`${fmt(n)} generated ticks`, path, n, []]);
    }
  }
  const rss: number[] = [];
  for (const [label, path, n, extra] of sizes) {
    const r = await peakRss(path, `${tmp}/rss.text`, extra);
    rss.push(r);
    console.log(`${label.padEnd(24)} ${fmt(n).padStart(12)} ticks: peak RSS ${r.toFixed(1)} MiB`);
    await Deno.remove(path);
  }
  const growth = rss[1]! - rss[0]!;
  console.log(
    `growth: ${growth.toFixed(1)} MiB (goal <= 10 MiB: ${growth <= 10 ? "met" : "NOT met"})`,
  );

  console.log("\n## Backtest throughput by stage, in one warm process (generated file)");
  const stages = await benchEngineStages(gen, tmp);
  const base = stages[0]!.ticksPerSec;
  for (const s of stages) {
    console.log(
      `${s.stage.padEnd(44)} ${fmt(s.ticksPerSec).padStart(12)} ticks/s  (${
        (s.ticksPerSec / base).toFixed(2)
      }x parse-only)`,
    );
  }

  console.log("\n## Streaming indicators vs trading-signals (1,000,000 bars, same run)");
  const { closes, highs, lows } = randomWalkBars(1_000_000);
  const ind = benchIndicators(closes, highs, lows);
  for (const r of ind.rows) {
    console.log(
      `${r.name.padEnd(8)} ours ${fmt(r.oursPerSec).padStart(12)}/s  theirs ${
        fmt(r.theirsPerSec).padStart(11)
      }/s  ratio ${r.ratio.toFixed(1)}x  max |diff| ${r.maxAbsDiff ?? "n/a"}  ${r.note}`,
    );
  }

  console.log("\n## TWS simulator: sustained tick-by-tick rate to one IBApi client");
  const sim = await benchSim();
  console.log(
    `${fmt(sim.ticksPerSec)} ticks/s over ${fmt(sim.ticks)} ticks (goal >= 50,000: ${
      sim.ticksPerSec >= 50_000 ? "met" : "NOT met"
    })`,
  );

  console.log(
    "\n## Live mode against the simulator (real IBApi client over loopback, journal on disk)",
  );
  const live = await benchLive();
  for (const l of live.latency) console.log(`tick latency ${formatLatency(l)}`);
  const m = live.memory;
  console.log(
    `memory over ${fmt(m.ticks)} ticks at max speed: heap ${m.first.heapMb.toFixed(1)} -> ${
      m.middle.heapMb.toFixed(1)
    } -> ${m.last.heapMb.toFixed(1)} MiB, RSS ${m.first.rssMb.toFixed(1)} -> ${
      m.middle.rssMb.toFixed(1)
    } -> ${m.last.rssMb.toFixed(1)} MiB (heap slope ${
      m.heapSlopeMbPerMTicks.toFixed(2)
    } MiB per million ticks)`,
  );
  console.log(`\nload average at the end: ${load()}`);
} finally {
  await Deno.remove(tmp, { recursive: true });
}
