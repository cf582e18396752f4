/**
 * User strategies through the CLI and the launcher: the read permission of the strategy
 * file alone (planned, and enforced: a module that reads another file is refused), the
 * examples on the generated session checked bar by bar against a reference computed here
 * from the bars CSV, a strategy that throws mid-run (one line, exit 1, the journal whole
 * and ended with the strategy's error) and a bad module (one line, nothing written).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseConfigText } from "../lib/config/load.ts";
import { planPermissions, strategyModuleFile } from "../lib/cli/permissions.ts";
import { readJournal } from "../lib/journal/reader.ts";
import type { EntryEvent, ExitEvent, SessionEndEvent } from "../lib/types.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const API = join(ROOT, "lib/strategy/api.ts");
const dir = await Deno.makeTempDir({ prefix: "user_strategy_cli_" });

interface Run {
  code: number;
  /** stderr lines, the launcher's own `[launch]` line left out. */
  errors: string[];
  /** The launcher's `[launch] ...` line. */
  launch: string;
  stdout: string;
}

/** Runs `deno task backtest`'s command line (the launcher) with `args`, from `cwd`. */
async function launch(args: string[], cwd = ROOT, command = ["backtest", "--quiet"]): Promise<Run> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-env=LOG_TOKENS,LOG_STREAM",
      "--allow-run=deno",
      join(ROOT, "lib/cli/launch.ts"),
      ...command,
      ...args,
    ],
    cwd,
    env: {
      DENO_NO_UPDATE_CHECK: "1",
      PATH: `${join(Deno.execPath(), "..")}:${Deno.env.get("PATH")}`,
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const lines = new TextDecoder().decode(out.stderr).split("\n").filter((l) => l !== "");
  return {
    code: out.code,
    errors: lines.filter((l) => !l.startsWith("[launch] ")),
    launch: lines.find((l) => l.startsWith("[launch] ")) ?? "",
    stdout: new TextDecoder().decode(out.stdout),
  };
}

Deno.test("permission plan: exactly the strategy file is added to --allow-read, relative to the config's folder", () => {
  const base = parseConfigText("", { source: "c.yaml" });
  const config = parseConfigText("strategy:\n  module: ./orb_strategy.ts\n", { source: "c.yaml" });
  const opts = (c: typeof base) => ({ config: c, dirExists: () => true });
  for (const command of ["backtest", "live"]) {
    const args = ["--config", "examples/orb.yaml"];
    const without = planPermissions(command, args, opts(base));
    const withModule = planPermissions(command, args, opts(config));
    assert.deepEqual(withModule.read, [...without.read, "examples/orb_strategy.ts"]);
    assert.deepEqual(withModule.write, without.write);
    assert.deepEqual(withModule.net, without.net);
  }
  // No --config: config.yaml in the working directory, so the module is relative to it.
  assert.ok(planPermissions("backtest", [], opts(config)).read.includes("orb_strategy.ts"));
  assert.ok(planPermissions("demo", [], opts(config)).read.includes("orb_strategy.ts"));
  assert.equal(strategyModuleFile("/abs/s.ts", "examples/orb.yaml"), "/abs/s.ts");
  assert.equal(strategyModuleFile("../s.ts", "cfg/a/b.yaml"), "cfg/s.ts");
});

/** Bars CSV rows as numbers by column (ts_utc as epoch ms). */
async function bars(path: string): Promise<Record<string, number>[]> {
  const [head, ...rows] = (await Deno.readTextFile(path)).trim().split("\n");
  const cols = head!.split(",");
  return rows.map((r) => {
    const cells = r.split(",");
    const row: Record<string, number> = {};
    cols.forEach((c, i) => row[c] = c === "ts_utc" ? Date.parse(cells[i]!) : Number(cells[i]));
    return row;
  });
}

async function entries(journal: string): Promise<EntryEvent[]> {
  const { events } = await readJournal(journal);
  return events.filter((e): e is EntryEvent => e.kind === "ENTRY");
}

const EXACT = ["--set", "strategy.entry_price=bar_close"];
const TICK = 0.25;
const onGrid = (x: number) => Math.round(x / TICK) * TICK;

/** Backtests examples/<name>.yaml through the launcher with a bars CSV; checks it succeeded. */
async function example(name: string): Promise<{ r: Run; journal: string; csv: string }> {
  const journal = join(dir, `${name}.text`);
  const csv = join(dir, `${name}.csv`);
  const args = ["--config", `examples/${name}.yaml`, "--journal", journal, "--bars-out", csv];
  const r = await launch([...args, ...EXACT]);
  assert.equal(r.code, 0, r.errors.join("\n"));
  return { r, journal, csv };
}

Deno.test("launcher: examples/orb.yaml on the generated session enters where a reference computed from the bars enters", async () => {
  const { r, journal, csv } = await example("orb");
  assert.deepEqual(r.errors, []);
  // Read access to the strategy file, not to its folder.
  assert.match(r.launch, /--allow-read=[^ ]*examples\/orb_strategy\.ts/);
  assert.doesNotMatch(r.launch, /--allow-read=[^ ]*examples(,| )/);
  // Reference: the range is 08:30-08:45 Chicago (14:30-14:45 UTC on 2025-02-17).
  const rows = await bars(csv);
  const open = Date.parse("2025-02-17T14:30:00Z");
  const inRange = rows.filter((b) => b["ts_utc"]! >= open && b["ts_utc"]! < open + 15 * 60_000);
  const high = Math.max(...inRange.map((b) => b["high"]!));
  const low = Math.min(...inRange.map((b) => b["low"]!));
  const breakout = rows.find((b) =>
    b["ts_utc"]! >= open + 15 * 60_000 && (b["close"]! > high || b["close"]! < low)
  )!;
  const long = breakout["close"]! > high;
  const risk = long ? breakout["close"]! - low : high - breakout["close"]!;
  const [e, ...more] = await entries(journal);
  assert.equal(more.length, 0);
  assert.equal(e!.time, breakout["ts_utc"]! + 30_000);
  assert.equal(e!.side, long ? "LONG" : "SHORT");
  assert.equal(e!.entry, breakout["close"]);
  assert.equal(e!.stop, long ? low : high);
  assert.equal(e!.target, onGrid(breakout["close"]! + (long ? 1.5 : -1.5) * risk));
});

Deno.test("launcher: examples/vwap_reversion.yaml on the generated session: every entry's bar is beyond the band, the first one is the first such bar", async () => {
  const { journal, csv } = await example("vwap_reversion");
  const rows = await bars(csv);
  const byEnd = new Map(rows.map((b, i) => [b["ts_utc"]! + 30_000, { b, i }]));
  const beyond = (b: Record<string, number>) =>
    Math.abs(b["close"]! - b["vwap"]!) > 2 * b["atr"]! && Math.abs(b["close"]! - b["vwap"]!) >= 1;
  const list = await entries(journal);
  assert.ok(list.length >= 3, `${list.length} entries`);
  for (const e of list) {
    const { b } = byEnd.get(e.time)!;
    assert.ok(beyond(b), `entry at ${new Date(e.time).toISOString()} is inside the band`);
    assert.equal(e.side, b["close"]! < b["vwap"]! ? "LONG" : "SHORT");
    assert.equal(e.entry, b["close"]);
    assert.equal(e.target, onGrid(b["vwap"]!)); // the VWAP, on the grid
    assert.ok(Math.abs(Math.abs(e.entry - e.stop) - 1.5 * b["atr"]!) <= TICK / 2 + 1e-9);
  }
  // calibration_bars 15: the 15th bar (index 14) is the first that may enter.
  const first = rows.findIndex((b, i) => i >= 14 && beyond(b));
  assert.equal(list[0]!.time, rows[first]!["ts_utc"]! + 30_000);
});

Deno.test("launcher: a strategy module gets read access to its own file only (another file is refused, one line)", async () => {
  await Deno.writeTextFile(join(dir, "secret.txt"), "s3cret");
  await Deno.writeTextFile(
    join(dir, "snoop.ts"),
    `import type { StrategyApi } from "${API}";
export default ({ z, defineStrategy }: StrategyApi) => defineStrategy({
  name: "snoop",
  schema: z.strictObject({}),
  create: () => {
    Deno.readTextFileSync(new URL("./secret.txt", import.meta.url));
    return { indicators: [], onBar: () => undefined };
  },
});
`,
  );
  await Deno.writeTextFile(join(dir, "snoop.yaml"), "strategy:\n  module: ./snoop.ts\n");
  const journal = join(dir, "snoop.text");
  const r = await launch(["--config", join(dir, "snoop.yaml"), "--journal", journal]);
  assert.equal(r.code, 2);
  assert.equal(r.errors.length, 1, r.errors.join("\n"));
  assert.match(
    r.errors[0]!,
    /^scalpbot: .*snoop\.yaml: .*strategy snoop failed to start: .*read access to ".*secret\.txt"/,
  );
  assert.equal(await Deno.stat(journal).then(() => true, () => false), false);
});

Deno.test("launcher: a bad module is one line, exit 2, and an existing journal is untouched even with --overwrite", async () => {
  const journal = join(dir, "keep.text");
  await Deno.writeTextFile(journal, "not touched\n");
  await Deno.writeTextFile(join(dir, "gone.yaml"), "strategy:\n  module: ./gone.ts\n");
  const r = await launch(["--config", join(dir, "gone.yaml"), "--journal", journal, "--overwrite"]);
  assert.equal(r.code, 2);
  assert.deepEqual(r.errors, [
    `scalpbot: ${join(dir, "gone.yaml")}: strategy.module = "./gone.ts": file not found (${
      join(dir, "gone.ts")
    })`,
  ]);
  assert.equal(await Deno.readTextFile(journal), "not touched\n");
});

/** Goes long once it may, with a wide stop and target; throws on bar `at`. */
const BOOM = `import type { StrategyApi } from "${API}";
export default ({ z, defineStrategy }: StrategyApi) => defineStrategy({
  name: "boom",
  schema: z.strictObject({ at: z.int().default(40) }),
  create: (p) => ({
    indicators: [],
    onBar(ctx) {
      if (ctx.index === p.at) throw new Error("no data for bar " + ctx.index);
      if (!ctx.canEnter) return undefined;
      return { side: "LONG", stop: { kind: "points", points: 50 }, target: { kind: "points", points: 50 } };
    },
  }),
});
`;

Deno.test("launcher: a strategy that throws on a bar stops the run: the open trade closed as MANUAL, SESSION_END names it, one line, exit 1", async () => {
  await Deno.writeTextFile(join(dir, "boom.ts"), BOOM);
  await Deno.writeTextFile(
    join(dir, "boom.yaml"),
    "strategy:\n  module: ./boom.ts\n  calibration_bars: 1\n",
  );
  const journal = join(dir, "boom.text");
  const r = await launch(["--config", join(dir, "boom.yaml"), "--journal", journal]);
  assert.equal(r.code, 1);
  // Bar 40 of the generated session (from 08:30 Chicago, 30 s bars) ends at 14:50 UTC.
  assert.deepEqual(r.errors, [
    "scalpbot: strategy boom threw on the bar ending 2025-02-17T14:50:00.000Z: Error: no data " +
    "for bar 40; the run stopped and its open trade was closed as MANUAL",
  ]);
  const { events } = await readJournal(journal);
  assert.deepEqual(events.map((e) => e.kind), [
    "SESSION_START",
    "ENTRY",
    "FILL",
    "EXIT",
    "SESSION_END",
  ]);
  const exit = events[3] as ExitEvent;
  const end = events[4] as SessionEndEvent;
  assert.equal(exit.reason, "MANUAL");
  assert.equal(exit.time, end.time);
  assert.equal(end.reason, "STRATEGY_ERROR boom: Error: no data for bar 40");
  assert.equal(end.bars, 40);
  // The report reads the journal back whole.
  const report = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", join(ROOT, "main.ts"), "report", journal],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(report.code, 0, new TextDecoder().decode(report.stderr));
  assert.match(new TextDecoder().decode(report.stdout), /MANUAL 1/);
});

Deno.test("demo through the launcher: a strategy that throws mid-run ends it once (the live runner treats it as fatal, not as a sync to retry)", async () => {
  const cwd = await Deno.makeTempDir({ prefix: "user_strategy_demo_" });
  await Deno.writeTextFile(join(cwd, "boom.ts"), BOOM);
  await Deno.writeTextFile(
    join(cwd, "config.yaml"),
    "strategy:\n  module: ./boom.ts\n  calibration_bars: 1\n  params: {at: 45}\n",
  );
  const r = await launch(["--seconds", "5"], cwd, ["demo"]);
  assert.equal(r.code, 1, r.errors.join("\n"));
  assert.match(r.launch, /--allow-read=[^ ]*boom\.ts/);
  assert.equal(r.errors.length, 1, r.errors.join("\n"));
  assert.match(
    r.errors[0]!,
    /^scalpbot: strategy boom threw on the bar ending .*: Error: no data for bar 45; the run stopped/,
  );
  const { events } = await readJournal(join(cwd, "demo_trade_record.text"));
  const kinds = events.map((e) => e.kind);
  assert.equal(kinds.filter((k) => k === "SESSION_START").length, 1);
  assert.equal(kinds.at(-1), "SESSION_END");
  assert.equal(
    (events.at(-1) as SessionEndEvent).reason,
    "STRATEGY_ERROR boom: Error: no data for bar 45",
  );
  const exits = events.filter((e): e is ExitEvent => e.kind === "EXIT");
  assert.ok(exits.every((x) => x.time <= events.at(-1)!.time));
  if (kinds.includes("ENTRY")) assert.equal(exits.at(-1)!.reason, "MANUAL");
});

Deno.test("live loads the strategy module before it connects: a bad one is the same line, exit 2", async () => {
  await Deno.writeTextFile(join(dir, "live_gone.yaml"), "strategy:\n  module: ./gone.ts\n");
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      join(ROOT, "main.ts"),
      "live",
      "--config",
      join(dir, "live_gone.yaml"),
      "--journal",
      join(dir, "live.text"),
    ],
    env: { DENO_NO_UPDATE_CHECK: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 2);
  assert.equal(
    new TextDecoder().decode(out.stderr),
    `scalpbot: ${join(dir, "live_gone.yaml")}: strategy.module = "./gone.ts": file not found (${
      join(dir, "gone.ts")
    })\n`,
  );
  assert.equal(await Deno.stat(join(dir, "live.text")).then(() => true, () => false), false);
});
