/**
 * `deno task bench`: every benchmark figure of the project in one run. Absolute times drift
 * on shared machines; quote the ratios printed here, which are measured side by side.
 *
 * @module
 */
import { benchEngineStages, peakRssOfBacktest, writeBenchFile } from "./engine_bench.ts";
import { benchIndicators, randomWalkBars } from "./indicators_bench.ts";
import { benchSim } from "./sim_bench.ts";
import { benchLive, formatLatency } from "./live_bench.ts";

const fmt = (x: number) => Math.round(x).toLocaleString("en-US");
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

const tmp = await Deno.makeTempDir({ prefix: "scalpbot_bench_" });
try {
  console.log("# scalpbot benchmarks\n");
  console.log("## Backtest throughput by stage (one CSV file, same run)");
  const big = `${tmp}/ticks_big.csv`;
  const bytes = await writeBenchFile(big, 4_000_000);
  console.log(`file: 4,000,000 generated ticks, ${mib(bytes)} MiB`);
  // The first pass warms the JIT up; the second is the one reported.
  await benchEngineStages(big, tmp);
  const stages = await benchEngineStages(big, tmp);
  const base = stages[0]!.ticksPerSec;
  for (const s of stages) {
    console.log(
      `${s.stage.padEnd(44)} ${fmt(s.ticksPerSec).padStart(12)} ticks/s  (${
        (s.ticksPerSec / base).toFixed(2)
      }x parse-only)`,
    );
  }

  const whole = stages.find((s) => s.stage.startsWith("whole engine"))!;
  console.log(
    `goal >= 5,000,000 ticks/s end to end: ${whole.ticksPerSec >= 5e6 ? "met" : "NOT met"}`,
  );

  console.log("\n## Backtest memory: peak RSS of `scalpbot backtest` as the file grows");
  const small = `${tmp}/ticks_small.csv`;
  const smallBytes = await writeBenchFile(small, 400_000);
  const rssSmall = await peakRssOfBacktest(small, tmp);
  const rssBig = await peakRssOfBacktest(big, tmp);
  const huge = `${tmp}/ticks_huge.csv`;
  const hugeBytes = await writeBenchFile(huge, 7_500_000);
  const rssHuge = await peakRssOfBacktest(huge, tmp);
  console.log(`${mib(smallBytes).padStart(5)} MiB file: peak RSS ${rssSmall} MiB`);
  console.log(`${mib(bytes).padStart(5)} MiB file: peak RSS ${rssBig} MiB`);
  console.log(`${mib(hugeBytes).padStart(5)} MiB file: peak RSS ${rssHuge} MiB`);
  console.log(
    `growth from the smallest to the largest file: ${(rssHuge - rssSmall).toFixed(1)} MiB`,
  );

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

  console.log("\n## Live mode against the simulator (real IBApi client over loopback)");
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
} finally {
  await Deno.remove(tmp, { recursive: true });
}
