/**
 * The session schedule (session starts across DST changes, new-session detection) and the
 * liquid hours (windows checked against Intl minute by minute). The price indicators are in
 * indicators_test.ts.
 */
import assert from "node:assert/strict";
import { LiquidHours } from "../lib/indicators/liquid_hours.ts";
import { SessionSchedule } from "../lib/indicators/session_schedule.ts";

// ---------------------------------------------------------------------------------------
// Session schedule and liquid hours.

const MIN = 60_000;
const utc = (iso: string) => Date.parse(iso);

/** Local minute of day of `ms` in `timeZone`, straight from Intl (not lib/time/zone.ts). */
const intlFormats = new Map<string, Intl.DateTimeFormat>();
function intlMinuteOfDay(ms: number, timeZone: string): number {
  let f = intlFormats.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      hour: "2-digit",
      minute: "2-digit",
    });
    intlFormats.set(timeZone, f);
  }
  const parts = f.formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return get("hour") * 60 + get("minute");
}

Deno.test("SessionSchedule finds Chicago 17:00 starts across the March DST change", () => {
  const s = new SessionSchedule({ timeZone: "America/Chicago", starts: ["17:00"] });
  // Fri 2025-03-07 and Sat 03-08 are CST (UTC-6): 17:00 = 23:00Z.
  assert.equal(s.nextStartAfter(utc("2025-03-07T12:00:00Z")), utc("2025-03-07T23:00:00Z"));
  assert.equal(s.nextStartAfter(utc("2025-03-07T23:00:00Z")), utc("2025-03-08T23:00:00Z"));
  // Clocks go forward at 02:00 on Sun 03-09: 17:00 CDT (UTC-5) = 22:00Z, 23 h later.
  assert.equal(s.nextStartAfter(utc("2025-03-08T23:00:00Z")), utc("2025-03-09T22:00:00Z"));
  assert.equal(s.nextStartAfter(utc("2025-03-09T21:59:59.999Z")), utc("2025-03-09T22:00:00Z"));
  assert.equal(s.startAtOrBefore(utc("2025-03-09T21:59:59.999Z")), utc("2025-03-08T23:00:00Z"));
  assert.equal(s.startAtOrBefore(utc("2025-03-09T22:00:00Z")), utc("2025-03-09T22:00:00Z"));
});

Deno.test("SessionSchedule finds Chicago 17:00 starts across the November DST change", () => {
  const s = new SessionSchedule({ timeZone: "America/Chicago", starts: ["17:00"] });
  // Sat 2025-11-01 is CDT: 17:00 = 22:00Z.
  assert.equal(s.nextStartAfter(utc("2025-11-01T21:00:00Z")), utc("2025-11-01T22:00:00Z"));
  // Clocks go back at 02:00 on Sun 11-02: 17:00 CST = 23:00Z, 25 h later.
  assert.equal(s.nextStartAfter(utc("2025-11-01T22:00:00Z")), utc("2025-11-02T23:00:00Z"));
  // 06:30Z on 11-02 is 01:30 local (after the fall-back); still the same next start.
  assert.equal(s.nextStartAfter(utc("2025-11-02T06:30:00Z")), utc("2025-11-02T23:00:00Z"));
  assert.equal(s.nextStartAfter(utc("2025-11-02T23:00:00Z")), utc("2025-11-03T23:00:00Z"));
});

Deno.test("SessionSchedule handles two Singapore starts given out of order", () => {
  // Asia/Singapore is UTC+8 all year: 09:00 = 01:00Z, 17:00 = 09:00Z.
  const s = new SessionSchedule({ timeZone: "Asia/Singapore", starts: ["17:00", "09:00"] });
  assert.deepEqual(s.startMinutes, [540, 1020]);
  assert.equal(s.nextStartAfter(utc("2025-01-06T00:00:00Z")), utc("2025-01-06T01:00:00Z"));
  assert.equal(s.nextStartAfter(utc("2025-01-06T01:00:00Z")), utc("2025-01-06T09:00:00Z"));
  assert.equal(s.nextStartAfter(utc("2025-01-06T09:00:00Z")), utc("2025-01-07T01:00:00Z"));
  // 16:30Z is 00:30 local on 01-07: the next start is 09:00 local that day.
  assert.equal(s.nextStartAfter(utc("2025-01-06T16:30:00Z")), utc("2025-01-07T01:00:00Z"));
  assert.equal(s.startAtOrBefore(utc("2025-01-06T16:30:00Z")), utc("2025-01-06T09:00:00Z"));
});

Deno.test("SessionSchedule.isNewSession flags exactly the ticks that cross a start", () => {
  const zone = "America/Chicago";
  const s = new SessionSchedule({ timeZone: zone, starts: ["17:00"] });
  // Walk in uneven steps over both 2025 DST changes; a tick starts a new session when a
  // local 17:00 lies in (previous tick, this tick], found by checking every minute.
  const spans = [
    ["2025-03-07T12:00:00Z", "2025-03-11T00:00:00Z"],
    ["2025-10-31T12:00:00Z", "2025-11-04T00:00:00Z"],
  ] as const;
  for (const [from, to] of spans) {
    s.resetTracking();
    let prev = utc(from);
    assert.equal(s.isNewSession(prev), false, "first call only starts tracking");
    let step = 0;
    let flagged = 0;
    while (prev < utc(to)) {
      const t = prev + (1 + (step++ % 13)) * MIN + 17_000;
      let expected = false;
      for (let m = Math.floor(prev / MIN) * MIN + MIN; m <= t; m += MIN) {
        if (intlMinuteOfDay(m, zone) === 17 * 60) expected = true;
      }
      assert.equal(s.isNewSession(t), expected, `tick at ${new Date(t).toISOString()}`);
      if (expected) flagged++;
      prev = t;
    }
    assert.equal(flagged, 4, `four sessions start between ${from} and ${to}`);
  }
});

Deno.test("SessionSchedule.isNewSession flags a jump back before the session start", () => {
  const s = new SessionSchedule({ timeZone: "Asia/Singapore", starts: ["09:00", "17:00"] });
  s.isNewSession(utc("2025-01-06T02:00:00Z")); // 10:00 local, session from 09:00
  assert.equal(s.isNewSession(utc("2025-01-06T01:30:00Z")), false, "same session, earlier");
  assert.equal(s.isNewSession(utc("2025-01-06T00:59:00Z")), true, "back into the previous one");
  assert.equal(s.isNewSession(utc("2025-01-09T00:00:00Z")), true, "days later");
  assert.equal(s.isNewSession(utc("2025-01-09T00:00:00Z")), false, "same instant again");
});

Deno.test("SessionSchedule rejects bad zones and start times", () => {
  assert.throws(
    () => new SessionSchedule({ timeZone: "Mars/Olympus", starts: ["17:00"] }),
    RangeError,
  );
  assert.throws(() => new SessionSchedule({ timeZone: "UTC", starts: [] }), RangeError);
  assert.throws(() => new SessionSchedule({ timeZone: "UTC", starts: ["9:00"] }), SyntaxError);
  assert.throws(() => new SessionSchedule({ timeZone: "UTC", starts: ["24:00"] }), RangeError);
  const s = new SessionSchedule({ timeZone: "UTC", starts: ["00:00"] });
  assert.throws(() => s.nextStartAfter(NaN), RangeError);
});

Deno.test("LiquidHours checks Chicago windows, one wrapping midnight, at their edges", () => {
  const lh = new LiquidHours({
    timeZone: "America/Chicago",
    windows: ["08:30-15:00", "17:00-05:15"],
  });
  // Winter, CST = UTC-6.
  const cases: [string, boolean][] = [
    ["2025-01-06T14:29:59.999Z", false], // 08:29:59
    ["2025-01-06T14:30:00Z", true], // 08:30, start inclusive
    ["2025-01-06T20:59:59.999Z", true], // 14:59:59
    ["2025-01-06T21:00:00Z", false], // 15:00, end exclusive
    ["2025-01-06T22:59:00Z", false], // 16:59
    ["2025-01-06T23:00:00Z", true], // 17:00
    ["2025-01-07T05:59:00Z", true], // 23:59
    ["2025-01-07T06:00:00Z", true], // 00:00
    ["2025-01-07T11:14:59Z", true], // 05:14:59
    ["2025-01-07T11:15:00Z", false], // 05:15
    // Summer, CDT = UTC-5.
    ["2025-07-07T13:29:00Z", false], // 08:29
    ["2025-07-07T13:30:00Z", true], // 08:30
    ["2025-07-07T10:15:00Z", false], // 05:15
    ["2025-07-07T10:14:00Z", true], // 05:14 (query going back in time)
  ];
  for (const [iso, expected] of cases) assert.equal(lh.isLiquid(utc(iso)), expected, iso);
});

Deno.test("LiquidHours agrees with Intl minute by minute over both DST changes", () => {
  const zone = "America/Chicago";
  const windows = ["08:30-15:00", "17:00-05:15", "01:30-02:30"];
  const spans: [number, number][] = [[510, 900], [1020, 315], [90, 150]];
  const expectedAt = (ms: number) => {
    const m = intlMinuteOfDay(ms, zone);
    return spans.some(([s, e]) => (s < e ? m >= s && m < e : m >= s || m < e));
  };
  const lh = new LiquidHours({ timeZone: zone, windows });
  for (const day of ["2025-03-08T18:00:00Z", "2025-11-01T18:00:00Z"]) {
    const start = utc(day);
    for (let t = start; t < start + 36 * 60 * MIN; t += MIN) {
      for (const offset of [0, 59_999]) {
        const ms = t + offset;
        assert.equal(lh.isLiquid(ms), expectedAt(ms), new Date(ms).toISOString());
      }
    }
  }
});

Deno.test("LiquidHours with no windows is always liquid; bad windows are rejected", () => {
  const always = new LiquidHours({ timeZone: "UTC", windows: [] });
  assert.equal(always.isLiquid(0), true);
  assert.equal(always.isLiquid(utc("2025-06-01T03:00:00Z")), true);
  assert.throws(() => new LiquidHours({ timeZone: "UTC", windows: ["17:00"] }), SyntaxError);
  assert.throws(() => new LiquidHours({ timeZone: "UTC", windows: ["17:00-17:00"] }), RangeError);
  assert.throws(() => new LiquidHours({ timeZone: "UTC", windows: ["17:00-25:00"] }), RangeError);
  assert.throws(() => new LiquidHours({ timeZone: "Nowhere/Zone", windows: [] }), RangeError);
});
