/**
 * Command-line parsing shared by the commands: `node:util` parseArgs in strict mode, plus
 * the checks it lacks (an option given twice) and its errors reworded as one
 * {@linkcode UsageError} line naming the option and the value.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { UsageError } from "./usage_error.ts";

/** One option: a string or a boolean flag; `multiple` marks a documented repeatable one. */
export interface OptionSpec {
  /** `string` takes a value, `boolean` is a flag. */
  type: "string" | "boolean";
  /** Documented as repeatable (`--set`, backtest's `--ticks`); any other option may be given once. */
  multiple?: boolean;
  /** One-letter alias. */
  short?: string;
}

/** The parsed values of options `O`. */
export type ParsedValues<O extends Record<string, OptionSpec>> = {
  [K in keyof O]?: O[K]["type"] extends "boolean" ? boolean
    : O[K]["multiple"] extends true ? string[]
    : string;
};

/** What {@linkcode parseCommandArgs} returns. */
export interface ParsedArgs<O extends Record<string, OptionSpec>> {
  /** Option values by name. */
  values: ParsedValues<O>;
  /** Arguments that are not options (only when `positionals` allows them). */
  positionals: string[];
}

/**
 * Parses `args` for the command `command` (named in messages). Throws a one-line
 * {@linkcode UsageError} for an unknown option, a missing or ambiguous value, a flag given
 * a value, an unexpected positional argument, or a non-repeatable option given twice.
 *
 * @example
 * ```ts
 * const { values } = parseCommandArgs("report", ["--json"], { json: { type: "boolean" } });
 * values.json; // true
 * ```
 */
export function parseCommandArgs<O extends Record<string, OptionSpec>>(
  command: string,
  args: string[],
  options: O,
  positionals = false,
): ParsedArgs<O> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options,
      strict: true,
      allowPositionals: positionals,
      tokens: true,
    });
  } catch (e) {
    throw new UsageError(`${command}: ${describeParseError(e, args)}`);
  }
  const seen = new Map<string, string>();
  for (const t of parsed.tokens ?? []) {
    if (t.kind !== "option") continue;
    const shown = t.value === undefined ? t.rawName : `${t.rawName} ${JSON.stringify(t.value)}`;
    const first = seen.get(t.name);
    if (first !== undefined && options[t.name]?.multiple !== true) {
      throw new UsageError(
        `${command}: --${t.name} is given twice (${first}, then ${shown}); give it once`,
      );
    }
    seen.set(t.name, shown);
  }
  return { values: parsed.values as ParsedValues<O>, positionals: parsed.positionals };
}

/** parseArgs' errors, reworded as one line. */
function describeParseError(e: unknown, args: readonly string[]): string {
  if (!(e instanceof TypeError) || !("code" in e)) throw e;
  const message = e.message;
  // "Option '-h, --help' ...", "Unknown option '--frob'": the long name, else the short.
  const quoted = /'(-[^']*)'/.exec(message)?.[1] ?? "";
  const option = quoted.match(/--?[A-Za-z0-9][\w-]*/g)?.at(-1);
  switch (e.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${option ?? message} (see --help)`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL": {
      const arg = /argument '([^']*)'/.exec(message)?.[1];
      return `unexpected argument ${
        JSON.stringify(arg ?? "?")
      } (options start with --; see --help)`;
    }
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      if (message.includes("argument missing")) return `${option} needs a value`;
      if (message.includes("ambiguous")) {
        const at = option === undefined ? -1 : args.indexOf(option);
        const next = at >= 0 ? args[at + 1] : undefined;
        return `${option} needs a value, got the option ${JSON.stringify(next ?? "?")} ` +
          `(a value starting with "-" is written ${option}=-VALUE)`;
      }
      if (message.includes("does not take an argument")) return `${option} takes no value`;
      return firstLine(message);
    }
    default:
      return firstLine(message);
  }
}

function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0]!;
}

/** An integer option's value in min..max, or `dflt` when it is absent. */
export function intOption(
  text: string | undefined,
  name: string,
  dflt: number,
  min = 1,
  max = 4096,
): number {
  if (text === undefined) return dflt;
  const n = Number(text);
  if (text.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${name} must be an integer in ${min}..${max}, got "${text}"`);
  }
  return n;
}
