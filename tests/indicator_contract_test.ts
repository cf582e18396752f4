import assert from "node:assert/strict";
import {
  createIndicator,
  defaultIndicatorKey,
  formatIndicatorSpec,
  indicatorNames,
  parseIndicatorSpec,
  registerIndicator,
} from "../lib/indicators/registry.ts";
import { Ema } from "../lib/indicators/ema.ts";
import { checkIndicatorContract } from "./_indicator_contract.ts";

Deno.test("the built-in indicators are registered", () => {
  for (const n of ["atr", "ema", "rsi", "rvol", "vwap"]) assert.ok(indicatorNames().includes(n), n);
});

for (const name of indicatorNames()) {
  Deno.test(`indicator contract: ${name}`, () => checkIndicatorContract(name));
}

Deno.test("registry: specs parse, build the right class with its period, and name their keys", () => {
  assert.deepEqual(parseIndicatorSpec("ema(9)"), { name: "ema", params: [9] });
  assert.deepEqual(parseIndicatorSpec(" rvol( 20 ) "), { name: "rvol", params: [20] });
  assert.deepEqual(parseIndicatorSpec("vwap"), { name: "vwap", params: [] });
  const ema = createIndicator("ema(9)");
  assert.ok(ema instanceof Ema);
  assert.equal(ema.period, 9);
  assert.equal(ema.input, "close");
  assert.equal(createIndicator("atr(9)").input, "bar");
  assert.equal(createIndicator("rvol(20)").input, "bar");
  const vwap = createIndicator("vwap");
  assert.ok(vwap.input === "tick" && vwap.sessionReset);
  assert.equal(defaultIndicatorKey(parseIndicatorSpec("ema(9)")), "EMA9");
  assert.equal(defaultIndicatorKey(parseIndicatorSpec("rvol(20)")), "RVOL20");
  assert.equal(defaultIndicatorKey({ name: "bands", params: [20, 2.5] }), "BANDS20_2_5");
  assert.equal(formatIndicatorSpec({ name: "bands", params: [20, 2.5] }), "bands(20,2.5)");
});

Deno.test("registry: the same inputs through the registry give the class's own values", () => {
  // EMA(3) of 1, 2, 3, 4: seed mean(1, 2, 3) = 2, then 2 + 0.5 x (4 - 2) = 3.
  const ema = createIndicator("ema(3)");
  assert.ok(ema.input === "close");
  assert.deepEqual([1, 2, 3, 4].map((x) => ema.update(x)), [undefined, undefined, 2, 3]);
});

Deno.test("registry: bad specs and parameters are one RangeError naming the spec", () => {
  const cases: [string, RegExp][] = [
    ["ema", /^Indicator "ema": ema takes 1 parameter\(s\) \(period\), got 0$/],
    ["ema(9,2)", /^Indicator "ema\(9,2\)": ema takes 1 parameter\(s\) \(period\), got 2$/],
    ["ema(0)", /^Indicator "ema\(0\)": Ema: period must be a positive integer, got 0$/],
    ["ema(x)", /^Indicator spec "ema\(x\)": "x" is not a number$/],
    ["EMA(9)", /^Indicator spec "EMA\(9\)" is not name or name\(number, \.\.\.\)/],
    ["nope(3)", /^Unknown indicator "nope" \(known: atr, ema, /],
  ];
  for (const [spec, re] of cases) {
    assert.throws(
      () => createIndicator(spec),
      (e: unknown) => e instanceof RangeError && re.test(e.message),
      spec,
    );
  }
  assert.throws(
    () => registerIndicator({ name: "ema", params: [], decimals: 2, create: () => new Ema(1) }),
    /already registered/,
  );
  assert.throws(
    () =>
      registerIndicator({ name: "Bad Name", params: [], decimals: 2, create: () => new Ema(1) }),
    TypeError,
  );
});
