/**
 * `scalpbot report` counts trading days and hours as the run that wrote the journal did: from
 * SESSION_START's TimeZone and DayStart (docs/journal.md), UTC from midnight without them, and
 * `--tz ZONE` (from midnight) over both. Hand-made journals with values worked out by hand,
 * then a generated three-day backtest whose own report `report` must give again.
 */
import assert from "node:assert/strict";
import { formatEvent, parseJournalLine } from "../lib/journal/format.ts";
import { TradingDays } from "../lib/data/trading_day.ts";
import { dayStartMinute, formatDayStart, parseDayStart } from "../lib/time/day_start.ts";
import { runDay, RunDays } from "../lib/report/run_day.ts";
import { ReportAccumulator } from "../lib/report/accumulator.ts";
import type { SessionStartEvent } from "../lib/types.ts";
import { runMain } from "./_run_main.ts";

const DAY_KEYS = " | TimeZone=America/Chicago | DayStart=17:00";

/**
 * One run on Tuesday 2025-03-04 (CST, UTC-6): a win of 10.00 closed at 16:59 Chicago (22:59Z)
 * and a loss of 4.00 closed at 17:01 (23:01Z). Same calendar date in Chicago and in UTC; the
 * second exit is after the 17:00 day start, so it is trading day 2025-03-05.
 */
function journal(startKeys: string): string {
  return [
    "2025-03-04T16:00:00-06:00 | SESSION_START | RunID=R1 | Version=1 | Config=c | Source=test | " +
    "Symbol=MES | Multiplier=5 | TickSize=0.25 | Currency=USD" + startKeys,
    "2025-03-04T16:50:00-06:00 | ENTRY | TradeID=R1-001 | Side=LONG | Entry=5000.00 | " +
    "Stop=4998.00 | TP=5002.00 | Size=1",
    "2025-03-04T16:50:00-06:00 | FILL | TradeID=R1-001 | Price=5000.00 | Qty=1 | Filled=1 | " +
    "Remaining=0",
    "2025-03-04T16:59:00-06:00 | EXIT | TradeID=R1-001 | Side=LONG | Reason=TARGET | " +
    "Exit=5002.00 | Qty=1 | AvgEntry=5000.00 | EntryTime=2025-03-04T16:50:00-06:00 | " +
    "PnLPts=2.00 | PnLTicks=8 | Gross=10.00 | Commission=0.00 | Net=10.00",
    "2025-03-04T17:00:00-06:00 | ENTRY | TradeID=R1-002 | Side=LONG | Entry=5000.00 | " +
    "Stop=4999.25 | TP=5002.00 | Size=1",
    "2025-03-04T17:00:00-06:00 | FILL | TradeID=R1-002 | Price=5000.00 | Qty=1 | Filled=1 | " +
    "Remaining=0",
    "2025-03-04T17:01:00-06:00 | EXIT | TradeID=R1-002 | Side=LONG | Reason=STOP | " +
    "Exit=4999.25 | Qty=1 | AvgEntry=5000.00 | EntryTime=2025-03-04T17:00:00-06:00 | " +
    "PnLPts=-0.75 | PnLTicks=-3 | Gross=-3.75 | Commission=0.25 | Net=-4.00",
    "2025-03-04T17:02:00-06:00 | SESSION_END | RunID=R1 | Reason=END_OF_DATA | Ticks=10 | " +
    "Bars=2 | Trades=2",
  ].join("\n") + "\n";
}

async function report(text: string, ...args: string[]) {
  const dir = await Deno.makeTempDir({ prefix: "report_day_" });
  try {
    await Deno.writeTextFile(`${dir}/j.text`, text);
    const json = await runMain(["report", `${dir}/j.text`, "--json", ...args]);
    assert.equal(json.code, 0, json.err);
    const plain = await runMain(["report", `${dir}/j.text`, ...args]);
    assert.equal(plain.code, 0, plain.err);
    return { json: JSON.parse(json.out), text: plain.out, err: json.err };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("report: exits at 16:59 and 17:01 Chicago fall on two trading days when SESSION_START says DayStart=17:00", async () => {
  const r = await report(journal(DAY_KEYS));
  assert.deepEqual(r.json.byDay, [
    { date: "2025-03-04", trades: 1, netPnl: 10, winRate: 1, maxDrawdown: 0 },
    { date: "2025-03-05", trades: 1, netPnl: -4, winRate: 0, maxDrawdown: 4 },
  ]);
  // Hours in Chicago, not UTC's 22 and 23.
  assert.deepEqual(r.json.byHour, [
    { hour: 16, trades: 1, netPnl: 10 },
    { hour: 17, trades: 1, netPnl: -4 },
  ]);
  // Days 10 and -4: mean 3, sample sd 14/sqrt(2); Sharpe 3 sqrt(2)/14 x sqrt(252) = 4.810702.
  // Downside sqrt((0 + 16) / 2) = sqrt(8); Sortino 3 / sqrt(8) x sqrt(252) = 16.837458.
  assert.equal(r.json.sharpe, 4.810702);
  assert.equal(r.json.sortino, 16.837458);
  // Times in the run's zone too, as the run's own report shows them.
  assert.match(r.text, /Period: +2025-03-04T16:00:00-06:00 \.\. 2025-03-04T17:02:00-06:00/);
  assert.match(r.text, /\n2025-03-05 +1 +-4\.00/);
  assert.equal(r.err, "");
});

Deno.test("report: the same journal without TimeZone/DayStart counts by UTC date, as before", async () => {
  const r = await report(journal(""));
  assert.deepEqual(r.json.byDay, [
    { date: "2025-03-04", trades: 2, netPnl: 6, winRate: 0.5, maxDrawdown: 4 },
  ]);
  assert.deepEqual(r.json.byHour, [
    { hour: 22, trades: 1, netPnl: 10 },
    { hour: 23, trades: 1, netPnl: -4 },
  ]);
  // One day: no Sharpe or Sortino.
  assert.equal(r.json.sharpe, null);
  assert.equal(r.json.sortino, null);
  assert.match(r.text, /Period: +2025-03-04T22:00:00\+00:00 \.\. 2025-03-04T23:02:00\+00:00/);
});

Deno.test("report --tz ZONE overrides the journal's day: that zone, days from midnight", async () => {
  const r = await report(journal(DAY_KEYS), "--tz", "America/Chicago");
  // Midnight days: both exits on the 4th; hours still Chicago's.
  assert.deepEqual(r.json.byDay.map((d: { date: string }) => d.date), ["2025-03-04"]);
  assert.deepEqual(r.json.byHour.map((h: { hour: number }) => h.hour), [16, 17]);
  const utc = await report(journal(DAY_KEYS), "--tz", "UTC");
  assert.deepEqual(utc.json.byHour.map((h: { hour: number }) => h.hour), [22, 23]);
  assert.match(utc.text, /Period: +2025-03-04T22:00:00\+00:00/);
});

Deno.test("report: runs that count days differently use the first run's, with one note on stderr", async () => {
  // A second run on Wednesday in New York from 18:00: an exit at 17:30 Chicago = 18:30 New York.
  const second = journal(" | TimeZone=America/New_York | DayStart=18:00").replaceAll("R1", "R2")
    .replaceAll("2025-03-04", "2025-03-05");
  const r = await report(journal(DAY_KEYS) + second);
  assert.equal(
    r.err,
    "note: run R2 counts trading days in America/New_York from 18:00, run R1 in " +
      "America/Chicago from 17:00: the report counts them as run R1 does (--tz ZONE counts " +
      "every run in one zone from midnight)",
  );
  // In Chicago from 17:00: R1's two days, then R2's exits at 16:59 (the 5th) and 17:01 (the 6th).
  assert.deepEqual(
    r.json.byDay.map((d: { date: string; netPnl: number }) => [d.date, d.netPnl]),
    [["2025-03-04", 10], ["2025-03-05", 6], ["2025-03-06", -4]],
  );
  // --run R2 alone: R2's own day.
  const only = await report(journal(DAY_KEYS) + second, "--run", "R2");
  assert.equal(only.err, "");
  assert.deepEqual(only.json.byHour.map((h: { hour: number }) => h.hour), [17, 18]);
});

const START: SessionStartEvent = {
  kind: "SESSION_START",
  time: Date.UTC(2025, 2, 4, 22),
  runId: "R1",
  version: "1",
  configDigest: "c",
  source: "test",
  symbol: "MES",
  multiplier: 5,
  tickSize: 0.25,
  currency: "USD",
};
const FORMAT = { timeZone: "America/Chicago", priceDecimals: 2 };

Deno.test("SESSION_START TimeZone and DayStart: written, read back, refused when they would not read back", () => {
  const line = formatEvent(
    { ...START, timeZone: "America/Chicago", dayStartMinute: 1020 },
    FORMAT,
  );
  assert.equal(
    line,
    "2025-03-04T16:00:00-06:00 | SESSION_START | RunID=R1 | Version=1 | Config=c | Source=test | " +
      "Symbol=MES | Multiplier=5 | TickSize=0.25 | Currency=USD | TimeZone=America/Chicago | " +
      "DayStart=17:00",
  );
  assert.deepEqual(parseJournalLine(line, 1, "j"), {
    ...START,
    timeZone: "America/Chicago",
    dayStartMinute: 1020,
  });
  // Midnight is 00:00.
  assert.match(
    formatEvent({ ...START, timeZone: "UTC", dayStartMinute: 0 }, FORMAT),
    /DayStart=00:00$/,
  );
  // Without them, the line is as before.
  assert.match(formatEvent(START, FORMAT), /Currency=USD$/);
  assert.throws(
    () => formatEvent({ ...START, timeZone: "Mars/Base", dayStartMinute: 1020 }, FORMAT),
    { name: "RangeError", message: /TimeZone is "Mars\/Base", not an IANA zone/ },
  );
  // A morning day start cannot be counted from (a day starting 10:00 opens no next date).
  assert.throws(
    () => formatEvent({ ...START, timeZone: "UTC", dayStartMinute: 600 }, FORMAT),
    { name: "RangeError", message: /DayStart is 600/ },
  );
  assert.throws(() => formatEvent({ ...START, timeZone: "UTC" }, FORMAT), /DayStart is undefined/);
  assert.throws(
    () => formatEvent({ ...START, dayStartMinute: 0 }, FORMAT),
    /TimeZone is undefined/,
  );
  const base = formatEvent(START, FORMAT);
  for (
    const [keys, detail] of [
      [" | TimeZone=Mars/Base | DayStart=17:00", 'TimeZone is "Mars/Base", expected an IANA zone'],
      [" | TimeZone=UTC | DayStart=10:00", 'DayStart is "10:00", expected 00:00 or 12:00 to 23:59'],
      [" | TimeZone=UTC | DayStart=17:60", 'DayStart is "17:60"'],
      [" | TimeZone=UTC | DayStart=24:00", 'DayStart is "24:00"'],
      [" | TimeZone=UTC", "SESSION_START is missing DayStart"],
      [" | DayStart=17:00", "SESSION_START is missing TimeZone"],
    ] as const
  ) {
    assert.throws(() => parseJournalLine(base + keys, 3, "j.text"), {
      name: "JournalParseError",
      message: new RegExp(`^Cannot parse journal line at j\\.text:3: .*${escape(detail)}`),
    }, keys);
  }
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

Deno.test("TradingDays from a day start minute counts as from the session starts it came from", () => {
  assert.equal(dayStartMinute(["08:30", "17:00"]), 1020);
  assert.equal(dayStartMinute(["08:30"]), 0);
  assert.deepEqual([formatDayStart(0), formatDayStart(1020)], ["00:00", "17:00"]);
  assert.deepEqual([parseDayStart("00:00"), parseDayStart("12:00"), parseDayStart("11:59")], [
    0,
    720,
    undefined,
  ]);
  const t1659 = Date.UTC(2025, 2, 4, 22, 59);
  const t1701 = Date.UTC(2025, 2, 4, 23, 1);
  for (
    const days of [
      new TradingDays("America/Chicago", ["17:00"]),
      new TradingDays("America/Chicago", 1020),
    ]
  ) {
    assert.deepEqual([days.dayOf(t1659), days.dayOf(t1701)], ["2025-03-04", "2025-03-05"]);
    assert.equal(days.changeMinute, 1020);
  }
  const midnight = new TradingDays("America/Chicago", 0);
  assert.equal(midnight.changeMinute, 1440);
  assert.deepEqual([midnight.dayOf(t1659), midnight.dayOf(t1701)], ["2025-03-04", "2025-03-04"]);
  assert.throws(() => new TradingDays("UTC", 600), RangeError);
  assert.deepEqual(runDay([]), { timeZone: "UTC", dayStart: 0 });
});

Deno.test("report of a generated three-day backtest's journal is the backtest's own report", async () => {
  const dir = await Deno.makeTempDir({ prefix: "report_day_bt_" });
  try {
    const j = `${dir}/j.text`;
    // Round the clock for three days: exits on both sides of 17:00 Chicago and of UTC midnight.
    const bt = await runMain(["backtest", "--days", "3", "--seed", "3", "--journal", j, "--json"]);
    assert.equal(bt.code, 0, bt.err);
    const want = JSON.parse(bt.out);
    const rep = await runMain(["report", j, "--json"]);
    assert.equal(rep.code, 0, rep.err);
    const got = JSON.parse(rep.out);
    assert.ok(want.byDay.length >= 3, `${want.byDay.length} trading days`);
    assert.deepEqual(got.byDay, want.byDay);
    assert.deepEqual([got.sharpe, got.sortino], [want.sharpe, want.sortino]);
    assert.deepEqual(got.byHour, want.byHour);
    assert.deepEqual(got, want);
    // The comparison can fail: counted in UTC days, as report did before, the figures differ.
    const utc = JSON.parse((await runMain(["report", j, "--json", "--tz", "UTC"])).out);
    assert.notDeepEqual(utc.byDay, want.byDay);
    assert.notEqual(utc.sharpe, want.sharpe);
    // The text report: the backtest's, up to its run's own lines (data and journal).
    const j2 = `${dir}/j2.text`;
    const text = await runMain([
      "backtest",
      "--days",
      "3",
      "--seed",
      "3",
      "--journal",
      j2,
      "--quiet",
    ]);
    assert.equal(text.code, 0, text.err);
    const printed = text.out.slice(0, text.out.indexOf("\n\nData: ")).trim();
    const again = await runMain(["report", j2]);
    assert.equal(again.out.trim(), printed);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("RunDays: a live report counts the days its SESSION_START names, not the config's as loaded", () => {
  // The config as loaded says UTC (contract details later gave IB's Chicago hours): the
  // accumulator, subscribed after RunDays, must count 16:59 and 17:01 Chicago as two days.
  const events = journal(DAY_KEYS).trim().split("\n").map((l, i) =>
    parseJournalLine(l, i + 1, "j.text")
  );
  const days = new RunDays(new TradingDays("UTC", []));
  const tally = new ReportAccumulator({
    dayOf: (t) => days.dayOf(t),
    hourOf: (t) => days.hourOf(t),
  });
  for (const e of events) {
    days.onEvent(e);
    tally.add(e);
  }
  const r = tally.report();
  assert.deepEqual(r.byDay.map((d) => [d.date, d.trades, d.netPnl]), [
    ["2025-03-04", 1, 10],
    ["2025-03-05", 1, -4],
  ]);
  assert.deepEqual(r.byHour.map((h) => h.hour), [16, 17]);
  // Without the keys, the loaded config's UTC days stay: one day, hours 22 and 23 (UTC).
  const utc = new RunDays(new TradingDays("UTC", []));
  const tally2 = new ReportAccumulator({
    dayOf: (t) => utc.dayOf(t),
    hourOf: (t) => utc.hourOf(t),
  });
  for (
    const e of journal("").trim().split("\n").map((l, i) => parseJournalLine(l, i + 1, "j.text"))
  ) {
    utc.onEvent(e);
    tally2.add(e);
  }
  const r2 = tally2.report();
  assert.deepEqual(r2.byDay.map((d) => [d.date, d.trades]), [["2025-03-04", 2]]);
  assert.deepEqual(r2.byHour.map((h) => h.hour), [22, 23]);
});
