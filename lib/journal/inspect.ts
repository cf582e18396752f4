/**
 * What is already in a journal: its runs, whether the last one ended, and trades still open.
 * The backtest command uses it to refuse appending to another run's journal unless told to;
 * a live mode uses it to find an open trade to resume.
 *
 * @module
 */
import type {
  CancelEvent,
  EntryEvent,
  FillEvent,
  JournalEvent,
  SessionStartEvent,
} from "../types.ts";
import type { JournalParseError } from "./format.ts";
import { readJournal, type TornLine } from "./reader.ts";

/** A trade with an ENTRY and no EXIT that still holds or may still get contracts. */
export interface OpenTrade {
  entry: EntryEvent;
  fills: FillEvent[];
  cancels: CancelEvent[];
  /** Contracts filled so far. */
  filled: number;
  /** RunID of the SESSION_START before the ENTRY, if any. */
  runId: string | undefined;
}

/** Summary of a journal's events. */
export interface JournalSummary {
  /** RunIDs of the SESSION_START lines, in file order. */
  runs: string[];
  /** The SESSION_START lines, in file order (which runs are live, on what, with what config). */
  starts: SessionStartEvent[];
  /** True when there are no runs or the last SESSION_START has a matching SESSION_END. */
  lastRunEnded: boolean;
  /**
   * Trades with an ENTRY and no EXIT, except orders cancelled before any fill
   * (those never held a position).
   */
  openTrades: OpenTrade[];
  /** The last trade id seen in an ENTRY, if any. */
  lastTradeId: string | undefined;
  /** Number of events. */
  events: number;
}

/** Result of {@link inspectJournal}. */
export interface JournalInspection extends JournalSummary {
  /** False when the file does not exist (all other fields are then empty). */
  exists: boolean;
  /** Torn last line, if any. */
  torn: TornLine | undefined;
  /** Earlier torn lines followed by a new run. */
  repairedTorn: TornLine[];
  /** Lines that could not be parsed (inspection is lenient). */
  errors: JournalParseError[];
}

/** Summarizes events already parsed from a journal (pure). */
export function summarizeJournal(events: readonly JournalEvent[]): JournalSummary {
  const runs: string[] = [];
  const starts: SessionStartEvent[] = [];
  let lastRunEnded = true;
  let runId: string | undefined;
  let lastTradeId: string | undefined;
  const open = new Map<string, OpenTrade>();
  for (const e of events) {
    switch (e.kind) {
      case "SESSION_START":
        runs.push(e.runId);
        starts.push(e);
        runId = e.runId;
        lastRunEnded = false;
        break;
      case "SESSION_END":
        if (e.runId === runId) lastRunEnded = true;
        break;
      case "ENTRY":
        lastTradeId = e.tradeId;
        open.set(e.tradeId, { entry: e, fills: [], cancels: [], filled: 0, runId });
        break;
      case "FILL": {
        const t = open.get(e.tradeId);
        if (t !== undefined) {
          t.fills.push(e);
          t.filled = e.filled;
        }
        break;
      }
      case "CANCEL":
        open.get(e.tradeId)?.cancels.push(e);
        break;
      case "EXIT":
        open.delete(e.tradeId);
        break;
    }
  }
  const openTrades = [...open.values()].filter((t) => t.filled > 0 || t.cancels.length === 0);
  return { runs, starts, lastRunEnded, openTrades, lastTradeId, events: events.length };
}

/**
 * Reads the journal at `path` leniently and summarizes it; a missing file gives
 * `exists: false`.
 *
 * @example
 * ```ts
 * const append = false; // --append
 * const j = await inspectJournal("trade_record.text");
 * if (j.exists && j.runs.length > 0 && !append) throw new Error("journal has other runs");
 * ```
 */
export async function inspectJournal(path: string): Promise<JournalInspection> {
  try {
    const contents = await readJournal(path, { lenient: true });
    return {
      exists: true,
      ...summarizeJournal(contents.events),
      torn: contents.torn,
      repairedTorn: contents.repairedTorn,
      errors: contents.errors,
    };
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    return {
      exists: false,
      ...summarizeJournal([]),
      torn: undefined,
      repairedTorn: [],
      errors: [],
    };
  }
}
