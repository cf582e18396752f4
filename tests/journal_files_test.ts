/**
 * The journal files: the durable writer (append only, torn-line repair and its marker), the
 * readers' reports of torn and bad lines, and inspectJournal. The line format: journal_test.ts.
 */
import assert from "node:assert/strict";
import { formatEvent, JournalParseError, parseJournalLine } from "../lib/journal/format.ts";
import { JournalWriter, MemoryJournal } from "../lib/journal/writer.ts";
import { parseJournalText, readJournal } from "../lib/journal/reader.ts";
import { inspectJournal, summarizeJournal } from "../lib/journal/inspect.ts";
import type { EntryEvent, JournalEvent, SessionStartEvent } from "../lib/types.ts";
import {
  CANCEL,
  END,
  ENTRY,
  ENTRY_LINE,
  EXIT,
  FILL,
  OPTS,
  parseError,
  START,
  START_LINE,
  T0,
} from "./_journal_fixtures.ts";

Deno.test("JournalWriter appends one durable line per write and never truncates", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/trade_record.text`;
    const w = JournalWriter.open(path, OPTS);
    assert.equal(w.repairedTornLine, false);
    w.write(START);
    assert.equal(await Deno.readTextFile(path), `${START_LINE}\n`);
    w.write(ENTRY);
    assert.equal(await Deno.readTextFile(path), `${START_LINE}\n${ENTRY_LINE}\n`);
    w.close();
    assert.throws(() => w.write(FILL), TypeError);

    const again = JournalWriter.open(path, OPTS);
    again.write(END);
    again.close();
    const endLine = formatEvent(END, OPTS);
    assert.equal(await Deno.readTextFile(path), `${START_LINE}\n${ENTRY_LINE}\n${endLine}\n`);
    const read = await readJournal(path);
    assert.deepEqual(read.events, [START, ENTRY, END]);
    assert.equal(read.torn, undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// Run b starts at T0 + 1 h = 19:01Z = 13:01 CST; the writer marks it with the torn line.
const START_B: SessionStartEvent = { ...START, runId: "20250217-b", time: T0 + 3_600_000 };
const START_B_LINE = "2025-02-17T13:01:00-06:00 | SESSION_START | RunID=20250217-b" +
  " | Version=0.1.0 | Config=3f2a9c1b | Source=file:ticks%7C2025%25.csv | Symbol=MES" +
  " | Multiplier=5 | TickSize=0.25 | Currency=USD";

// A FILL of 2 out of 12 contracts; a crash cut "Remaining=10" to "Remaining=1", which still
// parses (as a different FILL), so only the missing newline tells it is torn.
const FILL10_LINE = "2025-02-17T12:01:00.250-06:00 | FILL | TradeID=20250217-a-1" +
  " | Price=4501.00 | Qty=2 | Filled=2 | Remaining=10";
const FILL10_CUT = FILL10_LINE.slice(0, -1);

Deno.test("formatEvent and parseJournalLine round-trip SESSION_START Repaired=<line>", () => {
  const marked: SessionStartEvent = { ...START, repairedLine: 7 };
  assert.equal(formatEvent(marked, OPTS), `${START_LINE} | Repaired=7`);
  assert.deepEqual(parseJournalLine(`${START_LINE} | Repaired=7`, 9, "j"), marked);
  // Lines without the key (journals written before it existed) parse without the field.
  assert.equal("repairedLine" in parseJournalLine(START_LINE, 1, "j"), false);
  assert.throws(() => formatEvent({ ...START, repairedLine: 0 }, OPTS), RangeError);
  assert.equal(
    parseError(`${START_LINE} | Repaired=x`).detail,
    'SESSION_START Repaired is "x", expected a non-negative integer',
  );
  assert.equal(
    parseError(`${START_LINE} | Repaired=0`).detail,
    "SESSION_START Repaired must be a line number >= 1, got 0",
  );
});

Deno.test("parseJournalText reports an unterminated last line as torn even when it parses", () => {
  assert.equal(parseJournalLine(FILL10_CUT, 2, "j").kind, "FILL"); // the trap: it parses
  const r = parseJournalText(`${START_LINE}\n${FILL10_CUT}`);
  assert.deepEqual(r.events, [START]);
  assert.deepEqual(r.torn, { line: 2, text: FILL10_CUT });
  assert.deepEqual(r.repairedTorn, []);

  // SESSION_END "Trades=12" cut to "Trades=1"; a blank line 2 still counts in numbering.
  const endCut = formatEvent({ ...END, trades: 12 }, OPTS).slice(0, -1);
  assert.ok(endCut.endsWith(" | Trades=1"));
  const r2 = parseJournalText(`${START_LINE}\n\n${endCut}`);
  assert.deepEqual(r2.events, [START]);
  assert.deepEqual(r2.torn, { line: 3, text: endCut });
  assert.equal(summarizeJournal(r2.events).lastRunEnded, false);

  // A terminated last line is complete and counts.
  const whole = parseJournalText(`${START_LINE}\n${ENTRY_LINE}\n`);
  assert.deepEqual(whole.events, [START, ENTRY]);
  assert.equal(whole.torn, undefined);
});

Deno.test("JournalWriter repairs a torn line that parses; readers then report it, never count it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/trade_record.text`;
    // Lines: 1 START, 2 blank, 3 ENTRY, 4 torn FILL (no newline).
    const torn = `${START_LINE}\n\n${ENTRY_LINE}\n${FILL10_CUT}`;
    await Deno.writeTextFile(path, torn);

    const before = await inspectJournal(path);
    assert.deepEqual(before.torn, { line: 4, text: FILL10_CUT });
    assert.equal(before.events, 2);
    // The ENTRY has no counted fill: open with 0 filled.
    assert.equal(before.openTrades[0]!.filled, 0);

    const w = JournalWriter.open(path, OPTS);
    assert.equal(w.repairedTornLine, true);
    assert.equal(w.tornLine, 4);
    // Nothing is written before the first event: a run dying here leaves the file torn.
    assert.equal(await Deno.readTextFile(path), torn);
    w.write(START_B);
    w.write(FILL);
    w.close();
    const fillLine = formatEvent(FILL, OPTS);
    assert.equal(
      await Deno.readTextFile(path),
      `${torn}\n${START_B_LINE} | Repaired=4\n${fillLine}\n`,
    );

    const after = await readJournal(path);
    assert.deepEqual(after.events, [START, ENTRY, { ...START_B, repairedLine: 4 }, FILL]);
    assert.equal(after.torn, undefined);
    assert.deepEqual(after.repairedTorn, [{ line: 4, text: FILL10_CUT }]);

    const inspected = await inspectJournal(path);
    assert.deepEqual(inspected.runs, ["20250217-a", "20250217-b"]);
    assert.equal(inspected.events, 4);
    assert.deepEqual(inspected.repairedTorn, [{ line: 4, text: FILL10_CUT }]);
    assert.deepEqual(inspected.errors, []);
    // Only the real FILL (filled 1) counts for trade a-1, not the torn "Filled=2".
    assert.equal(inspected.openTrades[0]!.filled, 1);

    // The next writer finds a clean end and adds no marker.
    const w2 = JournalWriter.open(path, OPTS);
    assert.equal(w2.tornLine, undefined);
    w2.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("JournalWriter marks the first SESSION_START even when another event comes first", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/trade_record.text`;
    await Deno.writeTextFile(path, `${START_LINE}\n${FILL10_CUT}`);
    const w = JournalWriter.open(path, OPTS);
    w.write(CANCEL);
    w.write(START_B);
    w.write(START_B);
    w.close();
    const cancelLine = formatEvent(CANCEL, OPTS);
    // Lines: 1 START, 2 torn FILL, 3 CANCEL, 4 marked START_B, 5 unmarked START_B.
    assert.equal(
      await Deno.readTextFile(path),
      `${START_LINE}\n${FILL10_CUT}\n${cancelLine}\n${START_B_LINE} | Repaired=2\n` +
        `${START_B_LINE}\n`,
    );
    const r = await readJournal(path);
    assert.deepEqual(r.events, [START, CANCEL, { ...START_B, repairedLine: 2 }, START_B]);
    assert.deepEqual(r.repairedTorn, [{ line: 2, text: FILL10_CUT }]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readJournal reports an old-style torn line (bad, then a SESSION_START without marker)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/trade_record.text`;
    const half = ENTRY_LINE.slice(0, 60);
    // As a writer from before the Repaired key left it: newline added, no marker.
    await Deno.writeTextFile(path, `${START_LINE}\n${half}\n${START_B_LINE}\n`);
    const r = await readJournal(path);
    assert.deepEqual(r.events, [START, START_B]);
    assert.equal(r.torn, undefined);
    assert.deepEqual(r.repairedTorn, [{ line: 2, text: half }]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseJournalText ignores the marker of a SESSION_START that is itself a torn line", () => {
  // Line 3 is run b's SESSION_START, torn and repaired by run c (line 4 names it). Its own
  // marker "Repaired=2" may be a cut value, so line 2 (a whole ENTRY) stays an event.
  const text = `${START_LINE}\n${ENTRY_LINE}\n${START_B_LINE} | Repaired=2\n` +
    `${START_LINE} | Repaired=3\n`;
  const r = parseJournalText(text);
  assert.deepEqual(r.events, [START, ENTRY, { ...START, repairedLine: 3 }]);
  assert.deepEqual(r.repairedTorn, [{ line: 3, text: `${START_B_LINE} | Repaired=2` }]);
});

Deno.test("parseJournalText rejects a Repaired marker that names its own or a later line", () => {
  const bad = `${START_B_LINE} | Repaired=2`;
  const text = `${START_LINE}\n${bad}\n${FILL10_LINE}\n`;
  assert.throws(() => parseJournalText(text, { source: "t.text" }), {
    name: "JournalParseError",
    message: `Cannot parse journal line at t.text:2: SESSION_START Repaired=2 does not name` +
      ` an earlier line (line: ${JSON.stringify(bad)})`,
  });
  const lenient = parseJournalText(text, { lenient: true });
  assert.deepEqual(lenient.errors.map((e) => e.line), [2]);
  assert.equal(lenient.events.length, 2); // START and the FILL; the bad line is not counted
});

Deno.test("parseJournalText throws on a bad middle line unless lenient", () => {
  const bad = ENTRY_LINE.slice(0, 60);
  const fillLine = formatEvent(FILL, OPTS);
  const text = `${START_LINE}\n\n${bad}\n${fillLine}\r\n`;
  assert.throws(
    () => parseJournalText(text, { source: "trade_record.text" }),
    (e: unknown) => {
      assert.ok(e instanceof JournalParseError);
      // Line 2 is blank (skipped), the bad line is line 3; it was cut after "| S".
      assert.equal(
        e.message,
        `Cannot parse journal line at trade_record.text:3: ENTRY field "S" is not Key=Value` +
          ` (line: "${bad}")`,
      );
      return true;
    },
  );
  const lenient = parseJournalText(text, { source: "trade_record.text", lenient: true });
  assert.deepEqual(lenient.events, [START, FILL]);
  assert.equal(lenient.errors.length, 1);
  assert.equal(lenient.errors[0]!.line, 3);
  assert.equal(lenient.torn, undefined);
});

Deno.test("inspectJournal reports missing files, runs, the last run's end and open trades", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const missing = await inspectJournal(`${dir}/none.text`);
    assert.equal(missing.exists, false);
    assert.deepEqual(missing.runs, []);

    const path = `${dir}/trade_record.text`;
    const j = new MemoryJournal(OPTS);
    const cancelledEntry: EntryEvent = { ...ENTRY, tradeId: "20250217-a-3", time: T0 + 60_000 };
    for (const e of [START, ENTRY, FILL, cancelledEntry]) j.write(e);
    j.write({ ...CANCEL, tradeId: "20250217-a-3", qty: 1, reason: "MANUAL" });
    await Deno.writeTextFile(path, j.text());

    const open = await inspectJournal(path);
    assert.equal(open.exists, true);
    assert.deepEqual(open.runs, ["20250217-a"]);
    assert.equal(open.lastRunEnded, false);
    // Trade 1 filled and has no EXIT; trade 3 was cancelled before any fill.
    assert.equal(open.openTrades.length, 1);
    assert.equal(open.openTrades[0]!.entry.tradeId, "20250217-a-1");
    assert.equal(open.openTrades[0]!.filled, 1);
    assert.equal(open.openTrades[0]!.runId, "20250217-a");
    assert.equal(open.lastTradeId, "20250217-a-3");

    const closed = summarizeJournal([
      ...j.events,
      { ...EXIT, tradeId: "20250217-a-1", qty: 1 },
      END,
    ] as JournalEvent[]);
    assert.equal(closed.lastRunEnded, true);
    assert.deepEqual(closed.openTrades, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readJournal fails at a repaired torn line when the next line is not a SESSION_START", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/trade_record.text`;
    const half = ENTRY_LINE.slice(0, 60);
    await Deno.writeTextFile(path, `${START_LINE}\n${half}`);
    // A writer that resumes without a new SESSION_START leaves the torn text mid-file.
    const w = JournalWriter.open(path, OPTS);
    w.write(FILL);
    w.close();
    await assert.rejects(() => readJournal(path, { source: "trade_record.text" }), {
      name: "JournalParseError",
      message:
        `Cannot parse journal line at trade_record.text:2: ENTRY field "S" is not Key=Value` +
        ` (line: "${half}")`,
    });
    const lenient = await readJournal(path, { lenient: true });
    assert.deepEqual(lenient.events, [START, FILL]);
    assert.deepEqual(lenient.errors.map((e) => e.line), [2]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
