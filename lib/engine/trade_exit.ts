/**
 * The money side of a trade's exit: the EXIT line of an exit fill (points, ticks, gross,
 * commission, net), the commission of both sides (configured, or what the venue reported),
 * and the trade's excursions (MAE, MFE). TradeManager (trade_manager.ts) decides when.
 *
 * @module
 */
import type { ExitEvent, ExitReason } from "../types.ts";
import type { VenueFill } from "../execution/venue.ts";
import type { OpenTradeState } from "./trade_state.ts";

/** Worst and best excursion of the open trade since its first fill (MAE, MFE), points. */
export class Excursion {
  /** Worst excursion, points per contract (<= 0). */
  mae = 0;
  /** Best excursion, points per contract (>= 0). */
  mfe = 0;

  /** A new trade's first fill. */
  reset(): void {
    this.mae = 0;
    this.mfe = 0;
  }

  /** Widens the open trade's worst and best excursion (points per contract) to `price`. */
  widen(t: OpenTradeState, price: number): void {
    const x = t.side === "LONG"
      ? price - t.filledValue / t.filled
      : t.filledValue / t.filled - price;
    if (x < this.mae) this.mae = x;
    else if (x > this.mfe) this.mfe = x;
  }
}

/** The commissions of the open position: the configured rate, or what the venue reported. */
export class Commissions {
  #rate: number;
  /** Commission the venue reported for the open position's entry fills; NaN: none reported. */
  #entryCommission = NaN;

  /** `rate`: the configured commission per contract and side. */
  constructor(rate: number) {
    this.#rate = rate;
  }

  /** A new trade: no entry commission reported yet. */
  reset(): void {
    this.#entryCommission = NaN;
  }

  /** An entry fill's reported commission (undefined: none reported). */
  addEntry(commission: number | undefined): void {
    if (commission !== undefined) {
      this.#entryCommission = (Number.isNaN(this.#entryCommission) ? 0 : this.#entryCommission) +
        commission;
    }
  }

  /**
   * Commission of an exit of `n` contracts, both sides: the configured rate, or what the venue
   * reported (the entry's share pro rata, the exit's own).
   */
  exit(t: OpenTradeState, n: number, exitCommission: number | undefined): number {
    const rate = this.#rate;
    if (exitCommission === undefined && Number.isNaN(this.#entryCommission)) return rate * n * 2;
    let entry = rate * n;
    if (!Number.isNaN(this.#entryCommission)) {
      entry = this.#entryCommission * n / t.filled;
      this.#entryCommission -= entry;
    }
    return entry + (exitCommission ?? rate * n);
  }
}

/**
 * The EXIT line of `n` contracts of `t` closed by `fill` at its price, with `commission` for
 * both sides (no `remaining`, `by`, MAE or MFE: the caller adds those it knows).
 */
export function exitEvent(
  t: OpenTradeState,
  reason: ExitReason,
  fill: VenueFill,
  n: number,
  commission: number,
  o: { multiplier: number; tickSize: number },
): ExitEvent {
  const { price, time: ts } = fill;
  const avg = t.filledValue / t.filled;
  const points = t.side === "LONG" ? price - avg : avg - price;
  const gross = points * o.multiplier * n;
  const event: ExitEvent = {
    kind: "EXIT",
    time: ts,
    tradeId: t.tradeId,
    side: t.side,
    reason,
    price,
    qty: n,
    entryPrice: avg,
    entryTime: t.entryTime,
    pnlPoints: clean(points),
    pnlTicks: clean(points / o.tickSize),
    grossPnl: clean(gross),
    commission: clean(commission),
    netPnl: clean(gross - commission),
  };
  return event;
}

/** Strips binary noise (0.30000000000000004 -> 0.3) from money and point figures. */
export function clean(x: number): number {
  return Math.round(x * 1e8) / 1e8;
}
