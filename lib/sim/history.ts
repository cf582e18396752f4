/**
 * Historical data the simulator serves: bars (reqHistoricalData, with keepUpToDate) and
 * trades (reqHistoricalTicks), built from the replayed history, plus the bar arithmetic
 * the tick pump shares.
 *
 * @module
 */

import {
  type ClientRequest,
  errorMsg,
  historicalData,
  historicalTicksLast,
  type HistTick,
  type WireBar,
} from "./messages.ts";
import {
  durationFitsBar,
  durationStart,
  formatIbDate,
  formatIbDateTime,
  maxDurationForBar,
  parseBarSize,
  parseIbDateTime,
  parseIbDuration,
} from "./ib_time.ts";
import { localParts } from "../time/zone.ts";
import { nextSessionOpen, sessionOpenAtOrBefore } from "./contracts.ts";
import { feedFor, resolveContract, type SimCore } from "./core.ts";
import type { BarSub, Session } from "./session.ts";

const PACING_TEXT =
  "Historical Market Data Service error message:Historical data request pacing violation";
const TIME_LENGTH_TEXT = "Historical Market Data Service error message:Time length exceed max.";
/** IB serves at most this many historical ticks per request. */
const MAX_HIST_TICKS = 1000;

function parseEnd(sim: SimCore, text: string): number {
  const now = sim.now();
  if (text.trim() === "") return now;
  return Math.min(parseIbDateTime(text, sim.zone), now);
}

/** Answers REQ_HISTORICAL_DATA; a keepUpToDate request becomes a bar subscription. */
export function reqHistoricalData(
  sim: SimCore,
  s: Session,
  req: Extract<ClientRequest, { kind: "historicalData" }>,
): void {
  const contract = resolveContract(sim, s, req.reqId, req.contract);
  if (contract === undefined) return;
  let barMs: number;
  let end: number;
  let start: number;
  let tooLong = false;
  try {
    barMs = parseBarSize(req.barSize);
    if (req.keepUpToDate && req.endDateTime.trim() !== "") {
      throw new SyntaxError("End date not supported with live updates");
    }
    end = parseEnd(sim, req.endDateTime);
    const duration = parseIbDuration(req.duration);
    tooLong = !durationFitsBar(duration, barMs);
    start = tooLong ? end : durationStart(end, duration);
    // Calendar arithmetic far outside Date's range gives NaN: a bad request, not a crash.
    if (!Number.isFinite(start) || !Number.isFinite(end)) {
      throw new RangeError(`duration ${req.duration} before ${req.endDateTime || "now"}`);
    }
  } catch (e) {
    s.send(
      errorMsg(
        s.version,
        req.reqId,
        321,
        `Error validating request.-'bX' : cause - ${(e as Error).message}`,
      ),
    );
    return;
  }
  if (tooLong) {
    // IB bounds the bars of one request (its step-size table); the cap also keeps one
    // frame small and the scan short.
    const max = maxDurationForBar(barMs);
    sim.log.info("Client {id}: {d} of {b} bars exceeds {max}; answering 162", {
      id: s.id,
      d: req.duration,
      b: req.barSize,
      max: `${max.count} ${max.unit}`,
    });
    s.send(errorMsg(s.version, req.reqId, 162, TIME_LENGTH_TEXT));
    return;
  }
  if (!servesTrades(s, req.reqId, req.whatToShow)) return;
  const key =
    `bars|${contract.conId}|${req.endDateTime}|${req.barSize}|${req.duration}|${req.useRth}|${req.keepUpToDate}`;
  if (barMs <= 30_000 && sim.pacing.violated(key, contract.conId)) {
    s.send(errorMsg(s.version, req.reqId, 162, PACING_TEXT));
    return;
  }
  const feed = feedFor(sim, contract);
  const zone = sim.zone;
  const align = (ts: number) => barStart(ts, barMs, zone);
  const bars: Array<WireBar & { start: number; pv: number }> = [];
  if (feed !== undefined) {
    const h = feed.history;
    const from = align(start);
    for (let i = h.lowerBound(from); i < h.count && h.ts(i) < end; i++) {
      const ts = h.ts(i);
      const b0 = align(ts);
      let b = bars[bars.length - 1];
      if (b === undefined || b.start !== b0) {
        b = newBar(b0, barMs, req.formatDate, zone, h.price(i));
        bars.push(b);
      }
      addToBar(b, h.price(i), h.size(i));
    }
  }
  const fmt = (ms: number) => formatIbDateTime(ms, zone);
  s.send(historicalData(req.reqId, fmt(start), fmt(end), bars.map((b) => wireBar(b))));
  if (req.keepUpToDate && feed !== undefined) {
    const last = bars[bars.length - 1];
    const sub: BarSub = {
      feed,
      contract,
      barMs,
      formatDate: req.formatDate,
      zone,
      bar: last ?? newBar(0, barMs, req.formatDate, zone, 0),
      hasBar: last !== undefined,
      lastSentSec: -1,
      dirty: false,
    };
    s.bars.set(req.reqId, sub);
    sim.kick(0);
  }
}

/** Start of the bar of `barMs` holding `ts` (daily bars start at local midnight). */
export function barStart(ts: number, barMs: number, zone: string): number {
  if (barMs < 86_400_000) return Math.floor(ts / barMs) * barMs;
  const p = localParts(ts, zone);
  return ts - (p.minuteOfDay * 60_000 + (ts % 60_000));
}

/** An empty bar starting at `start`, dated as IB formats it. */
export function newBar(
  start: number,
  barMs: number,
  formatDate: number,
  zone: string,
  price: number,
): WireBar & { start: number; pv: number } {
  const date = formatDate === 2
    ? String(Math.floor(start / 1000))
    : barMs >= 86_400_000
    ? formatIbDate(start, zone)
    : formatIbDateTime(start, zone);
  return {
    start,
    date,
    open: price,
    high: price,
    low: price,
    close: price,
    volume: 0,
    wap: price,
    count: 0,
    pv: 0,
  };
}

/** Adds one trade to bar `b`. */
export function addToBar(b: WireBar & { pv: number }, price: number, size: number): void {
  if (b.count === 0) b.open = b.high = b.low = price;
  if (price > b.high) b.high = price;
  if (price < b.low) b.low = price;
  b.close = price;
  b.volume += size;
  b.pv += price * size;
  b.count++;
  b.wap = b.volume > 0 ? b.pv / b.volume : price;
}

/** `b` as sent on the wire. */
export function wireBar(b: WireBar): WireBar {
  // Round WAP to 8 decimals, as TWS does not send float noise.
  return { ...b, wap: Math.round(b.wap * 1e8) / 1e8 };
}

/** Answers REQ_HISTORICAL_TICKS (TRADES) from the history strictly before now. */
export function reqHistoricalTicks(
  sim: SimCore,
  s: Session,
  req: Extract<ClientRequest, { kind: "historicalTicks" }>,
): void {
  const contract = resolveContract(sim, s, req.reqId, req.contract);
  if (contract === undefined) return;
  if (!servesTrades(s, req.reqId, req.whatToShow)) return;
  const hasStart = req.start.trim() !== "";
  const hasEnd = req.end.trim() !== "";
  let start = 0;
  let end = 0;
  try {
    if (hasStart === hasEnd) {
      throw new SyntaxError("exactly one of start and end date/time must be set");
    }
    if (!(req.numberOfTicks >= 1)) throw new RangeError(`numberOfTicks is ${req.numberOfTicks}`);
    if (hasStart) start = parseIbDateTime(req.start, sim.zone);
    else end = parseIbDateTime(req.end, sim.zone);
    if (!Number.isFinite(start) || !Number.isFinite(end)) {
      throw new RangeError(`date out of range: "${hasStart ? req.start : req.end}"`);
    }
  } catch (e) {
    s.send(
      errorMsg(
        s.version,
        req.reqId,
        162,
        `Historical Market Data Service error message:${(e as Error).message}`,
      ),
    );
    return;
  }
  const key = `ticks|${contract.conId}|${req.start}|${req.end}|${req.numberOfTicks}|${req.useRth}`;
  if (sim.pacing.violated(key, contract.conId)) {
    s.send(errorMsg(s.version, req.reqId, 162, PACING_TEXT));
    return;
  }
  const n = Math.min(req.numberOfTicks, MAX_HIST_TICKS);
  const h = feedFor(sim, contract)?.history ?? sim.opts.archive?.history(contract.conId);
  const out: HistTick[] = [];
  if (h !== undefined) {
    // Only trades strictly before the simulator's now are history.
    const all = h.lowerBound(sim.now());
    const sym = contract.symbol;
    if (hasStart) {
      let i = h.lowerBound(start);
      // IB never spans a session break in one answer: stop at the next session's open.
      const limit = i < all ? Math.min(all, h.lowerBound(nextSessionOpen(sym, h.ts(i)))) : all;
      for (; i < limit && out.length < n; i++) {
        out.push({ ts: h.ts(i), price: h.price(i), size: h.size(i) });
      }
      // IB completes the last second rather than cut it.
      const lastSec = out.length > 0 ? Math.floor(out[out.length - 1]!.ts / 1000) : NaN;
      for (; i < limit && Math.floor(h.ts(i) / 1000) === lastSec; i++) {
        out.push({ ts: h.ts(i), price: h.price(i), size: h.size(i) });
      }
    } else {
      // End is inclusive to the second: trades stamped up to end + 999 ms count.
      const j = Math.min(h.lowerBound(end + 1000), all);
      // Nothing before the open of the last trade's session (no answer spans a break).
      const lo = j > 0 ? h.lowerBound(sessionOpenAtOrBefore(sym, h.ts(j - 1))) : 0;
      let first = Math.max(lo, j - n);
      const firstSec = first < j ? Math.floor(h.ts(first) / 1000) : NaN;
      while (first > lo && Math.floor(h.ts(first - 1) / 1000) === firstSec) first--;
      for (let i = first; i < j; i++) {
        out.push({ ts: h.ts(i), price: h.price(i), size: h.size(i) });
      }
    }
  }
  s.send(historicalTicksLast(req.reqId, out, contract.exchange, true));
}

/** True for TRADES, the only history served; anything else is answered with IB's 162. */
function servesTrades(s: Session, reqId: number, whatToShow: string): boolean {
  if (whatToShow.toUpperCase() === "TRADES") return true;
  s.send(
    errorMsg(
      s.version,
      reqId,
      162,
      `Historical Market Data Service error message:No data of type ${whatToShow} is available`,
    ),
  );
  return false;
}
