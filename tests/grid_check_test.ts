import assert from "node:assert/strict";
import fc from "fast-check";
import {
  CANDIDATE_TICKS,
  GridCheck,
  gridWarning,
  GridWatch,
  onGrid,
  tolerated,
} from "../lib/ticks/grid_check.ts";
import { main } from "../main.ts";
import type { TickBatch } from "../lib/types.ts";

/** Gold-like prints: 1300.0, 1300.1, ... 1399.9 (k tenths), cycling. */
function goldPrices(n: number): number[] {
  return Array.from({ length: n }, (_, i) => Number((1300 + (i % 1000) / 10).toFixed(1)));
}

function checked(tick: number, prices: number[], sample?: number) {
  const check = new GridCheck(tick, sample === undefined ? {} : { sample });
  for (const p of prices) check.push(p);
  return check.result();
}

Deno.test("onGrid ignores binary noise and sees a real offset", () => {
  assert.equal(onGrid(1300.1, 0.1), true); // 1300.1 / 0.1 = 13000.999999999998
  assert.equal(onGrid(4999.75, 0.25), true);
  assert.equal(onGrid(1300.1, 0.25), false);
  assert.equal(onGrid(13002.5, 2.5), true);
  assert.equal(onGrid(13002.5, 1), false);
});

Deno.test("GridCheck: gold prices under MES settings are a mismatch, and the 0.1 grid is found", () => {
  // k tenths lie on the 0.25 grid only when k is a multiple of 5 (0.5 steps): 200 of
  // 1,000. The coarser candidates 0.2 and 0.25 fail (500 and 800 off); 0.1 fits.
  const r = checked(0.25, goldPrices(1000));
  assert.equal(r.sampled, 1000);
  assert.equal(r.offGrid, 800);
  assert.equal(r.mismatch, true);
  assert.equal(r.inferredTick, 0.1);
  assert.deepEqual(r.fits.map((c) => c.symbol), ["RTY", "M2K", "GC", "MGC"]);
  assert.equal(r.coarse, false);
  // With gold's own tick there is nothing to say.
  const own = checked(0.1, goldPrices(1000));
  assert.equal(own.offGrid, 0);
  assert.equal(own.mismatch, false);
  assert.equal(own.coarse, false);
  assert.equal(gridWarning(own, { symbol: "GC", multiplier: 100, source: "gc.csv" }), undefined);
});

Deno.test("GridCheck: ES prices under a 0.1 tick are a mismatch on a 0.25 grid", () => {
  // Quarters 5000.00, .25, .50, .75: .25 and .75 are off the 0.1 grid (half of them).
  const prices = Array.from({ length: 400 }, (_, i) => 5000 + (i % 40) * 0.25);
  const r = checked(0.1, prices);
  assert.equal(r.offGrid, 200);
  assert.equal(r.mismatch, true);
  assert.equal(r.inferredTick, 0.25);
  assert.deepEqual(r.fits.map((c) => c.symbol), ["ES", "MES", "NQ", "MNQ"]);
});

Deno.test("GridCheck tolerates up to 1% of the sample (at least 3) off the grid", () => {
  assert.equal(tolerated(10_000), 100);
  assert.equal(tolerated(120), 3);
  const onGridPrices = (n: number) => Array.from({ length: n }, (_, i) => 5000 + (i % 8) * 0.25);
  const withOff = (n: number, off: number) => [
    ...Array.from({ length: off }, () => 5000.1),
    ...onGridPrices(n - off),
  ];
  assert.equal(checked(0.25, withOff(10_000, 100)).mismatch, false);
  assert.equal(checked(0.25, withOff(10_000, 101)).mismatch, true);
  assert.equal(checked(0.25, withOff(50, 3)).mismatch, false);
  assert.equal(checked(0.25, withOff(50, 4)).mismatch, true);
  // 100 stray prints in 10,000 do not hide the 0.25 grid either.
  assert.equal(checked(0.25, withOff(10_000, 100)).inferredTick, 0.25);
});

Deno.test("GridCheck samples only the first prints", () => {
  // 10 on-grid prints, then off-grid ones: a sample of 10 sees none of them.
  const prices = [...Array.from({ length: 10 }, () => 5000), ...goldPrices(100)];
  const r = checked(0.25, prices, 10);
  assert.equal(r.sampled, 10);
  assert.equal(r.offGrid, 0);
  assert.equal(r.mismatch, false);
  // pushBatch stops at the sample size too.
  const check = new GridCheck(0.25, { sample: 5 });
  const batch: TickBatch = {
    ts: new Float64Array(8),
    price: Float64Array.from([1300.1, 1300.2, 1300.3, 1300.4, 1300.6, 1300.7, 1300.8, 1300.9]),
    size: new Float64Array(8).fill(1),
    count: 8,
  };
  check.pushBatch(batch);
  assert.equal(check.full, true);
  assert.equal(check.result().sampled, 5);
  assert.equal(check.result().offGrid, 5);
});

Deno.test("GridCheck flags prices all on a grid 4 or more times coarser than the tick", () => {
  // A50 prices (whole points) under MES's 0.25: none is off the grid, yet the 1-point grid
  // over 2,000 prints says the file is of another contract.
  const a50 = Array.from({ length: 2000 }, (_, i) => 13000 + (i % 97));
  const r = checked(0.25, a50);
  assert.equal(r.offGrid, 0);
  assert.equal(r.mismatch, false);
  assert.equal(r.inferredTick, 1);
  assert.equal(r.coarse, true);
  const line = gridWarning(r, { symbol: "MES", multiplier: 5, source: "a50.csv" })!;
  assert.match(line, /^warning: the first 2,000 prices in a50\.csv lie on a 1 grid, 4 times/);
  assert.match(line, /--set contract\.tick_size=1 .*XINA50 1/);
  // Twice as coarse is ordinary (a quiet half-point market), and so is a short sample.
  assert.equal(checked(0.5, a50).coarse, false);
  assert.equal(checked(0.25, a50.slice(0, 999)).coarse, false);
});

Deno.test("gridWarning names the counts, the configured contract and the settings that fit", () => {
  const r = checked(0.25, goldPrices(10_000));
  const line = gridWarning(r, { symbol: "MES", multiplier: 5, source: "gc.csv" });
  assert.equal(
    line,
    "warning: 8,000 of the first 10,000 prices in gc.csv are off the 0.25 tick grid of MES " +
      "(multiplier 5), so stops, targets and P/L will be wrong; they lie on a 0.1 grid: " +
      "--set contract.tick_size=0.1 with the file's symbol and multiplier " +
      "(0.1-tick contracts: RTY 50, M2K 5, GC 100, MGC 10)",
  );
  assert.equal(line!.includes("\n"), false);
});

Deno.test("GridWatch warns exactly once, when the sample fills or at the end", () => {
  const lines: string[] = [];
  const watch = new GridWatch(
    { symbol: "MES", multiplier: 5, tick_size: 0.25 },
    "gc.csv",
    (l) => lines.push(l),
  );
  const prices = goldPrices(8192);
  const batch: TickBatch = {
    ts: new Float64Array(8192),
    price: Float64Array.from(prices),
    size: new Float64Array(8192).fill(1),
    count: 8192,
  };
  watch.onBatch(batch);
  assert.equal(lines.length, 0); // 8,192 < 10,000: not decided yet
  watch.onBatch(batch);
  assert.equal(lines.length, 1); // the sample filled
  watch.onBatch(batch);
  watch.finish();
  assert.equal(lines.length, 1);
  // A short file decides at finish.
  const short: string[] = [];
  const w2 = new GridWatch(
    { symbol: "MES", multiplier: 5, tick_size: 0.25 },
    "s.csv",
    (l) => short.push(l),
  );
  w2.onBatch({ ...batch, count: 100 });
  assert.equal(short.length, 0);
  w2.finish();
  w2.finish();
  assert.equal(short.length, 1);
  assert.match(short[0]!, /^warning: 80 of the first 100 prices in s\.csv/);
});

Deno.test("property: prices on the configured grid never warn of a mismatch", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...CANDIDATE_TICKS),
      fc.array(fc.integer({ min: 1, max: 50_000_000 }), { minLength: 1, maxLength: 300 }),
      (tick, ks) => {
        const prices = ks.map((k) => Number((k * tick).toFixed(8)));
        const r = checked(tick, prices);
        assert.equal(r.offGrid, 0);
        assert.equal(r.mismatch, false);
        // The inferred grid holds every price, and is at least as coarse as the tick.
        assert.ok(r.inferredTick !== undefined && r.inferredTick >= tick * (1 - 1e-9));
      },
    ),
    { numRuns: 300 },
  );
});

async function backtestStderr(csv: string, sets: string[]): Promise<{ code: number; err: string }> {
  const dir = await Deno.makeTempDir({ prefix: "grid_" });
  const saved = { log: console.log, error: console.error, warn: console.warn };
  let err = "";
  console.log = () => {};
  console.error = console.warn = (...a: unknown[]) => void (err += a.join(" ") + "\n");
  try {
    await Deno.writeTextFile(`${dir}/t.csv`, csv);
    const args = ["backtest", "--ticks", `${dir}/t.csv`, "--journal", `${dir}/j.text`, "--quiet"];
    for (const s of sets) args.push("--set", s);
    const code = await main(args);
    return { code, err };
  } finally {
    Object.assign(console, saved);
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("backtest prints the grid warning once for gold ticks under MES settings, none with gold's", async () => {
  const t0 = Date.UTC(2025, 1, 17, 15, 0, 0);
  const rows = goldPrices(12_000).map((p, i) => `${new Date(t0 + i * 250).toISOString()},${p},1`);
  const csv = `ts_utc,price,size\n${rows.join("\n")}\n`;
  const mes = await backtestStderr(csv, ["contract.tick_size=0.25", "contract.multiplier=5"]);
  assert.equal(mes.code, 0);
  const warnings = mes.err.split("\n").filter((l) => l.startsWith("warning:"));
  assert.equal(warnings.length, 1, mes.err);
  assert.match(warnings[0]!, /8,000 of the first 10,000 prices in .*t\.csv are off the 0\.25/);
  const gc = await backtestStderr(csv, ["contract.tick_size=0.1", "contract.multiplier=100"]);
  assert.equal(gc.code, 0);
  assert.equal(gc.err.includes("warning:"), false, gc.err);
});
