import assert from "node:assert/strict";
import { configSchema } from "../lib/config/schema.ts";
import { type EntryRules, entryRulesFrom, evaluateEntry } from "../lib/engine/strategy.ts";
import type { IndicatorSnapshot } from "../lib/types.ts";

const defaults = entryRulesFrom(configSchema.parse({}));
const both: EntryRules = { ...defaults, short: true };

/** A bar where every long condition holds with the defaults. */
const longSnap: IndicatorSnapshot = {
  emaFast: 5001,
  emaSlow: 5000,
  rsi: 60,
  atr: 1,
  vwap: 4999,
  rvol: 2,
  cross: undefined,
};
const longClose = 5002;
/** The mirror: every short condition holds. */
const shortSnap: IndicatorSnapshot = {
  ...longSnap,
  emaFast: 4999,
  emaSlow: 5000,
  rsi: 40,
  vwap: 5001,
};
const shortClose = 4998;

Deno.test("evaluateEntry goes long when all four long conditions hold", () => {
  assert.equal(evaluateEntry(longClose, longSnap, defaults), "LONG");
});

Deno.test("evaluateEntry drops the long when any single condition fails", () => {
  // EMA9 not above EMA21 (equal is not above).
  assert.equal(evaluateEntry(longClose, { ...longSnap, emaFast: 5000 }, defaults), undefined);
  // Close not above VWAP.
  assert.equal(evaluateEntry(4999, longSnap, defaults), undefined);
  // RSI not above 50.
  assert.equal(evaluateEntry(longClose, { ...longSnap, rsi: 50 }, defaults), undefined);
  // RVOL not above 1.5.
  assert.equal(evaluateEntry(longClose, { ...longSnap, rvol: 1.5 }, defaults), undefined);
});

Deno.test("evaluateEntry gives nothing while any indicator is warming up", () => {
  for (const key of ["emaFast", "emaSlow", "rsi", "atr", "vwap", "rvol"] as const) {
    assert.equal(
      evaluateEntry(longClose, { ...longSnap, [key]: undefined }, defaults),
      undefined,
      key,
    );
  }
});

Deno.test("evaluateEntry ignores VWAP when it is switched off", () => {
  const noVwap = { ...defaults, useVwap: false };
  assert.equal(evaluateEntry(4990, { ...longSnap, vwap: undefined }, noVwap), "LONG");
});

Deno.test("evaluateEntry shorts only when short is enabled, as the mirror of long", () => {
  assert.equal(evaluateEntry(shortClose, shortSnap, defaults), undefined); // long only by default
  assert.equal(evaluateEntry(shortClose, shortSnap, both), "SHORT");
  assert.equal(evaluateEntry(5002, shortSnap, both), undefined); // close above VWAP
  assert.equal(evaluateEntry(shortClose, { ...shortSnap, rsi: 50 }, both), undefined);
  assert.equal(evaluateEntry(shortClose, { ...shortSnap, rvol: 1 }, both), undefined);
  assert.equal(evaluateEntry(shortClose, { ...shortSnap, emaFast: 5000 }, both), undefined);
});

Deno.test("evaluateEntry with long disabled takes no long", () => {
  assert.equal(evaluateEntry(longClose, longSnap, { ...both, long: false }), undefined);
});

Deno.test("evaluateEntry overbought/oversold filter blocks stretched entries", () => {
  const filtered = { ...both, overboughtFilter: true };
  assert.equal(evaluateEntry(longClose, { ...longSnap, rsi: 75 }, defaults), "LONG");
  assert.equal(evaluateEntry(longClose, { ...longSnap, rsi: 75 }, filtered), undefined);
  assert.equal(evaluateEntry(longClose, { ...longSnap, rsi: 69 }, filtered), "LONG");
  assert.equal(evaluateEntry(shortClose, { ...shortSnap, rsi: 25 }, filtered), undefined);
  assert.equal(evaluateEntry(shortClose, { ...shortSnap, rsi: 31 }, filtered), "SHORT");
});

Deno.test("evaluateEntry trigger cross needs the crossing on this bar", () => {
  const cross = { ...both, trigger: "cross" as const };
  assert.equal(evaluateEntry(longClose, longSnap, cross), undefined);
  assert.equal(evaluateEntry(longClose, { ...longSnap, cross: "UP" }, cross), "LONG");
  assert.equal(evaluateEntry(shortClose, { ...shortSnap, cross: "DOWN" }, cross), "SHORT");
  assert.equal(evaluateEntry(shortClose, { ...shortSnap, cross: "UP" }, cross), undefined);
});

Deno.test("evaluateEntry respects configured RSI thresholds", () => {
  const rules = { ...defaults, rsiLongMin: 65 };
  assert.equal(evaluateEntry(longClose, longSnap, rules), undefined);
  assert.equal(evaluateEntry(longClose, { ...longSnap, rsi: 66 }, rules), "LONG");
});
