/**
 * The fast path of config loading: the config file read by the YAML subset reader
 * (yaml_subset.ts), `--set` overrides applied, and the result checked against a hand-written
 * copy of the zod schema's rules ({@linkcode CONFIG_RULES}), without loading `yaml`, zod's
 * config schema or its validation (about 60 ms of a backtest's start-up together).
 *
 * It only ever answers with a config that `parseConfigText` (load.ts) would return too, or
 * `undefined`: on anything it does not know (text outside the subset, a key its rules lack,
 * any failed check, an odd override) the caller runs the full loader, which then gives the
 * exact one-line error. tests/config_fast_test.ts keeps the two equal: it compares the rules
 * with the zod schema's own checks, and the results of both paths on generated configs.
 *
 * @module
 */
import type { Config } from "./schema.ts";
import { defaultConfig } from "./defaults.ts";
import { dropNulls, isPlainObject, type Raw, setPath } from "./raw.ts";
import { readYamlSubset, readYamlValue } from "./yaml_subset.ts";
import { isTimeZone } from "../time/zone.ts";

/** A check of one value, as the zod schema states it. */
export type Rule =
  | { kind: "int" | "number"; min?: Bound; max?: Bound; refine?: (v: number) => boolean }
  | {
    kind: "string";
    minLength?: number;
    length?: number;
    pattern?: RegExp;
    refine?: (v: string) => boolean;
  }
  | { kind: "boolean" }
  | { kind: "enum"; values: readonly string[] }
  | { kind: "list"; item: Rule; minLength?: number }
  | { kind: "record" }
  | Section;

/** A bound of a number; `inclusive: false` for `positive()` and the like. */
export interface Bound {
  /** The limit. */
  value: number;
  /** True when the limit itself is allowed. */
  inclusive: boolean;
}

/** A mapping (a `strictObject` with `prefault({})` in the schema), its keys in schema order. */
export interface Section {
  /** Discriminant. */
  kind: "section";
  /** Each key's rule. */
  keys: Readonly<Record<string, Rule>>;
  /** The schema's `superRefine`s on this mapping, one each: true when the mapping is valid. */
  refines?: readonly ((v: Raw) => boolean)[];
}

const at = (value: number, inclusive = true): Bound => ({ value, inclusive });
const int = (min: number, max: number): Rule => ({ kind: "int", min: at(min), max: at(max) });
const positive = (max?: number): Rule => ({
  kind: "number",
  min: at(0, false),
  ...(max === undefined ? {} : { max: at(max) }),
});
const num = (min: number, max?: number): Rule => ({
  kind: "number",
  min: at(min),
  ...(max === undefined ? {} : { max: at(max) }),
});
const str: Rule = { kind: "string", minLength: 1 };
const bool: Rule = { kind: "boolean" };
const oneOf = (...values: string[]): Rule => ({ kind: "enum", values });
const section = (keys: Record<string, Rule>, ...refines: ((v: Raw) => boolean)[]): Section => (
  refines.length === 0 ? { kind: "section", keys } : { kind: "section", keys, refines }
);

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const WINDOW = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/;
const n = (v: unknown) => v as number;
const sub = (v: unknown) => v as Raw;

/**
 * lib/config/schema.ts as plain rules, section by section in schema order. Keep in step with
 * the schema: tests/config_fast_test.ts fails when a key, bound, pattern or refinement
 * differs. A key missing here only makes configs that set it take the full path.
 */
export const CONFIG_RULES: Section = section({
  ib: section({
    host: str,
    port: int(1, 65535),
    client_id: int(0, 2_147_483_647),
    max_req_per_sec: int(1, 50),
    tick_type: oneOf("AllLast", "Last"),
  }),
  contract: section({
    symbol: str,
    sec_type: oneOf("FUT", "CONTFUT"),
    exchange: str,
    currency: { kind: "string", length: 3 },
    month: {
      kind: "string",
      pattern: /^\d{6}$/,
      refine: (m) => !/^\d{6}$/.test(m) || (Number(m.slice(4)) >= 1 && Number(m.slice(4)) <= 12),
    },
    tick_size: positive(),
    multiplier: positive(),
  }),
  bars: section({
    seconds: { kind: "int", min: at(1), max: at(3600), refine: (s) => s > 3600 || 3600 % s === 0 },
    late_ticks: oneOf("drop", "current"),
  }),
  indicators: section({
    ema_fast: int(1, 500),
    ema_slow: int(2, 1000),
    rsi_period: int(1, 500),
    atr_period: int(1, 500),
    rvol_lookback: int(1, 1000),
    rvol_threshold: num(0),
    vwap: bool,
  }, (v) => n(v.ema_fast) < n(v.ema_slow)),
  strategy: section(
    {
      name: { kind: "string", pattern: /^[a-z][a-z0-9_]*$/ },
      params: { kind: "record" },
      module: { kind: "string", pattern: /\.[cm]?[jt]s$/ },
      long: bool,
      short: bool,
      rsi_long_min: num(0, 100),
      rsi_short_max: num(0, 100),
      overbought_filter: bool,
      overbought: num(0, 100),
      oversold: num(0, 100),
      trigger: oneOf("state", "cross", "pullback"),
      pullback_to: oneOf("ema_fast", "vwap"),
      pullback_bars: int(1, 1000),
      calibration_bars: int(1, 10_000),
      entry_price: oneOf("bar_close", "next_tick"),
    },
    (v) => (v.long === true || v.short === true) && n(v.overbought) > n(v.oversold),
  ),
  risk: section({
    contracts: int(1, 10_000),
    stop_atr_multiple: positive(100),
    target_points: positive(),
    stop: section({
      mode: oneOf("atr", "trailing_atr", "breakeven", "swing"),
      breakeven_after: positive(1000),
      breakeven_unit: oneOf("r", "points"),
      breakeven_offset_ticks: int(1, 1000),
      swing_lookback: int(1, 500),
      swing_max_risk: positive(),
    }),
    target: section({
      mode: oneOf("points", "r_multiple", "trailing"),
      r_multiple: positive(100),
      trail_points: positive(),
    }),
    scale_out: section({ contracts: int(0, 9_999), runner_points: positive() }),
  }, (v) => {
    const scaled = n(sub(v.scale_out).contracts);
    return !(scaled > 0 && scaled >= n(v.contracts));
  }),
  fills: section({
    partial: bool,
    commission_per_contract: num(0),
    stop_slippage_ticks: int(0, 1000),
    entry_slippage_ticks: int(0, 1000),
    target_fill: oneOf("touch", "through"),
    entry_timeout_bars: int(1, 1000),
  }),
  session: section({
    timezone: { kind: "string", minLength: 1, refine: (tz) => tz === "" || isTimeZone(tz) },
    starts: { kind: "list", item: { kind: "string", pattern: HHMM }, minLength: 1 },
    liquid_hours: { kind: "list", item: { kind: "string", pattern: WINDOW } },
  }),
  journal: section({ path: str }),
  live: section({
    roll_days: int(0, 90),
    contract_hours: bool,
    grace_ms: int(0, 60_000),
    timer_ms: int(5, 10_000),
    warmup: oneOf("ticks", "off"),
    warmup_bars: int(0, 10_000),
    max_pages: int(1, 10_000),
    page_interval_ms: int(0, 60_000),
    reconnect_min_ms: int(10, 600_000),
    reconnect_max_ms: int(10, 3_600_000),
    reconnect_jitter: num(0, 1),
    watchdog_ms: int(0, 3_600_000),
    request_timeout_ms: int(100, 600_000),
    flatten_minutes: int(0, 600),
    on_stop: oneOf("close", "keep"),
  }),
  console: section({
    time_zone: {
      kind: "string",
      minLength: 1,
      refine: (tz) => tz === "exchange" || tz === "local" || isTimeZone(tz),
    },
    log_level: oneOf("debug", "info", "warning", "error"),
  }),
  execution: section({
    venue: oneOf("paper", "ib"),
    entry_type: oneOf("market", "limit"),
    limit_timeout_bars: int(1, 1000),
    limit_timeout_seconds: positive(86_400),
    allow_live_account: bool,
    max_position: int(1, 10_000),
    daily_loss_limit: positive(),
    kill_file: str,
    unexplained: oneOf("adopt", "flatten"),
  }),
}, (v) => {
  const s = sub(v.strategy);
  if (s.trigger === "pullback" && s.pullback_to === "vwap" && !sub(v.indicators).vwap) {
    return false;
  }
  const max = sub(v.execution).max_position;
  return max === undefined || n(max) >= n(sub(v.risk).contracts);
});

/** Options for {@linkcode fastParseConfig}. */
export interface FastParseOptions {
  /** `key.path=value` strings (from repeated `--set`), applied in order. */
  overrides?: readonly string[];
}

/**
 * The config that `parseConfigText(text, options)` returns, computed without yaml and zod,
 * or `undefined` when this path cannot tell (then the caller runs `parseConfigText`, which
 * also words any error).
 *
 * @example
 * ```ts
 * fastParseConfig("bars:\n  seconds: 15\n")?.bars.seconds; // 15
 * fastParseConfig("bars:\n  seconds: 7\n"); // undefined: parseConfigText explains why
 * ```
 */
export function fastParseConfig(
  text: string,
  options: FastParseOptions = {},
): Config | undefined {
  let top = readYamlSubset(text);
  if (top === undefined) return undefined;
  top ??= {};
  if (!isPlainObject(top)) return undefined;
  const raw = dropNulls(top);
  for (const o of options.overrides ?? []) if (!applyOverride(raw, o)) return undefined;
  return validateSection(CONFIG_RULES, raw, defaultConfig()) as Config | undefined;
}

const SEGMENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** load.ts's applyOverride for the cases that succeed there; false for anything else. */
function applyOverride(raw: Raw, text: string): boolean {
  const eq = text.indexOf("=");
  if (eq <= 0) return false;
  const key = text.slice(0, eq).trim();
  const path = key.split(".");
  if (!path.every((s) => SEGMENT.test(s))) return false;
  const valueText = text.slice(eq + 1);
  let value = readYamlValue(valueText);
  if (value === undefined) return false;
  // On a command line quoting is awkward: `contract.month=202509` means the string.
  if ((typeof value === "number" || typeof value === "boolean") && expectsString(path)) {
    value = valueText.trim();
  }
  return setPath(raw, path, value) === undefined;
}

/** True when the schema has a plain string at `path` (load.ts's expectsString). */
function expectsString(path: readonly string[]): boolean {
  let rule: Rule | undefined = CONFIG_RULES;
  for (const seg of path) {
    if (rule?.kind !== "section" || !Object.hasOwn(rule.keys, seg)) return false;
    rule = rule.keys[seg];
  }
  return rule?.kind === "string";
}

/**
 * The section as zod returns it (keys in schema order, defaults from defaults.ts), or
 * undefined when anything is unknown or invalid.
 */
function validateSection(rule: Section, input: unknown, defaults: unknown): Raw | undefined {
  if (!isPlainObject(input) || !isPlainObject(defaults)) return undefined;
  for (const k of Object.keys(input)) if (!Object.hasOwn(rule.keys, k)) return undefined;
  // A default these rules do not know: the schema grew a key since they were written.
  for (const k of Object.keys(defaults)) if (!Object.hasOwn(rule.keys, k)) return undefined;
  const out: Raw = {};
  for (const [k, keyRule] of Object.entries(rule.keys)) {
    const given = Object.hasOwn(input, k) ? input[k] : undefined;
    if (keyRule.kind === "section") {
      const v = validateSection(keyRule, given ?? {}, defaults[k]);
      if (v === undefined) return undefined;
      out[k] = v;
    } else if (given !== undefined) {
      const v = validateValue(keyRule, given);
      if (v === undefined) return undefined;
      out[k] = v;
    } else if (Object.hasOwn(defaults, k)) {
      out[k] = defaults[k];
    }
  }
  for (const refine of rule.refines ?? []) if (!refine(out)) return undefined;
  return out;
}

function inBounds(v: number, min: Bound | undefined, max: Bound | undefined): boolean {
  if (min !== undefined && !(min.inclusive ? v >= min.value : v > min.value)) return false;
  return max === undefined || (max.inclusive ? v <= max.value : v < max.value);
}

/** The value zod returns for `v` under `rule`, or undefined when zod would reject it. */
function validateValue(rule: Exclude<Rule, Section>, v: unknown): unknown {
  switch (rule.kind) {
    case "int":
    case "number": {
      if (typeof v !== "number" || !Number.isFinite(v)) return undefined;
      if (rule.kind === "int" && !Number.isSafeInteger(v)) return undefined;
      if (!inBounds(v, rule.min, rule.max)) return undefined;
      return rule.refine === undefined || rule.refine(v) ? v : undefined;
    }
    case "string": {
      if (typeof v !== "string") return undefined;
      if (rule.minLength !== undefined && v.length < rule.minLength) return undefined;
      if (rule.length !== undefined && v.length !== rule.length) return undefined;
      if (rule.pattern !== undefined && !rule.pattern.test(v)) return undefined;
      return rule.refine === undefined || rule.refine(v) ? v : undefined;
    }
    case "boolean":
      return typeof v === "boolean" ? v : undefined;
    case "enum":
      return typeof v === "string" && rule.values.includes(v) ? v : undefined;
    case "list": {
      if (!Array.isArray(v)) return undefined;
      if (rule.minLength !== undefined && v.length < rule.minLength) return undefined;
      const out: unknown[] = [];
      for (const item of v) {
        const r = validateValue(rule.item as Exclude<Rule, Section>, item);
        if (r === undefined) return undefined;
        out.push(r);
      }
      return out;
    }
    case "record": {
      if (!isPlainObject(v) || Object.hasOwn(v, "__proto__")) return undefined;
      const out: Raw = {};
      for (const k of Object.keys(v)) out[k] = v[k];
      return out;
    }
  }
}
