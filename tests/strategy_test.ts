import assert from "node:assert/strict";
import { configSchema } from "../lib/config/schema.ts";
import { parseConfigText } from "../lib/config/load.ts";
import { ConfigError } from "../lib/config/errors.ts";
import {
  type EntryRules,
  entryRulesFrom,
  evaluateEntry,
  ScalpStrategy,
  type ScalpValues,
} from "../lib/strategy/scalp.ts";
import { createStrategy, registerStrategy, strategyNames } from "../lib/strategy/registry.ts";
import type { Bar } from "../lib/types.ts";
import type { BarContext } from "../lib/strategy/strategy.ts";
import { z } from "zod";

const defaults = entryRulesFrom(configSchema.parse({}));
const both: EntryRules = { ...defaults, short: true };

/** A bar where every long condition holds with the defaults. */
const longSnap: ScalpValues = {
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
const shortSnap: ScalpValues = {
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

const bar = (close: number): Bar => ({
  start: Date.UTC(2025, 1, 17, 15),
  lengthMs: 30_000,
  open: close,
  high: close,
  low: close,
  close,
  volume: 10,
  trades: 3,
});

Deno.test("ScalpStrategy declares today's journal keys and CSV columns, VWAP off keeps its slot", () => {
  const config = parseConfigText(
    "indicators: {ema_fast: 5, ema_slow: 13, rsi_period: 14, vwap: false}",
    {
      source: "t",
    },
  );
  const s = new ScalpStrategy(config);
  assert.deepEqual(s.indicators, [
    { spec: "ema(5)", key: "EMA5", column: "ema_fast" },
    { spec: "ema(13)", key: "EMA13", column: "ema_slow" },
    { spec: "rsi(14)", key: "RSI14", column: "rsi" },
    { spec: "atr(9)", key: "ATR9", column: "atr" },
    { spec: "vwap", key: "VWAP", column: "vwap", enabled: false },
    { spec: "rvol(20)", key: "RVOL", column: "rvol" },
  ]);
});

const KEYS = ["EMA9", "EMA21", "RSI9", "ATR9", "VWAP", "RVOL"];

/** A bar context with scalp's values in declared order: EMA9, EMA21, RSI9, ATR9, VWAP, RVOL. */
function ctx(close: number, values: (number | undefined)[], canEnter: boolean): BarContext {
  return {
    bar: bar(close),
    values,
    index: 30,
    canEnter,
    value: (key) => values[KEYS.indexOf(key)],
  };
}

Deno.test("ScalpStrategy turns a long signal into an ATR stop and a points target, only when it can enter", () => {
  const config = parseConfigText("risk: {stop_atr_multiple: 2, target_points: 4}", { source: "t" });
  const s = new ScalpStrategy(config);
  const values = [5001, 5000, 60, 1.25, 4999, 2];
  assert.equal(s.onBar(ctx(5002, values, false)), undefined);
  assert.deepEqual(s.onBar(ctx(5002, values, true)), {
    side: "LONG",
    stop: { kind: "atr", multiple: 2, atr: 1.25 },
    target: { kind: "points", points: 4 },
  });
  // Close under VWAP: no long.
  assert.equal(s.onBar(ctx(4998, values, true)), undefined);
});

Deno.test("ScalpStrategy tracks the EMA cross on every bar, even when it cannot enter, and marks it", () => {
  const s = new ScalpStrategy(parseConfigText("strategy: {trigger: cross}", { source: "t" }));
  const rest = [60, 1, 4999, 2]; // RSI9, ATR9, VWAP, RVOL
  // Bar 1: fast below slow (no cross yet); bar 2 crosses up while an entry is not possible;
  // bar 3 stays above: no cross, so no cross-triggered entry either.
  s.onBar(ctx(5002, [4999, 5000, ...rest], false));
  assert.equal(s.mark(), undefined);
  s.onBar(ctx(5002, [5001, 5000, ...rest], false));
  assert.equal(s.mark(), "X↑");
  assert.equal(s.onBar(ctx(5002, [5002, 5000, ...rest], true)), undefined);
  assert.equal(s.mark(), undefined);
  // Down then up again with entries possible: the up-cross bar enters.
  s.onBar(ctx(5002, [4990, 5000, ...rest], true));
  assert.equal(s.mark(), "X↓");
  assert.equal(s.onBar(ctx(5002, [5003, 5000, ...rest], true))?.side, "LONG");
});

Deno.test("strategy registry: scalp is the default; an unknown name or rejected params is one ConfigError line", () => {
  assert.ok(strategyNames().includes("scalp"));
  assert.ok(createStrategy(parseConfigText("", { source: "t" })) instanceof ScalpStrategy);
  const unknown = parseConfigText("strategy: {name: nope}", { source: "t" });
  assert.throws(
    () => createStrategy(unknown, "my.yaml"),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message === 'my.yaml: strategy.name = "nope" is not a known strategy (known: ' +
          strategyNames().join(", ") + ")",
  );
  const scalpParams = parseConfigText("strategy: {params: {x: 1}}", { source: "t" });
  assert.throws(
    () => createStrategy(scalpParams, "c.yaml"),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message === 'c.yaml: unknown key "strategy.params.x" (strategy scalp)' &&
      !e.message.includes("\n"),
  );
  registerStrategy({
    name: "test_params_only",
    schema: z.strictObject({ level: z.number().min(0).default(2) }),
    create: (p) => ({ indicators: [], onBar: () => undefined, level: p.level }),
  });
  const bad = parseConfigText("strategy: {name: test_params_only, params: {level: -1}}", {
    source: "t",
  });
  assert.throws(
    () => createStrategy(bad, "c.yaml"),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message ===
        "c.yaml: strategy.params.level = -1 is not allowed: must be at least 0 (strategy test_params_only)" &&
      e.keyPath === "strategy.params.level",
  );
  const good = parseConfigText("strategy: {name: test_params_only}", { source: "t" });
  assert.equal((createStrategy(good) as unknown as { level: number }).level, 2);
  assert.throws(
    () =>
      registerStrategy({
        name: "scalp",
        schema: z.object({}),
        create: () => ({ indicators: [], onBar: () => undefined }),
      }),
    /already registered/,
  );
});
