/**
 * Reading a journal back: `parseJournalText` (pure) and `readJournal` (reads a file).
 * Both report a line torn by a crash instead of failing on it, counting it, or dropping it
 * silently.
 *
 * @module
 */
import type { JournalEvent } from "../types.ts";
import { JournalParseError, parseJournalLine } from "./format.ts";

/** A line cut short by a crash. */
export interface TornLine {
  /** 1-based line number. */
  line: number;
  /** The text that was written. */
  text: string;
}

/** Options of {@link parseJournalText} and {@link readJournal}. */
export interface ReadJournalOptions {
  /** Name used in error messages; defaults to the path, or `journal` for text. */
  source?: string;
  /** Collect bad lines in `errors` instead of throwing the first one. */
  lenient?: boolean;
}

/** What a journal holds. */
export interface JournalContents {
  /** Every event that parsed, in file order, without torn lines. */
  events: JournalEvent[];
  /** 1-based line number of each event (same index as `events`). */
  eventLines: number[];
  /**
   * The last line when it has no newline, whether it parses or not: the writer writes a line
   * and its newline in one call, so a line without one is an interrupted write.
   */
  torn: TornLine | undefined;
  /**
   * Earlier torn lines, in file order: a line named by a later SESSION_START's
   * `Repaired=<line>` (whether it parses or not), or, for journals written before that key
   * existed, a line that does not parse and is directly followed by a SESSION_START.
   */
  repairedTorn: TornLine[];
  /** Bad lines, only in `lenient` mode (otherwise the first one is thrown). */
  errors: JournalParseError[];
}

const SESSION_START_RE = /^\S+ \| SESSION_START \| /;

type Parsed = { event: JournalEvent } | { error: JournalParseError };

/**
 * Parses a whole journal. A non-blank last line without newline is `torn` and never an event.
 * A line named by a later SESSION_START's `Repaired=` key, or a bad line directly before a
 * SESSION_START line, is `repairedTorn` and not an event. Any other bad line throws a
 * {@link JournalParseError} (or is collected with `lenient`). Blank lines are skipped; a
 * trailing `\r` is ignored.
 */
export function parseJournalText(text: string, options: ReadJournalOptions = {}): JournalContents {
  const source = options.source ?? "journal";
  const out: JournalContents = {
    events: [],
    eventLines: [],
    torn: undefined,
    repairedTorn: [],
    errors: [],
  };
  const lines = text.split("\n").map((raw) => raw.endsWith("\r") ? raw.slice(0, -1) : raw);
  // With a final newline the split ends in "", which is not a line.
  const terminated = lines[lines.length - 1] === "";
  if (terminated) lines.pop();
  const tornIndex = terminated ? -1 : lines.length - 1;

  const parsed: (Parsed | undefined)[] = lines.map((line, i) => {
    if (line.trim() === "" || i === tornIndex) return undefined;
    try {
      return { event: parseJournalLine(line, i + 1, source) };
    } catch (e) {
      if (!(e instanceof JournalParseError)) throw e;
      return { error: e };
    }
  });

  // Backwards, so that the marker of a SESSION_START that is itself a repaired torn line
  // (possibly cut inside its own Repaired value) is ignored.
  const repaired = new Set<number>();
  for (let i = lines.length - 1; i >= 0; i--) {
    const p = parsed[i];
    if (p === undefined || !("event" in p) || repaired.has(i)) continue;
    const e = p.event;
    if (e.kind !== "SESSION_START" || e.repairedLine === undefined) continue;
    if (e.repairedLine > i) {
      const detail = `SESSION_START Repaired=${e.repairedLine} does not name an earlier line`;
      parsed[i] = { error: new JournalParseError(source, i + 1, lines[i]!, detail) };
      continue;
    }
    repaired.add(e.repairedLine - 1);
  }

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    const at: TornLine = { line: i + 1, text: line };
    const p = parsed[i];
    if (i === tornIndex || p === undefined) {
      out.torn = at;
    } else if (repaired.has(i)) {
      out.repairedTorn.push(at);
    } else if ("event" in p) {
      out.events.push(p.event);
      out.eventLines.push(i + 1);
    } else if (i + 1 < lines.length && SESSION_START_RE.test(lines[i + 1]!)) {
      out.repairedTorn.push(at);
    } else if (options.lenient === true) {
      out.errors.push(p.error);
    } else {
      throw p.error;
    }
  }
  return out;
}

/**
 * Reads and parses the journal file at `path` (see {@link parseJournalText}).
 * A missing file rejects with `Deno.errors.NotFound`.
 */
export async function readJournal(
  path: string,
  options: ReadJournalOptions = {},
): Promise<JournalContents> {
  const text = await Deno.readTextFile(path);
  return parseJournalText(text, { ...options, source: options.source ?? path });
}
