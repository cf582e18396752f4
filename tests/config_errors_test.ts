/**
 * Bad configs: every error of the table with its one-line message, the first problem in file
 * order, ConfigError's fields, bars.seconds, --set __proto__, random text, live.warmup. The
 * defaults, overrides, digests and loadConfig: config_test.ts.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { parse as parseYaml } from "yaml";
import { parseConfigText } from "../lib/config/load.ts";
import { ConfigError } from "../lib/config/errors.ts";
import { parse, SECTIONS } from "./_config_helpers.ts";

/** The ConfigError message that `fn` throws; fails if it throws anything else or nothing. */
function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    return e.message;
  }
  assert.fail("expected a ConfigError, nothing was thrown");
}

const ERRORS: [name: string, text: string, overrides: string[], message: string][] = [
  [
    "unknown top-level key",
    "indicatorz:\n  ema_fast: 5\n",
    [],
    `config.yaml: unknown key "indicatorz" (allowed: ${SECTIONS})`,
  ],
  [
    "unknown nested key",
    "bars:\n  secs: 15\n",
    [],
    'config.yaml: unknown key "bars.secs" (allowed: seconds, late_ticks)',
  ],
  [
    "wrong type",
    "bars:\n  seconds: fast\n",
    [],
    'config.yaml: bars.seconds = "fast" is not allowed: expected an integer',
  ],
  [
    "fraction for an integer",
    "risk:\n  contracts: 1.5\n",
    [],
    "config.yaml: risk.contracts = 1.5 is not allowed: expected an integer",
  ],
  [
    "section that is not a mapping",
    "ib: 5\n",
    [],
    "config.yaml: ib = 5 is not allowed: expected a mapping",
  ],
  [
    "out of range, inclusive bound",
    "ib:\n  port: 70000\n",
    [],
    "config.yaml: ib.port = 70000 is not allowed: must be at most 65535",
  ],
  [
    "out of range, exclusive bound",
    "contract:\n  tick_size: 0\n",
    [],
    "config.yaml: contract.tick_size = 0 is not allowed: must be greater than 0",
  ],
  [
    "infinite number",
    "risk:\n  target_points: .inf\n",
    [],
    "config.yaml: risk.target_points = Infinity is not allowed: expected a finite number",
  ],
  [
    "enum",
    "strategy:\n  entry_price: close\n",
    [],
    'config.yaml: strategy.entry_price = "close" is not allowed: expected one of bar_close, next_tick',
  ],
  [
    "ema_fast equal to ema_slow",
    "indicators:\n  ema_fast: 21\n",
    [],
    "config.yaml: indicators.ema_fast = 21 is not allowed: must be less than indicators.ema_slow (21)",
  ],
  [
    "ema_fast above ema_slow",
    "indicators:\n  ema_fast: 30\n  ema_slow: 20\n",
    [],
    "config.yaml: indicators.ema_fast = 30 is not allowed: must be less than indicators.ema_slow (20)",
  ],
  [
    "bar length not dividing an hour",
    "bars:\n  seconds: 7\n",
    [],
    "config.yaml: bars.seconds = 7 is not allowed: must divide 3600 (e.g. 15, 30, 60)",
  ],
  [
    "overbought not above oversold",
    "strategy:\n  overbought: 40\n  oversold: 40\n",
    [],
    "config.yaml: strategy.overbought = 40 is not allowed: must be greater than strategy.oversold (40)",
  ],
  [
    "neither long nor short",
    "strategy:\n  long: false\n",
    [],
    "config.yaml: strategy.long = false is not allowed: at least one of strategy.long and strategy.short must be true",
  ],
  [
    "bad time zone",
    "session:\n  timezone: Asia/Atlantis\n",
    [],
    'config.yaml: session.timezone = "Asia/Atlantis" is not allowed: expected an IANA time zone such as America/Chicago or Asia/Singapore',
  ],
  [
    "contract month 13",
    "contract:\n  month: '202513'\n",
    [],
    'config.yaml: contract.month = "202513" is not allowed: expected a contract month as YYYYMM with MM from 01 to 12',
  ],
  [
    "contract month 00",
    "contract:\n  month: '202500'\n",
    [],
    'config.yaml: contract.month = "202500" is not allowed: expected a contract month as YYYYMM with MM from 01 to 12',
  ],
  [
    "contract month not quoted",
    "contract:\n  month: 202509\n",
    [],
    "config.yaml: contract.month = 202509 is not allowed: expected a string (quote it)",
  ],
  [
    "bad session start time in a list",
    'session:\n  starts: ["09:00", "9:30"]\n',
    [],
    'config.yaml: session.starts[1] = "9:30" is not allowed: expected a time as HH:MM (00:00 to 23:59)',
  ],
  [
    "empty list",
    "session:\n  starts: []\n",
    [],
    "config.yaml: session.starts = [] is not allowed: must list at least 1 entry",
  ],
  [
    "currency length",
    "contract:\n  currency: US\n",
    [],
    'config.yaml: contract.currency = "US" is not allowed: must be exactly 3 characters long',
  ],
  [
    "YAML syntax error (bad indentation)",
    "bars:\n  seconds: 15\n late_ticks: drop\n",
    [],
    // Line 3 is the misindented one; yaml points at its indentation, column 1.
    "config.yaml:3:1: YAML syntax error: All mapping items must start at the same column",
  ],
  [
    "YAML duplicate key",
    "bars:\n  seconds: 15\n  seconds: 30\n",
    [],
    "config.yaml:3:3: YAML syntax error: Map keys must be unique",
  ],
  [
    "top level is a list",
    "- bars\n- ib\n",
    [],
    `config.yaml: the top level must be a mapping of sections (${SECTIONS}), not a list`,
  ],
  [
    "top level is a scalar",
    "30\n",
    [],
    `config.yaml: the top level must be a mapping of sections (${SECTIONS}), not a number (30)`,
  ],
  [
    "override with an unknown key",
    "",
    ["bars.secs=15"],
    '--set bars.secs=15: unknown key "bars.secs" (allowed: seconds, late_ticks)',
  ],
  [
    "override with an unknown section",
    "",
    ["indicatorz.ema_fast=5"],
    `--set indicatorz.ema_fast=5: unknown key "indicatorz" (allowed: ${SECTIONS})`,
  ],
  [
    "override without =",
    "",
    ["bars.seconds"],
    "--set bars.seconds: expected key.path=value (e.g. bars.seconds=15)",
  ],
  [
    "override with an empty path segment",
    "",
    ["bars..seconds=15"],
    '--set bars..seconds=15: key path "bars..seconds" is not allowed: expected dotted keys like bars.seconds',
  ],
  [
    "override through a scalar",
    "bars:\n  seconds: 30\n",
    ["bars.seconds.x=1"],
    "--set bars.seconds.x=1: bars.seconds is a number (30), not a mapping, so bars.seconds.x cannot be set",
  ],
  [
    "override value of the wrong type",
    "",
    ["strategy.short=maybe"],
    '--set strategy.short=maybe: strategy.short = "maybe" is not allowed: expected a boolean',
  ],
  [
    "override value out of range",
    "",
    ["bars.seconds=45.5"],
    "--set bars.seconds=45.5: bars.seconds = 45.5 is not allowed: expected an integer",
  ],
  [
    "override value that is not YAML",
    "",
    ["session.starts=[09:00"],
    '--set session.starts=[09:00: cannot parse value "[09:00": Flow sequence must end with a ]',
  ],
  [
    "override breaking a cross-field rule names the override",
    "",
    ["indicators.ema_slow=5"],
    "--set indicators.ema_slow=5: indicators.ema_fast = 9 is not allowed: must be less than indicators.ema_slow (5)",
  ],
];

for (const [name, text, overrides, expected] of ERRORS) {
  Deno.test(`parseConfigText reports ${name} in one line`, () => {
    const message = messageOf(() => parse(text, overrides));
    assert.equal(message, expected);
    assert.ok(!message.includes("\n"));
  });
}

Deno.test("parseConfigText reports the first problem in file order and counts the rest", () => {
  // Three problems: zz (line 1), bars.seconds (line 3), ema_fast >= ema_slow (line 5).
  const text = "zz: 1\nbars:\n  seconds: 7\nindicators:\n  ema_fast: 40\n";
  assert.equal(
    messageOf(() => parse(text)),
    `config.yaml: unknown key "zz" (allowed: ${SECTIONS}) (and 2 more)`,
  );
  // Two unknown keys in one mapping count as two problems.
  assert.equal(
    messageOf(() => parse("bars:\n  a: 1\n  b: 2\n")),
    'config.yaml: unknown key "bars.a" (allowed: seconds, late_ticks) (and 1 more)',
  );
  // An override problem comes before the file's.
  assert.equal(
    messageOf(() => parse("bars:\n  seconds: 7\n", ["risk.contracts=0"])),
    "--set risk.contracts=0: risk.contracts = 0 is not allowed: must be at least 1 (and 1 more)",
  );
});

Deno.test("ConfigError carries the source and key path", () => {
  try {
    parse("bars:\n  seconds: 7\n");
    assert.fail("no error");
  } catch (e) {
    assert.ok(e instanceof ConfigError && e instanceof Error);
    assert.equal(e.name, "ConfigError");
    assert.equal(e.source, "config.yaml");
    assert.equal(e.keyPath, "bars.seconds");
  }
});

Deno.test("bars.seconds accepts exactly the divisors of 3600", () => {
  // Reference: 3600 = 2^4 * 3^2 * 5^2, so its divisors are 2^a 3^b 5^c.
  const divisors = new Set<number>();
  for (let a = 0; a <= 4; a++) {
    for (let b = 0; b <= 2; b++) {
      for (let c = 0; c <= 2; c++) divisors.add(2 ** a * 3 ** b * 5 ** c);
    }
  }
  assert.equal(divisors.size, 45);
  for (const ok of [15, 30, 45, 60, 300, 3600]) assert.ok(divisors.has(ok));
  for (const bad of [7, 70, 3601]) assert.ok(!divisors.has(bad));
  const accepted = new Set<number>();
  for (let s = 1; s <= 4000; s++) {
    try {
      parse("", [`bars.seconds=${s}`]);
      accepted.add(s);
    } catch (e) {
      assert.ok(e instanceof ConfigError);
    }
  }
  assert.deepEqual([...accepted].sort((x, y) => x - y), [...divisors].sort((x, y) => x - y));
});

Deno.test("--set __proto__ is rejected and pollutes nothing", () => {
  assert.equal(
    messageOf(() => parse("", ["__proto__.polluted=1"])),
    `--set __proto__.polluted=1: unknown key "__proto__" (allowed: ${SECTIONS})`,
  );
  assert.equal((({}) as Record<string, unknown>)["polluted"], undefined);
});

Deno.test("parseConfigText on any text returns a config or a one-line ConfigError", () => {
  // Mixes random text with near-valid config lines so both paths get exercised.
  const pieces = fc.constantFrom(
    "bars:\n",
    "  seconds: 15\n",
    "  seconds: 7\n",
    "strategy:\n",
    "  long: false\n",
    "  short: yes\n",
    "zz: 1\n",
    "- x\n",
    "  : :\n",
    "[\n",
    'session:\n  starts: ["09:00"]\n',
    "  timezone: Nowhere\n",
  );
  const text = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.array(pieces, { maxLength: 6 }).map((a) => a.join("")),
  );
  fc.assert(
    fc.property(text, (t) => {
      try {
        parse(t);
      } catch (e) {
        assert.ok(e instanceof ConfigError, `not a ConfigError: ${String(e)}`);
        assert.ok(!e.message.includes("\n") && e.message.startsWith("config.yaml"));
      }
    }),
    { numRuns: 300 },
  );
});

Deno.test("parsed YAML values in the test tables are what the test assumes", () => {
  // Guards the fixtures above: YAML 1.2 reads 17:00 as a string and 202509 as a number.
  assert.equal(parseYaml("17:00"), "17:00");
  assert.equal(parseYaml("202509"), 202509);
});

Deno.test("live.warmup: bars is refused with the key, the value and what is allowed", () => {
  // The option did nothing; the warm-up is by ticks (exact, and what restart recovery needs).
  assert.throws(
    () => parseConfigText("live:\n  warmup: bars\n", { source: "config.yaml" }),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message ===
        'config.yaml: live.warmup = "bars" is not allowed: expected one of ticks, off',
  );
  assert.throws(
    () => parseConfigText("", { source: "config.yaml", overrides: ["live.warmup=bars"] }),
    /^ConfigError: --set live\.warmup=bars: live\.warmup = "bars" is not allowed/,
  );
  assert.equal(parseConfigText("live:\n  warmup: off\n", { source: "c" }).live.warmup, "off");
  assert.equal(parseConfigText("live:\n  warmup: ticks\n", { source: "c" }).live.warmup, "ticks");
});
