/**
 * The indicator registry: names to factories. A spec such as `ema(9)`, `rvol(20)` or `vwap`
 * names a registered indicator and its numeric parameters; `createIndicator` builds it.
 * Adding an indicator means adding a file that calls `registerIndicator` (the built-ins are
 * registered here).
 *
 * @module
 */
import { Atr } from "./atr.ts";
import { Ema } from "./ema.ts";
import type { Indicator } from "./indicator.ts";
import { Rsi } from "./rsi.ts";
import { RelativeVolume } from "./rvol.ts";
import { SessionVwap } from "./vwap.ts";

/** A parsed indicator spec: `ema(9)` is `{ name: "ema", params: [9] }`. */
export interface IndicatorSpec {
  /** Registered name, lower-case. */
  name: string;
  /** Numeric parameters, in order. */
  params: readonly number[];
}

/** How a registered indicator is built and shown. */
export interface IndicatorDefinition {
  /** Registered name: lower-case letters, digits and `_`, starting with a letter. */
  name: string;
  /** Parameter names, in order (`["period"]`); the spec must give exactly these. */
  params: readonly string[];
  /** Builds a fresh indicator; throws a RangeError for parameters it cannot take. */
  create(params: readonly number[]): Indicator;
  /**
   * Decimals on the console line: `"price"` for values in price units (one more than the
   * contract's price decimals), or a fixed count (RSI 1, RVOL 2).
   */
  decimals: "price" | number;
  /** Parameters the shared contract test builds it with; default 3 for each. */
  sample?: readonly number[];
}

const NAME_RE = /^[a-z][a-z0-9_]*$/;
const SPEC_RE = /^([a-z][a-z0-9_]*)(?:\(([^()]*)\))?$/;
const registry = new Map<string, IndicatorDefinition>();

/**
 * Registers an indicator under its name. Throws a TypeError for a malformed name or one
 * already registered (a silent replacement would change a strategy's maths unseen).
 */
export function registerIndicator(def: IndicatorDefinition): void {
  if (!NAME_RE.test(def.name)) {
    throw new TypeError(`Indicator name ${JSON.stringify(def.name)} must match ${NAME_RE}`);
  }
  if (registry.has(def.name)) {
    throw new TypeError(`Indicator ${JSON.stringify(def.name)} is already registered`);
  }
  registry.set(def.name, def);
}

/** Names of the registered indicators, sorted. */
export function indicatorNames(): string[] {
  return [...registry.keys()].sort();
}

/**
 * Parses `name` or `name(p1, p2, ...)` (numeric parameters). Throws a RangeError naming the
 * spec for bad syntax or a non-numeric parameter.
 *
 * @example
 * ```ts
 * parseIndicatorSpec("ema(9)"); // { name: "ema", params: [9] }
 * parseIndicatorSpec("vwap"); // { name: "vwap", params: [] }
 * ```
 */
export function parseIndicatorSpec(spec: string): IndicatorSpec {
  const m = SPEC_RE.exec(spec.replace(/\s+/g, ""));
  if (m === null) {
    throw new RangeError(
      `Indicator spec ${JSON.stringify(spec)} is not name or name(number, ...), e.g. ema(9)`,
    );
  }
  const raw = m[2] === undefined || m[2] === "" ? [] : m[2].split(",");
  const params = raw.map((p) => {
    const x = Number(p);
    if (p === "" || !Number.isFinite(x)) {
      throw new RangeError(
        `Indicator spec ${JSON.stringify(spec)}: ${JSON.stringify(p)} is not a number`,
      );
    }
    return x;
  });
  return { name: m[1]!, params };
}

/** The definition registered under `name`; throws a RangeError listing the known names. */
export function indicatorDefinition(name: string): IndicatorDefinition {
  const def = registry.get(name);
  if (def === undefined) {
    throw new RangeError(
      `Unknown indicator ${JSON.stringify(name)} (known: ${indicatorNames().join(", ")})`,
    );
  }
  return def;
}

/**
 * Builds the indicator a spec names. Throws a RangeError naming the spec for an unknown
 * name, a wrong parameter count, or parameters the indicator refuses.
 *
 * @example
 * ```ts
 * const ema = createIndicator("ema(3)");
 * if (ema.input === "close") [1, 2, 3].map((x) => ema.update(x)); // [undefined, undefined, 2]
 * ```
 */
export function createIndicator(spec: string | IndicatorSpec): Indicator {
  const s = typeof spec === "string" ? parseIndicatorSpec(spec) : spec;
  const text = typeof spec === "string" ? spec : formatIndicatorSpec(s);
  const def = indicatorDefinition(s.name);
  if (s.params.length !== def.params.length) {
    throw new RangeError(
      `Indicator ${JSON.stringify(text)}: ${def.name} takes ${def.params.length} parameter(s) (${
        def.params.join(", ") || "none"
      }), got ${s.params.length}`,
    );
  }
  try {
    return def.create(s.params);
  } catch (e) {
    if (e instanceof RangeError) {
      throw new RangeError(`Indicator ${JSON.stringify(text)}: ${e.message}`);
    }
    throw e;
  }
}

/** The canonical text of a spec: `ema(9)`, `vwap`. */
export function formatIndicatorSpec(spec: IndicatorSpec): string {
  return spec.params.length === 0 ? spec.name : `${spec.name}(${spec.params.join(",")})`;
}

/** The default journal key of a spec: upper-case name then parameters (`EMA9`, `VWAP`). */
export function defaultIndicatorKey(spec: IndicatorSpec): string {
  return (spec.name + spec.params.join("_")).toUpperCase().replace(/[^A-Z0-9_]/g, "_");
}

registerIndicator({
  name: "ema",
  params: ["period"],
  decimals: "price",
  create: ([p]) => new Ema(p!),
});
registerIndicator({ name: "rsi", params: ["period"], decimals: 1, create: ([p]) => new Rsi(p!) });
registerIndicator({
  name: "atr",
  params: ["period"],
  decimals: "price",
  create: ([p]) => new Atr(p!),
});
registerIndicator({ name: "vwap", params: [], decimals: "price", create: () => new SessionVwap() });
registerIndicator({
  name: "rvol",
  params: ["lookback"],
  decimals: 2,
  create: ([p]) => new RelativeVolume(p!),
});
