/**
 * `scalpbot backtest` timed as a process, the way a user runs it, next to the floor (read,
 * parse, 30 s bars and an EMA, nothing else; bench/floor.ts) measured in the same run:
 * journal on disk with the default output, `--quiet`, the journal on tmpfs, start-up of a
 * small backtest, and peak RSS as the input grows.
 *
 * @module
 */

import { V8_FLAGS } from "../lib/cli/permissions.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const FLOOR = new URL("./floor.ts", import.meta.url).pathname;
const RSS_PROBE = new URL("./rss_probe.ts", import.meta.url).pathname;
const ENV = { DENO_NO_UPDATE_CHECK: "1" };

/** Wall time of one process, seconds, and what it printed. */
export interface ProcessRun {
  seconds: number;
  stdout: string;
}

/** Runs `deno <args>` (in `cwd`, if given) to the end; throws with its stderr when it fails. */
export async function timeDeno(args: string[], cwd?: string): Promise<ProcessRun> {
  const t0 = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    env: ENV,
    ...(cwd === undefined ? {} : { cwd }),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const seconds = (performance.now() - t0) / 1000;
  if (!out.success) {
    throw new Error(`deno ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return { seconds, stdout: new TextDecoder().decode(out.stdout) };
}

/** The floor over `ticks`, as a process. */
export function timeFloor(ticks: string): Promise<ProcessRun> {
  return timeDeno(["run", `--allow-read=${ticks}`, FLOOR, ticks]);
}

/**
 * `scalpbot backtest --ticks FILE --journal JOURNAL --overwrite` plus `extra`, as a process
 * with the permissions it needs, in `cwd` if given (where config.yaml is looked for). A
 * journal under /dev needs --allow-all in Deno.
 */
export function timeBacktest(
  ticks: string,
  journal: string,
  extra: string[],
  cwd?: string,
): Promise<ProcessRun> {
  const perms = journal.startsWith("/dev/")
    ? ["--allow-all"]
    : [`--allow-read`, `--allow-write=${journal}`, "--allow-env=LOG_TOKENS,LOG_STREAM"];
  // The V8 options the launcher gives every scalpbot process (the floor runs without them).
  return timeDeno([
    "run",
    ...perms,
    ...V8_FLAGS,
    MAIN,
    "backtest",
    "--ticks",
    ticks,
    "--journal",
    journal,
    "--overwrite",
    ...extra,
  ], cwd);
}

/** The best (smallest) of `n` runs: the least disturbed by other processes. */
export async function bestOf(n: number, run: () => Promise<ProcessRun>): Promise<ProcessRun> {
  let best: ProcessRun | undefined;
  for (let i = 0; i < n; i++) {
    const r = await run();
    if (best === undefined || r.seconds < best.seconds) best = r;
  }
  return best!;
}

/** The median of `n` runs. */
export async function medianOf(n: number, run: () => Promise<ProcessRun>): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) xs.push((await run()).seconds);
  xs.sort((a, b) => a - b);
  return xs[Math.floor(n / 2)]!;
}

/** Peak resident memory (VmHWM, MiB) of a fresh process running the backtest command. */
export async function peakRss(ticks: string, journal: string, extra: string[]): Promise<number> {
  // Reading /proc/self/status needs --allow-all in Deno; this is a benchmark probe only.
  const r = await timeDeno([
    "run",
    "--allow-all",
    ...V8_FLAGS,
    RSS_PROBE,
    ticks,
    journal,
    ...extra,
  ]);
  const m = r.stdout.match(/VmHWM_MiB=(\d+(\.\d+)?)/);
  if (!m) throw new Error(`rss probe printed no VmHWM: ${r.stdout}`);
  return Number(m[1]);
}

/**
 * /dev/shm (tmpfs) on Linux for the tmpfs figure, undefined elsewhere. Not stat'ed: Deno
 * wants --allow-all for anything under /dev.
 */
export function tmpfsDir(): string | undefined {
  return Deno.build.os === "linux" ? "/dev/shm" : undefined;
}

/** One backtest figure against the floor of the same file. */
export interface BacktestFigure {
  label: string;
  seconds: number;
  ticksPerSec: number;
  /** seconds / the floor's seconds. */
  ratio: number;
}

/**
 * The floor and the backtest variants over `ticks` (`ticksCount` ticks), best of `repeat`
 * each, the floor re-measured last too (the best of both floor passes is kept), so a load
 * change during the run shows as little as possible in the ratios.
 */
export async function backtestFigures(
  ticks: string,
  ticksCount: number,
  tmpDir: string,
  settings: string[],
  repeat = 2,
): Promise<{ floor: number; rows: BacktestFigure[] }> {
  const set = settings.flatMap((s) => ["--set", s]);
  let floor = (await bestOf(repeat, () => timeFloor(ticks))).seconds;
  const journal = `${tmpDir}/bench_journal.text`;
  const runs: [string, string, string[]][] = [
    ["backtest, journal on disk (default output)", journal, set],
    ["backtest --quiet, journal on disk", journal, [...set, "--quiet"]],
  ];
  const shm = tmpfsDir();
  if (shm !== undefined) {
    const onShm = `${shm}/scalpbot_bench_${Deno.pid}.text`;
    runs.push(["backtest --quiet, journal on tmpfs", onShm, [...set, "--quiet"]]);
  }
  const measured: [string, number][] = [];
  try {
    for (const [label, j, extra] of runs) {
      measured.push([label, (await bestOf(repeat, () => timeBacktest(ticks, j, extra))).seconds]);
    }
  } finally {
    if (shm !== undefined) {
      await Deno.remove(`${shm}/scalpbot_bench_${Deno.pid}.text`).catch(() => {});
    }
  }
  floor = Math.min(floor, (await bestOf(repeat, () => timeFloor(ticks))).seconds);
  const rows = [["floor: parse + 30 s bars + EMA", floor] as [string, number], ...measured].map((
    [label, seconds],
  ) => ({ label, seconds, ticksPerSec: ticksCount / seconds, ratio: seconds / floor }));
  return { floor, rows };
}
