import assert from "node:assert/strict";
import fc from "fast-check";
import { benchIndicators, randomWalkBars } from "../bench/indicators_bench.ts";
import { Atr } from "../lib/indicators/atr.ts";
import { CrossDetector, type CrossDirection } from "../lib/indicators/cross.ts";
import { Ema } from "../lib/indicators/ema.ts";
import type { StreamingIndicator } from "../lib/indicators/indicator.ts";
import { Rsi } from "../lib/indicators/rsi.ts";
import { RelativeVolume } from "../lib/indicators/rvol.ts";
import { SessionVwap } from "../lib/indicators/vwap.ts";

/** Agreement required with the references: 1e-9, relative for magnitudes above 1. */
const TOL = 1e-9;

// ---------------------------------------------------------------------------------------
// Batch references: plain array loops of the TA-Lib definitions, written independently of
// the streaming code (different algebraic forms where TA-Lib allows one).

function refEma(xs: readonly number[], n: number): (number | undefined)[] {
  const out: (number | undefined)[] = xs.map(() => undefined);
  if (xs.length < n) return out;
  let seed = 0;
  for (let i = 0; i < n; i++) seed += xs[i]!;
  let ema = seed / n;
  out[n - 1] = ema;
  const k = 2 / (n + 1);
  for (let i = n; i < xs.length; i++) {
    ema = k * xs[i]! + (1 - k) * ema;
    out[i] = ema;
  }
  return out;
}

function refRsi(closes: readonly number[], n: number): (number | undefined)[] {
  const out: (number | undefined)[] = closes.map(() => undefined);
  if (closes.length <= n) return out;
  const gains: number[] = [0];
  const losses: number[] = [0];
  for (let i = 1; i < closes.length; i++) {
    const d = closes[i]! - closes[i - 1]!;
    gains.push(Math.max(d, 0));
    losses.push(Math.max(-d, 0));
  }
  let g = 0;
  let l = 0;
  for (let i = 1; i <= n; i++) {
    g += gains[i]!;
    l += losses[i]!;
  }
  g /= n;
  l /= n;
  const rsi = (ag: number, al: number) => {
    // TA-Lib 0.6: a (near-)zero avgGain + avgLoss gives 0.
    if (Math.abs(ag + al) < 1e-14) return 0;
    if (al === 0) return 100;
    return 100 - 100 / (1 + ag / al);
  };
  out[n] = rsi(g, l);
  for (let i = n + 1; i < closes.length; i++) {
    g = (g * (n - 1) + gains[i]!) / n;
    l = (l * (n - 1) + losses[i]!) / n;
    out[i] = rsi(g, l);
  }
  return out;
}

interface Ohlc {
  high: number;
  low: number;
  close: number;
}

function refAtr(bars: readonly Ohlc[], n: number): (number | undefined)[] {
  const out: (number | undefined)[] = bars.map(() => undefined);
  if (bars.length <= n) return out;
  const tr = bars.map((b, i) => {
    if (i === 0) return NaN; // the first bar has no previous close
    const pc = bars[i - 1]!.close;
    return Math.max(b.high - b.low, Math.abs(b.high - pc), Math.abs(b.low - pc));
  });
  let atr = 0;
  for (let i = 1; i <= n; i++) atr += tr[i]!;
  atr /= n;
  out[n] = atr;
  for (let i = n + 1; i < bars.length; i++) {
    atr = (atr * (n - 1) + tr[i]!) / n;
    out[i] = atr;
  }
  return out;
}

function refRvol(volumes: readonly number[], n: number): (number | undefined)[] {
  return volumes.map((v, i) => {
    if (i < n) return undefined;
    let sum = 0;
    for (let j = i - n; j < i; j++) sum += volumes[j]!;
    const mean = sum / n;
    return mean === 0 ? undefined : v / mean;
  });
}

function refCross(
  fast: readonly (number | undefined)[],
  slow: readonly (number | undefined)[],
): (CrossDirection | undefined)[] {
  return fast.map((f, i) => {
    const s = slow[i];
    const pf = fast[i - 1];
    const ps = slow[i - 1];
    if (i === 0 || f === undefined || s === undefined || pf === undefined || ps === undefined) {
      return undefined;
    }
    if (!(pf > ps) && f > s) return "UP";
    if (!(pf < ps) && f < s) return "DOWN";
    return undefined;
  });
}

function assertSeriesClose(
  actual: readonly (number | undefined)[],
  expected: readonly (number | undefined)[],
  label: string,
): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (a === e) continue;
    if (e === undefined || a === undefined) {
      assert.equal(a, e, `${label}[${i}]: got ${a}, expected ${e}`);
    } else {
      const tol = TOL * Math.max(1, Math.abs(e));
      assert.ok(Math.abs(a - e) <= tol, `${label}[${i}]: got ${a}, expected ${e}`);
    }
  }
}

const runEma = (xs: readonly number[], n: number) => {
  const ema = new Ema(n);
  return xs.map((x) => ema.update(x));
};
const runRsi = (xs: readonly number[], n: number) => {
  const rsi = new Rsi(n);
  return xs.map((x) => rsi.update(x));
};
const runAtr = (bars: readonly Ohlc[], n: number) => {
  const atr = new Atr(n);
  return bars.map((b) => atr.update(b.high, b.low, b.close));
};
const runRvol = (vs: readonly number[], n: number) => {
  const rvol = new RelativeVolume(n);
  return vs.map((v) => rvol.update(v));
};

// ---------------------------------------------------------------------------------------
// Hand-worked examples.

Deno.test("Ema(3) of 1..6 is seeded with the mean of the first three, then k = 0.5", () => {
  // seed = (1 + 2 + 3) / 3 = 2; k = 2 / 4 = 0.5
  // 4: 2 + 0.5 * (4 - 2) = 3;  5: 3 + 0.5 * 2 = 4;  6: 4 + 0.5 * 2 = 5
  const expected = [undefined, undefined, 2, 3, 4, 5];
  assert.deepEqual(runEma([1, 2, 3, 4, 5, 6], 3), expected);
  assertSeriesClose(refEma([1, 2, 3, 4, 5, 6], 3), expected, "refEma");
});

Deno.test("Rsi(3) uses simple first averages then Wilder smoothing", () => {
  // closes 44 45 43 46 46 44 -> changes +1 -2 +3 0 -2
  // first: avgGain = (1 + 0 + 3) / 3 = 4/3, avgLoss = (0 + 2 + 0) / 3 = 2/3
  //        RSI = 100 * (4/3) / (4/3 + 2/3) = 66.666...
  // 0:     avgGain = (4/3 * 2 + 0) / 3 = 8/9, avgLoss = (2/3 * 2 + 0) / 3 = 4/9 -> 66.666...
  // -2:    avgGain = (8/9 * 2) / 3 = 16/27, avgLoss = (4/9 * 2 + 2) / 3 = 26/27
  //        RSI = 100 * 16 / 42 = 38.095238...
  const closes = [44, 45, 43, 46, 46, 44];
  const expected = [undefined, undefined, undefined, 200 / 3, 200 / 3, 1600 / 42];
  assertSeriesClose(runRsi(closes, 3), expected, "Rsi");
  assertSeriesClose(refRsi(closes, 3), expected, "refRsi");
});

Deno.test("Rsi is 0 on a flat series (TA-Lib) and 100 on a rising one", () => {
  // Flat: avgGain = avgLoss = 0; TA-Lib writes 0 rather than dividing 0 by 0.
  assert.deepEqual(runRsi([5, 5, 5, 5, 5], 3), [undefined, undefined, undefined, 0, 0]);
  // Rising: avgLoss = 0 -> 100 * g / (g + 0) = 100.
  assert.deepEqual(runRsi([1, 2, 3, 4, 6], 3), [undefined, undefined, undefined, 100, 100]);
  // Falling: avgGain = 0 -> 0.
  assert.deepEqual(runRsi([6, 4, 3, 2], 3), [undefined, undefined, undefined, 0]);
});

Deno.test("Atr(3) averages true ranges from the second bar, then Wilder smoothing", () => {
  const bars: Ohlc[] = [
    { high: 10, low: 8, close: 9 }, // no previous close: no TR
    { high: 11, low: 9, close: 10 }, // TR = max(2, |11-9|, |9-9|) = 2
    { high: 10.5, low: 9.5, close: 10 }, // TR = max(1, 0.5, 0.5) = 1
    { high: 14, low: 12, close: 13 }, // TR = max(2, |14-10|, |12-10|) = 4; ATR = 7/3
    { high: 13, low: 11, close: 12 }, // TR = max(2, 0, 2) = 2; ATR = (7/3*2 + 2)/3 = 20/9
    { high: 9, low: 8, close: 8.5 }, // TR = max(1, 3, 4) = 4; ATR = (20/9*2 + 4)/3 = 76/27
  ];
  const expected = [undefined, undefined, undefined, 7 / 3, 20 / 9, 76 / 27];
  assertSeriesClose(runAtr(bars, 3), expected, "Atr");
  assertSeriesClose(refAtr(bars, 3), expected, "refAtr");
});

Deno.test("Atr rejects a bar whose high is below its low", () => {
  const atr = new Atr(3);
  assert.throws(() => atr.update(9, 10, 9.5), RangeError);
  assert.throws(() => atr.update(NaN, 10, 9.5), RangeError);
});

Deno.test("RelativeVolume(3) divides by the mean of the previous three bars", () => {
  const vols = [10, 20, 30, 40, 0, 0, 0, 5, 6];
  const expected = [
    undefined,
    undefined,
    undefined,
    2, // 40 / mean(10, 20, 30) = 40 / 20
    0, // 0 / mean(20, 30, 40)
    0, // 0 / mean(30, 40, 0)
    0, // 0 / mean(40, 0, 0)
    undefined, // 5 / mean(0, 0, 0): no baseline -> undefined by our choice
    3.6, // 6 / mean(0, 0, 5) = 6 / (5/3)
  ];
  assertSeriesClose(runRvol(vols, 3), expected, "RelativeVolume");
  assertSeriesClose(refRvol(vols, 3), expected, "refRvol");
  const rvol = new RelativeVolume(3);
  for (const v of vols.slice(0, 8)) rvol.update(v);
  assert.equal(rvol.ready, true, "ready stays true on a zero baseline");
  assert.equal(rvol.value, undefined);
});

Deno.test("CrossDetector reports UP and DOWN only on strict crossings", () => {
  const fast = [undefined, 1, 3, 3, 2, 2, 1, 2, 3, undefined, 5, 1];
  const slow = [1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2];
  // i=1 first bar with both; i=2 1<=2 -> 3>2: UP; i=3 stays above; i=4 3>=2 -> 2<2? no,
  // touching; i=5 touching; i=6 2>=2 -> 1<2: DOWN; i=7 touch; i=8 2<=2 -> 3>2: UP;
  // i=9 gap; i=10 first bar again; i=11 5>=2 -> 1<2: DOWN.
  const expected = [
    undefined,
    undefined,
    "UP",
    undefined,
    undefined,
    undefined,
    "DOWN",
    undefined,
    "UP",
    undefined,
    undefined,
    "DOWN",
  ];
  const cross = new CrossDetector();
  const got = fast.map((f, i) => cross.update(f, slow[i]));
  assert.deepEqual(got, expected);
  assert.deepEqual(refCross(fast, slow), expected);
});

Deno.test("SessionVwap is the volume-weighted mean since the last reset", () => {
  const vwap = new SessionVwap();
  assert.equal(vwap.value, undefined);
  assert.equal(vwap.add(100, 0), undefined, "size 0 gives no volume yet");
  assert.equal(vwap.add(100, 1), 100);
  // (100*1 + 103*2) / 3 = 306 / 3 = 102
  assert.equal(vwap.add(103, 2), 102);
  // (306 + 99*0) / 3 = 102: a zero-size trade changes nothing
  assert.equal(vwap.add(99, 0), 102);
  // (306 + 98*1) / 4 = 404 / 4 = 101
  assert.equal(vwap.add(98, 1), 101);
  assert.equal(vwap.volume, 4);
  vwap.reset();
  assert.equal(vwap.value, undefined);
  assert.equal(vwap.ready, false);
  // After reset only the new trades count: (50*3 + 60*1) / 4 = 52.5
  vwap.add(50, 3);
  assert.equal(vwap.add(60, 1), 52.5);
  assert.throws(() => vwap.add(50, -1), RangeError);
  assert.throws(() => vwap.add(Infinity, 1), RangeError);
});

Deno.test("Indicators reject a period that is not a positive integer", () => {
  for (const p of [0, -1, 2.5, NaN]) {
    assert.throws(() => new Ema(p), RangeError);
    assert.throws(() => new Rsi(p), RangeError);
    assert.throws(() => new Atr(p), RangeError);
    assert.throws(() => new RelativeVolume(p), RangeError);
  }
});

// ---------------------------------------------------------------------------------------
// Shared contract: every indicator registers here.

interface ContractCase {
  name: string;
  make(): StreamingIndicator<unknown>;
  /** Feeds deterministic input number `i`; returns what the update returned. */
  feed(ind: StreamingIndicator<unknown>, i: number): unknown;
  /** Updates needed for the first value, worked out from the definition. */
  warmUp: number;
  /** Whether every update from the warm-up on returns a value (not so for crossings). */
  alwaysDefined: boolean;
}

// A wiggly, always-positive input so that every ratio has a baseline.
const wave = (i: number) => 100 + 10 * Math.sin(i * 0.7) + (i % 3);

const contractCases: ContractCase[] = [
  {
    name: "Ema(5)",
    make: () => new Ema(5),
    feed: (ind, i) => (ind as Ema).update(wave(i)),
    warmUp: 5,
    alwaysDefined: true,
  },
  {
    name: "Rsi(9)",
    make: () => new Rsi(9),
    feed: (ind, i) => (ind as Rsi).update(wave(i)),
    warmUp: 10,
    alwaysDefined: true,
  },
  {
    name: "Atr(9)",
    make: () => new Atr(9),
    feed: (ind, i) => (ind as Atr).update(wave(i) + 1, wave(i) - 1, wave(i)),
    warmUp: 10,
    alwaysDefined: true,
  },
  {
    name: "RelativeVolume(20)",
    make: () => new RelativeVolume(20),
    feed: (ind, i) => (ind as RelativeVolume).update(wave(i)),
    warmUp: 21,
    alwaysDefined: true,
  },
  {
    name: "SessionVwap",
    make: () => new SessionVwap(),
    feed: (ind, i) => (ind as SessionVwap).add(wave(i), 1 + (i % 4)),
    warmUp: 1,
    alwaysDefined: true,
  },
  {
    name: "CrossDetector",
    make: () => new CrossDetector(),
    feed: (ind, i) => (ind as CrossDetector).update(wave(i), 100),
    warmUp: 2,
    alwaysDefined: false,
  },
];

for (const c of contractCases) {
  Deno.test(`${c.name} contract: undefined before warm-up, defined from it, repeatable after reset`, () => {
    const ind = c.make();
    assert.equal(ind.warmUp, c.warmUp, "warmUp");
    const first: unknown[] = [];
    for (let i = 0; i < 60; i++) {
      const out = c.feed(ind, i);
      first.push(out);
      assert.equal(ind.value, out, `value getter after update ${i + 1}`);
      const warm = i + 1 >= c.warmUp;
      assert.equal(ind.ready, warm, `ready after update ${i + 1}`);
      if (!warm) assert.equal(out, undefined, `output before warm-up, update ${i + 1}`);
      else if (c.alwaysDefined) assert.notEqual(out, undefined, `output at update ${i + 1}`);
    }
    ind.reset();
    assert.equal(ind.ready, false, "ready after reset");
    assert.equal(ind.value, undefined, "value after reset");
    const second: unknown[] = [];
    for (let i = 0; i < 60; i++) second.push(c.feed(ind, i));
    assert.deepEqual(second, first, "same input after reset gives the same output");
    if (!c.alwaysDefined) assert.ok(first.some((x) => x !== undefined), "some output at all");
  });
}

// ---------------------------------------------------------------------------------------
// Random series against the batch references.

// Prices either on a 0.25 grid (ties, flat runs) or arbitrary doubles.
const priceArb = fc.oneof(
  fc.integer({ min: 4, max: 40_000 }).map((t) => t * 0.25),
  fc.double({ min: 1, max: 10_000, noNaN: true }),
);
const seriesArb = fc.oneof(
  fc.array(priceArb, { maxLength: 200 }),
  // Flat runs: few distinct values.
  fc.array(fc.constantFrom(100, 100.25, 100.5), { maxLength: 200 }),
);
const periodArb = fc.integer({ min: 1, max: 30 });

Deno.test("Ema matches the batch reference on random series", () => {
  fc.assert(fc.property(seriesArb, periodArb, (xs, n) => {
    assertSeriesClose(runEma(xs, n), refEma(xs, n), `Ema(${n})`);
  }));
});

Deno.test("Rsi matches the batch reference on random series", () => {
  fc.assert(fc.property(seriesArb, periodArb, (xs, n) => {
    assertSeriesClose(runRsi(xs, n), refRsi(xs, n), `Rsi(${n})`);
  }));
});

const barArb = fc.tuple(priceArb, priceArb, priceArb).map(([a, b, c]): Ohlc => {
  const [low, close, high] = [a, b, c].sort((x, y) => x - y) as [number, number, number];
  return { high, low, close };
});

Deno.test("Atr matches the batch reference on random bars", () => {
  fc.assert(fc.property(fc.array(barArb, { maxLength: 200 }), periodArb, (bars, n) => {
    assertSeriesClose(runAtr(bars, n), refAtr(bars, n), `Atr(${n})`);
  }));
});

Deno.test("RelativeVolume matches the batch reference on random volumes", () => {
  const volArb = fc.oneof(
    fc.integer({ min: 0, max: 5 }),
    fc.integer({ min: 0, max: 100_000 }),
    // Fractional lots down to 1e-6; denormal "volumes" would only test float underflow.
    fc.double({ min: 0, max: 1e6, noNaN: true }).map((v) => Math.round(v * 1e6) / 1e6),
  );
  fc.assert(fc.property(fc.array(volArb, { maxLength: 200 }), periodArb, (vs, n) => {
    assertSeriesClose(runRvol(vs, n), refRvol(vs, n), `RelativeVolume(${n})`);
  }));
});

Deno.test("CrossDetector matches the batch reference on random pairs with gaps", () => {
  const v = fc.option(fc.integer({ min: 0, max: 4 }), { freq: 8, nil: undefined });
  fc.assert(fc.property(fc.array(fc.tuple(v, v), { maxLength: 100 }), (pairs) => {
    const fast = pairs.map((p) => p[0]);
    const slow = pairs.map((p) => p[1]);
    const cross = new CrossDetector();
    assert.deepEqual(pairs.map(([f, s]) => cross.update(f, s)), refCross(fast, slow));
  }));
});

// ---------------------------------------------------------------------------------------
// Real 1-minute ES bars.

const barsDir = new URL("../../shared/data/bars/", import.meta.url);
const barsExist = (() => {
  try {
    return Deno.statSync(barsDir).isDirectory;
  } catch {
    return false;
  }
})();
if (!barsExist) console.warn(`Skipping real-bar indicator tests: ${barsDir.pathname} is absent`);

interface RealBar extends Ohlc {
  volume: number;
}

function loadRealBars(): RealBar[] {
  const names = [...Deno.readDirSync(barsDir)]
    .filter((e) => e.isFile && e.name.endsWith(".csv"))
    .map((e) => e.name)
    .sort();
  const bars: RealBar[] = [];
  for (const name of names) {
    const lines = Deno.readTextFileSync(new URL(name, barsDir)).split("\n");
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (line === "") continue;
      const [, , high, low, close, volume] = line.split(",").map(Number);
      bars.push({ high: high!, low: low!, close: close!, volume: volume! });
    }
  }
  return bars;
}

Deno.test({
  name: "Indicators match the batch references on the real ES 1-minute bars",
  ignore: !barsExist,
  fn() {
    const bars = loadRealBars();
    assert.ok(bars.length > 1000, `expected many bars, got ${bars.length}`);
    const closes = bars.map((b) => b.close);
    const volumes = bars.map((b) => b.volume);
    assertSeriesClose(runEma(closes, 9), refEma(closes, 9), "Ema(9)");
    assertSeriesClose(runEma(closes, 21), refEma(closes, 21), "Ema(21)");
    assertSeriesClose(runRsi(closes, 9), refRsi(closes, 9), "Rsi(9)");
    assertSeriesClose(runAtr(bars, 9), refAtr(bars, 9), "Atr(9)");
    assertSeriesClose(runRvol(volumes, 20), refRvol(volumes, 20), "RelativeVolume(20)");
    const cross = new CrossDetector();
    const fast = runEma(closes, 9);
    const slow = runEma(closes, 21);
    const crosses = fast.map((f, i) => cross.update(f, slow[i]));
    assert.deepEqual(crosses, refCross(fast, slow));
    assert.ok(crosses.some((x) => x === "UP") && crosses.some((x) => x === "DOWN"));
  },
});

// ---------------------------------------------------------------------------------------
// Cross-check with npm trading-signals (via the benchmark module, on a small input).

Deno.test("EMA, RSI and ATR agree with trading-signals where the definitions agree", () => {
  const { closes, highs, lows } = randomWalkBars(3000, 7);
  const { rows } = benchIndicators(closes, highs, lows);
  assert.deepEqual(rows.map((r) => r.name), ["EMA(9)", "EMA(21)", "RSI(9)", "ATR(9)"]);
  for (const r of rows) {
    assert.ok(r.maxAbsDiff !== null && r.maxAbsDiff < 1e-9, `${r.name}: ${r.maxAbsDiff}`);
    assert.ok(r.oursPerSec > 0 && r.theirsPerSec > 0, `${r.name}: rates are positive`);
  }
});
