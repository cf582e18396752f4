/**
 * The chart series of one run of the HTML report, ready for lightweight-charts: times in
 * seconds, shifted by the zone's offset so that the charts (which label UTC) show exchange
 * time, strictly increasing as the library requires. Marks and levels sit on the candle
 * that holds them: the library spaces its time points evenly, so a point between candles
 * would open a gap in them.
 *
 * @module
 */
import type { DayRow, HourRow } from "../report.ts";
import type { CandleColumns } from "./candles.ts";
import { zoneOffsetMinutes } from "../../time/zone.ts";

/** Kinds of {@linkcode PriceMark}, numbered in the page data by their index here. */
export const MARK_KINDS = ["long", "short", "win", "loss"] as const;

/** An entry fill or an exit, for the price chart's markers. */
export interface PriceMark {
  /** Epoch ms UTC. */
  time: number;
  /** Fill price. */
  price: number;
  /** `long`/`short` entry, `win` exit (net > 0), `loss` exit (net <= 0). */
  kind: typeof MARK_KINDS[number];
}

/** A trade's stop and target from its first fill to its last exit, with every move. */
export interface LevelPath {
  /** First fill, epoch ms. */
  start: number;
  /** Last exit, epoch ms. */
  end: number;
  /** `[time, level]` in time order: the initial stop, then each STOP_MOVE. */
  stops: [number, number][];
  /** Same for the target. */
  targets: [number, number][];
}

/** Points of a line: times (s, shifted), values; `on[i]` 0: the line leaving point i is hidden. */
export interface LinePoints {
  /** Times, seconds, shifted to wall time (see chartSeconds). */
  t: number[];
  /** Values, one per time. */
  v: number[];
  /** Visibility of the segment leaving each point; absent: all shown. */
  on?: (0 | 1)[];
}

/** What the charts of one run draw. */
export interface ChartSeries {
  /** Candles (times s, shifted) or null when the run has no bars. */
  candles: { t: number[]; o: number[]; h: number[]; l: number[]; c: number[] } | null;
  /** Said above the price chart: downsampling, or why there are no candles. */
  candleNote: string;
  /** Without candles: a line through the fill prices, the markers' host. */
  fills: LinePoints | null;
  /** Stop lines of the trades (steps at each move). */
  stop: LinePoints;
  /** Target lines of the trades (steps at each move). */
  target: LinePoints;
  /** Markers: times (s, shifted, ascending), kinds (index in {@linkcode MARK_KINDS}), prices. */
  marks: { t: number[]; k: number[]; p: number[] };
  /** Closed-trade equity (cumulative net) after each exit. */
  equity: LinePoints;
  /** Drawdown of the closed-trade equity (<= 0) after each exit. */
  drawdown: LinePoints;
  /** Net P/L per trading day. */
  days: { date: string[]; net: number[]; trades: number[] };
  /** Net P/L and exits per hour of the day, every hour from the first to the last with exits. */
  hours: { hour: number[]; net: number[]; trades: number[] };
  /** Distribution of trade net P/L: bins [from, to) (the last closed), counts. */
  histogram: { from: number[]; to: number[]; count: number[] };
}

/** Inputs of {@linkcode buildSeries}. */
export interface SeriesInput {
  /** IANA zone the charts show wall times in. */
  timeZone: string;
  /** The run's bars, or undefined when it has none. */
  candles: CandleColumns | undefined;
  /** Why there are no candles, said when there are none. */
  noBarsNote: string;
  /** Entry and exit markers. */
  marks: readonly PriceMark[];
  /** Each trade's stop and target over its life. */
  levels: readonly LevelPath[];
  /** Each exit's time and net P/L, in time order. */
  exits: readonly { time: number; net: number }[];
  /** The run's first event time (the equity line starts there at 0). */
  firstTime: number | undefined;
  /** Net P/L per trading day. */
  byDay: readonly DayRow[];
  /** Net P/L and exits per hour of the day. */
  byHour: readonly HourRow[];
}

/** Seconds of `ms` as the charts show it: local wall time in `zone`, labelled as UTC. */
export function chartSeconds(ms: number, zone: string): number {
  return Math.floor(ms / 1000) + zoneOffsetMinutes(ms, zone) * 60;
}

/** Strictly increasing copy (a DST fall-back repeats an hour of wall time). */
function increasing(t: number[]): number[] {
  const out = t.slice();
  for (let i = 1; i < out.length; i++) if (out[i]! <= out[i - 1]!) out[i] = out[i - 1]! + 1;
  return out;
}

/** Index of the last of `starts` (ascending) at or before `ms`; 0 before the first. */
function slotOf(starts: readonly number[], ms: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= ms) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * A line over slots: a later point on the same slot replaces the one there, an earlier one is
 * dropped. A point put with `on` false hides the line that leaves it: that is how one series
 * holds many trades' levels (the library draws a line through its whitespace, never a gap).
 */
class SlotLine {
  slots: number[] = [];
  values: number[] = [];
  on: (0 | 1)[] = [];
  put(slot: number, value: number, on: boolean): void {
    const last = this.slots.length - 1;
    if (last >= 0 && slot < this.slots[last]!) return;
    if (last >= 0 && slot === this.slots[last]) {
      this.values[last] = value;
      this.on[last] = on ? 1 : 0;
    } else {
      this.slots.push(slot);
      this.values.push(value);
      this.on.push(on ? 1 : 0);
    }
  }
  get lastSlot(): number {
    return this.slots.at(-1) ?? -1;
  }
  points(times: readonly number[]): LinePoints {
    return { t: this.slots.map((s) => times[s]!), v: this.values, on: this.on };
  }
}

/** The chart series of one run. */
export function buildSeries(input: SeriesInput): ChartSeries {
  const zone = input.timeZone;
  const c = input.candles;
  const hasCandles = c !== undefined && c.start.length > 0;
  // Slots: the candles, or without them every time a mark or level is drawn at (to the second).
  let starts: number[];
  if (hasCandles) starts = c.start;
  else {
    const all = new Set<number>();
    for (const m of input.marks) all.add(Math.floor(m.time / 1000) * 1000);
    for (const l of input.levels) {
      for (const [t] of [...l.stops, ...l.targets]) all.add(Math.floor(t / 1000) * 1000);
      all.add(Math.floor(l.end / 1000) * 1000);
    }
    starts = [...all].sort((a, b) => a - b);
  }
  const times = increasing(starts.map((ms) => chartSeconds(ms, zone)));

  const marks = [...input.marks].sort((a, b) => a.time - b.time);
  const markSlots = marks.map((m) => slotOf(starts, m.time));
  let fills: LinePoints | null = null;
  if (!hasCandles && marks.length > 0) {
    const line = new SlotLine();
    marks.forEach((m, i) => line.put(markSlots[i]!, m.price, true));
    const p = line.points(times);
    fills = { t: p.t, v: p.v };
  }

  const levels = [...input.levels].sort((a, b) => a.start - b.start);
  const stop = new SlotLine();
  const target = new SlotLine();
  for (const [line, pick] of [[stop, "stops"], [target, "targets"]] as const) {
    for (const l of levels) {
      const steps = l[pick];
      const startSlot = slotOf(starts, l.start);
      // A trade that overlaps the previous one's line is left out (one line per series).
      if (startSlot < line.lastSlot) continue;
      // A hidden point just before the trade, at its first level: the step up or down to it
      // from the previous trade's level is not drawn.
      if (startSlot - 1 >= line.lastSlot && startSlot > 0) {
        line.put(startSlot - 1, steps[0]![1], false);
      }
      for (const [t, v] of steps) line.put(slotOf(starts, t), v, true);
      // The line leaving the exit is hidden, up to the next trade.
      line.put(slotOf(starts, l.end), steps.at(-1)![1], false);
    }
  }

  let candleNote = input.noBarsNote;
  let candles: ChartSeries["candles"] = null;
  if (hasCandles) {
    candles = { t: times, o: c.open, h: c.high, l: c.low, c: c.close };
    const bar = minutes(c.barMs);
    candleNote = c.lengthMs === c.barMs
      ? `${c.bars.toLocaleString("en-US")} bars of ${bar}, as recorded by the engine.`
      : `Downsampled: ${c.bars.toLocaleString("en-US")} bars of ${bar} are drawn as ` +
        `${c.start.length.toLocaleString("en-US")} candles of ${minutes(c.lengthMs)} ` +
        `so that the page opens quickly; markers and levels sit on the candle that holds them.`;
  }

  return {
    candles,
    candleNote,
    fills,
    stop: stop.points(times),
    target: target.points(times),
    marks: {
      t: markSlots.map((s) => times[s]!),
      k: marks.map((m) => MARK_KINDS.indexOf(m.kind)),
      p: marks.map((m) => m.price),
    },
    ...equityLines(input.exits, input.firstTime, zone),
    days: {
      date: input.byDay.map((d) => d.date),
      net: input.byDay.map((d) => d.netPnl),
      trades: input.byDay.map((d) => d.trades),
    },
    hours: hourBars(input.byHour),
    histogram: histogram(input.exits.map((e) => e.net)),
  };
}

function minutes(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}

/** Equity after each exit in time order (stable), from 0 at the run's start; drawdown below the peak. */
function equityLines(
  exits: readonly { time: number; net: number }[],
  firstTime: number | undefined,
  zone: string,
): { equity: LinePoints; drawdown: LinePoints } {
  const order = exits.map((_, i) => i).sort((a, b) => exits[a]!.time - exits[b]!.time || a - b);
  const equity: LinePoints = { t: [], v: [] };
  const drawdown: LinePoints = { t: [], v: [] };
  const put = (t: number, eq: number, dd: number) => {
    const last = equity.t.length - 1;
    // Exits in the same second: the chart keeps the last value of that second.
    if (last >= 0 && t <= equity.t[last]!) {
      equity.v[last] = eq;
      drawdown.v[last] = dd;
      return;
    }
    equity.t.push(t);
    equity.v.push(eq);
    drawdown.t.push(t);
    drawdown.v.push(dd);
  };
  if (firstTime !== undefined && exits.length > 0) put(chartSeconds(firstTime, zone), 0, 0);
  let cents = 0;
  let peak = 0;
  for (const i of order) {
    cents += Math.round(exits[i]!.net * 100);
    peak = Math.max(peak, cents);
    put(chartSeconds(exits[i]!.time, zone), cents / 100, (cents - peak) / 100);
  }
  return { equity, drawdown };
}

function hourBars(rows: readonly HourRow[]): ChartSeries["hours"] {
  const out: ChartSeries["hours"] = { hour: [], net: [], trades: [] };
  if (rows.length === 0) return out;
  const byHour = new Map(rows.map((r) => [r.hour, r]));
  for (let h = rows[0]!.hour; h <= rows.at(-1)!.hour; h++) {
    out.hour.push(h);
    out.net.push(byHour.get(h)?.netPnl ?? 0);
    out.trades.push(byHour.get(h)?.trades ?? 0);
  }
  return out;
}

/**
 * Bins of trade net P/L: about sqrt(n) of them (5 to 40), of a round width (1, 2 or 5 x a
 * power of ten), aligned to multiples of it so that 0 is a bin edge.
 */
export function histogram(nets: readonly number[]): ChartSeries["histogram"] {
  const out: ChartSeries["histogram"] = { from: [], to: [], count: [] };
  if (nets.length === 0) return out;
  const lo = Math.min(...nets);
  const hi = Math.max(...nets);
  const wanted = Math.min(40, Math.max(5, Math.ceil(Math.sqrt(nets.length))));
  const raw = Math.max((hi - lo) / wanted, 0.01);
  const p = 10 ** Math.floor(Math.log10(raw));
  const width = [1, 2, 5, 10].map((m) => m * p).find((w) => w >= raw - 1e-12)!;
  // The epsilon keeps a value on an edge (0.3 / 0.1 = 2.9999...) in the bin it starts.
  const bin = (x: number) => Math.floor(x / width + 1e-9);
  const first = bin(lo);
  const last = Math.max(first, bin(hi));
  for (let b = first; b <= last; b++) {
    out.from.push(round2(b * width));
    out.to.push(round2((b + 1) * width));
    out.count.push(0);
  }
  for (const x of nets) {
    const b = Math.min(bin(x), last) - first;
    out.count[b]!++;
  }
  return out;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
