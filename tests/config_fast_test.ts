/**
 * lib/config/fast_config.ts against the full loader (load.ts: yaml + zod): its rules must be
 * the schema's, and wherever it answers, its config must be exactly parseConfigText's.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import type { z } from "zod";
import { configSchema } from "../lib/config/schema.ts";
import { parseConfigText } from "../lib/config/load.ts";
import { ConfigError } from "../lib/config/errors.ts";
import { defaultConfig } from "../lib/config/defaults.ts";
import { CONFIG_RULES, fastParseConfig, type Rule } from "../lib/config/fast_config.ts";

const REPO = new URL("../", import.meta.url);

// ---------------------------------------------------------------------------
// The rules, described the same way from both sides

type Desc = Record<string, unknown>;

interface ZodDef {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  checks?: { _zod: { def: Record<string, unknown> } }[];
  format?: string;
  entries?: Record<string, string>;
  element?: z.ZodType;
}

const defOf = (s: z.ZodType) => s._zod.def as unknown as ZodDef;

/** What a zod schema checks, as plain data (refinements counted: functions cannot be compared). */
function describeZod(schema: z.ZodType): Desc {
  let def = defOf(schema);
  let presence = "required";
  while (def.innerType !== undefined) {
    presence = def.type; // default, prefault or optional
    def = defOf(def.innerType);
  }
  const out: Desc = { presence, refines: 0 };
  for (const c of def.checks ?? []) {
    const d = c._zod.def;
    if (d.check === "custom") out.refines = (out.refines as number) + 1;
    else if (d.check === "greater_than") out.min = [d.value, d.inclusive];
    else if (d.check === "less_than") out.max = [d.value, d.inclusive];
    else if (d.check === "min_length") out.minLength = d.minimum;
    else if (d.check === "length_equals") out.length = d.length;
    else if (d.check === "string_format" && d.format === "regex") {
      out.pattern = String(d.pattern);
    } else out[`unknown check ${String(d.check)}`] = true;
  }
  switch (def.type) {
    case "number":
      out.kind = def.format === "safeint" ? "int" : "number";
      break;
    case "object":
      out.kind = "section";
      out.keys = Object.fromEntries(
        Object.entries(def.shape!).map(([k, v]) => [k, describeZod(v)]),
      );
      out.order = Object.keys(def.shape!);
      break;
    case "enum":
      out.kind = "enum";
      out.values = Object.values(def.entries!);
      break;
    case "array":
      out.kind = "list";
      out.item = describeZod(def.element!);
      break;
    default:
      out.kind = def.type; // string, boolean, record
  }
  return out;
}

/** The same description of a fast_config rule; `defaults` tells default from optional. */
function describeRule(rule: Rule, presence: string, defaults: unknown): Desc {
  const out: Desc = { presence, refines: 0, kind: rule.kind };
  switch (rule.kind) {
    case "int":
    case "number":
      if (rule.min !== undefined) out.min = [rule.min.value, rule.min.inclusive];
      if (rule.max !== undefined) out.max = [rule.max.value, rule.max.inclusive];
      if (rule.refine !== undefined) out.refines = 1;
      break;
    case "string":
      if (rule.minLength !== undefined) out.minLength = rule.minLength;
      if (rule.length !== undefined) out.length = rule.length;
      if (rule.pattern !== undefined) out.pattern = String(rule.pattern);
      if (rule.refine !== undefined) out.refines = 1;
      break;
    case "enum":
      out.values = [...rule.values];
      break;
    case "list":
      if (rule.minLength !== undefined) out.minLength = rule.minLength;
      out.item = describeRule(rule.item, "required", undefined);
      break;
    case "section": {
      const d = defaults as Record<string, unknown>;
      out.refines = rule.refines?.length ?? 0;
      out.keys = Object.fromEntries(
        Object.entries(rule.keys).map(([k, r]) => [
          k,
          describeRule(
            r,
            r.kind === "section" ? "prefault" : Object.hasOwn(d, k) ? "default" : "optional",
            d[k],
          ),
        ]),
      );
      out.order = Object.keys(rule.keys);
      break;
    }
  }
  return out;
}

Deno.test("fast_config's rules are the zod schema's: keys, order, bounds, patterns, refinements", () => {
  // A failure here means lib/config/schema.ts changed: update CONFIG_RULES to match.
  const want = describeZod(configSchema);
  const got = describeRule(CONFIG_RULES, "required", defaultConfig());
  assert.deepStrictEqual(got, want);
});

// ---------------------------------------------------------------------------
// Both paths on generated configs

const STRINGS = [
  "",
  "x",
  "USD",
  "EURO",
  "202509",
  "202513",
  "2025-09",
  "17:00",
  "24:00",
  "09:00-16:30",
  "America/Chicago",
  "Europe/Berlin",
  "Mars/Base",
  "exchange",
  "local",
  "scalp",
  "my_strat",
  "Bad Name",
  "./s.ts",
  "x.js",
  "10.0.0.2",
];

/** Values around what `rule` accepts: inside, at and past its bounds, and of the wrong type. */
function candidates(rule: Exclude<Rule, { kind: "section" }>): unknown[] {
  switch (rule.kind) {
    case "int":
    case "number": {
      const lo = rule.min?.value ?? 0;
      const hi = rule.max?.value ?? 1000;
      return [
        lo,
        lo - 1,
        lo + 1,
        hi,
        hi + 1,
        hi - 0.5,
        (lo + hi) / 2,
        0.5,
        15,
        30,
        60,
        7,
        9,
        21,
        3,
        2,
        1,
        -1,
        Infinity,
        NaN,
        "5",
        true,
      ];
    }
    case "string":
      return [...STRINGS, 5, 202509, true];
    case "boolean":
      return [true, false, "true", 1];
    case "enum":
      return [...rule.values, "nope", 1];
    case "list":
      return [
        ["17:00"],
        [],
        ["09:00", "17:00"],
        ["25:00"],
        ["09:00-16:30"],
        ["17:00-05:15", "09:00-16:30"],
        "17:00",
        [5],
      ];
    case "record":
      return [{}, { a: 1 }, { a: { b: "c" } }, { a: null }, [1]];
  }
}

/**
 * A section's keys, each maybe given: mostly values the zod schema accepts for that key (so
 * that whole configs are often valid, or fail only a cross-key check), sometimes any
 * candidate, rarely an unknown key.
 */
function sectionValue(rule: Extract<Rule, { kind: "section" }>, schema: z.ZodType) {
  const shape = unwrapped(schema).shape as Record<string, z.ZodType>;
  const parts: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [k, r] of Object.entries(rule.keys)) {
    if (r.kind === "section") {
      parts[k] = sectionValue(r, shape[k]!);
      continue;
    }
    const all = candidates(r);
    const valid = all.filter((v) => shape[k]!.safeParse(v).success);
    assert.ok(valid.length > 0, `no valid candidate for ${k}`);
    parts[k] = fc.oneof({ weight: 60, arbitrary: fc.constantFrom(...valid) }, {
      weight: 1,
      arbitrary: fc.constantFrom(...all),
    });
  }
  return fc.tuple(
    fc.record(parts, { requiredKeys: [] }),
    fc.oneof({ weight: 40, arbitrary: fc.constant(null) }, {
      weight: 1,
      arbitrary: fc.constantFrom("zz", "Port"),
    }),
  ).map(([v, unknown]) => (unknown === null ? v : { ...v, [unknown]: 1 }));
}

function unwrapped(schema: z.ZodType): z.ZodObject {
  let s = schema;
  while (defOf(s).innerType !== undefined) s = defOf(s).innerType!;
  return s as z.ZodObject;
}

/** YAML text for `value` under `indent`, in the styles people write. */
function toYaml(value: Record<string, unknown>, indent = ""): string {
  let out = "";
  for (const [k, v] of Object.entries(value)) {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      const inner = toYaml(v as Record<string, unknown>, `${indent}  `);
      out += inner === "" ? `${indent}${k}: {}\n` : `${indent}${k}:\n${inner}`;
    } else {
      out += `${indent}${k}: ${scalar(v)} # why\n`;
    }
  }
  return out;
}

function scalar(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(scalar).join(", ")}]`;
  if (v === null) return "";
  if (typeof v === "number") {
    return Number.isNaN(v) ? ".nan" : v === Infinity ? ".inf" : String(v);
  }
  if (typeof v === "string") return /^[A-Za-z][\w/.]*$/.test(v) ? v : JSON.stringify(v);
  return String(v);
}

const GOOD_OVERRIDES = [
  "bars.seconds=15",
  "strategy.short=true",
  "contract.month=202509",
  "contract.month=",
  "risk.contracts=3",
  "strategy.params.x=1",
  'session.starts=["09:00"]',
  " journal.path = j.text ",
  "bars={}",
];
const OVERRIDES = [
  ...GOOD_OVERRIDES,
  "bars.seconds=7",
  "strategy.long=false",
  "contract.month=202513",
  "risk.scale_out.contracts=2",
  "execution.max_position=2",
  "strategy.trigger=pullback",
  "strategy.pullback_to=vwap",
  "indicators.vwap=false",
  "session.starts=[]",
  "ib.host=5",
  "x=1",
  "bars=5",
  "=5",
  "a..b=1",
  "live.warmup=---off",
  "ib.port=0x1F",
];

/** parseConfigText's answer: the config, or its error message. */
function full(text: string, overrides: string[]): { config?: unknown; error?: string } {
  try {
    return { config: parseConfigText(text, { source: "c.yaml", overrides }) };
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return { error: e.message };
  }
}

Deno.test("fastParseConfig equals parseConfigText wherever it answers (generated configs)", () => {
  const config = fc.tuple(
    sectionValue(CONFIG_RULES, configSchema),
    fc.array(
      fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...GOOD_OVERRIDES) }, {
        weight: 1,
        arbitrary: fc.constantFrom(...OVERRIDES),
      }),
      { maxLength: 3 },
    ),
  );
  let valid = 0;
  fc.assert(
    fc.property(config, ([value, overrides]) => {
      const text = toYaml(value as Record<string, unknown>);
      const want = full(text, overrides);
      const got = fastParseConfig(text, { overrides });
      if (want.config !== undefined) valid++;
      // Every valid config goes the fast way, but for a `---` value (a YAML document marker).
      if (want.config !== undefined && !overrides.some((o) => o.includes("=---"))) {
        assert.ok(got !== undefined, `a valid config took the slow path:\n${text}`);
      }
      if (got === undefined) return;
      assert.equal(want.error, undefined, `fast path accepted what zod refuses:\n${text}`);
      // Same values and the same key order.
      assert.deepStrictEqual(got, want.config);
      assert.equal(JSON.stringify(got), JSON.stringify(want.config));
    }),
    { numRuns: 2000 },
  );
  assert.ok(valid > 100, `only ${valid} valid configs generated`);
});

Deno.test("fastParseConfig reads the repo's config.yaml and examples exactly as zod does", async () => {
  const files = ["config.yaml"];
  for await (const e of Deno.readDir(new URL("examples/", REPO))) {
    if (e.name.endsWith(".yaml")) files.push(`examples/${e.name}`);
  }
  for (const f of files) {
    const text = await Deno.readTextFile(new URL(f, REPO));
    for (const overrides of [[], ["strategy.short=true", "bars.seconds=15"]]) {
      const got = fastParseConfig(text, { overrides });
      assert.ok(got !== undefined, `${f} took the slow path`);
      assert.equal(JSON.stringify(got), JSON.stringify(full(text, overrides).config), f);
    }
  }
});

Deno.test("fastParseConfig: overrides as parseConfigText applies them, by hand", () => {
  const c = fastParseConfig("contract:\n  month: '202503'\nbars:\n  seconds: 60\n", {
    overrides: ["contract.month=202509", "bars.seconds=15", "strategy.params.n=3"],
  });
  assert.equal(c?.contract.month, "202509"); // the number read as the string it stands for
  assert.equal(c?.bars.seconds, 15);
  assert.deepStrictEqual(c?.strategy.params, { n: 3 });
  const reset = fastParseConfig("contract:\n  month: '202503'\n", {
    overrides: ["contract.month="],
  });
  assert.equal(reset !== undefined && "month" in reset.contract, false);
  // Anything it cannot vouch for goes to the full loader, which words the error.
  assert.equal(fastParseConfig("bars:\n  seconds: 7\n"), undefined);
  assert.equal(fastParseConfig("", { overrides: ["bars.seconds=7"] }), undefined);
  assert.equal(fastParseConfig("", { overrides: ["__proto__.x=1"] }), undefined);
  assert.equal(fastParseConfig("", { overrides: ["strategy.params.__proto__=1"] }), undefined);
  assert.equal(fastParseConfig("indicators:\n  ema_fast: 21\n"), undefined); // not < ema_slow
  assert.equal(fastParseConfig("session:\n  timezone: Mars/Base\n"), undefined);
});
