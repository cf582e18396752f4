/**
 * Reads `config.yaml`, applies `--set key.path=value` overrides, validates with the zod
 * schema and fingerprints the result. Every failure is a one-line {@linkcode ConfigError}.
 *
 * Rules worth knowing:
 * - An empty file, an empty value (`month:`) or `~` means "use the default"; this is also
 *   what a section whose keys are all commented out parses to.
 * - Overrides are applied to the parsed YAML before validation, so they meet the same
 *   strict checks (unknown keys, types, ranges) as the file.
 * - When several things are wrong, the message describes the first (overrides first,
 *   then in file order) and appends `(and N more)`.
 *
 * @module
 */
import { isMap, isSeq, LineCounter, type Node, parse as parseYaml, parseDocument } from "yaml";
import { z } from "zod";
import { type Config, configSchema } from "./schema.ts";
import { ConfigError, describeIssue } from "./errors.ts";
import { dropNulls, firstLine, isPlainObject, type Raw, setPath } from "./raw.ts";

// zod 4 compiles each object schema with `new Function` on its first parse, which costs more
// than it saves for a config validated once per run (about 15 ms of a backtest's start-up).
z.config({ jitless: true });

export type { Config } from "./schema.ts";
// loadConfig and the digest live in load_config.ts, which loads yaml, zod and the schema only
// when there is config text to parse; re-exported so that callers keep one import.
export {
  canonicalJson,
  configDigest,
  DEFAULT_CONFIG_FILE,
  loadConfig,
  type LoadConfigOptions,
  type LoadedConfig,
  strategyModulePath,
} from "./load_config.ts";

/** Options for {@linkcode parseConfigText}. */
export interface ParseConfigOptions {
  /** Name used in error messages, usually the file path. */
  source: string;
  /** `key.path=value` strings (from repeated `--set`), applied in order. */
  overrides?: readonly string[];
}

interface Override {
  text: string;
  path: string[];
}

/**
 * Parses YAML config text, applies overrides and validates it.
 * Throws {@linkcode ConfigError} with a one-line message on any problem.
 *
 * @example
 * ```ts
 * const config = parseConfigText("bars:\n  seconds: 15\n", {
 *   source: "config.yaml",
 *   overrides: ["strategy.short=true"],
 * });
 * config.bars.seconds; // 15
 * ```
 */
export function parseConfigText(text: string, options: ParseConfigOptions): Config {
  const { source } = options;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first !== undefined) {
    const { line, col } = lineCounter.linePos(first.pos[0]);
    throw new ConfigError(`YAML syntax error: ${firstLine(first.message)}`, {
      source: `${source}:${line}:${col}`,
      more: doc.errors.length - 1,
      cause: first,
    });
  }
  let top: unknown;
  try {
    top = doc.toJS();
  } catch (e) {
    // e.g. too many aliases (a "billion laughs" file).
    throw new ConfigError(`cannot read YAML: ${firstLine(String(e))}`, { source, cause: e });
  }
  top ??= {};
  if (!isPlainObject(top)) {
    throw new ConfigError(
      `the top level must be a mapping of sections (${
        Object.keys(configSchema.shape).join(", ")
      }), not ${kindOf(top)}`,
      { source },
    );
  }
  const raw = dropNulls(top);
  const overrides = (options.overrides ?? []).map((o) => applyOverride(raw, o));

  const result = configSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;

  const issues = flattenIssues(result.error.issues).map((issue, index) => {
    const full = issue.code === "unrecognized_keys" ? [...issue.path, ...issue.keys] : issue.path;
    // A cross-field issue names its other key in params.also; an override of either counts.
    const also = issue.code === "custom" && typeof issue.params?.["also"] === "string"
      ? [issue.params["also"].split(".")]
      : [];
    const by = lastIndexWhere(
      overrides,
      (o) => [full, ...also].some((p) => relatedPaths(o.path, p)),
    );
    const rank = by >= 0 ? by : overrides.length;
    return { issue, index, by, rank, offset: by >= 0 ? 0 : offsetOf(doc.contents, full) };
  });
  // Overrides first (the user just typed them), then file order, then schema order.
  issues.sort((a, b) => (a.rank - b.rank) || (a.offset - b.offset) || (a.index - b.index));
  const top1 = issues[0]!;
  const { detail, keyPath } = describeIssue(top1.issue, { allowedKeys });
  throw new ConfigError(detail, {
    source: top1.by >= 0 ? `--set ${overrides[top1.by]!.text}` : source,
    keyPath,
    more: issues.length - 1,
    cause: result.error,
  });
}

// ---------------------------------------------------------------------------
// Overrides

const SEGMENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parses `key.path=value` and writes the value into `raw`. */
function applyOverride(raw: Raw, text: string): Override {
  const source = `--set ${text}`;
  const eq = text.indexOf("=");
  if (eq <= 0) {
    throw new ConfigError("expected key.path=value (e.g. bars.seconds=15)", { source });
  }
  const key = text.slice(0, eq).trim();
  const path = key.split(".");
  if (!path.every((s) => SEGMENT.test(s))) {
    throw new ConfigError(
      `key path ${JSON.stringify(key)} is not allowed: expected dotted keys like bars.seconds`,
      { source, keyPath: key },
    );
  }
  const valueText = text.slice(eq + 1);
  let value: unknown;
  try {
    value = parseYaml(valueText, { prettyErrors: false });
  } catch (e) {
    throw new ConfigError(
      `cannot parse value ${JSON.stringify(valueText)}: ${
        firstLine(e instanceof Error ? e.message : String(e))
      }`,
      { source, keyPath: key, cause: e },
    );
  }
  // On a command line quoting is awkward: `contract.month=202509` means the string.
  if ((typeof value === "number" || typeof value === "boolean") && expectsString(path)) {
    value = valueText.trim();
  }
  const blocked = setPath(raw, path, value);
  if (blocked) {
    const at = path.slice(0, blocked.index + 1).join(".");
    throw new ConfigError(
      `${at} is ${kindOf(blocked.found)}, not a mapping, so ${key} cannot be set`,
      { source, keyPath: key },
    );
  }
  return { text, path };
}

/** Walks the schema along `path`, looking through defaults and optionals. */
function schemaAt(path: readonly PropertyKey[]): z.ZodType | undefined {
  let schema: z.ZodType | undefined = unwrap(configSchema);
  for (const seg of path) {
    if (!(schema instanceof z.ZodObject) || typeof seg !== "string") return undefined;
    const shape = schema.shape as Record<string, z.ZodType>;
    schema = Object.hasOwn(shape, seg) ? unwrap(shape[seg]!) : undefined;
  }
  return schema;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    const def = s._zod.def as { innerType?: z.ZodType };
    if (def.innerType === undefined) return s;
    s = def.innerType;
  }
}

function expectsString(path: readonly string[]): boolean {
  return schemaAt(path)?._zod.def.type === "string";
}

function allowedKeys(path: readonly PropertyKey[]): readonly string[] | undefined {
  const schema = schemaAt(path);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : undefined;
}

// ---------------------------------------------------------------------------
// Helpers

function kindOf(v: unknown): string {
  if (Array.isArray(v)) return "a list";
  if (v instanceof Map) return "a mapping with non-string keys";
  if (typeof v === "string") return `a string (${JSON.stringify(v)})`;
  if (typeof v === "object" && v !== null) return "an object";
  return `${typeof v === "number" ? "a number" : `a ${typeof v}`} (${String(v)})`;
}

/**
 * One issue per unknown key, so `(and N more)` counts each; and "integer" rather than
 * zod's "number" when a non-number is given for an integer key.
 */
function flattenIssues(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.flatMap((issue): z.core.$ZodIssue[] => {
    if (issue.code === "unrecognized_keys" && issue.keys.length > 1) {
      return issue.keys.map((k) => ({ ...issue, keys: [k] }));
    }
    if (issue.code === "invalid_type" && issue.expected === "number") {
      const schema = schemaAt(issue.path);
      if (schema instanceof z.ZodNumber && schema.isInt) return [{ ...issue, expected: "int" }];
    }
    return [issue];
  });
}

/** True when one path is a prefix of the other (an override set it, or set inside it). */
function relatedPaths(a: readonly PropertyKey[], b: readonly PropertyKey[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (String(a[i]) !== String(b[i])) return false;
  return true;
}

function lastIndexWhere<T>(items: readonly T[], pred: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (pred(items[i]!)) return i;
  return -1;
}

/** Offset in the text of the key (or item) at `path`, for ordering issues by position. */
function offsetOf(node: unknown, path: readonly PropertyKey[]): number {
  let offset = Number.MAX_SAFE_INTEGER;
  let current = node;
  for (const seg of path) {
    if (isMap(current)) {
      const pair = current.items.find((p) => String((p.key as { value?: unknown })?.value) === seg);
      if (pair === undefined) return offset;
      offset = (pair.key as Node | null)?.range?.[0] ?? offset;
      current = pair.value;
    } else if (isSeq(current) && typeof seg === "number") {
      current = current.items[seg];
      offset = (current as Node | undefined)?.range?.[0] ?? offset;
    } else {
      return offset;
    }
  }
  return offset;
}
