/**
 * The public strategy API: what a user strategy module (`strategy.module` in config) is
 * given and the types it writes against. A module imports **types only** from this file
 * (`import type`, erased before it runs), so it needs read access to its own file and
 * nothing else, and it runs the same under `deno task` and the launcher's narrow
 * permissions. Everything it needs at run time (zod, the indicator registry) comes through
 * the {@linkcode StrategyApi} its default export is called with:
 *
 * ```ts ignore
 * import type { StrategyApi } from "../lib/strategy/api.ts";
 *
 * export default function ({ z, defineStrategy }: StrategyApi) {
 *   return defineStrategy({
 *     name: "always_long",
 *     schema: z.strictObject({ stop: z.number().positive().default(2) }),
 *     create: (p) => ({
 *       indicators: [],
 *       onBar: (ctx) =>
 *         ctx.canEnter
 *           ? { side: "LONG", stop: { kind: "points", points: p.stop }, target: { kind: "points", points: 4 } }
 *           : undefined,
 *     }),
 *   });
 * }
 * ```
 *
 * @module
 */
import { z } from "zod";
import type { Config } from "../config/schema.ts";
import type { IndicatorDefinition } from "../indicators/registry.ts";
import type { Strategy, StrategyDefinition } from "./strategy.ts";

export type { Config } from "../config/schema.ts";
export type { Bar, Side } from "../types.ts";
export type {
  BarIndicator,
  CloseIndicator,
  Indicator,
  TickIndicator,
} from "../indicators/indicator.ts";
export type { IndicatorDefinition } from "../indicators/registry.ts";
export type {
  BarContext,
  EntryIntent,
  IndicatorRequest,
  StopPolicy,
  Strategy,
  StrategyDefinition,
  TargetPolicy,
} from "./strategy.ts";

/** A strategy definition whose parameters are typed by its schema. */
export interface TypedStrategyDefinition<S extends z.ZodType> {
  /** The strategy's name (journal, console, errors): lower-case letters, digits, `_`. */
  readonly name: string;
  /** Validates `strategy.params`; defaults apply as in any zod schema. */
  readonly schema: S;
  /** Builds the strategy for one run from its validated parameters and the whole config. */
  create(params: z.output<S>, config: Config): Strategy;
}

/** What a strategy module's default export is called with. */
export interface StrategyApi {
  /** The project's zod (version pinned in deno.json), for the parameter schema. */
  readonly z: typeof z;
  /** Returns `def` as it is; only there so that `create` gets its parameters' type. */
  defineStrategy<S extends z.ZodType>(def: TypedStrategyDefinition<S>): StrategyDefinition<
    z.output<S>
  >;
  /**
   * Registers an indicator under its name, for the strategy's `indicators` specs. A name a
   * built-in or another module already registered is refused (one clear error).
   */
  registerIndicator(def: IndicatorDefinition): void;
}

/** The shape of a strategy module's default export. */
export type StrategyModule = (api: StrategyApi) => StrategyDefinition<unknown>;

/** A {@linkcode StrategyApi} whose `registerIndicator` is `register`. */
export function strategyApi(register: (def: IndicatorDefinition) => void): StrategyApi {
  return {
    z,
    defineStrategy: <S extends z.ZodType>(def: TypedStrategyDefinition<S>) =>
      def as StrategyDefinition<z.output<S>>,
    registerIndicator: register,
  };
}
