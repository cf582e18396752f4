/**
 * The strategy's indicators, built from the registry and fed by input type: closes and
 * bars on each closed bar, ticks on each print (with session resets). The engine holds one.
 *
 * @module
 */
import type {
  BarIndicator,
  CloseIndicator,
  Indicator,
  TickIndicator,
} from "../indicators/indicator.ts";
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
  /** Built indicators by field index; `undefined` for a switched-off one. */
  #all: (Indicator | undefined)[];
  #close: CloseIndicator[] = [];
  #bar: BarIndicator[] = [];
  #tick: TickIndicator[] = [];
  #sessionReset: TickIndicator[] = [];

  /** Builds every enabled indicator of `requests`. */
  constructor(requests: readonly IndicatorRequest[]) {
    const fields: IndicatorField[] = [];
    this.#all = [];
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
      const ind = r.enabled === false ? undefined : createIndicator(spec);
      this.#all.push(ind);
      if (ind === undefined) continue;
      if (ind.input === "close") this.#close.push(ind);
      else if (ind.input === "bar") this.#bar.push(ind);
      else {
        this.#tick.push(ind);
        if (ind.sessionReset) this.#sessionReset.push(ind);
      }
    }
    this.fields = fields;
    this.#keys = fields.map((f) => f.key);
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

  /** Feeds a closed bar to the close and bar indicators; returns every value by key. */
  onBar(bar: Bar): Record<string, number | undefined> {
    for (const ind of this.#close) ind.update(bar.close);
    for (const ind of this.#bar) ind.updateBar(bar);
    const values: Record<string, number | undefined> = {};
    const keys = this.#keys;
    for (let i = 0; i < keys.length; i++) values[keys[i]!] = this.#all[i]?.value;
    return values;
  }
}
