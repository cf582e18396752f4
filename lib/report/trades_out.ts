/**
 * One row per closed trade (per EXIT: a scale-out's parts are rows of the same id), built
 * from journal events as they come: `--trades-csv` and `--trades-jsonl` of the backtest, and
 * `scalpbot report --trades-csv`. Columns are defined in docs/report.md.
 *
 * @module
 */
import type { JournalEvent } from "../types.ts";

/** One closed trade (or part of one). */
export interface TradeRow {
  /** Trade id. */
  id: string;
  /** `LONG` or `SHORT`. */
  side: string;
  /** Contracts closed. */
  qty: number;
  /** First entry fill, ISO UTC. */
  entryTime: string;
  /** Average entry price. */
  entryPrice: number;
  /** Exit time, ISO UTC. */
  exitTime: string;
  /** Exit fill price. */
  exitPrice: number;
  /** Entry fills of the trade. */
  fills: number;
  /** Exit reason (`TARGET`, `STOP`, `MANUAL`, `END`). */
  reason: string;
  /** Manager that caused the exit, when the journal names one. */
  by: string | null;
  /** Points per contract (positive = profit). */
  points: number;
  /** Gross, commission and net P/L, in currency. */
  gross: number;
  commission: number;
  net: number;
  /** P/L in R: points / (entry to initial stop); null without a known stop distance. */
  r: number | null;
  /** Worst and best excursion while open, points per contract; null in older journals. */
  mae: number | null;
  mfe: number | null;
  /** Hold time in seconds, entry fill to exit. */
  holdSeconds: number;
}

/** CSV header of {@linkcode formatTradeCsv}. */
export const TRADE_CSV_HEADER =
  "id,side,qty,entry_time,entry_price,exit_time,exit_price,fills,reason,by,points," +
  "gross,commission,net,r,mae,mfe,hold_s";

/** The CSV line of a row (no newline). Ids and names hold no comma (journal names). */
export function formatTradeCsv(r: TradeRow): string {
  const n = (x: number | null) => x === null ? "" : String(x);
  return [
    r.id,
    r.side,
    r.qty,
    r.entryTime,
    r.entryPrice,
    r.exitTime,
    r.exitPrice,
    r.fills,
    r.reason,
    r.by ?? "",
    r.points,
    r.gross,
    r.commission,
    r.net,
    n(r.r),
    n(r.mae),
    n(r.mfe),
    r.holdSeconds,
  ].join(",");
}

/** What is kept of an open trade: its fills and its initial risk. */
interface Open {
  fills: number;
  risk: number;
}

/**
 * Turns journal events into {@linkcode TradeRow}s; `add` returns the row an EXIT closes.
 *
 * @example
 * ```ts
 * const rows = new TradeRows();
 * rows.add({ kind: "CANCEL", time: 0, tradeId: "a", qty: 1, reason: "END" }); // undefined
 * ```
 */
export class TradeRows {
  #open = new Map<string, Open>();

  /** Adds an event; returns the row when it is an EXIT. */
  add(e: JournalEvent): TradeRow | undefined {
    switch (e.kind) {
      case "ENTRY":
        this.#open.set(e.tradeId, { fills: 0, risk: Math.abs(e.entry - e.stop) });
        return undefined;
      case "FILL": {
        const t = this.#open.get(e.tradeId);
        if (t !== undefined) t.fills++;
        return undefined;
      }
      case "EXIT": {
        const t = this.#open.get(e.tradeId);
        // A scale-out's first part leaves the trade open under the same id.
        if ((e.remaining ?? 0) === 0) this.#open.delete(e.tradeId);
        return {
          id: e.tradeId,
          side: e.side,
          qty: e.qty,
          entryTime: new Date(e.entryTime).toISOString(),
          entryPrice: clean(e.entryPrice),
          exitTime: new Date(e.time).toISOString(),
          exitPrice: clean(e.price),
          fills: t?.fills ?? 0,
          reason: e.reason,
          by: e.by ?? null,
          points: e.pnlPoints,
          gross: e.grossPnl,
          commission: e.commission,
          net: e.netPnl,
          r: t !== undefined && t.risk > 0 ? round6(e.pnlPoints / t.risk) : null,
          mae: e.mae ?? null,
          mfe: e.mfe ?? null,
          holdSeconds: (e.time - e.entryTime) / 1000,
        };
      }
      default:
        return undefined;
    }
  }
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** Strips binary noise from a price (1314.1000000000001 -> 1314.1), as the journal does. */
function clean(x: number): number {
  return Math.round(x * 1e8) / 1e8;
}

/** A trades file written in batches (opened on the first write), CSV or JSON Lines. */
export class TradesFile {
  #file: Deno.FsFile | undefined;
  #lines: string[] = [];
  #rows = new TradeRows();

  /** `replace`: nothing is written before the first `open` (called once inputs are valid). */
  constructor(readonly path: string, readonly format: "csv" | "jsonl") {}

  /** Creates (or empties) the file, with the CSV header. */
  open(): void {
    this.#file = Deno.openSync(this.path, { write: true, create: true, truncate: true });
    if (this.format === "csv") this.#lines.push(TRADE_CSV_HEADER);
  }

  /** Adds a journal event (a row for an EXIT). */
  add(e: JournalEvent): void {
    const row = this.#rows.add(e);
    if (row === undefined) return;
    this.#lines.push(this.format === "csv" ? formatTradeCsv(row) : JSON.stringify(row));
  }

  /** Writes the lines so far. */
  flush(): void {
    if (this.#file === undefined || this.#lines.length === 0) return;
    const bytes = new TextEncoder().encode(this.#lines.join("\n") + "\n");
    this.#lines = [];
    let done = 0;
    while (done < bytes.length) done += this.#file.writeSync(bytes.subarray(done));
  }

  /** Flushes and closes. */
  close(): void {
    this.flush();
    this.#file?.close();
    this.#file = undefined;
  }
}
