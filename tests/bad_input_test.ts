/**
 * The bad-input campaign as a test: config files and overrides, tick files, journals and
 * command lines that are wrong in one way each. Every case must end with its exit code
 * (2: usage or config, 1: a file, an address or data), exactly one error line that names
 * the place and the value, no stack trace, no file created, and the journal that was
 * already there byte for byte as it was (every backtest case passes --overwrite, so a
 * command that empties its journal before checking its inputs is caught).
 *
 * The table (tests/_bad_inputs.ts) runs `main()` in-process, each case in a fresh folder
 * made the working directory; a few cases run as real processes with narrow permissions.
 */
import assert from "node:assert/strict";
import { main } from "../main.ts";
import { type Case, DIR } from "./_bad_input_kit.ts";
import { CASES } from "./_bad_inputs.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

interface Outcome {
  code: number | string;
  out: string[];
  err: string[];
}

/** Runs `main(args)` with the console captured; a case still running after 8 s is "hung". */
async function runMain(args: string[]): Promise<Outcome> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error, warn, info } = console;
  const capture = (into: string[]) => (...a: unknown[]) => void into.push(a.join(" "));
  console.log = capture(out);
  console.info = capture(out);
  console.error = capture(err);
  console.warn = capture(err);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const hang = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve("hung"), 8000);
    });
    const run = main(args).catch((e) => {
      err.push(...String(e instanceof Error ? e.stack : e).split("\n"));
      return "threw";
    });
    // A command that should have refused but started (a simulator, a demo) is left running
    // and reported as "hung": the test fails and ends without it.
    const code = await Promise.race([run, hang]);
    return { code, out, err };
  } finally {
    clearTimeout(timer);
    Object.assign(console, { log, error, warn, info });
  }
}

async function listing(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

/** A journal with one generated run: the file every case must leave as it was. */
async function makeJournal(): Promise<Uint8Array> {
  const dir = await Deno.makeTempDir();
  try {
    const r = await runMain(["backtest", "--journal", `${dir}/j.text`, "--quiet"]);
    assert.equal(r.code, 0, r.err.join("\n"));
    return await Deno.readFile(`${dir}/j.text`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** What went wrong with one case, or undefined when it behaved. */
async function check(c: Case, journal: Uint8Array): Promise<string | undefined> {
  const dir = await Deno.makeTempDir();
  const cwd = Deno.cwd();
  try {
    await Deno.writeFile(`${dir}/j.text`, journal);
    const text = new TextDecoder().decode(journal);
    const lines = text.split("\n");
    for (const [name, content] of Object.entries(c.files ?? {})) {
      if (content === DIR) await Deno.mkdir(`${dir}/${name}`);
      else if (name === "torn.text") {
        // A line cut short in the middle of the file, not followed by a SESSION_START.
        const cut = [lines[0], lines[1], lines[2]!.slice(0, 20), ...lines.slice(3)];
        await Deno.writeTextFile(`${dir}/${name}`, cut.join("\n"));
      } else if (name === "tail.text") {
        await Deno.writeTextFile(`${dir}/${name}`, `${text}this is not a journal line\n`);
      } else if (typeof content === "string") {
        await Deno.writeFile(`${dir}/${name}`, new TextEncoder().encode(content));
      } else await Deno.writeFile(`${dir}/${name}`, content);
    }
    const before = await listing(dir);
    Deno.chdir(dir);
    const r = await runMain(c.args);
    Deno.chdir(cwd);
    const problems: string[] = [];
    const errLines = r.err.flatMap((l) => l.split("\n")).filter((l) => l.trim() !== "");
    if (r.code !== c.code) problems.push(`exit ${r.code}, expected ${c.code}`);
    if (errLines.length !== 1) problems.push(`${errLines.length} error lines`);
    else if (!errLines[0]!.startsWith("scalpbot: ")) problems.push(`line not "scalpbot: ..."`);
    if (!c.line.test(errLines.join("\n"))) problems.push(`no line matches ${c.line}`);
    if ([...r.out, ...errLines].some((l) => /^\s+at /.test(l))) problems.push("stack trace");
    const after = await Deno.readFile(`${dir}/j.text`).catch(() => new Uint8Array());
    if (!bytesEqual(after, journal)) problems.push(`journal changed (${after.length} bytes)`);
    const now = await listing(dir);
    if (now.join("/") !== before.join("/")) {
      problems.push(`files now ${JSON.stringify(now)}, were ${JSON.stringify(before)}`);
    }
    if (problems.length === 0) return undefined;
    return `${c.name}: ${problems.join("; ")}\n    stderr: ${errLines.slice(0, 3).join(" | ")}`;
  } finally {
    Deno.chdir(cwd);
    await Deno.remove(dir, { recursive: true });
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

// ---------------------------------------------------------------------------------------
// The table

Deno.test({
  name: `bad input: ${CASES.length} cases, each one clear line, its exit code, no file touched`,
  // A case that wrongly starts a simulator leaves it running: its resources linger.
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const journal = await makeJournal();
    const failures: string[] = [];
    for (const c of CASES) {
      const f = await check(c, journal);
      if (f !== undefined) failures.push(f);
    }
    const names = new Set(CASES.map((c) => c.name));
    assert.equal(names.size, CASES.length, "case names are unique");
    assert.ok(CASES.length >= 120, `${CASES.length} cases`);
    if (failures.length > 0) console.log(failures.join("\n"));
    assert.equal(failures.length, 0, `${failures.length} of ${CASES.length} cases failed`);
  },
});

Deno.test("bad input: sim on a port already in use names the address, exit 1", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const port = (listener.addr as Deno.NetAddr).port;
    const r = await runMain(["sim", "--port", String(port)]);
    assert.equal(r.code, 1);
    assert.deepEqual(r.err, [
      `scalpbot: sim: cannot listen on 127.0.0.1:${port}: the port is already in use ` +
      `(another simulator, TWS or IB Gateway?); choose another --port`,
    ]);
  } finally {
    listener.close();
  }
});

// ---------------------------------------------------------------------------------------
// Real processes with narrow permissions: what reaches the terminal has no stack trace.

interface ProcessCase {
  name: string;
  /** Deno permission flags; `D` is the case folder. */
  allow: (d: string) => string[];
  args: (d: string) => string[];
  code: 1 | 2;
  /** The first stderr line; later lines may only be the permission hint. */
  first: (d: string) => RegExp;
  /** Set up the folder (the journal j.text is already there). */
  setup?: (d: string) => Promise<void>;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

const PROCESS_CASES: ProcessCase[] = [
  {
    name: "report of a folder",
    allow: (d) => [`--allow-read=${d}`],
    args: (d) => ["report", `${d}/sub`],
    code: 1,
    first: (d) => new RegExp(`^scalpbot: journal ${esc(d)}/sub is a directory, not a file$`),
    setup: (d) => Deno.mkdir(`${d}/sub`),
  },
  {
    name: "backtest with a bad config",
    allow: (d) => [`--allow-read=${d}`, `--allow-write=${d}`],
    args: (d) => [
      "backtest",
      "--config",
      `${d}/c.yaml`,
      "--journal",
      `${d}/j.text`,
      "--overwrite",
    ],
    code: 2,
    first: (d) => new RegExp(`^scalpbot: ${esc(d)}/c\\.yaml: bars\\.seconds = 7 is not allowed`),
    setup: (d) => Deno.writeTextFile(`${d}/c.yaml`, "bars:\n  seconds: 7\n"),
  },
  {
    name: "backtest with a tick file outside the permitted folder",
    allow: (d) => [`--allow-read=${d}`, `--allow-write=${d}`],
    args: (
      d,
    ) => ["backtest", "--ticks", "/etc/hostname", "--journal", `${d}/j.text`, "--overwrite"],
    code: 1,
    first: () => /^scalpbot: .*read access to "\/etc\/hostname"/,
  },
  {
    name: "backtest with a journal outside the write permission",
    allow: (d) => [`--allow-read=${d}`, `--allow-write=${d}/other.text`],
    args: (d) => ["backtest", "--journal", `${d}/j.text`, "--append"],
    code: 1,
    first: (d) => new RegExp(`^scalpbot: .*write access to "${esc(d)}/j\\.text"`),
  },
  {
    name: "backtest with a tick folder",
    allow: (d) => [`--allow-read=${d}`, `--allow-write=${d}`],
    args: (d) => ["backtest", "--ticks", `${d}/`, "--journal", `${d}/j.text`, "--overwrite"],
    code: 1,
    first: (d) => new RegExp(`^scalpbot: --ticks ${esc(d)}/: the folder holds no \\.csv file$`),
  },
  {
    name: "sim on a host the permissions do not allow",
    allow: () => ["--allow-net=127.0.0.1"],
    args: () => ["sim", "--host", "10.11.12.13", "--port", "7999"],
    code: 1,
    first: () => /^scalpbot: .*net access to "10\.11\.12\.13:7999"/,
  },
  {
    // The launcher's grant: BullMQ's import reads NODE_ENV, so the address is checked first.
    name: "worker with a queue address that is not redis://",
    allow: () => ["--allow-read=/"],
    args: () => ["worker", "--queue", "http://x"],
    code: 1,
    first: () => /^scalpbot: --queue http:\/\/x: expected redis:\/\/HOST:PORT$/,
  },
  {
    name: "sweep with a queue address that is not redis://",
    allow: (d) => [`--allow-read=${d}`, `--allow-write=${d}`],
    args: (d) => ["sweep", "--ticks", `${d}/j.text`, "--grid", "risk.contracts=1", "--queue", "x"],
    code: 1,
    first: () => /^scalpbot: --queue x: expected redis:\/\/HOST:PORT$/,
  },
  {
    name: "an option twice",
    allow: (d) => [`--allow-read=${d}`],
    args: (d) => ["report", `${d}/j.text`, "--json", "--json"],
    code: 2,
    first: () => /^scalpbot: report: --json is given twice \(--json, then --json\); give it once$/,
  },
];

for (const c of PROCESS_CASES) {
  Deno.test(`bad input, real process: ${c.name}`, async () => {
    const d = await Deno.realPath(await Deno.makeTempDir());
    try {
      const journal = `${d}/j.text`;
      const r = await runMain(["backtest", "--journal", journal, "--quiet"]);
      assert.equal(r.code, 0, r.err.join("\n"));
      const before = await Deno.readFile(journal);
      await c.setup?.(d);
      const out = await new Deno.Command(Deno.execPath(), {
        // The env names are the yaml library's debug switches, as in the deno.json tasks.
        args: ["run", ...c.allow(d), "--allow-env=LOG_TOKENS,LOG_STREAM", MAIN, ...c.args(d)],
        cwd: d,
        env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const err = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, c.code, err);
      const lines = err.split("\n").filter((l) => l.trim() !== "");
      assert.ok(lines.length >= 1, "an error line");
      assert.match(lines[0]!, c.first(d));
      // Anything after the first line is the permission hint, never a trace.
      if (!/access to/.test(lines[0]!)) assert.equal(lines.length, 1, err);
      assert.doesNotMatch(err, /^\s+at /m);
      assert.doesNotMatch(err, /error: Uncaught/);
      assert.deepEqual(await Deno.readFile(journal), before);
    } finally {
      await Deno.remove(d, { recursive: true });
    }
  });
}
