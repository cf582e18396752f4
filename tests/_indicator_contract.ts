/**
 * The contract every registered indicator passes, whatever its maths: nothing before
 * `ready`, `ready` exactly at update number `warmUp` and for good after it, finite values on
 * finite inputs, the update result is the new `value`, the same inputs give the same outputs,
 * and `reset()` returns to the freshly built state.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Indicator } from "../lib/indicators/indicator.ts";
import { createIndicator, indicatorDefinition } from "../lib/indicators/registry.ts";
import type { Bar } from "../lib/types.ts";

/** One closed bar and the prints it was built from. */
export interface BarWithTicks {
  bar: Bar;
  ticks: [number, number, number][];
}

const BAR_MS = 30_000;

/** Bars from a random walk on a 0.25 grid, each with 1..4 prints of size >= 1. */
export const barsArbitrary: fc.Arbitrary<BarWithTicks[]> = fc.array(
  fc.record({
    moves: fc.array(fc.integer({ min: -8, max: 8 }), { minLength: 1, maxLength: 4 }),
    sizes: fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 4, maxLength: 4 }),
  }),
  { minLength: 0, maxLength: 60 },
).map((specs) => {
  let price = 5000;
  const t0 = Date.UTC(2025, 1, 17, 15);
  return specs.map((s, i) => {
    const start = t0 + i * BAR_MS;
    const ticks: [number, number, number][] = s.moves.map((m, k) => {
      price = Math.max(1, price + m * 0.25);
      return [start + 1_000 * (k + 1), price, s.sizes[k]!];
    });
    const prices = ticks.map((t) => t[1]);
    const bar: Bar = {
      start,
      lengthMs: BAR_MS,
      open: prices[0]!,
      high: Math.max(...prices),
      low: Math.min(...prices),
      close: prices.at(-1)!,
      volume: ticks.reduce((a, t) => a + t[2], 0),
      trades: ticks.length,
    };
    return { bar, ticks };
  });
});

/** Feeds one bar (and its prints, for a tick indicator); returns the update's result. */
function feed(ind: Indicator, b: BarWithTicks): number | undefined {
  if (ind.input === "close") return ind.update(b.bar.close);
  if (ind.input === "bar") return ind.updateBar(b.bar);
  for (const [ts, p, s] of b.ticks) ind.updateTick(ts, p, s);
  return ind.value;
}

/** Updates one bar counts for a close or bar indicator, one per print for a tick indicator. */
function updatesIn(ind: Indicator, b: BarWithTicks): number {
  return ind.input === "tick" ? b.ticks.length : 1;
}

/** Feeds `bars`, checking each step; `updates` counts the updates already fed since fresh. */
function trace(ind: Indicator, bars: BarWithTicks[], updates = 0): (number | undefined)[] {
  const out: (number | undefined)[] = [];
  for (const b of bars) {
    const before = ind.ready;
    const r = feed(ind, b);
    updates += updatesIn(ind, b);
    const v = ind.value;
    assert.equal(r, v, "the update's result is the new value");
    if (!ind.ready) assert.equal(v, undefined, "no value before ready");
    if (before) assert.ok(ind.ready, "ready stays true");
    assert.equal(ind.ready, updates >= ind.warmUp, `ready exactly from update ${ind.warmUp}`);
    if (v !== undefined) assert.ok(Number.isFinite(v), `finite value, got ${v}`);
    out.push(v);
  }
  return out;
}

/** Checks the contract for the indicator `spec` over `runs` random bar series. */
export function checkIndicatorContract(name: string, runs = 150): void {
  const def = indicatorDefinition(name);
  const params = def.sample ?? def.params.map(() => 3);
  const spec = { name, params };
  const fresh = createIndicator(spec);
  assert.equal(fresh.ready, false, `${name}: a fresh indicator is not ready`);
  assert.equal(fresh.value, undefined, `${name}: a fresh indicator has no value`);
  assert.ok(Number.isSafeInteger(fresh.warmUp) && fresh.warmUp >= 1, `${name}: warmUp >= 1`);
  fc.assert(
    fc.property(barsArbitrary, barsArbitrary, (a, b) => {
      const x = createIndicator(spec);
      const first = trace(x, a);
      // Same inputs, another instance: the same outputs.
      assert.deepEqual(trace(createIndicator(spec), a), first, `${name}: deterministic`);
      // After other data and a reset, the same outputs again: reset is the fresh state.
      trace(x, b, a.reduce((n, bar) => n + updatesIn(x, bar), 0));
      x.reset();
      assert.equal(x.ready, false, `${name}: not ready after reset`);
      assert.equal(x.value, undefined, `${name}: no value after reset`);
      assert.deepEqual(trace(x, a), first, `${name}: reset returns to the initial state`);
    }),
    { numRuns: runs },
  );
}
