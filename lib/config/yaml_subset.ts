/**
 * A small reader for the YAML a config file is usually written in, so that a run does not
 * load the `yaml` package (about 30 ms of start-up through Node compatibility). It reads:
 *
 * - block mappings (nested by indentation, first key in column 0), keys `[A-Za-z_]\w*`;
 * - values on the key's line: plain scalars resolved as YAML 1.2's core schema does (null,
 *   booleans, ints in decimal/0o/0x, floats, .inf/.nan, else strings), 'single' and
 *   "double" quoted strings (no backslash escapes), `[]`/`{}`, and one-line flow lists of
 *   scalars such as `["09:00", "17:00"]`;
 * - comments, blank lines, CRLF line ends.
 *
 * Anything else (block lists, anchors, tags, multi-line scalars, escapes, tabs, duplicate
 * keys, syntax errors...) makes it answer `undefined`, and the caller parses the text with
 * the `yaml` package instead, which also words the errors. Where it does answer, the value
 * equals what `parseDocument(text, { uniqueKeys: true }).toJS()` gives: tests/config_yaml_subset_test.ts
 * checks that on generated documents with fast-check.
 *
 * @module
 */

/** A value the reader produces: what YAML's toJS gives for the subset. */
export type SubsetValue =
  | null
  | boolean
  | number
  | string
  | SubsetValue[]
  | { [key: string]: SubsetValue };

type Mapping = { [key: string]: SubsetValue };

const KEY_LINE = /^( *)([A-Za-z_][A-Za-z0-9_]*):(?: +(.*))?$/;
/** Keys that YAML would resolve to something other than the same string, or that are unsafe. */
const SPECIAL_KEYS = new Set([
  "null",
  "Null",
  "NULL",
  "true",
  "True",
  "TRUE",
  "false",
  "False",
  "FALSE",
  "__proto__",
]);
// Tabs, CR, control characters, BOM and lone surrogates: left to the yaml package.
// deno-lint-ignore no-control-regex
const UNSUPPORTED_CHARS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\ufeff\ud800-\udfff]/;

interface Level {
  indent: number;
  map: Mapping;
}

/**
 * Reads `text` when it lies in the subset described above; `undefined` otherwise. An empty
 * document (only blanks and comments) is `null`, as in YAML.
 *
 * @example
 * ```ts
 * readYamlSubset("bars:\n  seconds: 15 # a comment\n"); // { bars: { seconds: 15 } }
 * readYamlSubset("starts:\n  - 09:00\n"); // undefined (a block list: ask the yaml package)
 * ```
 */
export function readYamlSubset(text: string): SubsetValue | undefined {
  const body = text.replaceAll("\r\n", "\n");
  if (UNSUPPORTED_CHARS.test(body)) return undefined;
  const lines = body.split("\n");
  let root: Mapping | undefined;
  const stack: Level[] = [];
  // A key whose value is on the following lines (a nested mapping) or absent (null).
  let open: { map: Mapping; key: string; indent: number } | undefined;
  for (const line of lines) {
    const trimmed = line.trimStart();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const m = KEY_LINE.exec(line);
    if (m === null) return undefined;
    const indent = m[1]!.length;
    const key = m[2]!;
    if (SPECIAL_KEYS.has(key)) return undefined;
    if (root === undefined) {
      if (indent !== 0) return undefined;
      root = {};
      stack.push({ indent: 0, map: root });
    } else if (open !== undefined && indent > open.indent) {
      const child: Mapping = {};
      open.map[open.key] = child;
      stack.push({ indent, map: child });
      open = undefined;
    } else {
      if (open !== undefined) open.map[open.key] = null;
      open = undefined;
      while (stack.length > 0 && indent < stack[stack.length - 1]!.indent) stack.pop();
      // Deeper than the current mapping without an open key: a continued plain scalar, or
      // an error; between two levels: an error. Both are the yaml package's to judge.
      if (stack.length === 0 || indent !== stack[stack.length - 1]!.indent) return undefined;
    }
    const map = stack[stack.length - 1]!.map;
    if (Object.hasOwn(map, key)) return undefined; // duplicate key: yaml's error message
    const rest = m[3] ?? "";
    if (rest === "" || rest.startsWith("#")) {
      open = { map, key, indent };
      map[key] = null; // keeps the key's place in insertion order
      continue;
    }
    const value = readInlineValue(rest);
    if (value === undefined) return undefined;
    map[key] = value;
  }
  if (open !== undefined) open.map[open.key] = null;
  return root ?? null;
}

/**
 * Reads a value written on one line after `key: `: a quoted
 * string, `[]`/`{}`, a flow list of scalars or a plain scalar, then optionally spaces and a
 * comment. `undefined` when the text is anything else.
 *
 * @example
 * ```ts
 * readInlineValue('["09:00", 17] # two'); // ["09:00", 17]
 * readInlineValue("0x1F"); // 31
 * ```
 */
export function readInlineValue(text: string): SubsetValue | undefined {
  if (UNSUPPORTED_CHARS.test(text) || text.includes("\n")) return undefined;
  const first = text[0];
  if (first === '"' || first === "'") {
    const q = readQuoted(text, 0);
    return q !== undefined && onlyComment(text, q.end) ? q.value : undefined;
  }
  if (first === "[") return readFlowList(text);
  if (first === "{") {
    const close = text.indexOf("}");
    if (close < 0 || text.slice(1, close).trim() !== "") return undefined;
    return onlyComment(text, close + 1) ? {} : undefined;
  }
  const hash = text.indexOf(" #");
  const plain = (hash < 0 ? text : text.slice(0, hash)).trimEnd();
  if (!isBlockPlain(plain)) return undefined;
  return resolvePlain(plain);
}

/**
 * Reads `text` as a whole one-line YAML document, the way `--set key=value` values are
 * parsed: spaces around it do not count, an empty value is `null`, and `---`/`...` would be
 * document markers (left to the yaml package). `undefined` outside the subset.
 *
 * @example
 * ```ts
 * readYamlValue(" 15 "); // 15
 * readYamlValue(""); // null
 * ```
 */
export function readYamlValue(text: string): SubsetValue | undefined {
  const trimmed = text.replace(/^ +| +$/g, "");
  if (trimmed === "") return null;
  if (trimmed.startsWith("---") || trimmed.startsWith("...")) return undefined;
  return readInlineValue(trimmed);
}

/** True when nothing but spaces and an optional ` # comment` follows `from`. */
function onlyComment(text: string, from: number): boolean {
  const tail = text.slice(from);
  const rest = tail.trimStart();
  return rest === "" || (rest.startsWith("#") && rest.length < tail.length);
}

/** A quoted scalar starting at `start`; `undefined` if unclosed or with an escape. */
function readQuoted(text: string, start: number): { value: string; end: number } | undefined {
  const quote = text[start]!;
  let value = "";
  let i = start + 1;
  for (;;) {
    const close = text.indexOf(quote, i);
    if (close < 0) return undefined;
    value += text.slice(i, close);
    if (quote === "'" && text[close + 1] === "'") {
      value += "'";
      i = close + 2;
      continue;
    }
    if (quote === '"' && value.includes("\\")) return undefined;
    return { value, end: close + 1 };
  }
}

const FLOW_PLAIN = /^[A-Za-z0-9_.+\-/][A-Za-z0-9_.+\-/ :]*$/;

/** `[a, "b", 'c']` on one line: scalars only, no trailing comma. */
function readFlowList(text: string): SubsetValue[] | undefined {
  const items: SubsetValue[] = [];
  let i = 1;
  const skipSpaces = () => {
    while (text[i] === " ") i++;
  };
  skipSpaces();
  if (text[i] === "]") return onlyComment(text, i + 1) ? items : undefined;
  for (;;) {
    skipSpaces();
    const c = text[i];
    if (c === '"' || c === "'") {
      const q = readQuoted(text, i);
      if (q === undefined) return undefined;
      items.push(q.value);
      i = q.end;
    } else {
      let end = i;
      while (end < text.length && text[end] !== "," && text[end] !== "]") end++;
      const plain = text.slice(i, end).trimEnd();
      // `: ` would make a pair, ` #` a comment; a colon at the end is a key.
      if (!FLOW_PLAIN.test(plain) || plain.includes(": ") || plain.endsWith(":")) {
        return undefined;
      }
      if (plain === "-" || plain.startsWith("- ")) return undefined; // a list item, not `-x`
      items.push(resolvePlain(plain));
      i = end;
    }
    skipSpaces();
    if (text[i] === ",") {
      i++;
      skipSpaces();
      if (text[i] === "]" || i >= text.length) return undefined; // trailing comma, open list
      continue;
    }
    if (text[i] === "]") return onlyComment(text, i + 1) ? items : undefined;
    return undefined;
  }
}

/** Characters a plain scalar may not start with (YAML indicators). */
const INDICATORS = "-?:,[]{}#&*!|>'\"%@`";

/** A plain scalar in block context, on one line, that is not a key or a list item. */
function isBlockPlain(s: string): boolean {
  if (s === "") return false;
  if (INDICATORS.includes(s[0]!)) {
    // `-5`, `-x`, `:x`, `?x` are plain; `- x`, `-` and the other indicators are not.
    if (!"-?:".includes(s[0]!) || s.length < 2 || s[1] === " ") return false;
  }
  return !s.includes(": ") && !s.endsWith(":") && !s.includes(" #");
}

/**
 * A plain scalar resolved as the yaml package's core schema does (YAML 1.2): the tags are
 * tried in its order (null, bool, 0o int, int, 0x int, .inf/.nan, exponent float, float).
 */
export function resolvePlain(s: string): null | boolean | number | string {
  if (/^(?:~|[Nn]ull|NULL)?$/.test(s)) return null;
  if (/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(s)) return s[0] === "t" || s[0] === "T";
  if (/^0o[0-7]+$/.test(s)) return parseInt(s.substring(2), 8);
  if (/^[-+]?[0-9]+$/.test(s)) return parseInt(s, 10);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s.substring(2), 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s)) {
    if (s.slice(-3).toLowerCase() === "nan") return NaN;
    return s[0] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(s)) return parseFloat(s);
  if (/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s)) return parseFloat(s);
  return s;
}
