import assert from "node:assert/strict";
import type { Tick, TickBatch } from "../lib/types.ts";
import { Random } from "../lib/gen/random.ts";
import { SessionCalendar } from "../lib/gen/session_profile.ts";
import { parseHhmm } from "../lib/time/hhmm.ts";
import {
  demoSession,
  generateSession,
  type GenerateSessionOptions,
  TickGenerator,
} from "../lib/gen/generator.ts";
import { TICK_CSV_HEADER, TickCsvFormatter } from "../lib/gen/csv_format.ts";
import { writeTickCsv } from "../lib/gen/csv_writer.ts";

const CHICAGO = "America/Chicago";

// ---------------------------------------------------------------- helpers (independent)

/** Reference sfc32 seeded via splitmix32, in BigInt arithmetic (no 32-bit tricks). */
function referenceSfc32(seed: number, count: number): number[] {
  const M = 0xffffffffn;
  const big = BigInt(seed);
  const lo = BigInt.asUintN(32, big);
  const hi = BigInt.asUintN(32, big >> 32n);
  let s = (lo ^ ((hi * 0x85ebca6bn) & M)) & M;
  const mix = (): bigint => {
    s = (s + 0x9e3779b9n) & M;
    let z = s;
    z = ((z ^ (z >> 16n)) * 0x21f0aaadn) & M;
    z = ((z ^ (z >> 15n)) * 0x735a2d97n) & M;
    return z ^ (z >> 15n);
  };
  let a = mix(), b = mix(), c = mix(), d = mix();
  const step = (): bigint => {
    const t = (a + b + d) & M;
    d = (d + 1n) & M;
    a = b ^ (b >> 9n);
    b = (c + (c << 3n)) & M;
    c = (((c << 21n) & M) | (c >> 11n)) + t & M;
    return t;
  };
  for (let i = 0; i < 12; i++) step();
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(Number(step()));
  return out;
}

const localFmt = new Intl.DateTimeFormat("en-US", {
  timeZone: CHICAGO,
  hourCycle: "h23",
  weekday: "short",
  hour: "2-digit",
  minute: "2-digit",
});
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const localCache = new Map<number, { weekday: number; minuteOfDay: number }>();

/** Chicago weekday (0 = Sunday) and minute of day, straight from Intl. */
function chicago(ms: number): { weekday: number; minuteOfDay: number } {
  const minute = Math.floor(ms / 60_000);
  let hit = localCache.get(minute);
  if (hit === undefined) {
    const parts = localFmt.formatToParts(new Date(minute * 60_000));
    const get = (t: string) => parts.find((p) => p.type === t)!.value;
    hit = {
      weekday: WEEKDAYS.indexOf(get("weekday")),
      minuteOfDay: Number(get("hour")) * 60 + Number(get("minute")),
    };
    localCache.set(minute, hit);
  }
  return hit;
}

/** Chicago wall time to UTC ms, found by trying the two possible offsets (CST/CDT). */
function chicagoMs(y: number, m: number, d: number, hh: number, mm: number): number {
  for (const offH of [6, 5]) {
    const ms = Date.UTC(y, m - 1, d, hh + offH, mm);
    if (chicago(ms).minuteOfDay === hh * 60 + mm) return ms;
  }
  throw new Error("no such Chicago time");
}

function newBatch(n: number): TickBatch {
  return {
    ts: new Float64Array(n),
    price: new Float64Array(n),
    size: new Float64Array(n),
    count: 0,
  };
}

function mesOptions(
  seed: number,
  overrides: Partial<GenerateSessionOptions> = {},
): GenerateSessionOptions {
  return { ...demoSession(seed), ...overrides };
}

/**
 * Reference of the default strategy on 30 s clock-aligned bars: long when EMA9 > EMA21,
 * close > session VWAP, RSI9 > 50, RVOL(20) > 1.5, after 21 calibration bars; enter at the
 * bar close, stop 1.5 x ATR9 below, target 3 points above; one position at a time.
 */
function referenceStrategy(ticks: Tick[]): { entries: number; wins: number; losses: number } {
  let emaF: number | undefined, emaS: number | undefined, prevClose: number | undefined;
  let avgGain = 0, avgLoss = 0, rsiCount = 0, rsi: number | undefined;
  let atr: number | undefined, trCount = 0, trSum = 0;
  let pv = 0, vol = 0, bars = 0;
  const volumes: number[] = [];
  let pos: { stop: number; target: number } | undefined;
  let entries = 0, wins = 0, losses = 0;
  let start = -1, h = 0, l = 0, c = 0, v = 0;
  const closeBar = () => {
    bars++;
    emaF = emaF === undefined ? c : emaF + (2 / 10) * (c - emaF);
    emaS = emaS === undefined ? c : emaS + (2 / 22) * (c - emaS);
    if (prevClose !== undefined) {
      const gain = Math.max(c - prevClose, 0), loss = Math.max(prevClose - c, 0);
      if (rsiCount < 9) {
        avgGain += gain / 9;
        avgLoss += loss / 9;
        rsiCount++;
      } else {
        avgGain = (avgGain * 8 + gain) / 9;
        avgLoss = (avgLoss * 8 + loss) / 9;
      }
      if (rsiCount === 9) rsi = avgLoss === 0 ? 100 : 100 - 100 / (1 + avgGain / avgLoss);
    }
    const tr = prevClose === undefined
      ? h - l
      : Math.max(h - l, Math.abs(h - prevClose), Math.abs(l - prevClose));
    if (trCount < 9) {
      trSum += tr;
      if (++trCount === 9) atr = trSum / 9;
    } else atr = (atr! * 8 + tr) / 9;
    let rvol: number | undefined;
    if (volumes.length >= 20) rvol = v / (volumes.slice(-20).reduce((x, y) => x + y, 0) / 20);
    volumes.push(v);
    prevClose = c;
    if (
      pos === undefined && bars >= 21 && rsi !== undefined && atr !== undefined &&
      rvol !== undefined && emaF > emaS! && c > pv / vol && rsi > 50 && rvol > 1.5
    ) {
      pos = { stop: c - 1.5 * atr, target: c + 3 };
      entries++;
    }
  };
  for (const t of ticks) {
    const s = Math.floor(t.ts / 30_000) * 30_000;
    if (s !== start) {
      if (start >= 0) closeBar();
      start = s;
      h = l = t.price;
      v = 0;
    }
    h = Math.max(h, t.price);
    l = Math.min(l, t.price);
    c = t.price;
    v += t.size;
    pv += t.price * t.size;
    vol += t.size;
    if (pos !== undefined) {
      if (t.price <= pos.stop) {
        losses++;
        pos = undefined;
      } else if (t.price >= pos.target) {
        wins++;
        pos = undefined;
      }
    }
  }
  return { entries, wins, losses };
}

const demo1 = generateSession(demoSession(1));

// ---------------------------------------------------------------- Random

Deno.test("Random matches a BigInt reference of sfc32 seeded by splitmix32", () => {
  for (const seed of [0, 1, 42, -5, 2 ** 40 + 3]) {
    const r = new Random(seed);
    const got = Array.from({ length: 500 }, () => r.uint32());
    assert.deepEqual(got, referenceSfc32(seed, 500), `seed ${seed}`);
  }
});

Deno.test("Random gives the same sequence for a seed and different ones for other seeds", () => {
  const draw = (seed: number) => {
    const r = new Random(seed);
    return Array.from({ length: 50 }, () => [r.float(), r.normal(), r.exponential(2)]).flat();
  };
  assert.deepEqual(draw(7), draw(7));
  assert.notDeepEqual(draw(7), draw(8));
  // The high bits of a seed matter too.
  assert.notDeepEqual(draw(1), draw(2 ** 32 + 1));
  assert.throws(() => new Random(1.5), RangeError);
  assert.throws(() => new Random(Number.NaN), RangeError);
});

Deno.test("Random distributions have their textbook moments", () => {
  const r = new Random(123);
  const n = 200_000;
  let sumU = 0, sumN = 0, sumN2 = 0, sumE = 0, minU = 1, maxU = 0;
  const ints = new Set<number>();
  for (let i = 0; i < n; i++) {
    const u = r.float();
    sumU += u;
    minU = Math.min(minU, u);
    maxU = Math.max(maxU, u);
    const z = r.normal(10, 2);
    sumN += z;
    sumN2 += z * z;
    sumE += r.exponential(4);
    ints.add(r.int(3, 6));
  }
  // Standard errors: uniform 0.29/sqrt(n) = 0.0006; normal mean 2/sqrt(n) = 0.0045.
  assert.ok(Math.abs(sumU / n - 0.5) < 0.003);
  assert.ok(minU >= 0 && maxU < 1);
  const mean = sumN / n;
  assert.ok(Math.abs(mean - 10) < 0.03);
  assert.ok(Math.abs(Math.sqrt(sumN2 / n - mean * mean) - 2) < 0.03);
  assert.ok(Math.abs(sumE / n - 0.25) < 0.005); // mean 1/rate
  assert.deepEqual([...ints].sort(), [3, 4, 5, 6]);
});

Deno.test("Random.paretoInt has P(X >= k) = k^-alpha and respects the cap", () => {
  const r = new Random(9);
  const n = 200_000;
  const counts = { ge2: 0, ge5: 0, ge50: 0 };
  let max = 0;
  for (let i = 0; i < n; i++) {
    const x = r.paretoInt(1.2, 300);
    assert.ok(Number.isInteger(x) && x >= 1);
    if (x >= 2) counts.ge2++;
    if (x >= 5) counts.ge5++;
    if (x >= 50) counts.ge50++;
    max = Math.max(max, x);
  }
  // 2^-1.2 = 0.4353, 5^-1.2 = 0.1450, 50^-1.2 = 0.00914.
  assert.ok(Math.abs(counts.ge2 / n - 0.4353) < 0.005);
  assert.ok(Math.abs(counts.ge5 / n - 0.145) < 0.004);
  assert.ok(Math.abs(counts.ge50 / n - 0.00914) < 0.0012);
  assert.equal(max, 300); // P(X >= 300) = 0.001, so the cap is hit about 200 times
});

// ---------------------------------------------------------------- SessionCalendar

Deno.test("SessionCalendar closes the CME break and the weekend", () => {
  const cal = new SessionCalendar({ sessionBreak: { start: "16:00", end: "17:00" } });
  const at = (hhmm: string) => parseHhmm(hhmm, "test");
  assert.equal(cal.isClosed(at("15:59"), 1), false);
  assert.equal(cal.isClosed(at("16:00"), 1), true);
  assert.equal(cal.isClosed(at("16:59"), 3), true);
  assert.equal(cal.isClosed(at("17:00"), 3), false);
  assert.equal(cal.isClosed(at("15:59"), 5), false); // Friday before the close
  assert.equal(cal.isClosed(at("18:00"), 5), true); // Friday evening
  assert.equal(cal.isClosed(at("12:00"), 6), true); // Saturday
  assert.equal(cal.isClosed(at("16:59"), 0), true); // Sunday before the open
  assert.equal(cal.isClosed(at("17:00"), 0), false); // Sunday open
  const noWeekend = new SessionCalendar({
    sessionBreak: { start: "23:00", end: "01:00" }, // wraps midnight
    closedWeekends: false,
  });
  assert.equal(noWeekend.isClosed(at("23:30"), 6), true);
  assert.equal(noWeekend.isClosed(at("00:30"), 6), true);
  assert.equal(noWeekend.isClosed(at("12:00"), 6), false);
});

Deno.test("SessionCalendar.activity is U-shaped in liquid hours and light overnight", () => {
  const cal = new SessionCalendar({ liquidHours: { start: "08:30", end: "15:00" } });
  // Mid-minute: 0.5 min after the open, 389.5 min before the close.
  const open = 1 + 3 * Math.exp(-0.5 / 20) + 1.8 * Math.exp(-389.5 / 25);
  assert.ok(Math.abs(cal.activity(8 * 60 + 30) - open) < 1e-12);
  // Last minute: 389.5 min after the open, 0.5 min to the close.
  const close = 1 + 3 * Math.exp(-389.5 / 20) + 1.8 * Math.exp(-0.5 / 25);
  assert.ok(Math.abs(cal.activity(14 * 60 + 59) - close) < 1e-12);
  assert.ok(Math.abs(cal.activity(12 * 60) - 1) < 0.01);
  assert.equal(cal.activity(22 * 60), 0.12);
  assert.ok(cal.activity(8 * 60) > 0.12 && cal.activity(8 * 60) < 0.5); // pre-open ramp
  assert.equal(new SessionCalendar().activity(3 * 60), 1);
});

Deno.test("parseHhmm rejects malformed and out-of-range times", () => {
  assert.equal(parseHhmm("17:05", "x"), 1025);
  assert.throws(() => parseHhmm("5:00", "sessionBreak.start"), SyntaxError);
  assert.throws(() => parseHhmm("24:00", "sessionBreak.start"), /sessionBreak.start/);
  assert.throws(() => parseHhmm("12:60", "x"), RangeError);
});

// ---------------------------------------------------------------- TickGenerator

Deno.test("TickGenerator gives the same stream for a seed and a different one for another", () => {
  assert.deepEqual(generateSession(demoSession(1)), demo1);
  const other = generateSession(demoSession(2));
  assert.notDeepEqual(other.slice(0, 100), demo1.slice(0, 100));
});

Deno.test("TickGenerator.fillBatch yields the same ticks as next() and keeps the tick at untilMs", () => {
  const gen = new TickGenerator(demoSession(1));
  const batch = newBatch(1000);
  const got: Tick[] = [];
  const cut = demo1[5000]!.ts;
  const take = (n: number) => {
    for (let i = 0; i < n; i++) {
      got.push({ ts: batch.ts[i]!, price: batch.price[i]!, size: batch.size[i]! });
    }
    return n;
  };
  // Odd-sized pieces up to `cut`; the tick at `cut` must wait for the next call.
  while (take(gen.fillBatch(batch, 777, cut)) > 0);
  assert.equal(got.length, demo1.findIndex((t) => t.ts >= cut));
  assert.equal(gen.peekTs(), cut);
  assert.equal(gen.done, false);
  while (take(gen.fillBatch(batch)) > 0);
  assert.equal(batch.count, 0);
  assert.equal(gen.done, true);
  assert.equal(gen.next(), undefined);
  assert.deepEqual(got, demo1);
});

Deno.test("TickGenerator prices are exact multiples of the tick with clean decimals", () => {
  const cases = [
    { tickSize: 0.25, startPrice: 5000, decimals: 2 },
    { tickSize: 0.1, startPrice: 1320, decimals: 1 },
    { tickSize: 1, startPrice: 13000, decimals: 0 },
    { tickSize: 0.005, startPrice: 4.2, decimals: 3 },
  ];
  for (const c of cases) {
    const ticks = generateSession(
      mesOptions(3, { tickSize: c.tickSize, startPrice: c.startPrice, maxTicks: 20_000 }),
    );
    assert.equal(ticks.length, 20_000);
    for (const { price } of ticks) {
      const k = price / c.tickSize;
      assert.ok(Math.abs(k - Math.round(k)) < 1e-9, `${price} off the ${c.tickSize} grid`);
      // The shortest text of the number has no more decimals than the tick: no float noise.
      const text = String(price);
      const dot = text.indexOf(".");
      assert.ok(dot < 0 || text.length - dot - 1 <= c.decimals, `${text} for tick ${c.tickSize}`);
      assert.equal(Number(price.toFixed(c.decimals)), price);
    }
  }
});

Deno.test("TickGenerator times are integer ms, non-decreasing, inside [startMs, endMs)", () => {
  const opts = demoSession(1);
  let prev = -Infinity;
  let shared = 0;
  for (const t of demo1) {
    assert.ok(Number.isInteger(t.ts));
    assert.ok(t.ts >= prev);
    if (t.ts === prev) shared++;
    prev = t.ts;
  }
  assert.ok(demo1[0]!.ts >= opts.startMs && prev < opts.endMs!);
  assert.ok(shared > 0, "bursts put several trades in one millisecond");
});

Deno.test("TickGenerator trades nothing in the daily break or over the weekend", () => {
  // Fri 2025-02-14 12:00 to Tue 02-18 10:00 Chicago (CST), and the DST weekend of
  // 2025-03-08/09 (clocks jump 02:00 -> 03:00 on Sunday the 9th).
  const spans = [
    [chicagoMs(2025, 2, 14, 12, 0), chicagoMs(2025, 2, 18, 10, 0)],
    [chicagoMs(2025, 3, 7, 12, 0), chicagoMs(2025, 3, 11, 10, 0)],
  ] as const;
  for (const [startMs, endMs] of spans) {
    const ticks = generateSession(mesOptions(4, { startMs, endMs }));
    assert.ok(ticks.length > 100_000);
    for (const t of ticks) {
      const { weekday, minuteOfDay } = chicago(t.ts);
      const inBreak = minuteOfDay >= 16 * 60 && minuteOfDay < 17 * 60;
      const weekend = weekday === 6 || (weekday === 5 && minuteOfDay >= 16 * 60) ||
        (weekday === 0 && minuteOfDay < 17 * 60);
      assert.ok(!inBreak && !weekend, `tick at ${new Date(t.ts).toISOString()}`);
    }
    // Trading resumes promptly at each 17:00 reopen (Sunday, Monday).
    const sundayOpen = ticks.find((t) => chicago(t.ts).weekday === 0)!;
    assert.equal(chicago(sundayOpen.ts).minuteOfDay, 17 * 60);
    const mondayOpen = ticks.find((t) =>
      chicago(t.ts).weekday === 1 && chicago(t.ts).minuteOfDay >= 17 * 60
    )!;
    assert.equal(chicago(mondayOpen.ts).minuteOfDay, 17 * 60);
  }
});

Deno.test("TickGenerator starting inside the break begins at the reopen", () => {
  const startMs = chicagoMs(2025, 2, 18, 16, 20);
  const [first] = generateSession(mesOptions(2, { startMs, endMs: undefined, maxTicks: 1 }));
  assert.ok(first !== undefined);
  assert.ok(first.ts >= chicagoMs(2025, 2, 18, 17, 0) && first.ts < chicagoMs(2025, 2, 18, 17, 1));
  // A stream that ends inside the break has nothing after the close.
  const ticks = generateSession(
    mesOptions(2, {
      startMs: chicagoMs(2025, 2, 18, 15, 50),
      endMs: chicagoMs(2025, 2, 18, 16, 50),
    }),
  );
  assert.ok(ticks.length > 0 && ticks.at(-1)!.ts < chicagoMs(2025, 2, 18, 16, 0));
});

Deno.test("TickGenerator sizes are mostly small with a long tail", () => {
  const ticks = generateSession(mesOptions(5, { endMs: undefined, maxTicks: 100_000 }));
  const sizes = ticks.map((t) => t.size).sort((a, b) => a - b);
  // Design: discrete Pareto alpha 1.2 (1.0 in bursts), cap 500. P(1) = 0.56 so the
  // median is 1; P(>= 50) = 0.9% (2% in bursts), so ~1,000 of 100k ticks.
  assert.ok(sizes.every((s) => Number.isInteger(s) && s >= 1 && s <= 500));
  assert.ok(sizes[50_000]! <= 3);
  const small = sizes.filter((s) => s <= 5).length / sizes.length;
  assert.ok(small > 0.8 && small < 0.95, `share of 1-5 lots ${small}`);
  const big = sizes.filter((s) => s >= 50).length / sizes.length;
  assert.ok(big > 0.004 && big < 0.03, `share of >= 50 lots ${big}`);
  assert.ok(sizes.at(-1)! >= 200);
});

Deno.test("TickGenerator volume is U-shaped over RTH and light overnight", () => {
  // One whole Globex day: Mon 17:00 to Tue 15:00 Chicago.
  const startMs = chicagoMs(2025, 2, 17, 17, 0);
  const ticks = generateSession(mesOptions(6, { startMs, endMs: chicagoMs(2025, 2, 18, 15, 0) }));
  const perMinute = (from: number, to: number) =>
    ticks.filter((t) => t.ts >= from && t.ts < to).length / ((to - from) / 60_000);
  const open = perMinute(chicagoMs(2025, 2, 18, 8, 30), chicagoMs(2025, 2, 18, 9, 0));
  const midday = perMinute(chicagoMs(2025, 2, 18, 11, 0), chicagoMs(2025, 2, 18, 12, 30));
  const close = perMinute(chicagoMs(2025, 2, 18, 14, 30), chicagoMs(2025, 2, 18, 15, 0));
  const night = perMinute(chicagoMs(2025, 2, 17, 19, 0), chicagoMs(2025, 2, 18, 2, 0));
  // Design: mean activity 2.55 in the first 30 min, 2.05 in the last 30, ~1 midday, 0.12
  // overnight (bursts and regimes add noise, hence the margins).
  assert.ok(open > 1.5 * midday, `open ${open} vs midday ${midday}`);
  assert.ok(close > 1.3 * midday, `close ${close} vs midday ${midday}`);
  assert.ok(night < 0.3 * midday, `night ${night} vs midday ${midday}`);
});

Deno.test("TickGenerator has bursts and quiet spells", () => {
  const perSecond = new Map<number, number>();
  for (const t of demo1) {
    const s = Math.floor(t.ts / 1000);
    perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
  }
  // Base 4/s: a burst multiplies the rate 8-30x, so dozens of trades in a second.
  assert.ok(Math.max(...perSecond.values()) >= 40);
  let longGap = 0;
  for (let i = 1; i < demo1.length; i++) {
    longGap = Math.max(longGap, demo1[i]!.ts - demo1[i - 1]!.ts);
  }
  // Quiet spells last 8-60 s (plus the usual sub-second wait on either side); a 10 s gap
  // at 4+ trades/s otherwise has odds e^-40.
  assert.ok(longGap >= 10_000 && longGap <= 65_000, `longest gap ${longGap} ms`);
});

Deno.test("TickGenerator demo session trends and ranges within a sane band", () => {
  const prices = demo1.map((t) => t.price);
  const range = Math.max(...prices) - Math.min(...prices);
  // 3.5 h of MES: several points, far from zero and from a crash (3% of 5000 = 150).
  assert.ok(range >= 8 && range <= 150, `range ${range}`);
  // Net moves over 10-minute windows: some clear trends both ways and some flat spells.
  const moves: number[] = [];
  let j = 0;
  for (let i = 0; i < demo1.length; i += 500) {
    while (j < demo1.length && demo1[j]!.ts < demo1[i]!.ts + 600_000) j++;
    if (j < demo1.length) moves.push(demo1[j]!.price - demo1[i]!.price);
  }
  assert.ok(Math.max(...moves) >= 4, "an up move of 4+ points in 10 min");
  assert.ok(Math.min(...moves) <= -2, "a down move of 2+ points in 10 min");
  assert.ok(moves.some((m) => Math.abs(m) <= 0.5), "a flat 10 min");
});

Deno.test("TickGenerator demo session makes the default strategy trade, win and lose", () => {
  // Seed 1 measured with the reference: 16 entries, 9 wins, 7 losses.
  const r = referenceStrategy(demo1);
  assert.ok(r.entries >= 5 && r.entries <= 30, `entries ${r.entries}`);
  assert.ok(r.wins >= 1 && r.losses >= 1, JSON.stringify(r));
  // Other seeds are not all flat or hyperactive: 1..6 average 5-30 entries.
  let total = 0;
  for (let seed = 1; seed <= 6; seed++) {
    total += referenceStrategy(seed === 1 ? demo1 : generateSession(demoSession(seed))).entries;
  }
  assert.ok(total / 6 >= 3 && total / 6 <= 30, `mean entries ${total / 6}`);
});

Deno.test("TickGenerator rejects bad options with RangeError or SyntaxError", () => {
  const base = demoSession(1);
  assert.throws(() => new TickGenerator({ ...base, tickSize: 0 }), RangeError);
  assert.throws(() => new TickGenerator({ ...base, startPrice: -1 }), RangeError);
  assert.throws(() => new TickGenerator({ ...base, intensity: Number.NaN }), RangeError);
  assert.throws(() => new TickGenerator({ ...base, endMs: base.startMs - 1 }), RangeError);
  assert.throws(() => new TickGenerator({ ...base, timeZone: "Mars/Olympus" }), RangeError);
  assert.throws(() => new TickGenerator({ ...base, seed: 0.5 }), RangeError);
  assert.throws(
    () => new TickGenerator({ ...base, sessionBreak: { start: "4pm", end: "17:00" } }),
    SyntaxError,
  );
  assert.throws(() => generateSession({ ...base, endMs: undefined }), RangeError);
});

// ---------------------------------------------------------------- CSV

Deno.test("TickCsvFormatter writes ISO UTC millisecond rows", () => {
  const f = new TickCsvFormatter({ decimals: 2 });
  // 2025-02-17 14:30:00.005 UTC; the last second of a minute; a whole-number price.
  assert.equal(
    f.formatTick({ ts: Date.UTC(2025, 1, 17, 14, 30, 0, 5), price: 5000.25, size: 3 }),
    "2025-02-17T14:30:00.005Z,5000.25,3\n",
  );
  assert.equal(
    f.formatTick({ ts: Date.UTC(2025, 1, 17, 14, 31, 59, 999), price: 5000, size: 120 }),
    "2025-02-17T14:31:59.999Z,5000.00,120\n",
  );
  assert.equal(
    new TickCsvFormatter().formatTick({ ts: Date.UTC(2024, 0, 1), price: 1320.1, size: 0 }),
    "2024-01-01T00:00:00.000Z,1320.1,0\n",
  );
  assert.throws(() => new TickCsvFormatter({ decimals: -1 }), RangeError);
});

Deno.test("TickCsvFormatter.encodeBatch bytes equal formatBatch text", () => {
  const gen = new TickGenerator(demoSession(8));
  const batch = newBatch(5000);
  gen.fillBatch(batch);
  batch.size[7] = 2.5; // non-integer sizes take the slow path
  const f = new TickCsvFormatter({ decimals: 2 });
  const text = new TickCsvFormatter({ decimals: 2 }).formatBatch(batch);
  assert.equal(new TextDecoder().decode(f.encodeBatch(batch)), text);
  assert.equal(text.split("\n").length, 5001);
});

Deno.test("writeTickCsv output parses back to the same ticks", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const opts = mesOptions(11, { endMs: demoSession(11).startMs + 20 * 60_000 });
    const expected = generateSession(opts);
    const parse = (text: string): Tick[] => {
      const lines = text.trimEnd().split("\n");
      assert.equal(lines[0] + "\n", TICK_CSV_HEADER);
      return lines.slice(1).map((line) => {
        const [ts, price, size] = line.split(",");
        assert.match(price!, /^\d+\.\d\d$/);
        return { ts: Date.parse(ts!), price: Number(price), size: Number(size) };
      });
    };
    const fromGen = `${dir}/gen.csv`;
    const n = await writeTickCsv(fromGen, new TickGenerator(opts), { decimals: 2 });
    assert.equal(n, expected.length);
    assert.deepEqual(parse(await Deno.readTextFile(fromGen)), expected);

    const fromArray = `${dir}/array.csv`;
    assert.equal(await writeTickCsv(fromArray, expected, { decimals: 2, maxTicks: 100 }), 100);
    assert.deepEqual(parse(await Deno.readTextFile(fromArray)), expected.slice(0, 100));

    const cut = expected[250]!.ts;
    const limited = `${dir}/limited.csv`;
    await writeTickCsv(limited, new TickGenerator(opts), { decimals: 2, untilMs: cut });
    assert.deepEqual(parse(await Deno.readTextFile(limited)), expected.filter((t) => t.ts < cut));

    const endless = new TickGenerator({ ...opts, endMs: undefined });
    await assert.rejects(writeTickCsv(`${dir}/x.csv`, endless), RangeError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
