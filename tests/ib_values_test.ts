/**
 * Values from the TWS socket: the adapter's row checks, and the engine's own defence (bar
 * aggregator, engine, journal format) for whatever gets past them.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  GRID_TOLERANCE_TICKS,
  MAX_PRICE,
  parseEpochSeconds,
  TickValidator,
  toNumber,
  tradeFault,
} from "../lib/ib/validate.ts";
import { BarAggregator, PushResult, saneTick } from "../lib/engine/bar_aggregator.ts";
import { Engine } from "../lib/engine/engine.ts";
import { parseConfigText } from "../lib/config/load.ts";
import { MemoryJournal } from "../lib/journal/writer.ts";
import { formatEvent, type JournalFormatOptions, parseJournalLine } from "../lib/journal/format.ts";
import type { ExitEvent } from "../lib/types.ts";

const T = Date.UTC(2026, 11, 7, 15, 0, 0);

Deno.test("tradeFault accepts sound trades on the grid, decimal rounding included", () => {
  assert.equal(tradeFault(T, 5004.25, 1, 0.25), undefined);
  // 2345.3 / 0.1 is 23452.999999999996 in binary: still on the grid.
  assert.equal(tradeFault(T, 2345.3, 3, 0.1), undefined);
  assert.equal(tradeFault(T, 0.00390625 * 31001, 1, 0.00390625), undefined);
  assert.equal(tradeFault(T, 13350, 2, 2.5), undefined);
  // An unknown tick size (0 or NaN) skips the grid check only.
  assert.equal(tradeFault(T, 5004.13, 1, NaN), undefined);
  assert.equal(tradeFault(T, 5004.13, 1, 0), undefined);
  assert.equal(tradeFault(T, 0.5, 0.001, undefined), undefined);
});

Deno.test("tradeFault names the first bad field", () => {
  const cases: Array<[number, number, number, string]> = [
    [NaN, 5000, 1, "time not a number"],
    [Infinity, 5000, 1, "time not a number"],
    [0, 5000, 1, "time out of range"],
    [Date.UTC(1999, 11, 31, 23, 59, 59), 5000, 1, "time out of range"],
    [Date.UTC(2100, 0, 1), 5000, 1, "time out of range"],
    [1e20, 5000, 1, "time out of range"],
    [T, NaN, 1, "price not a number"],
    [T, -Infinity, 1, "price not a number"],
    [T, -5004, 1, "price not positive"],
    [T, 0, 1, "price not positive"],
    [T, -0, 1, "price not positive"],
    [T, MAX_PRICE, 1, "price too large"],
    [T, 1e300, 1, "price too large"],
    [T, 5004.1, 1, "price off the tick grid"],
    [T, 5004.25 + 0.25 * 1e-5, 1, "price off the tick grid"],
    [T, 5004.25, NaN, "size not a number"],
    [T, 5004.25, Infinity, "size not a number"],
    [T, 5004.25, 0, "size not positive"],
    [T, 5004.25, -1, "size not positive"],
    [T, 5004.25, 1e9, "size too large"],
  ];
  for (const [ts, p, s, want] of cases) {
    assert.equal(tradeFault(ts, p, s, 0.25), want, `${ts} ${p} ${s}`);
  }
  // Within the tolerance is rounding noise, not an off-grid print.
  assert.equal(tradeFault(T, 5004.25 + 0.25 * GRID_TOLERANCE_TICKS / 2, 1, 0.25), undefined);
});

Deno.test("parseEpochSeconds and toNumber read TWS fields strictly", () => {
  assert.equal(parseEpochSeconds("1765119600"), 1765119600000);
  assert.equal(parseEpochSeconds(1765119600), 1765119600000);
  assert.equal(parseEpochSeconds(" 1765119600 "), 1765119600000);
  for (const bad of ["", "abc", "1765119600abc", "0x10", undefined, null, "NaN", "Infinity"]) {
    assert.ok(Number.isNaN(parseEpochSeconds(bad)), String(bad));
  }
  assert.equal(toNumber(5), 5);
  assert.equal(toNumber("2"), 2);
  assert.ok(Number.isNaN(toNumber(undefined)));
  assert.ok(Number.isNaN(toNumber("")));
  assert.ok(Number.isNaN(toNumber("x")));
});

Deno.test("TickValidator logs the first drop of each kind and source, counts all", () => {
  const lines: string[] = [];
  const v = new TickValidator({ log: (l) => lines.push(l) });
  v.drop("live trade", "price not a number", "price NaN");
  v.drop("live trade", "price not a number", "price NaN");
  v.drop("live trade", "size not positive", "size 0");
  v.drop("history row", "price not a number", "price NaN");
  assert.equal(v.dropped, 4);
  assert.deepEqual(v.counts(), {
    "live trade: price not a number": 2,
    "live trade: size not positive": 1,
    "history row: price not a number": 1,
  });
  assert.deepEqual(lines, [
    "[ib] dropped a live trade from TWS: price not a number (price NaN); later ones of this kind are only counted",
    "[ib] dropped a live trade from TWS: size not positive (size 0); later ones of this kind are only counted",
    "[ib] dropped a history row from TWS: price not a number (price NaN); later ones of this kind are only counted",
  ]);
});

Deno.test("BarAggregator refuses non-finite or non-positive values: they never reach a bar", () => {
  const agg = new BarAggregator({ barMs: 30_000 });
  assert.equal(agg.push(T + 1000, 5000, 2), PushResult.ADDED);
  const bad: Array<[number, number, number]> = [
    [T + 2000, NaN, 1],
    [T + 2000, Infinity, 1],
    [T + 2000, 1e300, 1],
    [T + 2000, 1e12, 1],
    [T + 2000, -5004, 1],
    [T + 2000, 0, 1],
    [T + 2000, 5001, NaN],
    [T + 2000, 5001, -1],
    [T + 2000, 5001, Infinity],
    [NaN, 5001, 1],
    [1e20, 5001, 1],
  ];
  for (const [ts, p, s] of bad) {
    assert.equal(agg.push(ts, p, s), PushResult.REJECTED, `${ts} ${p} ${s}`);
    assert.equal(saneTick(ts, p, s), false);
  }
  assert.equal(agg.rejectedCount, bad.length);
  assert.equal(agg.push(T + 3000, 4999.75, 1), PushResult.ADDED);
  const bar = agg.flush()!;
  assert.deepEqual(
    [bar.open, bar.high, bar.low, bar.close, bar.volume, bar.trades],
    [5000, 5000, 4999.75, 4999.75, 3, 2],
  );
});

Deno.test("Engine drops insane ticks before bars, indicators and the trader", () => {
  const config = parseConfigText("", { source: "test", overrides: [] });
  const journal = new MemoryJournal({
    timeZone: "America/Chicago",
    priceDecimals: 2,
    periods: { emaFast: 9, emaSlow: 21, rsi: 9, atr: 9 },
  });
  const bars: Array<{ low: number; high: number; volume: number }> = [];
  const engine = new Engine({
    config,
    journal,
    runId: "TEST",
  });
  engine.events.subscribe((e) => {
    if (e.kind === "BAR") bars.push({ low: e.bar.low, high: e.bar.high, volume: e.bar.volume });
  });
  engine.start({ time: T, version: "test", configDigest: "x", source: "test" });
  engine.onTick(T + 1000, 5000, 1);
  engine.onTick(T + 2000, -5004, 1);
  engine.onTick(T + 3000, NaN, 1);
  engine.onTick(T + 4000, Infinity, 2);
  engine.onTick(T + 4500, 1e300, 2);
  engine.onTick(NaN, 5001, 1);
  engine.onTick(T + 5000, 5000.5, 1);
  engine.onTick(T + 31_000, 5001, 1); // closes the first bar
  assert.deepEqual(bars, [{ low: 5000, high: 5000.5, volume: 2 }]);
  assert.equal(engine.stats.ticks, 3);
  assert.equal(engine.stats.rejected, 5); // -5004, NaN, Infinity, 1e300, NaN time
  engine.finish("END", "END_OF_DATA");
  for (const line of journal.lines) parseJournalLine(line, 1, "memory");
});

const OPTS: JournalFormatOptions = {
  timeZone: "America/Chicago",
  priceDecimals: 2,
  periods: { emaFast: 9, emaSlow: 21, rsi: 9, atr: 9 },
};
const EXIT: ExitEvent = {
  kind: "EXIT",
  time: T,
  tradeId: "r-1",
  side: "LONG",
  reason: "TARGET",
  price: 5004,
  qty: 1,
  entryPrice: 5001,
  entryTime: T - 60_000,
  pnlPoints: 3,
  pnlTicks: 12,
  grossPnl: 15,
  commission: 0.62,
  netPnl: 14.38,
};

Deno.test("formatEvent never writes a line that report cannot read back (1e300, year 275760)", () => {
  // The sound line reads back.
  parseJournalLine(formatEvent(EXIT, OPTS), 1, "t");
  const bad: Array<[Partial<ExitEvent>, RegExp]> = [
    [{ price: 1e300 }, /would not read back/],
    [{ price: 1e21 }, /would not read back/],
    [{ grossPnl: 1e300, netPnl: 1e300 }, /would not read back/],
    [{ entryPrice: -1e25 }, /would not read back/],
    [{ price: NaN }, /not finite/],
    [{ time: 8.64e15 }, /would not read back|Invalid|range/i],
    [{ entryTime: 8.64e15 }, /would not read back|Invalid|range/i],
  ];
  for (const [patch, re] of bad) {
    assert.throws(() => formatEvent({ ...EXIT, ...patch }, OPTS), re, JSON.stringify(patch));
    try {
      formatEvent({ ...EXIT, ...patch }, OPTS);
    } catch (e) {
      assert.ok(e instanceof RangeError, `${JSON.stringify(patch)}: ${e}`);
    }
  }
});
