/**
 * The strategy's indicators, built from the registry and fed by input type: closes and
 * bars on each closed bar, ticks on each print (with session resets). The engine holds one.
 *
 * @module
 */
import type { BarIndicator, CloseIndicator, TickIndicator } from "../indicators/indicator.ts";
import {
  createIndicator,
  defaultIndicatorKey,
  indicatorDefinition,
  parseIndicatorSpec,
} from "../indicators/registry.ts";
import type { IndicatorRequest } from "../strategy/strategy.ts";
import type { Bar, IndicatorField } from "../types.ts";

/** Journal keys: upper case, so they never clash with the ENTRY line's own keys (`TradeID`). */
const KEY_RE = /^[A-Z][A-Z0-9_]*$/;
const COLUMN_RE = /^[a-z][a-z0-9_]*$/;
/** ENTRY keys and bars CSV columns that are not indicators. */
const RESERVED_KEYS = new Set(["TP"]);
const RESERVED_COLUMNS = new Set([
  "ts_utc",
  "open",
  "high",
  "low",
  "close",
  "volume",
  "trades",
  "signal",
]);

/**
 * Builds and feeds a strategy's indicators. Throws a RangeError naming the request for an
 * unknown indicator, bad parameters, or a key or column that is malformed or used twice.
 */
export class IndicatorSet {
  /** Layout for the journal, the console and the bars CSV, in declared order. */
  readonly fields: readonly IndicatorField[];
  #keys: string[];
  #close: CloseIndicator[] = [];
  #bar: BarIndicator[] = [];
  #tick: TickIndicator[] = [];
  /** Field index of each close, bar and tick indicator. */
  #closeAt: number[] = [];
  #barAt: number[] = [];
  #tickAt: number[] = [];
  #sessionReset: TickIndicator[] = [];
  /** The one tick indicator when there is exactly one (the common case: VWAP). */
  readonly singleTick: TickIndicator | undefined;
  /** Latest values by field index (switched-off ones stay undefined). */
  #latest: (number | undefined)[];

  /** Builds every enabled indicator of `requests`. */
  constructor(requests: readonly IndicatorRequest[]) {
    const fields: IndicatorField[] = [];
    for (const r of requests) {
      const spec = parseIndicatorSpec(r.spec);
      const key = r.key ?? defaultIndicatorKey(spec);
      const column = r.column ?? key.toLowerCase();
      const where = `Indicator ${JSON.stringify(r.spec)}`;
      if (!KEY_RE.test(key) || RESERVED_KEYS.has(key)) {
        throw new RangeError(`${where}: key ${JSON.stringify(key)} must match ${KEY_RE} (not TP)`);
      }
      if (!COLUMN_RE.test(column) || RESERVED_COLUMNS.has(column)) {
        throw new RangeError(
          `${where}: column ${
            JSON.stringify(column)
          } must match ${COLUMN_RE} and not be a bar column`,
        );
      }
      if (fields.some((f) => f.key === key)) {
        throw new RangeError(`${where}: key ${key} is used twice`);
      }
      if (fields.some((f) => f.column === column)) {
        throw new RangeError(`${where}: column ${column} is used twice`);
      }
      fields.push({ key, column, decimals: indicatorDefinition(spec.name).decimals });
      const at = fields.length - 1;
      const ind = r.enabled === false ? undefined : createIndicator(spec);
      if (ind === undefined) continue;
      if (ind.input === "close") {
        this.#close.push(ind);
        this.#closeAt.push(at);
      } else if (ind.input === "bar") {
        this.#bar.push(ind);
        this.#barAt.push(at);
      } else {
        this.#tick.push(ind);
        this.#tickAt.push(at);
        if (ind.sessionReset) this.#sessionReset.push(ind);
      }
    }
    this.fields = fields;
    this.#keys = fields.map((f) => f.key);
    this.#latest = fields.map(() => undefined);
    this.singleTick = this.#tick.length === 1 ? this.#tick[0] : undefined;
  }

  /** True when some indicator is fed ticks. */
  get wantsTicks(): boolean {
    return this.#tick.length > 0;
  }

  /** True when some indicator resets at session starts. */
  get wantsSessions(): boolean {
    return this.#sessionReset.length > 0;
  }

  /** Feeds one validated print to the tick indicators. */
  onTick(ts: number, price: number, size: number): void {
    const tick = this.#tick;
    for (let i = 0; i < tick.length; i++) tick[i]!.updateTick(ts, price, size);
  }

  /** Resets the session-scoped indicators (a new session starts). */
  startSession(): void {
    for (const ind of this.#sessionReset) ind.reset();
  }

  /** Index of each key in `fields`. */
  indexOf(key: string): number {
    return this.#keys.indexOf(key);
  }

  /** The values of `values` (in field order) by journal key, as an ENTRY records them. */
  record(values: readonly (number | undefined)[]): Record<string, number | undefined> {
    const out: Record<string, number | undefined> = {};
    this.#keys.forEach((k, i) => out[k] = values[i]);
    return out;
  }

  /** Feeds a closed bar to the close and bar indicators; returns every value, in field order. */
  onBar(bar: Bar): (number | undefined)[] {
    // Values come from the updates' results: one call per indicator on the bar path.
    const latest = this.#latest;
    const close = this.#close;
    for (let i = 0; i < close.length; i++) latest[this.#closeAt[i]!] = close[i]!.update(bar.close);
    const bars = this.#bar;
    for (let i = 0; i < bars.length; i++) latest[this.#barAt[i]!] = bars[i]!.updateBar(bar);
    const tick = this.#tick;
    for (let i = 0; i < tick.length; i++) latest[this.#tickAt[i]!] = tick[i]!.value;
    // A copy: listeners and strategies may keep what they were given.
    return latest.slice();
  }
}
