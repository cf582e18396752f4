/**
 * The first sync's recovery step on its own (lib/live/recovery.ts): which history it asks
 * for, where the resumed trade starts being checked, which exit it marks, and the warning
 * when a page cap leaves prints after the trade's last event unchecked.
 */
import { isJournalEvent } from "../lib/events/types.ts";
import assert from "node:assert/strict";
import { journalFormatOptions } from "../lib/cli/console.ts";
import { Engine } from "../lib/engine/engine.ts";
import { MemoryJournal } from "../lib/journal/writer.ts";
import { FirstSync, type ResumeState } from "../lib/live/recovery.ts";
import type { JournalEvent } from "../lib/types.ts";
import { liveConfig } from "./_live_harness.ts";

const T0 = Date.UTC(2025, 1, 17, 15, 0, 0);

function resume(since: number | undefined): ResumeState {
  return {
    state: {
      tradeId: "OLD-001",
      side: "LONG",
      ordered: 1,
      filled: 1,
      filledValue: 5000,
      entryPrice: 5000,
      stop: 4995,
      target: 5004,
      entryTime: T0,
      fills: 1,
    },
    lastSeq: 0,
    since,
  };
}

Deno.test("first sync: the history starts at the warm-up or at the open trade's last event, whichever is older", () => {
  const until = T0 + 600_000;
  assert.equal(new FirstSync(undefined).historyFrom(until - 450_000, until), until - 450_000);
  assert.equal(new FirstSync(undefined).historyFrom(undefined, until), undefined);
  // The event's second: stamps are whole seconds.
  assert.equal(new FirstSync(resume(T0 + 1500)).historyFrom(until - 450_000, until), T0 + 1000);
  assert.equal(new FirstSync(resume(T0)).historyFrom(undefined, until), T0);
  assert.equal(
    new FirstSync(resume(until - 60_000)).historyFrom(until - 450_000, until),
    until - 450_000,
  );
  // An event after the live start (a clock off) checks nothing before it.
  assert.equal(new FirstSync(resume(until + 5000)).historyFrom(undefined, until), undefined);
  assert.equal(new FirstSync(resume(undefined)).historyFrom(undefined, until), undefined);
});

Deno.test("first sync: prints before the trade's last event are warm-up; the first touch after it exits, marked", () => {
  // Targets filled on a touch: the prints below touch the target without going through it.
  const config = liveConfig(7497, (c) => void (c.fills.target_fill = "touch"));
  const journal = new MemoryJournal(journalFormatOptions(config));
  const first = new FirstSync(resume(T0 + 10_000));
  const seen: JournalEvent[] = [];
  const engine = new Engine({
    config,
    journal,
    mark: (e) => first.mark(e),
    runId: "NEW",
    entriesAfter: T0 + 60_000,
  });
  engine.events.subscribe((e) => {
    if (isJournalEvent(e)) seen.push(e);
  });
  engine.start({ time: T0 + 60_000, version: "t", configDigest: "t", source: "ib:x:1" });
  // 5004.25 at T0+9 s is before the FILL's second: not the trade's. The target 5004 is then
  // touched at T0+10 s (the FILL's second, after it), and again later.
  const ticks = {
    ts: [T0 + 9000, T0 + 10_000, T0 + 10_000, T0 + 12_000, T0 + 20_000],
    price: [5004.25, 5001, 5004, 4990, 5006],
    size: [1, 1, 2, 1, 1],
  };
  const lines: string[] = [];
  first.feedHistory(
    engine,
    ticks,
    (ts, p, s) => engine.onTick(ts, p, s),
    (l) => lines.push(l),
  );
  const exits = seen.filter((e) => e.kind === "EXIT");
  assert.equal(exits.length, 1);
  const x = exits[0]!;
  assert.ok(x.kind === "EXIT");
  assert.deepEqual(
    [x.tradeId, x.reason, x.price, x.time, x.recovered],
    ["OLD-001", "TARGET", 5004, T0 + 10_000, true],
  );
  assert.ok(journal.lines.at(-1)!.endsWith("| Recovered=1"), journal.lines.at(-1));
  assert.ok(lines[0]!.startsWith("[live] resumed open trade OLD-001"));
  // After the history, events pass unmarked (a live exit is not a recovered one).
  const { recovered: _, ...live } = x;
  assert.deepEqual(first.mark(live), live);
  assert.equal(first.done, false);
  first.complete();
  assert.equal(first.done, true);
});

Deno.test("first sync: with no print after the trade's last event, the trade is resumed after the history", () => {
  const config = liveConfig(7497);
  const first = new FirstSync(resume(T0 + 10_000));
  const engine = new Engine({
    config,
    journal: new MemoryJournal(journalFormatOptions(config)),
    runId: "NEW",
  });
  engine.start({ time: T0 + 60_000, version: "t", configDigest: "t", source: "ib:x:1" });
  first.feedHistory(
    engine,
    { ts: [T0 + 5000], price: [5010], size: [1] },
    (ts, p, s) => engine.onTick(ts, p, s),
    () => {},
  );
  assert.equal(engine.openTrade?.tradeId, "OLD-001");
});

Deno.test("first sync: a page cap that cuts the history after the trade's last event is named", () => {
  const first = new FirstSync(resume(T0 + 10_000));
  const cut = { ts: [T0 + 300_000], price: [5000], size: [1], pages: 60, truncated: true };
  assert.equal(
    first.gapWarning(cut),
    "[live] history capped (live.max_pages): prints between 2025-02-17T15:00:10.000Z and " +
      "2025-02-17T15:05:00.000Z were not checked against trade OLD-001's stop and target",
  );
  assert.equal(first.gapWarning({ ...cut, truncated: false }), undefined);
  assert.equal(first.gapWarning({ ...cut, ts: [T0 + 10_000] }), undefined);
  assert.equal(new FirstSync(undefined).gapWarning(cut), undefined);
});
