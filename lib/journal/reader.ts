/**
 * Reading a journal back: `parseJournalText` (pure) and `readJournal` (reads a file).
 * Both report a line torn by a crash instead of failing on it or dropping it silently.
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
  /** Every event that parsed, in file order. */
  events: JournalEvent[];
  /** The last line, when it has no newline and does not parse (the process died mid-write). */
  torn: TornLine | undefined;
  /**
   * Earlier torn lines: a line that does not parse and is directly followed by a
   * SESSION_START. The writer of the next run started a new line after the torn text.
   */
  repairedTorn: TornLine[];
  /** Bad lines, only in `lenient` mode (otherwise the first one is thrown). */
  errors: JournalParseError[];
}

const SESSION_START_RE = /^\S+ \| SESSION_START \| /;

/**
 * Parses a whole journal. A last line without newline that parses counts as an event; one
 * that does not is `torn`. A bad line before a SESSION_START line is `repairedTorn`. Any
 * other bad line throws a {@link JournalParseError} (or is collected with `lenient`).
 * Blank lines are skipped; a trailing `\r` is ignored.
 */
export function parseJournalText(text: string, options: ReadJournalOptions = {}): JournalContents {
  const source = options.source ?? "journal";
  const out: JournalContents = { events: [], torn: undefined, repairedTorn: [], errors: [] };
  const lines = text.split("\n");
  // With a final newline the split ends in "", which is not a line.
  const terminated = lines[lines.length - 1] === "";
  if (terminated) lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.trim() === "") continue;
    const lineNo = i + 1;
    try {
      out.events.push(parseJournalLine(line, lineNo, source));
    } catch (e) {
      if (!(e instanceof JournalParseError)) throw e;
      const isLast = i === lines.length - 1;
      if (isLast && !terminated) {
        out.torn = { line: lineNo, text: line };
      } else if (!isLast && SESSION_START_RE.test(lines[i + 1]!)) {
        out.repairedTorn.push({ line: lineNo, text: line });
      } else if (options.lenient === true) {
        out.errors.push(e);
      } else {
        throw e;
      }
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
