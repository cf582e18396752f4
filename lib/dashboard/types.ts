/**
 * What the dashboard's page is sent: the run's meta, candles, trade rows, the status, the
 * report's key figures, numbered updates and the snapshot. Plain data (JSON on the wire).
 *
 * @module
 */
import type { ConnectionState } from "../events/types.ts";
import type { Side } from "../types.ts";

/** What the page needs to know about the run to draw it. */
export interface DashboardMeta {
  /** Run id of the SESSION_START (empty before it). */
  runId: string;
  /** Contract symbol, e.g. MES. */
  symbol: string;
  /** Currency of P/L. */
  currency: string;
  /** Currency per point per contract. */
  multiplier: number;
  /** Minimum price increment. */
  tickSize: number;
  /** Bar length in milliseconds. */
  barMs: number;
  /** IANA zone the page shows times in (the exchange's). */
  timeZone: string;
  /** Keys of the indicator values drawn over the candles (EMAs, VWAP), in order. */
  overlays: string[];
}

/** A candle: a closed bar with its overlay values, or the forming bar (no overlays). */
export interface Candle {
  /** Bar start, epoch ms UTC. */
  start: number;
  /** Opening price. */
  open: number;
  /** Highest price. */
  high: number;
  /** Lowest price. */
  low: number;
  /** Closing (or, forming, last) price. */
  close: number;
  /** Contracts traded. */
  volume: number;
  /** Overlay values in {@linkcode DashboardMeta.overlays} order; null while warming up. */
  overlays: (number | null)[];
}

/** One trade of the trade list. */
export interface TradeRow {
  /** Trade id, as in the journal. */
  tradeId: string;
  /** LONG or SHORT. */
  side: Side;
  /** Contracts ordered. */
  size: number;
  /** ENTRY time (order), epoch ms. */
  orderTime: number;
  /** First fill time; null while unfilled. */
  entryTime: number | null;
  /** Average fill price; null while unfilled. */
  entryPrice: number | null;
  /** Contracts filled so far. */
  filled: number;
  /** Contracts closed so far (scale-outs add up). */
  exited: number;
  /** Time of the last EXIT; null while open. */
  exitTime: number | null;
  /** Price of the last EXIT; null while open. */
  exitPrice: number | null;
  /** Reason of the last EXIT, or CANCEL for an entry cancelled unfilled; null while open. */
  reason: string | null;
  /** Net P/L of the exits so far. */
  netPnl: number;
  /** Every exit of the trade (a scale-out has several): time and price. */
  exits: { time: number; price: number; qty: number; reason: string; netPnl: number }[];
  /** The working stop (null once the trade is done). */
  stop: number | null;
  /** The working target (null once the trade is done). */
  target: number | null;
  /** True once the trade is closed or cancelled unfilled. */
  done: boolean;
}

/** Position, P/L and connection: what changes on every tick. */
export interface DashboardStatus {
  /** The open trade's id, side, open contracts and average entry; null when flat. */
  position: { tradeId: string; side: Side; qty: number; entryPrice: number } | null;
  /** The working stop of the active trade (an entry order counts); else null. */
  stop: number | null;
  /** The working target of the active trade; else null. */
  target: number | null;
  /** Last trade price seen; null before the first. */
  lastPrice: number | null;
  /** Exchange time of the last trade; null before the first. */
  lastTickTime: number | null;
  /** Wall-clock time (server) the last trade arrived; null before the first. */
  lastTickWall: number | null;
  /** Gross open P/L of the position at the last price, in currency; 0 when flat. */
  openPnl: number;
  /** Net P/L of every exit so far, in currency. */
  closedPnl: number;
  /** Connection state of the run. */
  connection: ConnectionState;
  /** Wall-clock time (server) of the last connection change. */
  connectionSince: number;
}

/** The key figures of the running report. */
export interface ReportFigures {
  /** EXIT events: one per closed trade. */
  trades: number;
  /** Exits with net P/L > 0. */
  wins: number;
  /** Exits with net P/L < 0. */
  losses: number;
  /** wins / trades (0..1); null without trades. */
  winRate: number | null;
  /** Sum of the exits' net P/L, in currency. */
  netPnl: number;
  /** Sum of the exits' gross P/L, in currency. */
  grossPnl: number;
  /** Sum of the exits' commission, in currency. */
  commission: number;
  /** Sum of winning nets / |sum of losing nets|; null without losses. */
  profitFactor: number | null;
  /** netPnl / trades; null without trades. */
  avgTrade: number | null;
  /** Mean net P/L of winners; null without wins. */
  avgWin: number | null;
  /** Mean net P/L of losers (negative); null without losses. */
  avgLoss: number | null;
  /** Largest peak-to-trough fall of cumulative net P/L, in currency (>= 0). */
  maxDrawdown: number;
  /** Largest net P/L of a winning exit; null without wins. */
  largestWin: number | null;
  /** Most negative net P/L of a losing exit; null without losses. */
  largestLoss: number | null;
  /** Mean of exit time - entry time (first fill), in ms; null without exits. */
  avgHoldMs: number | null;
}

/** One numbered update of the page's state. */
export type DashboardUpdate =
  /** A bar closed (it replaces the forming bar of the same start). */
  | { seq: number; type: "bar"; candle: Candle }
  /** The forming bars, replaced as a whole (usually one). */
  | { seq: number; type: "forming"; candles: Candle[] }
  /** A trade row, inserted or replaced by trade id. */
  | { seq: number; type: "trade"; trade: TradeRow }
  /** Position, P/L, levels and connection, replaced as a whole. */
  | { seq: number; type: "status"; status: DashboardStatus }
  /** The report's key figures, replaced as a whole. */
  | { seq: number; type: "report"; report: ReportFigures }
  /** The run or session changed: load the snapshot again. */
  | { seq: number; type: "reset" };

/** The page's whole state at update `seq`. */
export interface DashboardSnapshot {
  /** Number of the last update this snapshot holds; follow the stream from here. */
  seq: number;
  /** Server wall-clock time when the snapshot was taken (for tick ages on the page). */
  serverTime: number;
  /** The run: contract, bar length, time zone and overlays. */
  meta: DashboardMeta;
  /** Closed bars, oldest first. */
  bars: Candle[];
  /** The forming bars (usually one). */
  forming: Candle[];
  /** Every trade of the run, in order. */
  trades: TradeRow[];
  /** Position, P/L, levels and connection. */
  status: DashboardStatus;
  /** The report's key figures. */
  report: ReportFigures;
}
