import assert from "node:assert/strict";
import fc from "fast-check";
import { parse as parseYaml } from "yaml";
import { configSchema } from "../lib/config/schema.ts";
import { canonicalJson, configDigest, loadConfig, parseConfigText } from "../lib/config/load.ts";
import { ConfigError } from "../lib/config/errors.ts";
import { defaultConfig } from "../lib/config/defaults.ts";

const REPO = new URL("../", import.meta.url);
const repoFile = (p: string) => new URL(p, REPO);
const SECTIONS =
  "ib, contract, bars, indicators, strategy, risk, fills, session, journal, live, console, execution";

function parse(text: string, overrides: string[] = []) {
  return parseConfigText(text, { source: "config.yaml", overrides });
}

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

Deno.test("parseConfigText of an empty file gives the documented MES defaults", () => {
  const c = parse("");
  // Values from the spec, one by one.
  assert.equal(c.contract.symbol, "MES");
  assert.equal(c.contract.exchange, "CME");
  assert.equal(c.contract.currency, "USD");
  assert.equal(c.contract.tick_size, 0.25);
  assert.equal(c.contract.multiplier, 5);
  assert.equal("month" in c.contract, false); // front month
  assert.equal(c.bars.seconds, 30);
  assert.equal(c.indicators.ema_fast, 9);
  assert.equal(c.indicators.ema_slow, 21);
  assert.equal(c.indicators.rsi_period, 9);
  assert.equal(c.indicators.atr_period, 9);
  assert.equal(c.indicators.rvol_lookback, 20);
  assert.equal(c.indicators.rvol_threshold, 1.5);
  assert.equal(c.indicators.vwap, true);
  assert.equal(c.strategy.long, true);
  assert.equal(c.strategy.short, false);
  assert.equal(c.risk.contracts, 1);
  assert.equal(c.risk.stop_atr_multiple, 1.5);
  assert.equal(c.risk.target_points, 3);
  assert.equal(c.session.timezone, "America/Chicago");
  assert.deepEqual(c.session.starts, ["17:00"]);
  assert.equal(c.journal.path, "trade_record.text");
});

Deno.test("parseConfigText treats comments only, empty values and ~ as defaults", () => {
  const defaults = configSchema.parse({});
  assert.deepEqual(parse("# nothing here\n"), defaults);
  assert.deepEqual(parse("bars:\n  # seconds: 15\nstrategy: ~\ncontract:\n  month:\n"), defaults);
});

Deno.test("config.yaml in the repo parses to exactly the schema defaults", async () => {
  const text = await Deno.readTextFile(repoFile("config.yaml"));
  assert.deepEqual(parse(text), configSchema.parse({}));
});

Deno.test("config.yaml lists every schema key, each with a comment", async () => {
  const lines = (await Deno.readTextFile(repoFile("config.yaml"))).split("\n");
  const sectionStart = (name: string) => lines.indexOf(`${name}:`);
  for (const [section, schema] of Object.entries(configSchema.shape)) {
    const start = sectionStart(section);
    assert.ok(start >= 0, `section ${section} missing`);
    const inner = schema.unwrap();
    for (const key of Object.keys(inner.shape)) {
      const at = lines.findIndex((l, i) => i > start && l.startsWith(`  ${key}:`));
      assert.ok(at > start, `${section}.${key} missing`);
      const commented = lines[at]!.includes(" # ") || lines[at - 1]!.trimStart().startsWith("#");
      assert.ok(commented, `${section}.${key} has no comment`);
    }
  }
});

const XINA50 = {
  symbol: "XINA50",
  exchange: "SGX",
  currency: "USD",
  multiplier: 1,
  tick_size: 1,
  timezone: "Asia/Singapore",
  starts: ["09:00", "17:00"],
  liquid_hours: ["09:00-16:30", "17:00-05:15"],
};

Deno.test("examples/xina50.yaml parses with the SGX contract and Singapore sessions", async () => {
  const c = parse(await Deno.readTextFile(repoFile("examples/xina50.yaml")));
  assert.equal(c.contract.symbol, XINA50.symbol);
  assert.equal(c.contract.exchange, XINA50.exchange);
  assert.equal(c.contract.currency, XINA50.currency);
  assert.equal(c.contract.multiplier, XINA50.multiplier);
  assert.equal(c.contract.tick_size, XINA50.tick_size);
  assert.equal(c.session.timezone, XINA50.timezone);
  assert.deepEqual(c.session.starts, XINA50.starts);
  assert.deepEqual(c.session.liquid_hours, XINA50.liquid_hours);
  // SGX's A50 costs more per contract than the CME micro default (IBKR's non-US tiered rate).
  assert.equal(c.fills.commission_per_contract, 1.05);
  // Everything else stays at the defaults.
  const defaults = configSchema.parse({});
  assert.deepEqual(
    {
      ...c,
      contract: defaults.contract,
      session: defaults.session,
      fills: { ...c.fills, commission_per_contract: defaults.fills.commission_per_contract },
    },
    defaults,
  );
});

Deno.test("the commented XINA50 block in config.yaml equals examples/xina50.yaml", async () => {
  const text = await Deno.readTextFile(repoFile("config.yaml"));
  const block = text.slice(text.indexOf("# ib:"));
  const uncommented = block.split("\n").map((l) => l.replace(/^# ?/, "")).join("\n");
  const example = parse(await Deno.readTextFile(repoFile("examples/xina50.yaml")));
  assert.deepEqual(parse(uncommented), example);
});

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

Deno.test("parseConfigText applies --set overrides in order over the file", () => {
  const c = parse("contract:\n  symbol: MNQ\n  month: '202512'\n", [
    "strategy.short=true",
    "bars.seconds=15",
    "contract.symbol=ES",
    "contract.month=202603", // a string key keeps the text, no quoting needed
    "risk.target_points=2.5",
    'session.starts=["08:30", "17:00"]',
    "bars.seconds=60", // the later override wins
  ]);
  assert.equal(c.strategy.short, true);
  assert.equal(c.bars.seconds, 60);
  assert.equal(c.contract.symbol, "ES");
  assert.equal(c.contract.month, "202603");
  assert.equal(c.risk.target_points, 2.5);
  assert.deepEqual(c.session.starts, ["08:30", "17:00"]);
  assert.equal(c.contract.exchange, "CME"); // untouched keys keep their values
});

Deno.test("an empty --set value resets a key to its default", () => {
  const c = parse("contract:\n  month: '202512'\nbars:\n  seconds: 15\n", [
    "contract.month=",
    "bars.seconds=",
  ]);
  assert.equal("month" in c.contract, false);
  assert.equal(c.bars.seconds, 30);
});

Deno.test("--set __proto__ is rejected and pollutes nothing", () => {
  assert.equal(
    messageOf(() => parse("", ["__proto__.polluted=1"])),
    `--set __proto__.polluted=1: unknown key "__proto__" (allowed: ${SECTIONS})`,
  );
  assert.equal((({}) as Record<string, unknown>)["polluted"], undefined);
});

Deno.test("canonicalJson sorts keys at every level and keeps array order", () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [2, 1], c: "x" } }),
    '{"a":{"c":"x","d":[2,1]},"b":1}',
  );
});

Deno.test("configDigest is the first 12 hex digits of SHA-256 of the canonical JSON", async () => {
  const c = parse("");
  // Independent hash: WebCrypto rather than node:crypto.
  const bytes = new TextEncoder().encode(canonicalJson(c));
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const hex = [...hash].map((b) => b.toString(16).padStart(2, "0")).join("");
  assert.equal(await configDigest(c), hex.slice(0, 12));
});

Deno.test("configDigest is equal for equal effective configs and differs otherwise", async () => {
  const base = await configDigest(parse(""));
  // Same values, written differently: explicit defaults, other key order, comments, override.
  assert.equal(
    await configDigest(parse("bars:\n  late_ticks: drop\n  seconds: 30 # default\n")),
    base,
  );
  assert.equal(
    await configDigest(parse("strategy:\n  short: true\n", ["strategy.short=false"])),
    base,
  );
  const changed = await Promise.all([
    configDigest(parse("", ["bars.seconds=15"])),
    configDigest(parse("", ["strategy.short=true"])),
    configDigest(parse("", ["contract.month=202512"])),
    configDigest(parse("", ['session.starts=["17:00", "08:30"]'])),
    configDigest(parse("", ['session.starts=["08:30", "17:00"]'])),
  ]);
  assert.equal(new Set([base, ...changed]).size, 1 + changed.length);
  assert.match(base, /^[0-9a-f]{12}$/);
});

Deno.test("the built-in defaults are exactly what the schema gives an empty config", () => {
  // loadConfig uses them without the schema when there is no file and no --set.
  assert.deepEqual(defaultConfig(), configSchema.parse({}));
  assert.deepEqual(defaultConfig(), parseConfigText("", { source: "defaults" }));
  // Fresh copies: a caller's change does not leak into the next run's config.
  const a = defaultConfig();
  a.session.starts.push("08:30");
  a.bars.seconds = 15;
  assert.deepEqual(defaultConfig(), configSchema.parse({}));
});

Deno.test("loadConfig without config.yaml and without --set gives the defaults and their digest", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const loaded = await loadConfig(undefined, { cwd: dir });
    assert.equal(loaded.source, "defaults");
    assert.deepEqual(loaded.config, configSchema.parse({}));
    assert.equal(loaded.digest, await configDigest(configSchema.parse({})));
    // The repo's config.yaml (the defaults written out) has the same digest.
    assert.equal((await loadConfig(undefined, { cwd: REPO.pathname })).digest, loaded.digest);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadConfig without a path and without config.yaml uses the defaults", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const loaded = await loadConfig(undefined, { cwd: dir, overrides: ["bars.seconds=15"] });
    assert.equal(loaded.source, "defaults");
    assert.deepEqual(loaded.config, configSchema.parse({ bars: { seconds: 15 } }));
    assert.equal(loaded.digest, await configDigest(loaded.config));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadConfig reads config.yaml from the working directory or a given path", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/config.yaml`, "bars:\n  seconds: 60\n");
    const found = await loadConfig(undefined, { cwd: dir });
    assert.equal(found.source, "config.yaml");
    assert.equal(found.config.bars.seconds, 60);

    await Deno.writeTextFile(`${dir}/other.yaml`, "bars:\n  seconds: 7\n");
    await assert.rejects(
      loadConfig("other.yaml", { cwd: dir }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message ===
          "other.yaml: bars.seconds = 7 is not allowed: must divide 3600 (e.g. 15, 30, 60)",
    );
    await assert.rejects(
      loadConfig("missing.yaml", { cwd: dir }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message === "missing.yaml: cannot read config: file not found",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadConfig of the repo's config.yaml has the defaults' digest", async () => {
  const loaded = await loadConfig(undefined, { cwd: REPO.pathname });
  assert.equal(loaded.source, "config.yaml");
  assert.equal(loaded.digest, await configDigest(configSchema.parse({})));
});

Deno.test("loadConfig's digest covers the code of strategy.module, read from the config's folder", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const a = "export default () => 1;\n";
    const b = "export default () => 2;\n";
    await Deno.mkdir(`${dir}/one`);
    await Deno.mkdir(`${dir}/two`);
    const yaml = "strategy:\n  module: ./my_strategy.ts\n";
    await Deno.writeTextFile(`${dir}/one/c.yaml`, yaml);
    await Deno.writeTextFile(`${dir}/two/c.yaml`, yaml);
    await Deno.writeTextFile(`${dir}/one/my_strategy.ts`, a);
    await Deno.writeTextFile(`${dir}/two/my_strategy.ts`, b);
    const one = await loadConfig("one/c.yaml", { cwd: dir });
    const two = await loadConfig("two/c.yaml", { cwd: dir });
    // The same effective config (the module value as written), two different files.
    assert.deepEqual(one.config, two.config);
    assert.notEqual(one.digest, two.digest);
    // Reference: SHA-256 of the canonical JSON, a line feed, then the module's bytes.
    const expected = async (code: string) => {
      const text = canonicalJson(one.config) + "\n" + code;
      const hash = new Uint8Array(
        await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)),
      );
      return [...hash].map((x) => x.toString(16).padStart(2, "0")).join("").slice(0, 12);
    };
    assert.equal(one.digest, await expected(a));
    assert.equal(two.digest, await expected(b));
    // The same code in another folder: the same digest (the code counts, not where it is).
    await Deno.writeTextFile(`${dir}/two/my_strategy.ts`, a);
    assert.equal((await loadConfig("two/c.yaml", { cwd: dir })).digest, one.digest);
    // A missing module: the config alone (the strategy loader reports the missing file).
    await Deno.remove(`${dir}/two/my_strategy.ts`);
    const missing = await loadConfig("two/c.yaml", { cwd: dir });
    assert.equal(missing.digest, await configDigest(missing.config));
    assert.notEqual(missing.digest, one.digest);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
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
