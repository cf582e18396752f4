/**
 * Whole-store backtests stream (issue 10): peak RSS of `scalpbot backtest --ticks STORE` over
 * a download store of a few days and of ten times as many, written from the simulator's
 * generated archive (MESZ5, CME sessions). The run reads one day file after the other, so the
 * peak should not grow with the number of days.
 *
 * Run: deno run --allow-all bench/store_rss.ts [DAYS...] (default 5 25 50 trading days)
 *
 * @module
 */
import { type StoreContract, TickStore } from "../lib/data/store.ts";
import { generateArchive } from "../lib/sim/history_store.ts";
import { peakRss } from "./cli_bench.ts";

const sizes = Deno.args.length > 0 ? Deno.args.map(Number) : [5, 25, 50];
const NOW = Date.UTC(2025, 11, 1, 12);
const archive = generateArchive({
  symbol: "MES",
  months: ["202512"],
  from: "2025-09-22",
  to: "2025-11-28",
  now: NOW,
  intensity: 2,
  seed: 7,
});
const z5 = archive.contracts[0]!;
const contract: StoreContract = {
  conId: z5.conId,
  symbol: "MES",
  localSymbol: z5.localSymbol,
  exchange: "CME",
  month: "202512",
  minTick: 0.25,
  multiplier: 5,
  timeZone: "US/Central",
};

/** Trading days Monday..Friday of the range, oldest first. */
function weekdays(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(from + "T00:00:00Z"); t <= Date.parse(to + "T00:00:00Z"); t += 864e5) {
    const d = new Date(t);
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) out.push(d.toISOString().slice(0, 10));
  }
  return out;
}

async function writeStore(dir: string, days: string[]): Promise<number> {
  await Deno.mkdir(dir, { recursive: true });
  const store = await TickStore.open(dir);
  let ticks = 0;
  for (const date of days) {
    const d = archive.day(contract.localSymbol, date);
    if (d.ts.length === 0) continue;
    const w = await store.beginDay(contract, date, []);
    await w.append({ ts: d.ts, price: d.price, size: d.size }, 0, 0);
    await w.finish();
    ticks += d.ts.length;
  }
  return ticks;
}

const all = weekdays("2025-09-22", "2025-11-28");
const tmp = await Deno.makeTempDir({ prefix: "scalpbot_store_rss_" });
try {
  console.log("## Peak RSS of `scalpbot backtest --ticks STORE --quiet` as the store grows");
  const rows: [number, number, number][] = [];
  for (const n of sizes.map((x) => Math.min(x, all.length))) {
    const ticks = await writeStore(`${tmp}/store${n}`, all.slice(0, n));
    const rss = await peakRss(`${tmp}/store${n}`, `${tmp}/j${n}.text`, []);
    rows.push([n, ticks, rss]);
    console.log(
      `${String(n).padStart(3)} days ${ticks.toLocaleString("en-US").padStart(11)} ticks: ` +
        `peak RSS ${rss.toFixed(1)} MiB`,
    );
  }
  const a = rows[0];
  const b = rows.at(-1);
  console.log(
    `growth: ${(b![2] - a![2]).toFixed(1)} MiB for ${b![0] - a![0]} more days ` +
      `(${(b![1] / a![1]).toFixed(1)}x the ticks)`,
  );
} finally {
  await Deno.remove(tmp, { recursive: true });
}
