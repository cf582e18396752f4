import assert from "node:assert/strict";
import { configSchema } from "../lib/config/schema.ts";
import { canonicalJson, configDigest, loadConfig, parseConfigText } from "../lib/config/load.ts";
import { ConfigError } from "../lib/config/errors.ts";
import { defaultConfig } from "../lib/config/defaults.ts";
import { parse, REPO, repoFile } from "./_config_helpers.ts";

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
