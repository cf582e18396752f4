/**
 * formatIsoOffset keeps the date part per local day and computes the clock; its text must be
 * what the Date's own ISO form gives for the same local instant, for any ms (fractional,
 * negative, across days in any order) and zone.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { formatIsoOffset, zoneOffsetMinutes } from "../lib/time/zone.ts";

const ZONES = ["America/Chicago", "UTC", "Asia/Kathmandu", "Europe/London", "Pacific/Chatham"];

/** The reference: toISOString of the local instant (it pads years below 1000: not tested), with the offset. */
function reference(ms: number, zone: string, millis: boolean): string {
  const off = zoneOffsetMinutes(ms, zone);
  const iso = new Date(ms + off * 60_000).toISOString(); // "YYYY-MM-DDTHH:MM:SS.mmmZ"
  const frac = iso.slice(19, 23);
  const a = Math.abs(off);
  const hh = String(Math.floor(a / 60)).padStart(2, "0");
  const mm = String(a % 60).padStart(2, "0");
  return iso.slice(0, 19) + (millis || frac !== ".000" ? frac : "") + (off < 0 ? "-" : "+") +
    `${hh}:${mm}`;
}

Deno.test("property: formatIsoOffset equals the Date's ISO text of the local instant", () => {
  const ms = fc.oneof(
    fc.double({ min: -30_600_000_000_000, max: 253_000_000_000_000, noNaN: true }),
    fc.integer({ min: -86_400_000 * 3, max: 86_400_000 * 3 }),
    fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 }),
  );
  fc.assert(
    fc.property(ms, fc.constantFrom(...ZONES), fc.boolean(), (t, zone, millis) => {
      assert.equal(formatIsoOffset(t, zone, millis), reference(t, zone, millis));
    }),
    { numRuns: 20_000 },
  );
});

Deno.test("formatIsoOffset by hand: a DST day in Chicago, a fraction, the day before the epoch", () => {
  // 2024-03-10 07:59:59.999Z is 01:59:59.999 CST; a ms later, 03:00 CDT.
  const t = Date.UTC(2024, 2, 10, 7, 59, 59, 999);
  assert.equal(formatIsoOffset(t, "America/Chicago"), "2024-03-10T01:59:59.999-06:00");
  assert.equal(formatIsoOffset(t + 1, "America/Chicago"), "2024-03-10T03:00:00-05:00");
  assert.equal(formatIsoOffset(t + 1, "America/Chicago", true), "2024-03-10T03:00:00.000-05:00");
  assert.equal(formatIsoOffset(1.9, "UTC"), "1970-01-01T00:00:00.001+00:00");
  assert.equal(formatIsoOffset(-1, "UTC"), "1969-12-31T23:59:59.999+00:00");
  assert.equal(formatIsoOffset(-0.5, "UTC"), "1970-01-01T00:00:00+00:00");
  assert.equal(formatIsoOffset(0, "Asia/Kathmandu"), "1970-01-01T05:30:00+05:30");
});

/** The reference offset: the zone's wall clock at the hour, from Intl's parts, minus the UTC. */
function referenceOffset(ms: number, zone: string): number {
  const hour = Math.floor(ms / 3_600_000) * 3_600_000;
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(hour));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(
    get("year"),
    get("month") - 1,
    get("day"),
    get("hour"),
    get("minute"),
    get("second"),
  );
  return Math.round((wall - hour) / 60_000);
}

Deno.test("property: zoneOffsetMinutes equals the offset read from Intl's parts, years 1..9999", () => {
  const ms = fc.oneof(
    fc.integer({ min: -62_100_000_000_000, max: 253_000_000_000_000 }),
    fc.integer({ min: 1_300_000_000_000, max: 1_800_000_000_000 }),
  );
  fc.assert(
    fc.property(ms, fc.constantFrom(...ZONES), (t, zone) => {
      assert.equal(zoneOffsetMinutes(t, zone), referenceOffset(t, zone));
    }),
    { numRuns: 5_000 },
  );
  // By hand: Chicago in winter and summer, Kathmandu since 1986.
  assert.equal(zoneOffsetMinutes(Date.UTC(2024, 0, 15), "America/Chicago"), -360);
  assert.equal(zoneOffsetMinutes(Date.UTC(2024, 6, 15), "America/Chicago"), -300);
  assert.equal(zoneOffsetMinutes(Date.UTC(2024, 6, 15), "Asia/Kathmandu"), 345);
});
