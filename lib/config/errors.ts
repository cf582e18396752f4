/**
 * `ConfigError`, the one error a caller of the config loader has to catch, and the
 * wording of its one-line messages:
 *
 * - `config.yaml: bars.seconds = 7 is not allowed: must divide 3600 (e.g. 15, 30, 60)`
 * - `config.yaml: unknown key "indicatorz" (allowed: ib, contract, bars, ...)`
 * - `config.yaml:3:9: YAML syntax error: ...`
 *
 * @module
 */
import type { z } from "zod";

/** Options for {@linkcode ConfigError}. */
export interface ConfigErrorOptions {
  /** Where the bad text came from: a file name (maybe with `:line:col`), `--set k=v` or "defaults". */
  source: string;
  /** Dotted key path of the offending value, when there is one (`bars.seconds`). */
  keyPath?: string;
  /** How many further problems were found but not described. */
  more?: number;
  /** The underlying error (YAML or zod), kept for debugging. */
  cause?: unknown;
}

/**
 * An invalid config file or `--set` override. The message is always one line:
 * `<source>: <what is wrong>` plus ` (and N more)` when there were several problems.
 *
 * @example
 * ```ts
 * new ConfigError("unknown key \"x\" (allowed: ib)", { source: "config.yaml" }).message;
 * // 'config.yaml: unknown key "x" (allowed: ib)'
 * ```
 */
export class ConfigError extends Error {
  /** Where the bad text came from. */
  readonly source: string;
  /** Dotted key path of the offending value, if any. */
  readonly keyPath: string | undefined;

  /** Builds the one-line message from `detail` and the options. */
  constructor(detail: string, options: ConfigErrorOptions) {
    const more = options.more !== undefined && options.more > 0
      ? ` (and ${options.more} more)`
      : "";
    super(oneLine(`${options.source}: ${detail}${more}`), { cause: options.cause });
    this.name = "ConfigError";
    this.source = options.source;
    this.keyPath = options.keyPath;
  }
}

/** Collapses any line breaks so the message stays a single line. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, " ").trim();
}

const MAX_VALUE_CHARS = 60;

/**
 * Shows a config value as the user would recognise it: strings quoted, numbers bare,
 * lists and mappings as compact JSON cut to a readable length.
 *
 * @example
 * ```ts
 * formatValue("close"); // '"close"'
 * formatValue(7); // "7"
 * ```
 */
export function formatValue(value: unknown): string {
  let text: string;
  if (typeof value === "number") text = String(value); // keeps Infinity/NaN readable
  else if (value === undefined) text = "(missing)";
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 3)}...` : text;
}

/** Formats a key path as `session.starts[1]`. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

function article(noun: string): string {
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

const TYPE_NAMES: Record<string, string> = {
  object: "mapping",
  array: "list",
  int: "integer",
};

/** What is allowed, as the tail of `... is not allowed: <this>`. */
function allowedText(issue: z.core.$ZodIssue, input: unknown): string {
  switch (issue.code) {
    case "invalid_type": {
      const expected = String(issue.expected);
      if ((expected === "number" || expected === "int") && typeof input === "number") {
        return Number.isFinite(input) ? "expected an integer" : "expected a finite number";
      }
      const name = TYPE_NAMES[expected] ?? expected;
      // YAML reads 202509 as a number; the fix is quoting.
      const hint =
        expected === "string" && (typeof input === "number" || typeof input === "boolean")
          ? " (quote it)"
          : "";
      return `expected ${article(name)}${hint}`;
    }
    case "too_small":
    case "too_big": {
      const small = issue.code === "too_small";
      const bound = Number(small ? issue.minimum : issue.maximum);
      if (issue.origin === "string") {
        if (issue.exact) return `must be exactly ${bound} characters long`;
        if (small && bound === 1) return "must not be empty";
        return `must be ${small ? "at least" : "at most"} ${bound} characters long`;
      }
      if (issue.origin === "array") {
        return `must list ${small ? "at least" : "at most"} ${bound} ${
          bound === 1 ? "entry" : "entries"
        }`;
      }
      if (issue.inclusive === false) return `must be ${small ? "greater" : "less"} than ${bound}`;
      return `must be ${small ? "at least" : "at most"} ${bound}`;
    }
    case "invalid_value":
      return `expected one of ${issue.values.map(String).join(", ")}`;
    case "invalid_format":
      // The schema words its patterns as nouns ("a time as HH:MM"); zod's own start with "Invalid".
      return issue.message.startsWith("Invalid")
        ? `must match ${issue.pattern ?? issue.format}`
        : `expected ${issue.message}`;
    case "not_multiple_of":
      return `must be a multiple of ${String(issue.divisor)}`;
    default:
      return issue.message;
  }
}

/** Options for {@linkcode describeIssue}. */
export interface DescribeIssueOptions {
  /** Allowed keys of the mapping at a key path, for unknown-key messages. */
  allowedKeys?: (path: readonly PropertyKey[]) => readonly string[] | undefined;
}

/**
 * Describes one zod issue (parsed with `reportInput: true`) without its source, e.g.
 * `bars.seconds = 7 is not allowed: must divide 3600 (e.g. 15, 30, 60)`.
 */
export function describeIssue(
  issue: z.core.$ZodIssue,
  options: DescribeIssueOptions = {},
): { detail: string; keyPath: string } {
  if (issue.code === "unrecognized_keys") {
    const keyPath = formatKeyPath([...issue.path, issue.keys[0] ?? ""]);
    const allowed = options.allowedKeys?.(issue.path);
    const tail = allowed === undefined ? "" : ` (allowed: ${allowed.join(", ")})`;
    return { detail: `unknown key ${JSON.stringify(keyPath)}${tail}`, keyPath };
  }
  const keyPath = formatKeyPath(issue.path);
  const input = issue.input;
  return {
    detail: `${keyPath} = ${formatValue(input)} is not allowed: ${allowedText(issue, input)}`,
    keyPath,
  };
}
