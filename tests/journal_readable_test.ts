/**
 * formatEvent checks each value cheaply (finite, no exponent, a 4-digit year, a known side or
 * reason, positive sizes) instead of parsing its line back. These properties prove that every
 * line it writes, over events with extreme values (huge and tiny numbers, -0, NaN, times at
 * the ends of the Date range, any text), is read back by parseJournalLine, and that ordinary
 * events are never refused.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { formatEvent, type JournalFormatOptions, parseJournalLine } from "../lib/journal/format.ts";
import type { JournalEvent } from "../lib/types.ts";

const ZONES = ["America/Chicago", "UTC", "Asia/Kathmandu", "Pacific/Kiritimati"];

/** Any double, with the boundaries of plain printing and of the Date range made likely. */
const anyNumber = fc.oneof(
  fc.double(),
  fc.constantFrom(1e21, -1e21, 9.999999999999999e20, 1e-7, 5e-324, -0, 0.1, 4500.25),
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map((n) => n / 4),
);
/** Epoch ms around years 1000 and 9999, the Date limits and anywhere in between. */
const anyTime = fc.oneof(
  fc.double({ min: -1e16, max: 1e16 }),
  fc.constantFrom(
    8.64e15,
    -8.64e15,
    253402300799999,
    253402300800000,
    -30610224000000,
    -30610224000001,
  ),
  fc.integer({ min: -62_200_000_000_000, max: 253_500_000_000_000 }),
);
const anyCount = fc.oneof(fc.nat(), fc.double(), fc.constant(Number.MAX_SAFE_INTEGER + 2));
const anyText = fc.string({ unit: "binary", maxLength: 12 });
const anySide = fc.constantFrom("LONG", "SHORT", "BUY", "long", "");
const anyReason = fc.constantFrom("TARGET", "STOP", "MANUAL", "END", "TP", "");
const anyContext = fc.dictionary(
  fc.constantFrom("ema_9", "rsi", "ATR14", "vwap", "x y", "Side", "9a"),
  fc.option(anyNumber, { nil: undefined }),
  { maxKeys: 4 },
);

/** Events of every kind; the casts let through the wrong sides and reasons a caller might pass. */
const anyEvent: fc.Arbitrary<JournalEvent> = fc.oneof(
  fc.record({
    kind: fc.constant("SESSION_START"),
    time: anyTime,
    runId: anyText,
    version: anyText,
    configDigest: anyText,
    source: anyText,
    symbol: anyText,
    multiplier: anyNumber,
    tickSize: anyNumber,
    currency: anyText,
  }, {
    requiredKeys: [
      "kind",
      "time",
      "runId",
      "version",
      "configDigest",
      "source",
      "symbol",
      "multiplier",
      "tickSize",
      "currency",
    ],
  }),
  fc.record({
    kind: fc.constant("ENTRY"),
    time: anyTime,
    tradeId: anyText,
    side: anySide,
    entry: anyNumber,
    stop: anyNumber,
    target: anyNumber,
    size: anyCount,
    context: anyContext,
  }),
  fc.record({
    kind: fc.constant("FILL"),
    time: anyTime,
    tradeId: anyText,
    price: anyNumber,
    qty: anyCount,
    filled: anyCount,
    remaining: anyCount,
  }),
  fc.record({
    kind: fc.constant("CANCEL"),
    time: anyTime,
    tradeId: anyText,
    qty: anyCount,
    reason: anyText,
  }),
  fc.record({
    kind: fc.constant("EXIT"),
    time: anyTime,
    tradeId: anyText,
    side: anySide,
    reason: anyReason,
    price: anyNumber,
    qty: anyCount,
    entryPrice: anyNumber,
    entryTime: anyTime,
    pnlPoints: anyNumber,
    pnlTicks: anyNumber,
    grossPnl: anyNumber,
    commission: anyNumber,
    netPnl: anyNumber,
    mae: fc.option(anyNumber, { nil: undefined }),
    mfe: fc.option(anyNumber, { nil: undefined }),
    by: fc.option(fc.constantFrom("trailing_atr", "Bad-Name"), { nil: undefined }),
    recovered: fc.option(fc.boolean(), { nil: undefined }),
  }),
  fc.record({
    kind: fc.constantFrom("STOP_MOVE", "TARGET_MOVE"),
    time: anyTime,
    tradeId: anyText,
    old: anyNumber,
    price: anyNumber,
    reason: anyText,
  }),
  fc.record({
    kind: fc.constant("SESSION_END"),
    time: anyTime,
    runId: anyText,
    reason: anyText,
    ticks: anyCount,
    bars: anyCount,
    trades: anyCount,
  }),
) as fc.Arbitrary<JournalEvent>;

const anyOptions: fc.Arbitrary<JournalFormatOptions> = fc.record({
  timeZone: fc.constantFrom(...ZONES),
  priceDecimals: fc.integer({ min: 0, max: 10 }),
});

Deno.test("property: every line formatEvent writes, however extreme the event, parses back", () => {
  let written = 0;
  let refused = 0;
  fc.assert(
    fc.property(anyEvent, anyOptions, (event, options) => {
      let line: string;
      try {
        line = formatEvent(event, options);
      } catch (e) {
        // A refusal is a RangeError naming the value, never another failure.
        assert.ok(e instanceof RangeError, String(e));
        refused++;
        return;
      }
      written++;
      const back = parseJournalLine(line, 1, "prop");
      assert.equal(back.kind, event.kind);
    }),
    { numRuns: 20_000 },
  );
  // Both sides of the check were exercised, so the property is not vacuous.
  assert.ok(written > 2_000, `only ${written} lines written`);
  assert.ok(refused > 2_000, `only ${refused} events refused`);
});

Deno.test("property: ordinary events (plain sizes, years 1000..9999, known sides) are never refused", () => {
  const price = fc.double({ min: -1e20, max: 1e20, noNaN: true });
  const time = fc.integer({ min: -30610224000000 + 86_400_000, max: 253402300799999 - 86_400_000 });
  fc.assert(
    fc.property(anyOptions, time, time, price, price, price, fc.nat(), (o, t, t2, a, b, c, n) => {
      const exit: JournalEvent = {
        kind: "EXIT",
        time: t,
        tradeId: "r-1",
        side: "SHORT",
        reason: "STOP",
        price: a,
        qty: n,
        entryPrice: b,
        entryTime: t2,
        pnlPoints: c,
        pnlTicks: a,
        grossPnl: b,
        commission: c,
        netPnl: a,
        mae: b,
        mfe: c,
      };
      const entry: JournalEvent = {
        kind: "ENTRY",
        time: t2,
        tradeId: "r|%-2",
        side: "LONG",
        entry: a,
        stop: b,
        target: c,
        size: n,
        context: { ema_9: a, rsi: undefined },
      };
      for (const e of [exit, entry]) parseJournalLine(formatEvent(e, o), 1, "prop");
    }),
    { numRuns: 5_000 },
  );
});

Deno.test("formatEvent refuses exactly at the limits: 1e21, year 10000, year 999, side BUY, TickSize 1e-12", () => {
  const o: JournalFormatOptions = { timeZone: "UTC", priceDecimals: 2 };
  const fill: JournalEvent = {
    kind: "FILL",
    time: Date.UTC(2025, 0, 2),
    tradeId: "t",
    price: 9.999999999999999e20,
    qty: 1,
    filled: 1,
    remaining: 0,
  };
  assert.match(formatEvent(fill, o), /Price=999999999999999868928\.00 /);
  assert.throws(
    () => formatEvent({ ...fill, price: 1e21 }, o),
    /would not read back: Price 1e\+21/,
  );
  // 9999-12-31T23:59:59.999Z is the last instant with a 4-digit year; 1000-01-01 the first.
  assert.match(
    formatEvent({ ...fill, time: 253402300799999 }, o),
    /^9999-12-31T23:59:59\.999\+00:00 /,
  );
  assert.throws(
    () => formatEvent({ ...fill, time: 253402300800000 }, o),
    /not a 4-digit year/,
  );
  assert.match(formatEvent({ ...fill, time: -30610224000000 }, o), /^1000-01-01T00:00:00\+00:00 /);
  assert.throws(
    () => formatEvent({ ...fill, time: -30610224000001 }, o),
    /not a 4-digit year/,
  );
  const exit = {
    kind: "EXIT",
    time: Date.UTC(2025, 0, 2),
    tradeId: "t",
    side: "BUY",
    reason: "STOP",
    price: 1,
    qty: 1,
    entryPrice: 1,
    entryTime: Date.UTC(2025, 0, 2),
    pnlPoints: 0,
    pnlTicks: 0,
    grossPnl: 0,
    commission: 0,
    netPnl: 0,
  } as unknown as JournalEvent;
  assert.throws(() => formatEvent(exit, o), /would not read back: Side is "BUY"/);
  // Negative zeros print unsigned; a small negative number keeps its sign.
  const sold = {
    ...exit,
    side: "SHORT",
    netPnl: -0.001,
    grossPnl: -0,
    pnlPoints: -0.00001,
  } as JournalEvent;
  assert.match(formatEvent(sold, o), /PnLPts=-0\.00001 .* Gross=0\.00 .* Net=0\.00(?: |$)/);
  // The same TradeID twice, then another: each escaped as itself.
  for (
    const [id, want] of [["a|b", "a%7Cb"], ["a|b", "a%7Cb"], ["a%b", "a%25b"], ["a|b", "a%7Cb"]]
  ) {
    assert.match(formatEvent({ ...fill, tradeId: id! }, o), new RegExp(`TradeID=${want} `));
  }
  const start: JournalEvent = {
    kind: "SESSION_START",
    time: Date.UTC(2025, 0, 2),
    runId: "r",
    version: "1",
    configDigest: "c",
    source: "s",
    symbol: "GC",
    multiplier: 100,
    tickSize: 1e-12,
    currency: "USD",
  };
  assert.throws(() => formatEvent(start, o), /would not read back: TickSize is 0, not positive/);
  assert.match(formatEvent({ ...start, tickSize: 1e-10 }, o), /TickSize=0\.0000000001 /);
});
