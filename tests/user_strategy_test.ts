/**
 * User strategies (issue 7): the loader (lib/strategy/loader.ts) with its one-line errors,
 * the two shipped examples traded through the real engine on hand-made ticks with
 * hand-worked entries and exits, and the README tutorial's code, which must be an examples/
 * file verbatim.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ConfigError } from "../lib/config/errors.ts";
import { loadConfig } from "../lib/config/load.ts";
import { fillsSchema } from "../lib/config/schema.ts";
import { Engine } from "../lib/engine/engine.ts";
import { indicatorNames } from "../lib/indicators/registry.ts";
import { loadStrategy } from "../lib/strategy/loader.ts";
import type { EntryEvent, ExitEvent, JournalEvent } from "../lib/types.ts";

const ROOT = new URL("..", import.meta.url).pathname;

/** Exact fills: the signal bar's close, no entry slippage (when the config has that key). */
const EXACT = [
  "strategy.entry_price=bar_close",
  ...("entry_slippage_ticks" in fillsSchema.shape ? ["fills.entry_slippage_ticks=0"] : []),
];

/** Loads `config` (relative to the repo) with overrides, then its strategy. */
async function load(config: string, overrides: string[] = []) {
  const loaded = await loadConfig(config, { overrides, cwd: ROOT });
  return await loadStrategy(loaded, { cwd: ROOT });
}

/** Runs the engine over `ticks` ([iso time, price] with size 1); returns the events. */
async function trade(config: string, overrides: string[], ticks: [string, number][]) {
  const c = await load(config, overrides);
  const events: JournalEvent[] = [];
  const engine = new Engine({ config: c, journal: { write: (e) => events.push(e) }, runId: "T" });
  const t0 = Date.parse(ticks[0]![0]);
  engine.start({ time: t0, version: "test", configDigest: "x", source: "test" });
  for (const [iso, price] of ticks) engine.onTick(Date.parse(iso), price, 1);
  engine.finish("END", "END_OF_DATA");
  return events;
}

const entries = (ev: JournalEvent[]) => ev.filter((e): e is EntryEvent => e.kind === "ENTRY");
const exits = (ev: JournalEvent[]) => ev.filter((e): e is ExitEvent => e.kind === "EXIT");

/** Ticks every `stepS` seconds from `start` (UTC ISO) through `prices`. */
function series(start: string, stepS: number, prices: number[]): [string, number][] {
  const t = Date.parse(start);
  return prices.map((p, i) => [new Date(t + i * stepS * 1000).toISOString(), p]);
}

Deno.test("examples/orb_strategy.ts: enters at the first close beyond the 15-minute range, stop at its other side, target 1.5 R, once a day", async () => {
  // 08:30-08:45 Chicago (14:30-14:45 UTC): 90 ticks, 10 s apart, between 5000 and 5004.
  const range = series(
    "2025-02-17T14:30:00Z",
    10,
    [...Array(90)].map((_, i) => [5002, 5004, 5000][i % 3]!),
  );
  const ticks: [string, number][] = [
    ...range,
    // 08:45:00 bar: closes 5003.50, inside the range: no entry.
    ["2025-02-17T14:45:00Z", 5003],
    ["2025-02-17T14:45:20Z", 5003.5],
    // 08:45:30 bar: 5004.50 then 5005 -> closes 5005 above the high 5004: LONG at 5005,
    // risk 5005 - 5000 = 5 points, stop 5000, target 5005 + 1.5 x 5 = 5012.50.
    ["2025-02-17T14:45:30Z", 5004.5],
    ["2025-02-17T14:45:50Z", 5005],
    ["2025-02-17T14:46:00Z", 5008],
    ["2025-02-17T14:46:40Z", 5012.5],
    ["2025-02-17T14:47:10Z", 5013],
    // Later a close far below the low: no second trade that day.
    ["2025-02-17T14:50:00Z", 4990],
    ["2025-02-17T14:50:40Z", 4990],
    ["2025-02-17T14:51:10Z", 4990],
  ];
  const ev = await trade("examples/orb.yaml", EXACT, ticks);
  const [e, ...more] = entries(ev);
  assert.equal(more.length, 0);
  assert.equal(e!.side, "LONG");
  assert.equal(e!.time, Date.parse("2025-02-17T14:46:00Z")); // the 08:45:30 bar's end
  assert.equal(e!.entry, 5005);
  assert.equal(e!.stop, 5000);
  assert.equal(e!.target, 5012.5);
  const [x] = exits(ev);
  assert.equal(x!.reason, "TARGET");
  assert.equal(x!.price, 5012.5);
  assert.equal(x!.pnlPoints, 7.5);
});

Deno.test("examples/orb_strategy.ts: a short below the range; a range wider than max_range_points is not traded", async () => {
  const range = series(
    "2025-02-17T14:30:00Z",
    10,
    [...Array(90)].map((_, i) => [5002, 5004, 5000][i % 3]!),
  );
  const down: [string, number][] = [
    ["2025-02-17T14:45:00Z", 4999.75],
    ["2025-02-17T14:45:20Z", 4999], // closes 4999 < 5000
    ["2025-02-17T14:45:30Z", 4998],
    ["2025-02-17T14:46:00Z", 4998],
  ];
  const [s] = entries(await trade("examples/orb.yaml", EXACT, [...range, ...down]));
  // SHORT at 4999: risk 5004 - 4999 = 5, stop 5004, target 4999 - 7.5 = 4991.50.
  assert.deepEqual([s!.side, s!.entry, s!.stop, s!.target], ["SHORT", 4999, 5004, 4991.5]);
  const narrow = [...EXACT, "strategy.params.max_range_points=3.75"];
  assert.equal(entries(await trade("examples/orb.yaml", narrow, [...range, ...down])).length, 0);
});

Deno.test("examples/vwap_reversion_strategy.ts: a close more than band_atr ATRs under VWAP goes long, target at the VWAP, stop stop_atr ATRs", async () => {
  const overrides = [
    ...EXACT,
    "strategy.params.atr_period=2",
    "strategy.params.band_atr=1",
    "strategy.params.stop_atr=1",
    "strategy.calibration_bars=1",
  ];
  const flat = [5000, 5000.5, 4999.5, 5000]; // high - low = 1, close 5000: TR 1
  const drop = [4996, 4996.5, 4995.5, 4995.75];
  const prices = [...flat, ...flat, ...flat, ...drop, 4997, 4998, 4999, 4999.25];
  const ev = await trade(
    "examples/vwap_reversion.yaml",
    overrides,
    series("2025-02-17T14:30:00Z", 7.5, prices),
  );
  // Bar 4: TR = max(1, 4996.5 - 5000 | 4995.5 - 5000) = 4.5; Wilder ATR(2) = (1 + 4.5) / 2 = 2.75.
  // VWAP of the 16 prints = (3 x 20000 + 19983.75) / 16 = 4998.984375; close 4995.75 is
  // 3.234375 under it, more than 1 ATR: LONG at 4995.75, stop 4995.75 - 2.75 = 4993,
  // target 4995.75 + 3.234375 = 4998.984375 on the grid = 4999.
  const [e, ...more] = entries(ev);
  assert.equal(more.length, 0);
  assert.deepEqual([e!.side, e!.entry, e!.stop, e!.target], ["LONG", 4995.75, 4993, 4999]);
  assert.equal(e!.time, Date.parse("2025-02-17T14:32:00Z"));
  const [x] = exits(ev);
  assert.deepEqual([x!.reason, x!.price], ["TARGET", 4999]);
});

Deno.test("README: the tutorial's code block is examples/vwap_reversion_strategy.ts, under 50 lines", async () => {
  const readme = await Deno.readTextFile(join(ROOT, "README.md"));
  const at = readme.indexOf("## Write your own strategy in under 50 lines");
  assert.ok(at >= 0, "tutorial section missing");
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(at));
  assert.ok(block !== null, "no ts code block in the tutorial");
  const file = await Deno.readTextFile(join(ROOT, "examples/vwap_reversion_strategy.ts"));
  assert.equal(block[1], file);
  assert.ok(file.split("\n").length - 1 < 50, `${file.split("\n").length - 1} lines`);
});

// ---------------------------------------------------------------------------------------
// Bad modules: one ConfigError line naming the config file, the key and the module.

const dir = await Deno.makeTempDir({ prefix: "user_strategy_" });
const API = join(ROOT, "lib/strategy/api.ts");

/** Writes `name` in the temp folder and a config naming it; returns the config path. */
async function module(name: string, code: string, extra = ""): Promise<string> {
  await Deno.writeTextFile(join(dir, name), code);
  const config = join(dir, `${name}.yaml`);
  await Deno.writeTextFile(config, `strategy:\n  module: ./${name}\n${extra}`);
  return config;
}

const GOOD = `import type { StrategyApi } from "${API}";
export default function ({ z, defineStrategy, registerIndicator }: StrategyApi) {
  registerIndicator({ name: "user_last", params: [], decimals: "price", create: () => {
    let v: number | undefined;
    return { input: "close", warmUp: 1, get value() { return v; }, get ready() { return v !== undefined; },
      reset() { v = undefined; }, update(c: number) { return v = c; } };
  } });
  return defineStrategy({
    name: "good",
    schema: z.strictObject({ level: z.number().min(0).default(1) }),
    create: (p) => ({ indicators: [{ spec: "user_last" }], onBar: () => p.level < 0 ? undefined : undefined }),
  });
}
`;

async function loadError(config: string): Promise<string> {
  const e = await load(config).then(() => undefined, (e: unknown) => e);
  assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
  assert.ok(!e.message.includes("\n"), e.message);
  return e.message;
}

Deno.test("loader: a good module loads (twice: its indicator is registered once), params validated by its schema", async () => {
  const config = await module("good.ts", GOOD, "  params: {level: 2}\n");
  const c = await load(config);
  assert.equal(c.strategy.module, join(dir, "good.ts"));
  await load(config);
  assert.ok(indicatorNames().includes("user_last"));
  const bad = await module(
    "good2.ts",
    GOOD.replace('"good"', '"good2"').replace('"user_last"', '"user_last2"'),
    "  params: {level: -1}\n",
  );
  assert.equal(
    await loadError(bad),
    `${bad}: strategy.params.level = -1 is not allowed: must be at least 0 (strategy good2)`,
  );
  const unknownKey = await module(
    "good3.ts",
    GOOD.replace('"good"', '"good3"').replace('"user_last"', '"user_last3"'),
    "  params: {levle: 1}\n",
  );
  assert.equal(
    await loadError(unknownKey),
    `${unknownKey}: unknown key "strategy.params.levle" (allowed: level) (strategy good3)`,
  );
});

Deno.test("loader: the examples' schemas reject a bad value with the config's wording", async () => {
  const orb = join(ROOT, "examples/orb.yaml");
  const e = await load(orb, ["strategy.params.range_minutes=0"]).then(() => undefined, (e) => e);
  assert.ok(e instanceof ConfigError);
  assert.equal(
    e.message,
    `${orb}: strategy.params.range_minutes = 0 is not allowed: must be at least 1 (strategy orb)`,
  );
});

Deno.test("loader: missing file, syntax error, throw at import, no strategy export, bad definition: one line each", async () => {
  const missing = join(dir, "missing.yaml");
  await Deno.writeTextFile(missing, "strategy:\n  module: ./nope.ts\n");
  assert.equal(
    await loadError(missing),
    `${missing}: strategy.module = "./nope.ts": file not found (${join(dir, "nope.ts")})`,
  );
  const syntax = await loadError(await module("syntax.ts", "export default (: number => 1;\n"));
  assert.match(
    syntax,
    /strategy\.module = "\.\/syntax\.ts": cannot load .*syntax\.ts: .*Expression expected at .*syntax\.ts:1:17$/,
  );
  const thrower = await loadError(await module("import_throw.ts", 'throw new Error("no luck");\n'));
  assert.match(thrower, /cannot load .*import_throw\.ts: Error: no luck/);
  const none = await loadError(await module("none.ts", "export const strategy = 1;\n"));
  assert.match(none, /none\.ts has no strategy: its default export must be a function/);
  const badName = await loadError(
    await module("badname.ts", 'export default () => ({ name: "Bad Name" });\n'),
  );
  assert.match(badName, /badname\.ts names its strategy "Bad Name": expected lower-case/);
  const noSchema = await loadError(
    await module("noschema.ts", 'export default () => ({ name: "x", create() {} });\n'),
  );
  assert.match(noSchema, /noschema\.ts gives strategy x no zod schema/);
});

Deno.test("loader: unknown indicators, a taken indicator name, a failing create and a name mismatch: one line each", async () => {
  const unknown = await loadError(
    await module(
      "unknown_ind.ts",
      GOOD.replace('[{ spec: "user_last" }]', '[{ spec: "nope(3)" }]').replace(
        '"user_last"',
        '"user_last4"',
      ),
    ),
  );
  assert.match(
    unknown,
    /unknown_ind\.ts: strategy good declares an indicator it cannot have: Unknown indicator "nope" \(known: .*ema.*\)$/,
  );
  const taken = await loadError(
    await module("taken.ts", GOOD.replace('name: "user_last"', 'name: "ema"')),
  );
  assert.match(
    taken,
    /taken\.ts cannot register its indicator: Indicator "ema" is already registered$/,
  );
  const failing = await loadError(
    await module(
      "failing.ts",
      GOOD.replace('"user_last"', '"user_last5"').replace(
        "create: (p) => ({",
        'create: (p) => { throw new RangeError("bad " + p.level); }, _x: () => ({',
      ),
    ),
  );
  assert.match(failing, /failing\.ts: strategy good failed to start: bad 1$/);
  const named = await loadError(
    await module("named.ts", GOOD.replace('"user_last"', '"user_last6"'), "  name: other\n"),
  );
  assert.match(
    named,
    /strategy\.name = "other" does not match the strategy of strategy\.module \(good\)/,
  );
});
