import assert from "node:assert/strict";
import fc from "fast-check";
import { BarAggregator, PushResult } from "../lib/engine/bar_aggregator.ts";
import type { Bar } from "../lib/types.ts";

const T0 = Date.UTC(2025, 1, 17, 14, 30, 0);

/** Reference: group in-order ticks by floor(ts / barMs) with plain arrays. */
function referenceBars(ticks: Array<[number, number, number]>, barMs: number): Bar[] {
  const groups = new Map<number, Array<[number, number, number]>>();
  for (const t of ticks) {
    const k = Math.floor(t[0] / barMs) * barMs;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(t);
  }
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([start, g]) => ({
    start,
    lengthMs: barMs,
    open: g[0]![1],
    high: Math.max(...g.map((t) => t[1])),
    low: Math.min(...g.map((t) => t[1])),
    close: g[g.length - 1]![1],
    volume: g.reduce((s, t) => s + t[2], 0),
    trades: g.length,
  }));
}

function runAll(ticks: Array<[number, number, number]>, barMs: number): Bar[] {
  const agg = new BarAggregator({ barMs });
  const out: Bar[] = [];
  for (const [ts, p, s] of ticks) {
    if (agg.push(ts, p, s) === PushResult.CLOSED) out.push(agg.lastClosed!);
  }
  const last = agg.flush();
  if (last) out.push(last);
  return out;
}

Deno.test("BarAggregator closes a bar on the first tick at or past its end", () => {
  const agg = new BarAggregator({ barMs: 30_000 });
  assert.equal(agg.push(T0 + 5_000, 100, 1), PushResult.ADDED);
  assert.equal(agg.push(T0 + 29_999, 101, 2), PushResult.ADDED);
  // Exactly at the end (T0 + 30 s) belongs to the next bar.
  assert.equal(agg.push(T0 + 30_000, 99, 3), PushResult.CLOSED);
  assert.deepEqual(agg.lastClosed, {
    start: T0,
    lengthMs: 30_000,
    open: 100,
    high: 101,
    low: 100,
    close: 101,
    volume: 3,
    trades: 2,
  });
  assert.equal(agg.openStart, T0 + 30_000);
});

Deno.test("BarAggregator aligns bars to the clock and skips empty intervals", () => {
  const agg = new BarAggregator({ barMs: 15_000 });
  agg.push(T0 + 7_123, 10, 1); // bar :00-:15
  // Next tick 2 minutes later: no bars for the empty intervals in between.
  assert.equal(agg.push(T0 + 127_400, 11, 1), PushResult.CLOSED);
  assert.equal(agg.lastClosed!.start, T0);
  assert.equal(agg.openStart, T0 + 120_000); // 14:32:00, a multiple of 15 s
});

Deno.test("BarAggregator closeDue closes by clock time only once the end is reached", () => {
  const agg = new BarAggregator({ barMs: 30_000 });
  agg.push(T0 + 1_000, 5, 2);
  assert.equal(agg.closeDue(T0 + 29_999), undefined);
  const bar = agg.closeDue(T0 + 30_000);
  assert.equal(bar?.start, T0);
  assert.equal(agg.isOpen, false);
  assert.equal(agg.closeDue(T0 + 90_000), undefined);
});

Deno.test("BarAggregator drops a tick stamped inside a closed bar and counts it", () => {
  const agg = new BarAggregator({ barMs: 30_000, lateTicks: "drop" });
  agg.push(T0 + 1_000, 5, 2);
  agg.closeDue(T0 + 31_000);
  assert.equal(agg.push(T0 + 29_000, 6, 1), PushResult.LATE_DROPPED);
  assert.equal(agg.lateCount, 1);
  // A late tick while a newer bar is open is dropped too.
  agg.push(T0 + 40_000, 7, 1);
  assert.equal(agg.push(T0 + 20_000, 8, 1), PushResult.LATE_DROPPED);
  assert.equal(agg.lateCount, 2);
  assert.deepEqual(agg.flush(), {
    start: T0 + 30_000,
    lengthMs: 30_000,
    open: 7,
    high: 7,
    low: 7,
    close: 7,
    volume: 1,
    trades: 1,
  });
});

Deno.test("BarAggregator folds a late tick into the open bar under policy current", () => {
  const agg = new BarAggregator({ barMs: 30_000, lateTicks: "current" });
  agg.push(T0 + 1_000, 5, 2);
  agg.push(T0 + 31_000, 6, 1);
  assert.equal(agg.push(T0 + 10_000, 9, 4), PushResult.LATE_ADDED);
  const bar = agg.flush()!;
  assert.equal(bar.start, T0 + 30_000);
  assert.equal(bar.high, 9);
  assert.equal(bar.close, 9);
  assert.equal(bar.volume, 5);
  assert.equal(bar.trades, 2);
  assert.equal(agg.lateCount, 1);
});

Deno.test("BarAggregator rejects a non-integer bar length", () => {
  assert.throws(() => new BarAggregator({ barMs: 0 }), RangeError);
  assert.throws(() => new BarAggregator({ barMs: 1.5 }), RangeError);
});

Deno.test("BarAggregator equals a grouping reference and keeps its invariants (property)", () => {
  const tickArb = fc.tuple(
    fc.integer({ min: 0, max: 5_000 }), // time step in ms
    fc.integer({ min: 1, max: 400 }), // price in ticks
    fc.integer({ min: 1, max: 50 }), // size
  );
  fc.assert(
    fc.property(
      fc.array(tickArb, { minLength: 1, maxLength: 300 }),
      fc.constantFrom(1_000, 15_000, 30_000, 60_000),
      (steps, barMs) => {
        let ts = T0 + 123;
        const ticks: Array<[number, number, number]> = steps.map(([dt, p, s]) => {
          ts += dt * 7;
          return [ts, p * 0.25, s];
        });
        const bars = runAll(ticks, barMs);
        assert.deepEqual(bars, referenceBars(ticks, barMs));
        const totalVolume = ticks.reduce((s, t) => s + t[2], 0);
        assert.equal(bars.reduce((s, b) => s + b.volume, 0), totalVolume);
        assert.equal(bars.reduce((s, b) => s + b.trades, 0), ticks.length);
        for (let i = 0; i < bars.length; i++) {
          const b = bars[i]!;
          assert.equal(b.start % barMs, 0);
          assert.ok(b.high >= Math.max(b.open, b.close) && Math.min(b.open, b.close) >= b.low);
          if (i > 0) assert.ok(b.start > bars[i - 1]!.start);
        }
      },
    ),
    { numRuns: 200 },
  );
});
