import { deepStrictEqual, equal, throws } from "node:assert/strict";
import {
  encodeFrame,
  encodeHandshake,
  FrameDecoder,
  FrameWriter,
  parseVersionRange,
  splitFields,
} from "../lib/sim/wire.ts";
import { parseDuration, parseFaultSpec } from "../lib/sim/fault_spec.ts";
import {
  durationStart,
  formatIbDateTime,
  parseBarSize,
  parseIbDateTime,
  parseIbDuration,
} from "../lib/sim/ib_time.ts";
import { listedContracts, matchContracts } from "../lib/sim/contracts.ts";
import { Replay, TickHistory } from "../lib/sim/feed.ts";

const text = new TextDecoder();

function bytes(...parts: Array<number[] | string>): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === "string") out.push(...new TextEncoder().encode(p));
    else out.push(...p);
  }
  return new Uint8Array(out);
}

Deno.test("FrameDecoder reads the API prefix, then frames split at every byte", () => {
  // "API\0" + [len 9]"v100..193" + [len 8]"71\x002\x001\x00\x00"
  const stream = bytes(
    "API\0",
    [0, 0, 0, 9],
    "v100..193",
    [0, 0, 0, 8],
    "71\0" + "2\0" + "1\0" + "\0",
  );
  const dec = new FrameDecoder();
  const frames: string[] = [];
  for (const b of stream) {
    for (const f of dec.push(new Uint8Array([b]))) frames.push(text.decode(f));
  }
  deepStrictEqual(frames, ["v100..193", "71\x002\x001\x00\x00"]);
  equal(dec.pending, 0);
});

Deno.test("FrameDecoder returns every frame of a coalesced read", () => {
  const dec = new FrameDecoder({ expectPrefix: false });
  const one = encodeFrame([49, 1]);
  const two = encodeFrame(["17", 1]);
  const both = new Uint8Array([...one, ...two, ...one.subarray(0, 3)]);
  deepStrictEqual(dec.push(both).map((f) => splitFields(f)), [["49", "1"], ["17", "1"]]);
  equal(dec.pending, 3);
  deepStrictEqual(dec.push(one.subarray(3)).map((f) => splitFields(f)), [["49", "1"]]);
});

Deno.test("FrameDecoder rejects a wrong prefix, a zero length and an absurd length", () => {
  throws(() => new FrameDecoder().push(bytes("GET / HTTP/1.1")), SyntaxError);
  throws(() => new FrameDecoder({ expectPrefix: false }).push(bytes([0, 0, 0, 0])), RangeError);
  throws(
    () => new FrameDecoder({ expectPrefix: false, maxFrame: 1000 }).push(bytes([0, 0, 3, 233])),
    RangeError,
  ); // 1001 > 1000
  throws(
    () => new FrameDecoder({ expectPrefix: false }).push(bytes([0x7f, 0xff, 0xff, 0xff])),
    RangeError,
  );
});

Deno.test("splitFields needs a terminated last field and UTF-8", () => {
  deepStrictEqual(splitFields(bytes("a\0\0b\0")), ["a", "", "b"]);
  throws(() => splitFields(bytes("a\0b")), SyntaxError);
  throws(() => splitFields(new Uint8Array([0xff, 0xfe, 0])), SyntaxError);
});

Deno.test("FrameWriter writes the same bytes as encodeFrame, frame after frame", () => {
  const w = new FrameWriter();
  w.write([99, 7, 1, 1700000000, 5000.25, 3, 0, "CME", ""]);
  w.write(["é"]);
  const expected = new Uint8Array([
    ...encodeFrame([99, 7, 1, 1700000000, 5000.25, 3, 0, "CME", ""]),
    ...encodeFrame(["é"]),
  ]);
  deepStrictEqual(w.take(), expected);
  equal(w.length, 0);
  // "é" is 2 bytes in UTF-8: length prefix 3 including the NUL.
  deepStrictEqual([...encodeFrame(["é"]).subarray(0, 4)], [0, 0, 0, 3]);
});

Deno.test("encodeHandshake and parseVersionRange agree; bad ranges are SyntaxErrors", () => {
  const hs = encodeHandshake(100, 193);
  equal(text.decode(hs.subarray(8)), "v100..193");
  deepStrictEqual(parseVersionRange("v100..193"), { min: 100, max: 193 });
  deepStrictEqual(parseVersionRange("v157"), { min: 157, max: 157 });
  deepStrictEqual(parseVersionRange("v157..178 +PACEAPI"), { min: 157, max: 178 });
  throws(() => parseVersionRange("v193..100"), SyntaxError);
  throws(() => parseVersionRange("hello"), SyntaxError);
});

Deno.test("parseFaultSpec reads delays, clock times and durations", () => {
  deepStrictEqual(parseFaultSpec("drop@+30s"), {
    kind: "drop",
    when: { afterMs: 30_000 },
    durationMs: undefined,
  });
  deepStrictEqual(parseFaultSpec("refuse@+60s:20s"), {
    kind: "refuse",
    when: { afterMs: 60_000 },
    durationMs: 20_000,
  });
  deepStrictEqual(parseFaultSpec("1102@+2m"), {
    kind: "1102",
    when: { afterMs: 120_000 },
    durationMs: 2_000,
  });
  deepStrictEqual(parseFaultSpec("silent@+4m:30s"), {
    kind: "silent",
    when: { afterMs: 240_000 },
    durationMs: 30_000,
  });
  // 23:45 is minute 23*60+45 = 1425.
  deepStrictEqual(parseFaultSpec("reset@23:45"), {
    kind: "reset",
    when: { minuteOfDay: 1425 },
    durationMs: 60_000,
  });
  deepStrictEqual(parseFaultSpec("reset@23:45:2m"), {
    kind: "reset",
    when: { minuteOfDay: 1425 },
    durationMs: 120_000,
  });
  equal(parseDuration("250ms"), 250);
  equal(parseDuration("1.5h"), 5_400_000);
  throws(() => parseFaultSpec("explode@+1s"), SyntaxError);
  throws(() => parseFaultSpec("drop@+1s:5s"), SyntaxError);
  throws(() => parseFaultSpec("reset@24:00"), SyntaxError);
  throws(() => parseFaultSpec("drop@30s"), SyntaxError);
});

Deno.test("parseIbDateTime reads zoned, UTC-dash and default-zone forms", () => {
  // 2025-06-10 09:30:00 New York (EDT, UTC-4) = 13:30:00 UTC.
  equal(parseIbDateTime("20250610 09:30:00 US/Eastern", "UTC"), Date.UTC(2025, 5, 10, 13, 30));
  equal(parseIbDateTime("20250610-13:30:05", "US/Eastern"), Date.UTC(2025, 5, 10, 13, 30, 5));
  equal(parseIbDateTime("20250610 13:30:05", "UTC"), Date.UTC(2025, 5, 10, 13, 30, 5));
  equal(parseIbDateTime("20250110 09:30:00", "America/Chicago"), Date.UTC(2025, 0, 10, 15, 30));
  throws(() => parseIbDateTime("2025-06-10 09:30", "UTC"), SyntaxError);
  throws(() => parseIbDateTime("20250610 09:30:00 Mars/Base", "UTC"), SyntaxError);
  throws(() => parseIbDateTime("20250610-09:30:00 UTC", "UTC"), SyntaxError);
  equal(
    formatIbDateTime(Date.UTC(2025, 5, 10, 13, 30), "US/Eastern"),
    "20250610 09:30:00 US/Eastern",
  );
});

Deno.test("IB durations and bar sizes parse to milliseconds", () => {
  const end = Date.UTC(2025, 2, 31, 12);
  equal(durationStart(end, parseIbDuration("3600 S")), end - 3_600_000);
  equal(durationStart(end, parseIbDuration("2 D")), end - 2 * 86_400_000);
  equal(durationStart(end, parseIbDuration("1 W")), end - 7 * 86_400_000);
  // Calendar month back from Mar 31 lands on "Feb 31", which JavaScript rolls to Mar 3.
  equal(durationStart(end, parseIbDuration("1 M")), Date.UTC(2025, 2, 3, 12));
  equal(parseBarSize("1 secs"), 1000);
  equal(parseBarSize("15 secs"), 15_000);
  equal(parseBarSize("1 min"), 60_000);
  equal(parseBarSize("4 hours"), 14_400_000);
  equal(parseBarSize("1 day"), 86_400_000);
  throws(() => parseBarSize("7 mins"), SyntaxError);
  throws(() => parseIbDuration("0 D"), SyntaxError);
  throws(() => parseIbDuration("3 days"), SyntaxError);
});

Deno.test("contract catalog lists quarterly ES expiries on third Fridays, front first", () => {
  const now = Date.UTC(2025, 5, 10, 12); // 2025-06-10
  const es = listedContracts("ES", now);
  // Third Fridays: 2025-06-20, 2025-09-19, 2025-12-19, 2026-03-20, 2026-06-19.
  deepStrictEqual(es.map((c) => c.lastTradeDate), [
    "20250620",
    "20250919",
    "20251219",
    "20260320",
    "20260619",
  ]);
  deepStrictEqual(es.map((c) => c.localSymbol), ["ESM5", "ESU5", "ESZ5", "ESH6", "ESM6"]);
  // After the June expiry (08:30 CT = 13:30 UTC on 06-20) the front is September.
  equal(listedContracts("ES", Date.UTC(2025, 5, 20, 13, 31))[0]!.localSymbol, "ESU5");
  const q = {
    conId: 0,
    symbol: "MES",
    secType: "FUT",
    exchange: "CME",
    currency: "USD",
    localSymbol: "",
    tradingClass: "",
  };
  equal(
    matchContracts({ ...q, lastTradeDateOrContractMonth: "202509" }, now)[0]!.localSymbol,
    "MESU5",
  );
  equal(matchContracts({ ...q, lastTradeDateOrContractMonth: "" }, now).length, 5);
  equal(matchContracts({ ...q, symbol: "ZZZ", lastTradeDateOrContractMonth: "" }, now).length, 0);
});

Deno.test("Replay shifts by whole seconds and runs the clock at the speed factor", () => {
  const ticks = [{ ts: 1_000_500, price: 1, size: 1 }, { ts: 1_002_500, price: 2, size: 1 }];
  let i = 0;
  const start = 50_000_250;
  const r = new Replay({ next: () => ticks[i++] }, { speed: 10, startWallMs: start });
  // shift = ceil((50_000_250 - 1_000_500) / 1000) * 1000 = 49_000_000
  equal(r.shiftMs, 49_000_000);
  equal(r.peekTs(), 50_000_500);
  equal(r.simNow(start + 100), start + 1000);
  const got: number[] = [];
  equal(r.take(start + 100, 10, (ts) => got.push(ts)), 1); // sim 50_001_250 >= 50_000_500 only
  equal(r.wallDelayToNext(start + 100), (50_002_500 - 50_001_250) / 10);
  deepStrictEqual(got, [50_000_500]);
});

Deno.test("TickHistory drops its oldest half when full and keeps lookups right", () => {
  const h = new TickHistory({ maxTicks: 8 });
  for (let i = 0; i < 9; i++) h.push(i * 10, i, 1);
  // Full at 8: oldest 4 dropped, then 80 appended: times 40..80.
  equal(h.count, 5);
  equal(h.ts(0), 40);
  equal(h.lowerBound(55), 2);
  equal(h.lowerBound(1000), 5);
});
