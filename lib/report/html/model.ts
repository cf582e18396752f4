/**
 * The data of the HTML report, built from journal events (and, in a backtest, the engine's
 * bars) one at a time: per run its metrics (the text report's, computed by the same
 * accumulator), its trades and what the charts draw. `series.ts` turns it into chart series.
 *
 * @module
 */
import type { Bar, JournalEvent, SessionStartEvent } from "../../types.ts";
import { type AccumulatorOptions, ReportAccumulator } from "../accumulator.ts";
import { formatReport, type Report, reportToJson } from "../report.ts";
import { TradeRows } from "../trades_out.ts";
import { CandleSampler, DEFAULT_MAX_CANDLES } from "./candles.ts";
import { buildSeries, type ChartSeries, type LevelPath, type PriceMark } from "./series.ts";
import { zoneOffsetMinutes } from "../../time/zone.ts";

/** Schema tag of {@linkcode HtmlReportData}. */
export const HTML_REPORT_SCHEMA = "scalpbot.html/1";

/**
 * Columns of a trade row in {@linkcode HtmlRun.trades}, in order: one row per EXIT (a
 * scale-out's parts are rows of the same id), in journal order. Times are epoch ms UTC; the
 * `...Wall` columns are the same instants as wall time in the page's zone, as ms labelled UTC
 * (so the page shows exchange time with plain UTC date getters).
 */
export const TRADE_COLUMNS = [
  "id",
  "side",
  "qty",
  "entryTime",
  "entryWall",
  "entryPrice",
  "stop",
  "target",
  "exitTime",
  "exitWall",
  "exitPrice",
  "reason",
  "by",
  "points",
  "gross",
  "commission",
  "net",
  "r",
  "mae",
  "mfe",
  "holdSeconds",
] as const;

/** One trade row, columns as {@linkcode TRADE_COLUMNS}. */
export type TradeTuple = (string | number | null)[];

/** One run of the page (or all runs together). */
export interface HtmlRun {
  /** RunID, or `*` for all runs together. */
  id: string;
  /** Text of the run picker's option. */
  label: string;
  /** Contract symbol from the SESSION_START (null when none was seen). */
  symbol: string | null;
  /** Currency of P/L (null when no SESSION_START was seen). */
  currency: string | null;
  /** Data source, e.g. `file:ticks.csv` (null when none was seen). */
  source: string | null;
  /** Minimum price increment (null when none was seen). */
  tickSize: number | null;
  /** Decimals of a price on the tick grid. */
  decimals: number;
  /** The text report's figures, as `reportToJson` writes them. */
  metrics: Record<string, unknown>;
  /** The text report (formatReport) in the page's zone: every metric, as the console shows it. */
  text: string;
  /** Trade rows. */
  trades: TradeTuple[];
  /** What the charts draw. */
  series: ChartSeries;
}

/** Everything the page shows, embedded in it as JSON. */
export interface HtmlReportData {
  /** {@linkcode HTML_REPORT_SCHEMA}. */
  schema: string;
  /** Page title. */
  title: string;
  /** When the page was written, ISO UTC. */
  generatedAt: string;
  /** IANA zone of every time shown. */
  timeZone: string;
  /** Runs, in journal order; a first entry for all runs together when there are several. */
  runs: HtmlRun[];
}

/** Options of {@linkcode HtmlReportBuilder}. */
export interface HtmlReportOptions {
  /** Page title. */
  title: string;
  /** Zone of the times shown (a backtest: the exchange's, `session.timezone`). */
  timeZone: string;
  /** Trading day and hour of an exit, as for the text report (default UTC). */
  accumulator?: AccumulatorOptions;
  /** Most candles per run (longer runs get merged candles). */
  maxCandles?: number;
  /** Shown instead of candles when a run has no bars. */
  noBarsNote?: string;
  /** Time of writing (tests pin it). */
  now?: number;
}

/** What is kept of a trade until its last EXIT: levels, for the stop and target lines. */
interface OpenTrade {
  side: string;
  stop: number;
  target: number;
  path: LevelPath | undefined;
}

class RunState {
  info: SessionStartEvent | undefined;
  acc: ReportAccumulator;
  rows = new TradeRows();
  trades: TradeTuple[] = [];
  open = new Map<string, OpenTrade>();
  levels: LevelPath[] = [];
  marks: PriceMark[] = [];
  exits: { time: number; net: number }[] = [];
  firstTime: number | undefined;
  candles: CandleSampler | undefined;

  constructor(readonly id: string, acc: AccumulatorOptions) {
    this.acc = new ReportAccumulator(acc);
  }
}

/**
 * Builds {@linkcode HtmlReportData} from journal events in journal order, and bars of the
 * current run. Events before any SESSION_START form a run of their own (id `-`).
 *
 * @example
 * ```ts
 * const b = new HtmlReportBuilder({ title: "t", timeZone: "UTC", now: 0 });
 * b.build().runs.length; // 0
 * ```
 */
export class HtmlReportBuilder {
  #runs: RunState[] = [];
  #all: ReportAccumulator;
  #options: HtmlReportOptions;

  /** A builder for one page. */
  constructor(options: HtmlReportOptions) {
    this.#options = options;
    this.#all = new ReportAccumulator(options.accumulator);
  }

  #current(): RunState {
    let run = this.#runs.at(-1);
    if (run === undefined) {
      run = new RunState("-", this.#options.accumulator ?? {});
      this.#runs.push(run);
    }
    return run;
  }

  /** Adds one journal event. */
  add(e: JournalEvent): void {
    this.#all.add(e);
    if (e.kind === "SESSION_START") {
      const run = new RunState(e.runId, this.#options.accumulator ?? {});
      run.info = e;
      this.#runs.push(run);
    }
    const run = this.#current();
    run.firstTime ??= e.time;
    run.acc.add(e);
    const row = run.rows.add(e);
    switch (e.kind) {
      case "ENTRY":
        run.open.set(e.tradeId, {
          side: e.side,
          stop: e.stop,
          target: e.target,
          path: undefined,
        });
        break;
      case "FILL": {
        const t = run.open.get(e.tradeId);
        if (t !== undefined && t.path === undefined) {
          t.path = {
            start: e.time,
            end: e.time,
            stops: [[e.time, t.stop]],
            targets: [[e.time, t.target]],
          };
          run.marks.push({
            time: e.time,
            price: e.price,
            kind: t.side === "LONG" ? "long" : "short",
          });
        }
        break;
      }
      case "STOP_MOVE":
      case "TARGET_MOVE": {
        const path = run.open.get(e.tradeId)?.path;
        if (path !== undefined) {
          (e.kind === "STOP_MOVE" ? path.stops : path.targets).push([e.time, e.price]);
        }
        break;
      }
      case "EXIT": {
        const t = run.open.get(e.tradeId);
        run.marks.push({ time: e.time, price: e.price, kind: e.netPnl > 0 ? "win" : "loss" });
        run.exits.push({ time: e.time, net: e.netPnl });
        if ((e.remaining ?? 0) === 0) {
          run.open.delete(e.tradeId);
          if (t?.path !== undefined) {
            t.path.end = e.time;
            run.levels.push(t.path);
          }
        }
        if (row !== undefined) {
          const zone = this.#options.timeZone;
          run.trades.push([
            row.id,
            row.side,
            row.qty,
            e.entryTime,
            wallMs(e.entryTime, zone),
            row.entryPrice,
            t?.stop ?? null,
            t?.target ?? null,
            e.time,
            wallMs(e.time, zone),
            row.exitPrice,
            row.reason,
            row.by,
            row.points,
            row.gross,
            row.commission,
            row.net,
            row.r,
            row.mae,
            row.mfe,
            row.holdSeconds,
          ]);
        }
        break;
      }
    }
  }

  /** Adds a closed bar of the current run (a backtest's bars; a journal holds none). */
  addBar(bar: Bar): void {
    const run = this.#current();
    run.candles ??= new CandleSampler(this.#options.maxCandles ?? DEFAULT_MAX_CANDLES);
    run.candles.add(bar);
  }

  /** The page data: all runs together first when there are several, then each run. */
  build(): HtmlReportData {
    const o = this.#options;
    const runs = this.#runs.map((r) => this.#view(r.id, `Run ${r.id}`, [r], r.acc.report()));
    if (this.#runs.length > 1) {
      runs.unshift(
        this.#view("*", `All ${this.#runs.length} runs`, this.#runs, this.#all.report()),
      );
    }
    return {
      schema: HTML_REPORT_SCHEMA,
      title: o.title,
      generatedAt: new Date(o.now ?? Date.now()).toISOString(),
      timeZone: o.timeZone,
      runs,
    };
  }

  #view(id: string, label: string, states: RunState[], report: Report): HtmlRun {
    const o = this.#options;
    const info = states.find((s) => s.info !== undefined)?.info;
    const tickSize = info?.tickSize ?? null;
    const decimals = tickSize === null ? 2 : decimalsOf(tickSize);
    // Candles belong to one run: a view of several runs (their times may overlap) has none.
    const candles = states.length === 1 ? states[0]!.candles?.columns() : undefined;
    const first = states.map((s) => s.firstTime).filter((t) => t !== undefined);
    const series = buildSeries({
      timeZone: o.timeZone,
      candles,
      noBarsNote: states.length > 1 && states.some((s) => s.candles !== undefined)
        ? "Candles are drawn per run: pick one run to see them."
        : (o.noBarsNote ?? "No bars were recorded for this run."),
      marks: states.flatMap((s) => s.marks),
      levels: states.flatMap((s) => s.levels),
      exits: states.flatMap((s) => s.exits),
      firstTime: first.length > 0 ? Math.min(...first) : undefined,
      byDay: report.byDay,
      byHour: report.byHour,
    });
    return {
      id,
      label: `${label}${info === undefined ? "" : ` — ${info.symbol}, ${report.trades} trades`}`,
      symbol: info?.symbol ?? null,
      currency: report.currency,
      source: info?.source ?? null,
      tickSize,
      decimals,
      metrics: JSON.parse(reportToJson(report)),
      text: formatReport(report, { timeZone: o.timeZone }),
      trades: states.flatMap((s) => s.trades),
      series,
    };
  }
}

/** Wall time of `ms` in `zone`, as ms labelled UTC. */
function wallMs(ms: number, zone: string): number {
  return ms + zoneOffsetMinutes(ms, zone) * 60_000;
}

/** Decimals of a price on the grid of `tickSize` (0.25 -> 2, 1 -> 0, 0.1 -> 1). */
function decimalsOf(tickSize: number): number {
  for (let d = 0; d <= 10; d++) {
    if (Math.abs(Math.round(tickSize * 10 ** d) - tickSize * 10 ** d) < 1e-9) return d;
  }
  return 10;
}
