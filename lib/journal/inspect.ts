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
  /** The stop after the last STOP_MOVE, when a manager moved it. */
  stop?: number;
  /** The target after the last TARGET_MOVE, when a manager moved it. */
  target?: number;
  /** Contracts already closed by a scale-out's EXIT parts (`Remaining=`). */
  exited?: number;
  /**
   * Time of the last STOP_MOVE, TARGET_MOVE or scale-out part: prints before it were checked
   * against the levels before it (a stop moved into profit was not there yet).
   */
  levelsTime?: number;
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
  /** Every EXIT's time, net P/L and run (a restart's daily loss limit counts today's). */
  exits: Array<{ time: number; netPnl: number; runId: string | undefined }>;
}

/**
 * A run without its SESSION_END: the process was killed (kill -9, power loss) or crashed
 * before it could end the run, or, for the last run, it may still be running. A backtest
 * journal cut so holds whole, valid lines up to `lastLine`: the run's events after it are
 * lost (re-run the backtest; its input can be replayed).
 */
export interface UnendedRun {
  /** RunID of its SESSION_START. */
  runId: string;
  /** Line of its SESSION_START. */
  startLine: number;
  /** Line of its last event. */
  lastLine: number;
}

/** The one-line note for an {@link UnendedRun} of the journal at `path`. */
export function describeUnendedRun(path: string, run: UnendedRun): string {
  return `${path}: run ${run.runId} ended without SESSION_END (crashed or killed, or still ` +
    `running) after line ${run.lastLine}`;
}

/**
 * The runs of `events` (with their 1-based `lines`) that have no SESSION_END of their own
 * before the next SESSION_START or the end.
 */
export function findUnendedRuns(
  events: readonly JournalEvent[],
  lines: readonly number[],
): UnendedRun[] {
  const out: UnendedRun[] = [];
  let open: UnendedRun | undefined;
  let ended = true;
  events.forEach((e, i) => {
    const line = lines[i] ?? i + 1;
    if (e.kind === "SESSION_START") {
      if (open !== undefined && !ended) out.push(open);
      open = { runId: e.runId, startLine: line, lastLine: line };
      ended = false;
      return;
    }
    if (open === undefined) return;
    open.lastLine = line;
    if (e.kind === "SESSION_END" && e.runId === open.runId) ended = true;
  });
  if (open !== undefined && !ended) out.push(open);
  return out;
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
  /** Runs without their SESSION_END (see {@link UnendedRun}). */
  unended: UnendedRun[];
}

/** Summarizes events already parsed from a journal (pure). */
export function summarizeJournal(events: readonly JournalEvent[]): JournalSummary {
  const runs: string[] = [];
  const starts: SessionStartEvent[] = [];
  let lastRunEnded = true;
  let runId: string | undefined;
  let lastTradeId: string | undefined;
  const open = new Map<string, OpenTrade>();
  const exits: JournalSummary["exits"] = [];
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
        exits.push({ time: e.time, netPnl: e.netPnl, runId });
        // A scale-out's first part (Remaining > 0) leaves the rest of the trade open.
        if (e.remaining !== undefined && e.remaining > 0) {
          const t = open.get(e.tradeId);
          if (t !== undefined) {
            t.filled = e.remaining;
            t.exited = (t.exited ?? 0) + e.qty;
            t.levelsTime = e.time;
          }
        } else open.delete(e.tradeId);
        break;
      case "STOP_MOVE":
      case "TARGET_MOVE": {
        const t = open.get(e.tradeId);
        if (t !== undefined) {
          t[e.kind === "STOP_MOVE" ? "stop" : "target"] = e.price;
          t.levelsTime = e.time;
        }
        break;
      }
    }
  }
  const openTrades = [...open.values()].filter((t) => t.filled > 0 || t.cancels.length === 0);
  return { runs, starts, lastRunEnded, openTrades, lastTradeId, events: events.length, exits };
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
      unended: findUnendedRuns(contents.events, contents.eventLines),
    };
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    return {
      exists: false,
      ...summarizeJournal([]),
      torn: undefined,
      repairedTorn: [],
      errors: [],
      unended: [],
    };
  }
}
