/**
 * Fixtures shared by the dashboard tests (dashboard_test.ts, dashboard_browser_test.ts): the
 * default config, indicator fields, bars and the events of a scripted run.
 */
import { parseConfigText } from "../lib/config/load.ts";
import type { EngineEvent } from "../lib/events/types.ts";
import type { Bar, ExitEvent, IndicatorField } from "../lib/types.ts";

/** The built-in defaults (MES, 30 s bars). */
export const CONFIG = parseConfigText("", { source: "defaults" });
/** The indicator fields of the run (EMA9, RSI9, VWAP). */
export const FIELDS: IndicatorField[] = [
  { key: "EMA9", column: "ema_fast", decimals: "price" },
  { key: "RSI9", column: "rsi", decimals: 2 },
  { key: "VWAP", column: "vwap", decimals: "price" },
];
/** Mon 6 Jan 2025 09:00 in Chicago (15:00 UTC); default bars are 30 s. */
export const T0 = Date.UTC(2025, 0, 6, 15, 0, 0);
/** An empty tick batch. */
export const EMPTY = {
  ts: new Float64Array(0),
  price: new Float64Array(0),
  size: new Float64Array(0),
};

/** Bar number `i` of the session from T0 (30 s each) with its OHLC. */
export function bar(i: number, o: number, h: number, l: number, c: number): Bar {
  return {
    start: T0 + i * 30_000,
    lengthMs: 30_000,
    open: o,
    high: h,
    low: l,
    close: c,
    volume: 10 + i,
    trades: 3,
  };
}

/** The BAR event of `b`, with optional EMA and VWAP overlay values. */
export function barEvent(b: Bar, ema?: number, vwap?: number): EngineEvent {
  return {
    kind: "BAR",
    bar: b,
    snapshot: { fields: FIELDS, values: [ema, 50, vwap], mark: undefined },
    signal: undefined,
  };
}

/** A TICKS event with no ticks: the last time and price, and the forming bar. */
export function ticksEvent(lastTime: number, lastPrice: number, forming?: Bar): EngineEvent {
  return { kind: "TICKS", batch: { ...EMPTY, count: 0 }, lastTime, lastPrice, forming };
}

/** The RUN event that starts the scripted run. */
export const RUN: EngineEvent = {
  kind: "RUN",
  time: T0,
  runId: "R1",
  config: CONFIG,
  fields: FIELDS,
};

/** A run with two bars, a long of 2 (fills 5000.00 and 5000.50), a stop move and an exit. */
export function scriptedRun(): EngineEvent[] {
  return [
    RUN,
    barEvent(bar(0, 5000, 5001, 4999.5, 5000.5), undefined, 5000.25),
    barEvent(bar(1, 5000.5, 5002, 5000, 5001.75), 5001.1, 5000.6),
    {
      kind: "ENTRY",
      time: T0 + 60_000,
      tradeId: "R1-001",
      side: "LONG",
      entry: 5000,
      stop: 4995,
      target: 5010,
      size: 2,
      context: {},
    },
    {
      kind: "FILL",
      time: T0 + 61_000,
      tradeId: "R1-001",
      price: 5000,
      qty: 1,
      filled: 1,
      remaining: 1,
    },
    {
      kind: "FILL",
      time: T0 + 62_000,
      tradeId: "R1-001",
      price: 5000.5,
      qty: 1,
      filled: 2,
      remaining: 0,
    },
    ticksEvent(T0 + 63_000, 5003, bar(2, 5001.75, 5003, 5000, 5003)),
    {
      kind: "STOP_MOVE",
      time: T0 + 63_000,
      tradeId: "R1-001",
      old: 4995,
      price: 5000.25,
      reason: "BREAKEVEN",
    },
  ];
}

/** The EXIT of the scripted trade: 2 at 5010, 9.75 points each ((5010-5000.25)*2*5 = 97.50). */
export const EXIT: ExitEvent = {
  kind: "EXIT",
  time: T0 + 75_000,
  tradeId: "R1-001",
  side: "LONG",
  reason: "TARGET",
  price: 5010,
  qty: 2,
  entryPrice: 5000.25,
  entryTime: T0 + 61_000,
  pnlPoints: 9.75,
  pnlTicks: 39,
  grossPnl: 97.5,
  commission: 2,
  netPnl: 95.5,
};
