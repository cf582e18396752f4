/**
 * The sweep figure: 50 combinations over the three shared GC days, `scalpbot sweep` as a
 * process with 1 and 2 workers, next to the old way (one `scalpbot backtest` process per
 * combination and day: a sample of them timed, one after another and two at a time, and
 * extrapolated to the 150 runs).
 *
 * @module
 */
import { timeDeno } from "./cli_bench.ts";
import { V8_FLAGS } from "../lib/cli/permissions.ts";
import { GC_SETTINGS, SHARED_TICKS } from "./dense_data.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const TARGETS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const STOPS = [1, 1.5, 2, 2.5, 3];
/** CLI backtests actually run for the old-way figure (of 150). */
const SAMPLE = 6;

/** The sweep benchmark's figures, seconds of wall time. */
export interface SweepFigures {
  combos: number;
  files: number;
  sweep1: number;
  sweep2: number;
  /** 150 CLI runs one after another, extrapolated from {@link SAMPLE}. */
  oldSerial: number;
  /** 150 CLI runs two at a time, extrapolated from {@link SAMPLE}. */
  oldParallel: number;
  sample: number;
}

/** Runs the sweep benchmark on the shared GC days (the caller checks they exist). */
export async function benchSweep(tmp: string): Promise<SweepFigures> {
  const files = ["07", "08", "09"].map((d) => `${SHARED_TICKS}GC_GCZ13_2013-10-${d}_trades.csv`);
  const sets = GC_SETTINGS.flatMap((s) => ["--set", s]);
  const scalpbot = (args: string[]) =>
    timeDeno([
      "run",
      "--allow-read",
      `--allow-write=${tmp}`,
      "--allow-env=LOG_TOKENS,LOG_STREAM",
      ...V8_FLAGS,
      MAIN,
      ...args,
    ]);
  const sweep = (workers: number) =>
    scalpbot([
      "sweep",
      ...files.flatMap((f) => ["--ticks", f]),
      "--grid",
      `risk.target_points=${TARGETS.join(",")}`,
      "--grid",
      `risk.stop_atr_multiple=${STOPS.join(",")}`,
      ...sets,
      "--workers",
      String(workers),
      "--out",
      `${tmp}/sweep_${workers}.csv`,
      "--quiet",
    ]);
  const sweep1 = (await sweep(1)).seconds;
  const sweep2 = (await sweep(2)).seconds;
  // The old way: jobs spread over the grid (combination k, day k mod 3).
  const jobs = Array.from({ length: SAMPLE }, (_, k) => {
    const c = Math.floor((k * TARGETS.length * STOPS.length) / SAMPLE);
    return {
      file: files[k % files.length]!,
      target: TARGETS[Math.floor(c / STOPS.length)]!,
      stop: STOPS[c % STOPS.length]!,
      k,
    };
  });
  const backtest = (j: (typeof jobs)[number]) =>
    scalpbot([
      "backtest",
      "--ticks",
      j.file,
      ...sets,
      "--set",
      `risk.target_points=${j.target}`,
      "--set",
      `risk.stop_atr_multiple=${j.stop}`,
      "--journal",
      `${tmp}/old_${j.k}.text`,
      "--overwrite",
      "--quiet",
    ]);
  let t0 = performance.now();
  for (const j of jobs) await backtest(j);
  const serial = (performance.now() - t0) / 1000;
  t0 = performance.now();
  for (let i = 0; i < jobs.length; i += 2) await Promise.all(jobs.slice(i, i + 2).map(backtest));
  const parallel = (performance.now() - t0) / 1000;
  const total = TARGETS.length * STOPS.length * files.length;
  return {
    combos: TARGETS.length * STOPS.length,
    files: files.length,
    sweep1,
    sweep2,
    oldSerial: (serial / SAMPLE) * total,
    oldParallel: (parallel / SAMPLE) * total,
    sample: SAMPLE,
  };
}
