/**
 * lib/config/yaml_subset.ts against the yaml package: wherever the subset reader answers,
 * its value must be exactly what `parseDocument(text, { uniqueKeys: true }).toJS()` gives,
 * with no YAML error; elsewhere it must decline (undefined). Generated documents mix the
 * config's shapes with YAML's traps (special scalars, indicators, comments, bad indents).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { parse as parseYaml, parseDocument } from "yaml";
import {
  readInlineValue,
  readYamlSubset,
  readYamlValue,
  resolvePlain,
} from "../lib/config/yaml_subset.ts";

const REPO = new URL("../", import.meta.url);

/** What the yaml package makes of `text` as the config loader parses it; undefined on errors. */
function viaYaml(text: string): { value: unknown } | undefined {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) return undefined;
  return { value: doc.toJS() };
}

/** Asserts the subset reader's answer on `text` (if any) equals the yaml package's. */
function agrees(text: string): boolean {
  const mine = readYamlSubset(text);
  if (mine === undefined) return false;
  const theirs = viaYaml(text);
  assert.ok(theirs !== undefined, `subset read ${JSON.stringify(text)} but YAML finds errors`);
  assert.deepStrictEqual(mine, theirs.value, `different values for ${JSON.stringify(text)}`);
  return true;
}

// Plain scalars: ordinary ones, and traps (core-schema look-alikes, YAML indicators).
const ORDINARY = [
  "1",
  "-1",
  "+5",
  "007",
  "0",
  "-0",
  "0o17",
  "0x1F",
  "1e3",
  "1.5e-2",
  ".5",
  "5.",
  "-.5",
  ".inf",
  ".nan",
  "~",
  "null",
  "Null",
  "true",
  "True",
  "FALSE",
  "yes",
  "off",
  "abc",
  "a b",
  "MES",
  "AllLast",
  "America/Chicago",
  "17:00",
  "09:00-16:30",
  "a:b",
  "a#b",
  "-x",
  "?x",
  ":x",
  "a'b",
  'a"b',
  "é",
  "日本",
  "./my_strategy.ts",
  "trade_record.text",
  "2001-12-14",
];
const TRAPS = [
  "0o8",
  "0X1F",
  "0xg",
  "1E+3",
  "+.5e1",
  "1_000",
  "1,5",
  "12345678901234567890",
  "-.Inf",
  "+.INF",
  ".NaN",
  "nan",
  "inf",
  "NULL",
  "nUll",
  "tRue",
  "a  b",
  "a: b",
  "a:",
  "a #b",
  "-",
  "- x",
  "--",
  "--- x",
  "...",
  "?",
  "? x",
  ": x",
  "@x",
  "`x",
  "%x",
  "!x",
  "!!str 1",
  "&a x",
  "*a",
  "|",
  ">",
  "[a",
  "a]",
  "{a",
  "a}",
  "a,b",
  "'a",
  "\u00a0x",
  "a\tb",
  "a\\b",
  "<<",
  "=",
  "0b101",
  "1:30",
  "x.js",
];
const KEYS = ["a", "b", "port", "seconds", "_x", "x1"];
const TRAP_KEYS = ["null", "True", "__proto__", "a-b", "9"];
const SAFE_CHARS = [..."abcXYZ019 :#-_./,[]{}?&*!|>%@`éλ"];

interface Entry {
  key: string;
  value: string | Entry[];
  comment: string;
}

/**
 * Generators of values and documents. `clean`: only what the subset covers (the reader must
 * answer every time); otherwise traps, random bytes and a random edit are mixed in.
 */
function generators(clean: boolean) {
  const mix = <T>(ok: fc.Arbitrary<T>, trap: fc.Arbitrary<T>): fc.Arbitrary<T> =>
    clean ? ok : fc.oneof({ weight: 4, arbitrary: ok }, { weight: 1, arbitrary: trap });
  const plain = mix(fc.constantFrom(...ORDINARY), fc.constantFrom(...TRAPS));
  const text = mix(
    fc.string({ maxLength: 8, unit: fc.constantFrom(...SAFE_CHARS) }),
    fc.string({ maxLength: 8, unit: "binary" }),
  );
  const singleQuoted = fc.oneof(
    text.map((s) => `'${s.replaceAll("'", "''")}'`),
    mix(text.map((s) => `'${s}'`), fc.constantFrom("'a", "'a''", "'x' y", "'x'# c")),
  );
  const doubleQuoted = mix(
    text.map((s) => `"${s.replaceAll('"', "").replaceAll("\\", "")}"`),
    fc.oneof(
      text.map((s) => `"${s}"`),
      fc.constantFrom('"a\\"b"', '"\\n"', '"\\\\"', '"x"# c', '"x" y', '"a'),
    ),
  );
  const scalar = fc.oneof({ weight: 3, arbitrary: plain }, singleQuoted, doubleQuoted);
  const flowList = fc.tuple(
    fc.array(
      fc.oneof(
        plain.filter((p) => /^[A-Za-z0-9_.+\-/][A-Za-z0-9_.+\-/ :]*$/.test(p) && !p.includes(": ")),
        singleQuoted,
        doubleQuoted,
      ),
      {
        maxLength: 3,
      },
    ),
    fc.constantFrom(", ", ",", " , ", ",  "),
    fc.constantFrom("[", "[ ", "[  "),
    mix(fc.constantFrom("]", " ]"), fc.constantFrom(", ]", ",", "")),
  ).map(([items, sep, open, close]) => `${open}${items.join(sep)}${close}`);
  const inlineValue = fc.oneof(
    { weight: 6, arbitrary: scalar },
    { weight: 2, arbitrary: flowList },
    {
      weight: 1,
      arbitrary: mix(
        fc.constantFrom("{}", "{ }", "[]", "[ ]"),
        fc.constantFrom("{a: 1}", "{", "["),
      ),
    },
  );
  const comment = mix(
    fc.constantFrom("", "", "", " # note", "  # a: b", " #"),
    fc.constantFrom("# tight", "\t# tab", " # x\u0001"),
  );
  const key = mix(fc.constantFrom(...KEYS), fc.constantFrom(...TRAP_KEYS));
  const entries: fc.Arbitrary<Entry[]> = fc.letrec<{ map: Entry[] }>((tie) => ({
    map: fc.uniqueArray(
      fc.record({
        key,
        value: fc.oneof(
          { weight: 4, arbitrary: inlineValue },
          { weight: 1, arbitrary: fc.constant("") },
          { weight: 2, depthSize: "small", arbitrary: tie("map") },
        ),
        comment,
      }),
      { maxLength: 4, selector: (e) => e.key },
    ),
  })).map;
  const extraLine = mix(
    fc.constantFrom("", "  ", "# c", "   # c"),
    fc.constantFrom(" x", "- a", "  b: 1", "\t", "---", "a: 1"),
  );
  // A single edit anywhere: where the reader's line-based view could go wrong.
  const edit = clean ? fc.constant(null) : fc.option(
    fc.tuple(fc.nat(), fc.constantFrom(" ", "  ", "#", ":", "-", "'", '"', "\t", "\n", "[", "x")),
    { freq: 3 },
  );
  const document = fc.record({
    map: entries,
    step: fc.integer({ min: 1, max: 4 }),
    crlf: fc.boolean(),
    extras: fc.array(fc.tuple(fc.nat(), extraLine), { maxLength: 2 }),
    edit,
  }).map(({ map, step, crlf, extras, edit }) => {
    const lines: string[] = [];
    render(map, 0, step, lines);
    for (const [at, line] of extras) lines.splice(at % (lines.length + 1), 0, line);
    let text = lines.join(crlf ? "\r\n" : "\n") + (lines.length > 0 ? "\n" : "");
    if (edit !== null) {
      const at = edit[0] % (text.length + 1);
      text = text.slice(0, at) + edit[1] + text.slice(at);
    }
    return text;
  });
  return { inlineValue, comment, document };
}

function render(map: Entry[], indent: number, step: number, out: string[]): void {
  for (const e of map) {
    const pad = " ".repeat(indent);
    if (typeof e.value === "string") {
      out.push(`${pad}${e.key}:${e.value === "" ? "" : ` ${e.value}`}${e.comment}`);
    } else {
      out.push(`${pad}${e.key}:${e.comment}`);
      render(e.value, indent + step, step, out);
    }
  }
}

const CLEAN = generators(true);
const MIXED = generators(false);

Deno.test("readYamlSubset reads every document inside the subset, as yaml does", () => {
  fc.assert(
    fc.property(CLEAN.document, (text) => {
      assert.ok(agrees(text), `declined ${JSON.stringify(text)}`);
    }),
    { numRuns: 2000 },
  );
});

Deno.test("readYamlSubset equals the yaml package wherever it answers (generated documents)", () => {
  let answered = 0;
  fc.assert(
    fc.property(MIXED.document, (text) => {
      if (agrees(text)) answered++;
    }),
    { numRuns: 4000 },
  );
  // Traps decline most documents; enough must still be read for the comparison to count.
  assert.ok(answered > 300, `answered only ${answered} of 4000`);
});

Deno.test("readYamlSubset equals the yaml package on random text", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 30, unit: "binary" }), (text) => void agrees(text)),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom("a:", " ", "  b: 1", "\n", "# x", "[1, 2]", "'q'", "c: d"), {
        maxLength: 10,
      }).map((a) => a.join("")),
      (text) => void agrees(text),
    ),
    { numRuns: 2000 },
  );
});

Deno.test("readYamlSubset reads the repo's config.yaml and examples, as yaml does", async () => {
  const files = ["config.yaml"];
  for await (const e of Deno.readDir(new URL("examples/", REPO))) {
    if (e.name.endsWith(".yaml")) files.push(`examples/${e.name}`);
  }
  assert.ok(files.length >= 3, `config files: ${files.join(", ")}`);
  for (const f of files) {
    const text = await Deno.readTextFile(new URL(f, REPO));
    assert.ok(agrees(text), `${f} is outside the subset`);
  }
});

Deno.test("readYamlSubset: values worked out by hand, and what it leaves to yaml", () => {
  assert.deepStrictEqual(
    readYamlSubset(
      '# top\nib:\n  port: 4002 # gw\n  host: "10.0.0.2"\ncontract:\n  month:\n' +
        "session:\n    starts: ['09:00', \"17:00\"]\n    liquid_hours: []\nstrategy:\n" +
        "  params: {}\n  name: it''s\n  long: False\n",
    ),
    {
      ib: { port: 4002, host: "10.0.0.2" },
      contract: { month: null },
      session: { starts: ["09:00", "17:00"], liquid_hours: [] },
      strategy: { params: {}, name: "it''s", long: false },
    },
  );
  assert.equal(readYamlSubset(""), null);
  assert.equal(readYamlSubset("# only a comment\n\n"), null);
  assert.deepStrictEqual(readYamlSubset("a: 1\r\nb: x\r\n"), { a: 1, b: "x" });
  for (
    const declined of [
      "a:\n  - 1\n", // block list
      "a: &x 1\nb: *x\n", // anchors
      "a: foo\n  bar\n", // multi-line plain scalar
      "a: 1\na: 2\n", // duplicate key (yaml's error)
      'a: "x\\ty"\n', // escape
      "a:\n\tb: 1\n", // tab
      "  a: 1\n", // indented top level
      "a: |\n  text\n", // block scalar
      "--- \na: 1\n", // document marker
    ]
  ) {
    assert.equal(readYamlSubset(declined), undefined, JSON.stringify(declined));
  }
});

Deno.test("readInlineValue equals yaml's value of a key wherever it answers", () => {
  const value = fc.oneof(
    CLEAN.inlineValue,
    MIXED.inlineValue,
    fc.string({ maxLength: 12, unit: "binary" }),
  );
  let answered = 0;
  fc.assert(
    fc.property(fc.tuple(value, fc.oneof(CLEAN.comment, MIXED.comment)), ([v, c]) => {
      const mine = readInlineValue(v + c);
      if (mine === undefined) return;
      answered++;
      const theirs = viaYaml(`k: ${v}${c}`);
      assert.ok(theirs !== undefined, `read ${JSON.stringify(v + c)} but yaml finds errors`);
      assert.deepStrictEqual({ k: mine }, theirs.value, JSON.stringify(v + c));
    }),
    { numRuns: 3000 },
  );
  assert.ok(answered > 1000, `answered only ${answered}`);
});

Deno.test("readYamlValue (a --set value) equals yaml's parse wherever it answers", () => {
  const value = fc.oneof(
    fc.tuple(
      fc.constantFrom("", " ", "  "),
      CLEAN.inlineValue,
      CLEAN.comment,
      fc.constantFrom("", " "),
    )
      .map((p) => p.join("")),
    fc.string({ maxLength: 12, unit: "binary" }),
  );
  let answered = 0;
  fc.assert(
    fc.property(value, (text) => {
      const mine = readYamlValue(text);
      if (mine === undefined) return;
      answered++;
      let theirs: unknown;
      try {
        theirs = parseYaml(text, { prettyErrors: false });
      } catch (e) {
        assert.fail(`read ${JSON.stringify(text)} but yaml throws ${String(e)}`);
      }
      assert.deepStrictEqual(mine, theirs, JSON.stringify(text));
    }),
    { numRuns: 3000 },
  );
  assert.ok(answered > 1000, `answered only ${answered}`);
});

Deno.test("resolvePlain follows YAML 1.2's core schema", () => {
  // Worked out from the YAML 1.2.2 spec, 10.3.2 (tag resolution).
  const cases: [string, unknown][] = [
    ["", null],
    ["~", null],
    ["Null", null],
    ["nUll", "nUll"],
    ["TRUE", true],
    ["yes", "yes"],
    ["0o17", 15],
    ["0x1F", 31],
    ["007", 7],
    ["+5", 5],
    ["1e3", 1000],
    ["5.", 5],
    [".5", 0.5],
    ["-.inf", -Infinity],
    [".NaN", NaN],
    ["1_000", "1_000"],
    ["17:00", "17:00"],
  ];
  for (const [text, want] of cases) assert.deepStrictEqual(resolvePlain(text), want, text);
  assert.ok(Object.is(resolvePlain("-0"), -0));
});
