/**
 * `deno task bench`: every benchmark figure of the project in one run. Absolute times drift
 * on shared machines; quote the ratios printed here, which are measured side by side.
 *
 * `deno task bench --only startup,live` runs some parts alone: dense (real data as a
 * process), generated, startup, sweep, rss, stages, indicators, sim, live, warmup (the live
 * warm-up with and without, in fresh processes).
 *
 * @module
 */
import { benchEngineStages, writeBenchFile } from "./engine_bench.ts";
import { benchIndicators, randomWalkBars } from "./indicators_bench.ts";
import { benchSim } from "./sim_bench.ts";
import { benchLive, benchWarmUp, formatLatency, formatWarmUp } from "./live_bench.ts";
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

const PARTS = [
  "dense",
  "generated",
  "startup",
  "sweep",
  "rss",
  "stages",
  "indicators",
  "sim",
  "live",
  "warmup",
];
const onlyAt = Deno.args.indexOf("--only");
const only = onlyAt < 0 ? PARTS : (Deno.args[onlyAt + 1] ?? "").split(",");
for (const p of only) {
  if (!PARTS.includes(p)) {
    console.error(`bench: unknown part "${p}" (parts: ${PARTS.join(", ")})`);
    Deno.exit(2);
  }
}
const want = (part: string) => only.includes(part);

const tmp = await Deno.makeTempDir({ prefix: "scalpbot_bench_" });
// The machine's load tells how far to trust the absolute figures.
const load = () => Deno.loadavg().map((x) => x.toFixed(2)).join(" ");
try {
  console.log(`# scalpbot benchmarks (load average at start: ${load()})\n`);
  const shared = haveSharedData();

  if (want("dense")) await dense(shared);

  const gen = `${tmp}/generated.csv`;
  const genTicks = 4_000_000;
  if (want("generated") || want("stages")) {
    const genBytes = await writeBenchFile(gen, genTicks);
    if (want("generated")) {
      console.log("\n## Backtest as a process: generated data (MES-like random walk)");
      console.log(`file: ${fmt(genTicks)} generated ticks, ${mib(genBytes)} MiB`);
      const generated = await backtestFigures(gen, genTicks, tmp, ["strategy.short=true"]);
      printFigures(generated.rows);
    }
  }

  if (want("startup")) await startup(shared);
  if (want("sweep")) await sweep(shared);
  if (want("rss")) await rss(shared);
  if (want("stages")) await stages(gen);
  if (want("indicators")) indicators();
  if (want("sim")) await sim();
  if (want("live")) await live();
  if (want("warmup")) await warmup();
  console.log(`\nload average at the end: ${load()}`);
} finally {
  await Deno.remove(tmp, { recursive: true });
}

async function dense(shared: boolean): Promise<void> {
  console.log("## Backtest as a process: real dense data (the issue's figures)");
  if (!shared) {
    console.log(`skipped: no shared data at ${SHARED_TICKS}`);
    return;
  }
  const file = `${tmp}/gc_250_days.csv`;
  const ticks = await writeDenseFile(file, 250);
  const bytes = (await Deno.stat(file)).size;
  console.log(
    `file: ${DENSE_DAY} repeated 250 times, a day apart: ${fmt(ticks)} ticks, ${mib(bytes)} MiB`,
  );
  const real = await backtestFigures(file, ticks, tmp, GC_SETTINGS);
  printFigures(real.rows);
  goals(real.rows);
  await Deno.remove(file);
}

async function startup(shared: boolean): Promise<void> {
  console.log("\n## Start-up of a small backtest (process wall time, median of 9)");
  const small = shared ? `${SHARED_TICKS}ES_ESU4_2024-07-01_trades.csv` : `${tmp}/small.csv`;
  if (!shared) await writeBenchFile(small, 120);
  const version = await medianOf(9, () => timeDeno(["run", MAIN, "--version"]));
  // Alternating, so that a change of the machine's load hits both alike.
  const withConfig: number[] = [];
  const bareRuns: number[] = [];
  for (let i = 0; i < 9; i++) {
    withConfig.push((await timeBacktest(small, `${tmp}/small.text`, ["--quiet"])).seconds);
    // From a folder without config.yaml: the built-in defaults.
    bareRuns.push((await timeBacktest(small, `${tmp}/small.text`, ["--quiet"], tmp)).seconds);
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const startup = median(withConfig);
  const bare = median(bareRuns);
  console.log(`deno run main.ts --version:                 ${(version * 1000).toFixed(0)} ms`);
  console.log(
    `backtest --quiet of 120 ticks, no config:   ${(bare * 1000).toFixed(0)} ms (goal <= 120 ms: ${
      bare <= 0.12 ? "met" : "NOT met"
    })`,
  );
  console.log(
    `the same with the repo's config.yaml:       ${
      (startup * 1000).toFixed(0)
    } ms (the fast config path: lib/config/fast_config.ts; goal <= 120 ms: ${
      startup <= 0.12 ? "met" : "NOT met"
    })`,
  );
}

async function sweep(shared: boolean): Promise<void> {
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
}

async function rss(shared: boolean): Promise<void> {
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
  const peaks: number[] = [];
  for (const [label, path, n, extra] of sizes) {
    const r = await peakRss(path, `${tmp}/rss.text`, extra);
    peaks.push(r);
    console.log(`${label.padEnd(24)} ${fmt(n).padStart(12)} ticks: peak RSS ${r.toFixed(1)} MiB`);
    await Deno.remove(path);
  }
  const growth = peaks[1]! - peaks[0]!;
  console.log(
    `growth: ${growth.toFixed(1)} MiB (goal <= 10 MiB: ${growth <= 10 ? "met" : "NOT met"})`,
  );
}

async function stages(gen: string): Promise<void> {
  console.log("\n## Backtest throughput by stage, in one warm process (generated file)");
  const rows = await benchEngineStages(gen, tmp);
  const base = rows[0]!.ticksPerSec;
  for (const s of rows) {
    console.log(
      `${s.stage.padEnd(44)} ${fmt(s.ticksPerSec).padStart(12)} ticks/s  (${
        (s.ticksPerSec / base).toFixed(2)
      }x parse-only)`,
    );
  }
}

function indicators(): void {
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
}

async function sim(): Promise<void> {
  console.log("\n## TWS simulator: sustained tick-by-tick rate to one IBApi client");
  const r = await benchSim();
  console.log(
    `${fmt(r.ticksPerSec)} ticks/s over ${fmt(r.ticks)} ticks (goal >= 50,000: ${
      r.ticksPerSec >= 50_000 ? "met" : "NOT met"
    })`,
  );
}

async function live(): Promise<void> {
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
}

async function warmup(): Promise<void> {
  console.log(
    "\n## Live warm-up (lib/live/warm_up.ts): 5,000 ticks/s for 15 s, fresh processes, alternating",
  );
  const r = await benchWarmUp(5000, 15, 3);
  console.log(formatWarmUp("without warm-up", r.off));
  console.log(formatWarmUp("with warm-up   ", r.on));
}
