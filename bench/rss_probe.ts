/**
 * Runs `scalpbot backtest --ticks FILE --journal JOURNAL --overwrite --quiet [args...]` in
 * this process, then prints the process's peak resident memory (VmHWM from /proc) so the
 * benchmark can compare input sizes.
 *
 * @module
 */
import { main } from "../main.ts";

const [ticks, journal, ...extra] = Deno.args;
if (ticks === undefined || journal === undefined) {
  throw new TypeError("usage: rss_probe.ts TICKS JOURNAL [backtest args...]");
}
const code = await main([
  "backtest",
  "--ticks",
  ticks,
  "--journal",
  journal,
  "--overwrite",
  "--quiet",
  ...extra,
]);
const status = await Deno.readTextFile("/proc/self/status");
const kb = Number(status.match(/VmHWM:\s+(\d+) kB/)?.[1] ?? NaN);
console.log(`exit=${code} VmHWM_MiB=${(kb / 1024).toFixed(1)}`);
