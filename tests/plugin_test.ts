/**
 * Issue 7's acceptance: a new indicator and a new strategy are added by adding files only.
 * Both are defined here, registered at runtime, and trade through the real engine (and the
 * real journal format, bars CSV and console code) with hand-worked trades.
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { barsCsvHeader, formatBarRow } from "../lib/cli/bars_csv.ts";
import { formatBarLine } from "../lib/cli/console.ts";
import { parseConfigText } from "../lib/config/load.ts";
import { Engine } from "../lib/engine/engine.ts";
import type { CloseIndicator, TickIndicator } from "../lib/indicators/indicator.ts";
import { registerIndicator } from "../lib/indicators/registry.ts";
import { MemoryJournal } from "../lib/journal/writer.ts";
import { registerStrategy } from "../lib/strategy/registry.ts";
import type { BarContext, EntryIntent, Strategy } from "../lib/strategy/strategy.ts";
import type { Bar, IndicatorSnapshot, JournalEvent, Side } from "../lib/types.ts";
import { checkIndicatorContract } from "./_indicator_contract.ts";

/** Momentum: this close minus the close `period` bars ago (a ring of closes, O(1)). */
class Momentum implements CloseIndicator {
  readonly input = "close";
  readonly period: number;
  #ring: Float64Array;
  #n = 0;
  #value: number | undefined = undefined;
  constructor(period: number) {
    if (!Number.isSafeInteger(period) || period < 1) {
      throw new RangeError(`period must be a positive integer, got ${period}`);
    }
    this.period = period;
    this.#ring = new Float64Array(period);
  }
  update(close: number): number | undefined {
    const i = this.#n % this.period;
    if (this.#n >= this.period) this.#value = close - this.#ring[i]!;
    this.#ring[i] = close;
    this.#n++;
    return this.#value;
  }
  get value(): number | undefined {
    return this.#value;
  }
  get ready(): boolean {
    return this.#n > this.period;
  }
  get warmUp(): number {
    return this.period + 1;
  }
  reset(): void {
    this.#ring.fill(0);
    this.#n = 0;
    this.#value = undefined;
  }
}

/** Prints since the session started: a tick indicator the engine resets per session. */
class Prints implements TickIndicator {
  readonly input = "tick";
  readonly sessionReset = true;
  #n = 0;
  updateTick(): void {
    this.#n++;
  }
  get value(): number | undefined {
    return this.#n > 0 ? this.#n : undefined;
  }
  get ready(): boolean {
    return this.#n > 0;
  }
  get warmUp(): number {
    return 1;
  }
  reset(): void {
    this.#n = 0;
  }
}

registerIndicator({
  name: "test_mom",
  params: ["period"],
  decimals: "price",
  sample: [2],
  create: ([p]) => new Momentum(p!),
});
registerIndicator({ name: "test_prints", params: [], decimals: 0, create: () => new Prints() });

/** Long when the 2-bar momentum is at least `min_move`: stop and target in points. */
registerStrategy({
  name: "test_momentum",
  schema: z.strictObject({
    min_move: z.number().positive(),
    stop_points: z.number().positive().default(1),
    target_points: z.number().positive().default(2),
  }),
  create: (p): Strategy => ({
    indicators: [{ spec: "test_mom(2)" }, { spec: "test_prints", key: "PRINTS" }],
    onBar(ctx: BarContext): EntryIntent | undefined {
      // By key or by position (declared order): the same value; an unknown key has none.
      const mom = ctx.value("TEST_MOM2");
      assert.equal(mom, ctx.values[0]);
      assert.equal(ctx.value("NOPE"), undefined);
      if (!ctx.canEnter || mom === undefined || mom < p.min_move) return undefined;
      return {
        side: "LONG",
        stop: { kind: "points", points: p.stop_points },
        target: { kind: "points", points: p.target_points },
      };
    },
  }),
});

/** Enters on the first print at or above `level`, asking for ticks; no indicators. */
registerStrategy({
  name: "test_tick_breakout",
  schema: z.strictObject({ level: z.number() }),
  create: (p): Strategy => ({
    indicators: [],
    wantsTicks: true,
    onBar: () => undefined,
    onTick(_ts, price, _size, canEnter) {
      if (!canEnter || price < p.level) return undefined;
      return {
        side: "LONG",
        stop: { kind: "points", points: 1 },
        target: { kind: "points", points: 1 },
      };
    },
  }),
});

const T0 = Date.UTC(2025, 1, 17, 15); // 09:00 Chicago
const BAR = 30_000;

/** Prints 1 s apart from 1 s after each bar's start. */
function ticksOf(bars: number[][]): [number, number, number][] {
  return bars.flatMap((prices, i) =>
    prices.map((p, k): [number, number, number] => [T0 + i * BAR + 1_000 * (k + 1), p, 1])
  );
}

function run(yaml: string, bars: number[][]) {
  // Worked values with the fills before issue 7's honest defaults (no slippage, touch).
  const overrides = [
    "strategy.entry_price=bar_close",
    "fills.entry_slippage_ticks=0",
    "fills.stop_slippage_ticks=0",
    "fills.target_fill=touch",
  ];
  const config = parseConfigText(yaml, { source: "test", overrides });
  const journal = new MemoryJournal({ timeZone: "UTC", priceDecimals: 2 });
  const seen: { bar: Bar; s: IndicatorSnapshot; signal: Side | undefined }[] = [];
  const engine = new Engine({
    config,
    journal,
    runId: "P",
  });
  engine.events.subscribe((e) => {
    if (e.kind === "BAR") seen.push({ bar: e.bar, s: e.snapshot, signal: e.signal });
  });
  engine.start({ time: T0, version: "t", configDigest: "-", source: "test" });
  for (const [ts, p, s] of ticksOf(bars)) engine.onTick(ts, p, s);
  engine.finish("END", "END_OF_DATA");
  return { engine, journal, seen, events: journal.events as JournalEvent[] };
}

Deno.test("a runtime-registered indicator passes the shared contract", () => {
  checkIndicatorContract("test_mom");
  checkIndicatorContract("test_prints");
});

Deno.test("a strategy and an indicator defined in this file trade through the real engine", () => {
  const { engine, journal, seen, events } = run(
    "strategy: {name: test_momentum, calibration_bars: 1, params: {min_move: 2}}",
    [
      [100, 100, 100, 100], // bar 0
      [100.5, 100.5, 100.5, 100.5], // bar 1: MOM2 not ready (needs 3 closes)
      [101, 102, 101, 102], // bar 2: MOM2 = 102 - 100 = 2 -> LONG at 102, stop 101, target 104
      [102.5, 104.25, 102.25, 103], // target hit at 104.25 (exit 104); bar 3: MOM2 = 103 - 100.5 = 2.5 -> LONG at 103
      [102.75, 103.5, 101.75, 102], // stop 102 hit at 101.75 (fills there); MOM2 = 102 - 102 = 0
      [102.5, 102.5, 102.5, 102.5], // last bar, flushed at the end: no entry; MOM2 = -0.5
    ],
  );
  assert.deepEqual(events.map((e) => e.kind), [
    "SESSION_START",
    "ENTRY",
    "FILL",
    "EXIT",
    "ENTRY",
    "FILL",
    "EXIT",
    "SESSION_END",
  ]);
  // The journal lines carry the strategy's own indicator keys.
  assert.equal(
    journal.lines[1],
    "2025-02-17T15:01:30+00:00 | ENTRY | TradeID=P-001 | Side=LONG | Entry=102.00 | Stop=101.00" +
      " | TP=104.00 | Size=1 | TEST_MOM2=2.0000 | PRINTS=12.0000",
  );
  const [, e1, , x1, e2, , x2] = events;
  assert.ok(
    e1?.kind === "ENTRY" && x1?.kind === "EXIT" && e2?.kind === "ENTRY" && x2?.kind === "EXIT",
  );
  assert.equal(x1.reason, "TARGET");
  assert.equal(x1.price, 104);
  assert.equal(x1.time, T0 + 3 * BAR + 2_000);
  // 2 points = 8 ticks; 2 x $5 = $10 gross; commission 2 x $0.62; net $8.76.
  assert.deepEqual([x1.pnlPoints, x1.pnlTicks, x1.grossPnl, x1.netPnl], [2, 8, 10, 8.76]);
  assert.deepEqual([e2.entry, e2.stop, e2.target, e2.time], [103, 102, 105, T0 + 4 * BAR]);
  assert.deepEqual(e2.context, { TEST_MOM2: 2.5, PRINTS: 16 });
  assert.equal(x2.reason, "STOP");
  assert.equal(x2.price, 101.75); // the gapping print, no slippage configured
  // -1.25 points = -5 ticks; -$6.25 gross; net -$7.49.
  assert.deepEqual([x2.pnlPoints, x2.pnlTicks, x2.grossPnl, x2.netPnl], [-1.25, -5, -6.25, -7.49]);

  // The bars CSV and the console follow the strategy's indicators.
  assert.equal(
    barsCsvHeader(engine.indicatorFields),
    "ts_utc,open,high,low,close,volume,trades,test_mom2,prints,signal",
  );
  assert.deepEqual(seen[2]!.s.values, [2, 12]);
  assert.deepEqual(seen.map((b) => b.signal), [
    undefined,
    undefined,
    "LONG",
    "LONG",
    undefined,
    undefined,
  ]);
  assert.equal(
    formatBarRow(seen[2]!.bar, seen[2]!.s, seen[2]!.signal, 2),
    "2025-02-17T15:01:00.000Z,101.00,102.00,101.00,102.00,4,4,2,12,LONG",
  );
  assert.equal(
    formatBarRow(seen[0]!.bar, seen[0]!.s, undefined, 2),
    "2025-02-17T15:00:00.000Z,100.00,100.00,100.00,100.00,4,4,,4,",
  );
  assert.equal(
    formatBarLine(seen[5]!.bar, seen[5]!.s, undefined, { timeZone: "UTC", priceDecimals: 2 }),
    // Prices 6 wide; volume right-aligned in 6; TEST_MOM2 (price units, 2 decimals) in
    // max(len "TEST_MOM2", 6) = 9 columns; PRINTS (0 decimals) in max(6, 3) = 6.
    "15:02:30 102.50 102.50 102.50 102.50      4     -0.50     24",
  );
});

Deno.test("a strategy that asks for ticks enters at the print it chose, once calibrated", () => {
  const { events } = run(
    "strategy: {name: test_tick_breakout, calibration_bars: 1, params: {level: 101.5}}",
    [
      [101.5, 100, 100, 100], // 101.5 before any bar closed: not calibrated, ignored
      [100.5, 101.5, 102.5, 101], // 101.5 at 15:00:32: LONG at 101.5, target 102.5, stop 100.5; 101 is under the level
    ],
  );
  assert.deepEqual(events.map((e) => e.kind), [
    "SESSION_START",
    "ENTRY",
    "FILL",
    "EXIT",
    "SESSION_END",
  ]);
  const [, entry, , exit] = events;
  assert.ok(entry?.kind === "ENTRY" && exit?.kind === "EXIT");
  assert.deepEqual([entry.entry, entry.stop, entry.target, entry.time], [
    101.5,
    100.5,
    102.5,
    T0 + BAR + 2_000,
  ]);
  assert.deepEqual(entry.context, {});
  assert.equal(exit.reason, "TARGET");
  assert.equal(exit.time, T0 + BAR + 3_000);
  assert.equal(exit.netPnl, 3.76); // 1 point x $5 - $1.24
});

Deno.test("a strategy's bad indicator request stops the engine with one line naming it", () => {
  registerStrategy({
    name: "test_bad_indicator",
    schema: z.strictObject({}),
    create: (): Strategy => ({
      indicators: [{ spec: "ema(9)", key: "EMA" }, { spec: "rsi(9)", key: "EMA" }],
      onBar: () => undefined,
    }),
  });
  const config = parseConfigText("strategy: {name: test_bad_indicator}", { source: "t" });
  assert.throws(
    () => new Engine({ config, journal: { write() {} }, runId: "X" }),
    (e: unknown) =>
      e instanceof RangeError && e.message === 'Indicator "rsi(9)": key EMA is used twice',
  );
});
