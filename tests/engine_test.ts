import assert from "node:assert/strict";
import { parseConfigText } from "../lib/config/load.ts";
import type { Config } from "../lib/config/schema.ts";
import { Engine, type EngineOptions } from "../lib/engine/engine.ts";
import type { Exposure } from "../lib/engine/position_policy.ts";
import { MemoryJournal } from "../lib/journal/writer.ts";
import type { Bar, IndicatorSnapshot, JournalEvent, Side } from "../lib/types.ts";

const T0 = Date.UTC(2025, 1, 17, 15, 0, 0); // 09:00 Chicago
const BAR = 30_000;

/**
 * These tests' worked values are for the fills before issue 7's honest defaults: entry at the
 * bar close, no slippage, targets filled on a touch (tests/honest_fills_test.ts has those).
 */
const TOUCH_FILLS = [
  "strategy.entry_price=bar_close",
  "fills.entry_slippage_ticks=0",
  "fills.stop_slippage_ticks=0",
  "fills.target_fill=touch",
];

function config(overrides: string[] = []): Config {
  return parseConfigText("", { source: "test", overrides: [...TOUCH_FILLS, ...overrides] });
}

interface BarSpec {
  open: number;
  high: number;
  low: number;
  close: number;
  size?: number;
}

/** Four prints per bar, 1 s apart from 1 s after its start: open, high, low, close. */
function ticksOf(bars: BarSpec[], start = T0): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  bars.forEach((b, i) => {
    const t = start + i * BAR;
    const s = b.size ?? 1;
    out.push([t + 1_000, b.open, s], [t + 2_000, b.high, s], [t + 3_000, b.low, s], [
      t + 4_000,
      b.close,
      s,
    ]);
  });
  return out;
}

function run(
  config: Config,
  ticks: Array<[number, number, number]>,
  more: Partial<EngineOptions> = {},
) {
  const journal = new MemoryJournal({ timeZone: "America/Chicago", priceDecimals: 2 });
  const bars: Array<{ bar: Bar; s: IndicatorSnapshot; signal: Side | undefined }> = [];
  const engine = new Engine({
    config,
    journal,
    runId: "TEST",
    ...more,
  });
  engine.events.subscribe((e) => {
    if (e.kind === "BAR") bars.push({ bar: e.bar, s: e.snapshot, signal: e.signal });
  });
  engine.start({ time: T0, version: "test", configDigest: "x", source: "test" });
  for (const [ts, p, s] of ticks) engine.onTick(ts, p, s);
  return { engine, journal, bars, events: journal.events as JournalEvent[] };
}

/** A steady climb: every bar 1 point above the last; every long rule holds once ready. */
function climbing(n: number): BarSpec[] {
  return Array.from({ length: n }, (_, k) => {
    const base = 5000 + k;
    return { open: base, high: base + 0.5, low: base - 0.25, close: base + 0.25 };
  });
}

Deno.test("Engine gives no signal before the indicators are calibrated (21 bars)", () => {
  // RVOL threshold 0 so that only calibration limits the first signal. EMA21 and RVOL(20)
  // are first ready on the 21st bar (index 20), so that bar is the first that can signal.
  const { bars, events } = run(
    config(["indicators.rvol_threshold=0", "risk.target_points=100"]),
    ticksOf(climbing(25)),
  );
  const firstSignal = bars.findIndex((b) => b.signal !== undefined);
  assert.equal(firstSignal, 20);
  assert.equal(bars[19]!.s.values[1], undefined);
  const entry = events.find((e) => e.kind === "ENTRY");
  assert.ok(entry?.kind === "ENTRY");
  // Entered at the close of bar 20 (5020.25), stamped with that bar's end.
  assert.equal(entry.entry, 5020.25);
  assert.equal(entry.time, T0 + 21 * BAR);
});

Deno.test("Engine honours a longer calibration_bars", () => {
  const { bars } = run(
    config([
      "indicators.rvol_threshold=0",
      "risk.target_points=100",
      "strategy.calibration_bars=30",
    ]),
    ticksOf(climbing(35)),
  );
  assert.equal(bars.findIndex((b) => b.signal !== undefined), 29);
});

Deno.test("Engine checks exits on every tick, not only at bar close", () => {
  const specs = climbing(21);
  const ticks = ticksOf(specs);
  // Entry at 5020.25 on bar 20's close, target 5023.25: a print at the target two seconds
  // into the next bar exits there, long before that bar closes.
  const next = T0 + 21 * BAR;
  ticks.push([next + 1_000, 5021, 1], [next + 2_000, 5023.25, 1], [next + 3_000, 5020, 1]);
  const { events } = run(config(["indicators.rvol_threshold=0"]), ticks);
  const exit = events.find((e) => e.kind === "EXIT");
  assert.ok(exit?.kind === "EXIT");
  assert.equal(exit.reason, "TARGET");
  assert.equal(exit.time, next + 2_000);
  assert.equal(exit.price, 5023.25);
});

Deno.test("Engine sets the stop from ATR at the signal bar", () => {
  // Climb bars: high - low = 0.75 and |high - prevClose| = 1.25 (prev close base-1+0.25),
  // |low - prevClose| = 0.25, so every true range is 1.25 and ATR(9) = 1.25.
  // Stop = 5020.25 - 1.5 x 1.25 = 5018.375, half way between ticks: rounded away from the
  // entry, to 5018.25 (a half never tightens the stop).
  const { events } = run(config(["indicators.rvol_threshold=0"]), ticksOf(climbing(22)));
  const entry = events.find((e) => e.kind === "ENTRY");
  assert.ok(entry?.kind === "ENTRY");
  assert.equal(entry.context.ATR9, 1.25);
  assert.equal(entry.stop, 5018.25);
  assert.equal(entry.target, 5023.25);
});

Deno.test("Engine never opens a second trade while one is active", () => {
  const { bars, events } = run(
    config(["indicators.rvol_threshold=0", "risk.target_points=100"]),
    ticksOf(climbing(40)),
  );
  const entries = events.filter((e) => e.kind === "ENTRY");
  assert.equal(entries.length, 1);
  // Rules held on every later bar, but the position policy refused entries while the trade
  // was open, so no later bar reports a signal.
  assert.equal(bars.filter((b) => b.signal !== undefined).length, 1);
});

Deno.test("Engine ignores zero-size prints and counts late ticks", () => {
  const ticks = ticksOf(climbing(3));
  ticks.splice(2, 0, [T0 + 2_500, 9999, 0]); // a zero-size print at an absurd price
  ticks.push([T0 + 5_000, 5000, 1]); // back into bar 0, long closed
  const { engine, bars } = run(config(), ticks);
  engine.finish("END", "END_OF_DATA");
  assert.equal(bars[0]!.bar.high, 5000.5); // the zero-size 9999 did not enter the bar
  const s = engine.stats;
  assert.equal(s.zeroSize, 1);
  assert.equal(s.late, 1);
  assert.equal(s.backInTime, 1);
  assert.equal(s.ticks, 13);
  assert.equal(s.bars, 3);
});

Deno.test("Engine closes an open trade as END at the last price when data ends", () => {
  const ticks = ticksOf(climbing(21));
  ticks.push([T0 + 21 * BAR + 1_000, 5021, 1]);
  const { engine, events } = run(config(["indicators.rvol_threshold=0"]), ticks);
  engine.finish("END", "END_OF_DATA");
  const kinds = events.map((e) => e.kind);
  assert.deepEqual(kinds, ["SESSION_START", "ENTRY", "FILL", "EXIT", "SESSION_END"]);
  const exit = events[3]!;
  assert.ok(exit.kind === "EXIT");
  assert.equal(exit.reason, "END");
  assert.equal(exit.price, 5021);
  assert.equal(exit.pnlPoints, 0.75);
});

Deno.test("Engine resets VWAP at the configured session start", () => {
  // Session starts 17:00 Chicago = 23:00 UTC in February. Bars just before and after.
  const before = Date.UTC(2025, 1, 17, 22, 59, 0);
  const ticks: Array<[number, number, number]> = [
    [before + 1_000, 100, 1],
    [before + 31_000, 200, 3], // 22:59:31, still the old session
    [before + 61_000, 300, 1], // 23:00:01, new session: VWAP starts again
    [before + 91_000, 310, 1],
  ];
  const { bars } = run(config(), ticks);
  // Bar 22:59:00 closes at the 22:59:31 print: VWAP = 100.
  assert.equal(bars[0]!.s.values[4], 100);
  // Bar 22:59:30 (one print of 200 x 3): VWAP = (100 + 600) / 4 = 175.
  assert.equal(bars[1]!.s.values[4], 175);
  // Bar 23:00:00 after the reset: only the 300 print.
  assert.equal(bars[2]!.s.values[4], 300);
});

Deno.test("Engine journals every event through the sink in order", () => {
  const ticks = ticksOf(climbing(21));
  ticks.push([T0 + 21 * BAR + 1_000, 5023.25, 1]);
  const { journal } = run(config(["indicators.rvol_threshold=0"]), ticks);
  const lines = journal.lines;
  assert.match(
    lines[1]!,
    / \| ENTRY \| TradeID=TEST-001 \| Side=LONG \| Entry=5020\.25 \| Stop=5018\.25 \| TP=5023\.25 \| Size=1 \|/,
  );
  assert.match(lines[3]!, / \| EXIT \| TradeID=TEST-001 \|.*Reason=TARGET/);
});

Deno.test("Engine journals scalp's indicators under today's keys; VWAP switched off is - and blank", () => {
  // Climb bars: ATR(9) = 1.25 (see above); every bar's volume is 4, so RVOL = 4 / 4 = 1.
  // VWAP off: not built, journaled as -, an empty CSV cell, - on the console.
  const { events, bars } = run(
    config(["indicators.rvol_threshold=0", "indicators.vwap=false"]),
    ticksOf(climbing(22)),
  );
  const entry = events.find((e) => e.kind === "ENTRY");
  assert.ok(entry?.kind === "ENTRY");
  assert.deepEqual(Object.keys(entry.context), ["EMA9", "EMA21", "RSI9", "ATR9", "VWAP", "RVOL"]);
  assert.equal(entry.context.VWAP, undefined);
  assert.equal(entry.context.RVOL, 1);
  // A steady climb has no losses: RSI 100.
  assert.equal(entry.context.RSI9, 100);
  const s = bars[20]!.s;
  assert.deepEqual(s.fields.map((f) => f.column), [
    "ema_fast",
    "ema_slow",
    "rsi",
    "atr",
    "vwap",
    "rvol",
  ]);
  assert.equal(s.values[4], undefined); // VWAP
  assert.equal(s.values[3], 1.25); // ATR9
});

Deno.test("Engine asks the position policy before every entry: a refusal is no signal and no trade", () => {
  const asked: boolean[] = [];
  const never = {
    allowsEntry(e: Exposure) {
      asked.push(e.busy);
      return false;
    },
  };
  const { bars, events } = run(
    config(["indicators.rvol_threshold=0", "risk.target_points=100"]),
    ticksOf(climbing(25)),
    { positionPolicy: never },
  );
  assert.equal(events.filter((e) => e.kind === "ENTRY").length, 0);
  assert.equal(bars.filter((b) => b.signal !== undefined).length, 0);
  // Asked on every calibrated bar that closed on a later tick: bars 20..23 (index 20 is the
  // 21st bar; bar 24 is still open when the ticks end), never busy.
  assert.deepEqual(asked, [false, false, false, false]);
});
