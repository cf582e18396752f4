/**
 * The README and docs/ against the program: every command the help lists is in the command
 * tables, every task of deno.json is in the README, every option written after a command is
 * one that command's real `--help` lists, and every relative link (and its #anchor) leads
 * somewhere. And deno.json declares no import that nothing uses.
 */
import assert from "node:assert/strict";

const ROOT = new URL("..", import.meta.url).pathname;
const MAIN = `${ROOT}main.ts`;
const DOCS = [
  "README.md",
  ...[...Deno.readDirSync(`${ROOT}docs`)].filter((e) => e.name.endsWith(".md"))
    .map((e) => `docs/${e.name}`).sort(),
];
const text = (path: string) => Deno.readTextFileSync(`${ROOT}${path}`);

/** The real help text of `scalpbot <args>`. */
async function help(...args: string[]): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-env=LOG_TOKENS,LOG_STREAM", MAIN, ...args],
    env: { DENO_NO_UPDATE_CHECK: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, `scalpbot ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  return stdout;
}

/** Commands `scalpbot --help` lists (lines "  name   what it does"), help excluded. */
async function commands(): Promise<string[]> {
  const section = (await help("--help")).split("Commands:")[1] ?? "";
  return [...section.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((m) => m[1]!)
    .filter((c) => c !== "help");
}

Deno.test("docs: every command of scalpbot --help is in the command tables of the README and docs/commands.md", async () => {
  const cmds = await commands();
  assert.ok(cmds.includes("live") && cmds.includes("sim"), cmds.join(" "));
  for (const doc of ["README.md", "docs/commands.md"]) {
    const rows = text(doc).split("\n").filter((l) => l.startsWith("| `scalpbot "));
    for (const c of cmds) {
      assert.ok(rows.some((r) => r.startsWith(`| \`scalpbot ${c}`)), `${doc}: no row for ${c}`);
    }
  }
});

Deno.test("docs: every deno task is in the README's command table", () => {
  const tasks = Object.keys(JSON.parse(text("deno.json")).tasks as Record<string, string>);
  const table = text("README.md").split("\n").filter((l) => l.startsWith("| "));
  for (const t of tasks) {
    assert.ok(table.some((r) => r.includes(`\`deno task ${t}\``)), `README: no row for ${t}`);
  }
});

Deno.test("docs: every option written after a command is one its --help lists", async () => {
  const known = new Map<string, Set<string>>();
  for (const c of await commands()) {
    const flags = (await help(c, "--help")).match(/--[a-z][a-z-]*/g) ?? [];
    // --print-command is the launcher's (deno task live/demo/backtest/report/sim).
    known.set(c, new Set([...flags, "--help", "--print-command"]));
  }
  const wrong: string[] = [];
  let checked = 0;
  for (const doc of DOCS) {
    text(doc).split("\n").forEach((line, i) => {
      // Up to the end of the code span, table cell or line.
      for (const m of line.matchAll(/(?:deno task|scalpbot|main\.ts) ([a-z]+)([^`|]*)/g)) {
        const flags = known.get(m[1]!);
        if (flags === undefined) continue;
        for (const f of m[2]!.match(/--[a-z][a-z-]*/g) ?? []) {
          checked++;
          if (!flags.has(f)) wrong.push(`${doc}:${i + 1}: ${m[1]} ${f}`);
        }
      }
    });
  }
  assert.deepEqual(wrong, []);
  assert.ok(checked >= 30, `only ${checked} options checked: is the pattern still right?`);
});

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-");
}

Deno.test("docs: every relative link leads to a file, and its #anchor to a heading there", () => {
  const anchors = (path: string) =>
    new Set(
      text(path).split("\n").filter((l) => /^#{1,6} /.test(l))
        .map((l) => slug(l.replace(/^#+ /, ""))),
    );
  assert.equal(slug("EXIT — the position was closed"), "exit--the-position-was-closed");
  const broken: string[] = [];
  for (const doc of DOCS) {
    const dir = doc.includes("/") ? doc.slice(0, doc.lastIndexOf("/") + 1) : "";
    for (const m of text(doc).matchAll(/\]\(([^)\s]+)\)/g)) {
      const link = m[1]!;
      if (/^[a-z]+:/.test(link)) continue;
      const [file, anchor] = link.split("#") as [string, string | undefined];
      const target = file === "" ? doc : new URL(dir + file, `file:///`).pathname.slice(1);
      let exists = true;
      try {
        Deno.statSync(`${ROOT}${target}`);
      } catch {
        exists = false;
      }
      if (!exists) broken.push(`${doc}: ${link} (no ${target})`);
      else if (anchor !== undefined && target.endsWith(".md") && !anchors(target).has(anchor)) {
        broken.push(`${doc}: ${link} (no heading #${anchor} in ${target})`);
      }
    }
  }
  assert.deepEqual(broken, []);
});

Deno.test("deno.json: every declared import is imported somewhere", () => {
  const imports = Object.keys(JSON.parse(text("deno.json")).imports as Record<string, string>);
  const sources: string[] = [];
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(`${ROOT}${dir}`)) {
      if (e.isDirectory) walk(`${dir}/${e.name}`);
      else if (e.name.endsWith(".ts")) sources.push(text(`${dir}/${e.name}`));
    }
  };
  for (const dir of ["lib", "tests", "bench"]) walk(dir);
  sources.push(text("main.ts"));
  const unused = imports.filter((name) =>
    !sources.some((src) => src.includes(`from "${name}"`) || src.includes(`from "${name}/`))
  );
  assert.deepEqual(unused, []);
  assert.ok(imports.includes("@stoqey/ib"), "the pattern finds the IB client's import");
});

Deno.test("docs: every option of every command's --help is documented", async () => {
  const missing: string[] = [];
  for (const c of await commands()) {
    const doc = c === "sim" ? "docs/simulator.md" : "docs/commands.md";
    const flags = new Set((await help(c, "--help")).match(/--[a-z][a-z-]*/g) ?? []);
    flags.delete("--help");
    for (const f of flags) if (!text(doc).includes(`\`${f}`)) missing.push(`${c} ${f} (${doc})`);
  }
  assert.deepEqual(missing, []);
});
