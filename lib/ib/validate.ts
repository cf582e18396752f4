/**
 * Checks every trade that comes from the TWS socket, live or historical, before the rest of
 * the program sees it. A broken or hostile peer can send any text where a number belongs:
 * NaN, Infinity, a negative or 1e300 price, a zero size, a time in year 50,000. Such a row
 * is dropped and counted; the first of each kind is reported, and the run goes on.
 *
 * @module
 */

import { MAX_PRICE, MAX_SIZE } from "../ticks/bounds.ts";

/** Earliest plausible trade time: 2000-01-01 UTC. */
export const MIN_TRADE_MS = Date.UTC(2000, 0, 1);
/** Latest plausible trade time: 2100-01-01 UTC (exclusive). */
export const MAX_TRADE_MS = Date.UTC(2100, 0, 1);
// The bounds are the tick files' too: one definition for every source.
export { MAX_PRICE, MAX_SIZE };
/** How far from the tick grid a price may be, in ticks (decimal rounding only). */
export const GRID_TOLERANCE_TICKS = 1e-6;

/** Why a row was dropped. */
export type TickFault =
  | "time not a number"
  | "time out of range"
  | "price not a number"
  | "price not positive"
  | "price too large"
  | "price off the tick grid"
  | "size not a number"
  | "size not positive"
  | "size too large"
  | "time after the requested end"
  | "time out of order"
  | "minTick or multiplier not a positive number";

/**
 * The fault of a trade, or undefined when it is sound. `tickSize` (0, NaN or undefined when
 * unknown) enables the grid check.
 *
 * @example
 * ```ts
 * tradeFault(Date.UTC(2025, 0, 2), 5000.25, 1, 0.25); // undefined
 * tradeFault(Date.UTC(2025, 0, 2), 5000.1, 1, 0.25); // "price off the tick grid"
 * ```
 */
export function tradeFault(
  ts: number,
  price: number,
  size: number,
  tickSize?: number,
): TickFault | undefined {
  if (!Number.isFinite(ts)) return "time not a number";
  if (ts < MIN_TRADE_MS || ts >= MAX_TRADE_MS) return "time out of range";
  if (!Number.isFinite(price)) return "price not a number";
  if (price <= 0) return "price not positive";
  if (price >= MAX_PRICE) return "price too large";
  if (tickSize !== undefined && Number.isFinite(tickSize) && tickSize > 0) {
    const q = price / tickSize;
    if (Math.abs(q - Math.round(q)) > GRID_TOLERANCE_TICKS) return "price off the tick grid";
  }
  if (!Number.isFinite(size)) return "size not a number";
  if (size <= 0) return "size not positive";
  if (size >= MAX_SIZE) return "size too large";
  return undefined;
}

/** Parses a TWS time field (epoch seconds as text) to epoch ms; NaN when not a number. */
export function parseEpochSeconds(field: unknown): number {
  const text = typeof field === "number" ? String(field) : String(field ?? "").trim();
  if (!/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(text)) return NaN;
  return Math.round(Number(text) * 1000);
}

/** A number field as sent by the library (number, Decimal text or undefined) -> number. */
export function toNumber(field: unknown): number {
  if (typeof field === "number") return field;
  if (typeof field === "string" && field.trim() !== "") return Number(field);
  return NaN;
}

/** Options of {@linkcode TickValidator}. */
export interface TickValidatorOptions {
  /** Receives the one line per fault kind (and source). */
  log(line: string): void;
}

/**
 * Counts dropped rows by source and kind, reporting the first of each. Keeps nothing else.
 */
export class TickValidator {
  #log: (line: string) => void;
  #counts = new Map<string, number>();
  #dropped = 0;

  /** Creates a validator that logs through `options.log`. */
  constructor(options: TickValidatorOptions) {
    this.#log = options.log;
  }

  /** Rows dropped so far. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Drops by `"<source>: <kind>"`, e.g. `"live trade: price not a number"`. */
  counts(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }

  /**
   * Counts a dropped row and logs it the first time its kind is seen from `source`
   * (`live trade`, `history row`). `value` names what was wrong.
   */
  drop(source: string, fault: TickFault, value: string): void {
    const key = `${source}: ${fault}`;
    const n = (this.#counts.get(key) ?? 0) + 1;
    this.#counts.set(key, n);
    this.#dropped++;
    if (n === 1) {
      this.#log(
        `[ib] dropped a ${source} from TWS: ${fault} (${value}); ` +
          `later ones of this kind are only counted`,
      );
    }
  }
}

/** Describes the row for the log line, values as received. */
export function describeRow(time: unknown, price: unknown, size: unknown): string {
  const s = (v: unknown) => (typeof v === "string" ? JSON.stringify(v) : String(v));
  return `time ${s(time)}, price ${s(price)}, size ${s(size)}`.slice(0, 200);
}
