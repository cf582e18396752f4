/**
 * The console of real runs (scalpbot in a child process, as a user runs it): every line
 * stamped in the one console zone (worked out by hand for known tick times), bar lines within
 * 100 columns and trade lines within 120 on the generated session, the shared GC day and the
 * demo, the status line under a pseudo-terminal (`script`) and none when piped, and the
 * content of `--log-file`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { BAR_WIDTH, columns, formatEventLine, TRADE_WIDTH } from "../lib/cli/console.ts";
import type { ExitEvent } from "../lib/types.ts";
import { Screen, StatusLine } from "../lib/cli/screen.ts";
import { configSchema } from "../lib/config/schema.ts";
import { planPermissions } from "../lib/cli/permissions.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const SHARED_GC = new URL(
  "../../shared/data/ticks/GC_GCZ13_2013-10-07_trades.csv",
  import.meta.url,
).pathname;
const GC = [
  "contract.symbol=GC",
  "contract.exchange=COMEX",
  "contract.tick_size=0.1",
  "contract.multiplier=100",
  "strategy.short=true",
];
const STAMP = /^\d\d:\d\d:\d\d /;
const TRADE = /^\d\d:\d\d:\d\d (>>| \+| x|<<| ~|==) /;
const BAR = /^\d\d:\d\d:\d\d +(open|-?\d)/;

/** Runs scalpbot in a child process from `cwd` (no config.yaml there: the defaults). */
async function scalpbot(
  args: string[],
  cwd: string,
): Promise<{ code: number; out: string; err: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    cwd,
    env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout), err: dec.decode(r.stderr) };
}

/** The lines printed before the report (which starts after the first empty line). */
function runLines(out: string): string[] {
  const lines = out.replaceAll("\r\n", "\n").split("\n");
  const end = lines.indexOf("");
  return lines.slice(0, end < 0 ? lines.length : end);
}

function widths(lines: readonly string[], re: RegExp): number[] {
  return lines.filter((l) => re.test(l)).map(columns);
}

/** Three prints, 14:30:05, 14:30:40 and 14:31:10 UTC on Monday 2025-02-17. */
const TICKS = "ts_utc,price,size\n" +
  "2025-02-17T14:30:05Z,5000,1\n2025-02-17T14:30:40Z,5001,2\n2025-02-17T14:31:10Z,5002,1\n";

Deno.test("console: every line stamped in the console zone, worked out by hand for known ticks", async () => {
  const dir = await Deno.makeTempDir({ prefix: "console_zone_" });
  try {
    await Deno.writeTextFile(join(dir, "t.csv"), TICKS);
    const base = ["backtest", "--ticks", "t.csv", "--print-bars", "--overwrite"];
    // Chicago in February is UTC-6 (CST): 14:30:05Z is 08:30:05; the bars start at 14:30:00,
    // 14:30:30 and 14:31:00 (30 s bars); SESSION_END is the last print's time.
    const first = await scalpbot([...base, "--journal", "a.text"], dir);
    assert.equal(first.code, 0, first.err);
    const chicago = runLines(first.out);
    assert.equal(chicago[0], "08:30:05 -- Mon 2025-02-17, times in America/Chicago (UTC-06:00)");
    assert.match(
      chicago[1]!,
      /^08:30:05 == START run \S+ MES \(tick 0\.25, x5 USD\), times in America\/Chicago, /,
    );
    assert.match(chicago[2]!, /^08:30:00 +open +high +low +close +vol /);
    assert.match(chicago[3]!, /^08:30:00 5000\.00 5000\.00 5000\.00 5000\.00 {6}1 /);
    assert.match(chicago[4]!, /^08:30:30 5001\.00 5001\.00 5001\.00 5001\.00 {6}2 /);
    assert.match(chicago[5]!, /^08:31:00 5002\.00 5002\.00 5002\.00 5002\.00 {6}1 /);
    assert.match(chicago[6]!, /^08:31:10 == END run \S+ END_OF_DATA: 3 ticks, 3 bars, 0 trades$/);
    assert.equal(chicago.length, 7);
    // Kolkata is UTC+05:30 all year: 14:30:05Z is 20:00:05.
    const kolkata = runLines(
      (await scalpbot(
        [...base, "--journal", "b.text", "--set", "console.time_zone=Asia/Kolkata"],
        dir,
      )).out,
    );
    assert.equal(kolkata[0], "20:00:05 -- Mon 2025-02-17, times in Asia/Kolkata (UTC+05:30)");
    assert.deepEqual(kolkata.slice(1).map((l) => l.slice(0, 9)), [
      "20:00:05 ",
      "20:00:00 ",
      "20:00:00 ",
      "20:00:30 ",
      "20:01:00 ",
      "20:01:10 ",
    ]);
    // Auckland in February is UTC+13 (NZDT): already Tuesday.
    const auckland = runLines(
      (await scalpbot(
        [...base, "--journal", "c.text", "--set", "console.time_zone=Pacific/Auckland"],
        dir,
      )).out,
    );
    assert.equal(auckland[0], "03:30:05 -- Tue 2025-02-18, times in Pacific/Auckland (UTC+13:00)");
    for (const line of [...chicago, ...kolkata, ...auckland]) assert.match(line, STAMP);
    // A zone that is none is refused before anything runs.
    const bad = await scalpbot(
      [...base, "--journal", "d.text", "--set", "console.time_zone=Mars/Olympus"],
      dir,
    );
    assert.equal(bad.code, 2);
    assert.ok(!(await exists(join(dir, "d.text"))));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

Deno.test("console: a trade line, worked out by hand, and one cut at 120 columns", () => {
  const exit: ExitEvent = {
    kind: "EXIT",
    time: Date.UTC(2025, 1, 17, 14, 45, 57),
    tradeId: "R1-001",
    side: "LONG",
    reason: "TARGET",
    price: 5010.5,
    qty: 1,
    entryPrice: 5007.75,
    entryTime: Date.UTC(2025, 1, 17, 14, 42, 30),
    pnlPoints: 2.75,
    pnlTicks: 11,
    grossPnl: 13.75,
    commission: 1.24,
    netPnl: 12.51,
  };
  const f = { timeZone: "America/Chicago", priceDecimals: 2, runId: "R1" };
  // 14:45:57Z is 08:45:57 CST; held 14:42:30 -> 14:45:57 = 3 min 27 s.
  assert.equal(
    formatEventLine(exit, f),
    "08:45:57 << EXIT #001 LONG TARGET 1 @ 5010.50 from 5007.75 +2.75 pt net +12.51 held 3m27s",
  );
  // Another run's trade (resumed) keeps its id.
  assert.match(formatEventLine({ ...exit, tradeId: "R0-007" }, f), / EXIT R0-007 LONG /);
  const start = formatEventLine({
    kind: "SESSION_START",
    time: exit.time,
    runId: "R1",
    version: "0",
    configDigest: "x",
    source: `files:${"/very/long/folder/".repeat(10)} (40 files)`,
    symbol: "MES",
    multiplier: 5,
    tickSize: 0.25,
    currency: "USD",
  }, f);
  assert.equal(columns(start), TRADE_WIDTH);
  assert.ok(start.endsWith("…"));
});

Deno.test("console: bar lines fit 100 columns and trade lines 120 on real runs (generated session, shared GC day)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "console_width_" });
  try {
    const runs: [string, string[]][] = [
      ["generated", ["backtest", "--print-bars", "--journal", "g.text"]],
      ["generated, shorts, 60 s bars", [
        "backtest",
        "--print-bars",
        "--journal",
        "h.text",
        "--seed",
        "7",
        "--set",
        "strategy.short=true",
        "--set",
        "bars.seconds=60",
      ]],
    ];
    if (await exists(SHARED_GC)) {
      runs.push(["GC 2013-10-07", [
        "backtest",
        "--ticks",
        SHARED_GC,
        "--print-bars",
        "--journal",
        "gc.text",
        ...GC.flatMap((s) => ["--set", s]),
      ]]);
    } else console.log(`skipped the GC day: no shared data at ${SHARED_GC}`);
    for (const [name, args] of runs) {
      const r = await scalpbot(args, dir);
      assert.equal(r.code, 0, r.err);
      const lines = runLines(r.out);
      const bars = widths(lines, BAR);
      const trades = widths(lines, TRADE);
      assert.ok(
        bars.length > 100 && trades.length > 10,
        `${name}: ${bars.length} bars, ${trades.length} trade lines`,
      );
      assert.ok(
        Math.max(...bars) <= BAR_WIDTH,
        `${name}: a bar line of ${Math.max(...bars)} columns`,
      );
      assert.ok(
        Math.max(...trades) <= TRADE_WIDTH,
        `${name}: a trade line of ${Math.max(...trades)}`,
      );
      for (const line of lines) assert.match(line, STAMP, `${name}: ${line}`);
      // The widest bar line uses the room: the columns are not starved.
      assert.ok(Math.max(...bars) >= 80, `${name}: widest bar line ${Math.max(...bars)}`);
      console.log(
        `${name}: bar lines up to ${Math.max(...bars)}, trade lines up to ${
          Math.max(...trades)
        } columns`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** `script` gives the child a pseudo-terminal; returns what it printed (raw). */
async function underPty(command: string, cwd: string): Promise<string> {
  const r = await new Deno.Command("script", {
    args: ["-qec", command, "/dev/null"],
    cwd,
    env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", COLUMNS: "140", LINES: "40" },
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).output();
  assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
  return new TextDecoder().decode(r.stdout);
}

const STATUS =
  /^\d\d:\d\d:\d\d \| (flat|(LONG|SHORT) (\d+ @ \d+\.\d\d \| P\/L [-+]?\d+\.\d\d|entry working \(\d+\)) \| stop \d+\.\d\d \| target \d+\.\d\d) \| closed [-+]?\d+\.\d\d USD \| (tick \d+(\.\d)?s ago|tick \d+m\d\ds ago|no tick yet)( \| (connecting|syncing|connected|lost|disconnected|idle))?$/;
/** What erases the terminal line: every status line is drawn after it. */
const CLEAR = "\r\x1b[2K";

Deno.test({
  name:
    "console: the demo's status line under a pseudo-terminal, none when piped; widths and stamps live",
  ignore: !(await exists("/usr/bin/script")),
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "console_pty_" });
    try {
      const demo = `${Deno.execPath()} run -A ${MAIN} demo --seconds 5 --journal demo.text`;
      const tty = await underPty(demo, dir);
      // Drawn after an erase, with no newline: the text up to the next erase (or line end).
      const statuses = tty.split(CLEAR).map((p) => p.split(/\r?\n/)[0]!).filter((p) =>
        STATUS.test(p)
      );
      assert.ok(
        statuses.length >= 3,
        `status lines drawn: ${statuses.length}\n${tty.slice(-2000)}`,
      );
      assert.ok(statuses.some((s) => / \| connected/.test(s)), "the connection state is shown");
      assert.ok(statuses.some((s) => /tick \d/.test(s)), "the last tick's age is shown");
      // Erased before the report: no status text after the report's first line.
      const report = tty.indexOf("Net P/L");
      assert.ok(
        report > 0 && !/ \| closed /.test(tty.slice(report)),
        "status erased before report",
      );

      const piped = await scalpbot(["demo", "--seconds", "5", "--journal", "demo2.text"], dir);
      assert.ok(!piped.out.includes("\x1b"), "no control characters when piped");
      assert.ok(!piped.out.includes("| closed "), "no status line when piped");
      const lines = runLines(piped.out);
      for (const line of lines) assert.match(line, STAMP, line);
      assert.ok(lines.some((l) => /^\d\d:\d\d:\d\d \[conn\] syncing -> connected$/.test(l)));
      // Date lines (clock-stamped ones carry milliseconds inside: the offset still reads whole).
      const dates = lines.filter((l) => / -- /.test(l));
      assert.ok(dates.length >= 1);
      for (const d of dates) {
        assert.match(d, /^\d\d:\d\d:\d\d -- Mon 2025-02-17, times in \S+ \(UTC-06:00\)$/);
      }
      assert.ok(Math.max(...widths(lines, BAR)) <= BAR_WIDTH);
      assert.ok(Math.max(...widths(lines, TRADE)) <= TRADE_WIDTH);
      assert.ok(widths(lines, TRADE).length > 3, "the demo traded");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("--log-file: every console line with date, offset, level and category, even with --quiet; refused as the journal; untouched when an input is bad", async () => {
  const dir = await Deno.makeTempDir({ prefix: "console_log_" });
  try {
    await Deno.writeTextFile(join(dir, "t.csv"), TICKS);
    await Deno.writeTextFile(join(dir, "old.log"), "an earlier line\n");
    const r = await scalpbot(
      [
        "backtest",
        "--ticks",
        "t.csv",
        "--print-bars",
        "--quiet",
        "--journal",
        "j.text",
        "--log-file",
        "old.log",
      ],
      dir,
    );
    assert.equal(r.code, 0);
    assert.ok(!r.out.includes(" == START "), "--quiet: nothing but the report on screen");
    const log = (await Deno.readTextFile(join(dir, "old.log"))).split("\n");
    assert.equal(log[0], "an earlier line", "appended, not replaced");
    assert.match(
      log[1]!,
      /^2025-02-17T08:30:05-06:00 INFO {4}trade: == START run \S+ MES \(tick 0\.25, x5 USD\)/,
    );
    assert.match(
      log[2]!,
      /^2025-02-17T08:30:00-06:00 INFO {4}bar: +open +high +low +close +vol /,
    );
    assert.match(
      log[3]!,
      /^2025-02-17T08:30:00-06:00 INFO {4}bar: 5000\.00 5000\.00 5000\.00 5000\.00 {6}1 /,
    );
    assert.match(
      log[6]!,
      /^2025-02-17T08:31:10-06:00 INFO {4}trade: == END run \S+ END_OF_DATA: 3 ticks, 3 bars, 0 trades$/,
    );
    assert.equal(log[7], "");
    assert.equal(log.length, 8);

    // The journal as the log file: refused in one line, nothing written.
    const same = await scalpbot(
      ["backtest", "--ticks", "t.csv", "--journal", "k.text", "--log-file", "k.text"],
      dir,
    );
    assert.equal(same.code, 2);
    assert.ok(!(await exists(join(dir, "k.text"))));
    // A missing tick file: the log file (in a folder still to be made) is not created.
    const missing = await scalpbot(
      ["backtest", "--ticks", "nope.csv", "--journal", "m.text", "--log-file", "logs/m.log"],
      dir,
    );
    assert.notEqual(missing.code, 0);
    assert.ok(!(await exists(join(dir, "logs"))));
    // A folder to be made is made on the first line.
    await scalpbot(
      [
        "backtest",
        "--ticks",
        "t.csv",
        "--quiet",
        "--journal",
        "n.text",
        "--log-file",
        "logs/n.log",
      ],
      dir,
    );
    assert.match(await Deno.readTextFile(join(dir, "logs/n.log")), /INFO {4}trade: == START /);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("console.log_level: warning hides the info lines (bars, trades) on screen and in --log-file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "console_level_" });
  try {
    await Deno.writeTextFile(join(dir, "t.csv"), TICKS);
    const r = await scalpbot(
      [
        "backtest",
        "--ticks",
        "t.csv",
        "--print-bars",
        "--journal",
        "j.text",
        "--log-file",
        "l.log",
        "--set",
        "console.log_level=warning",
      ],
      dir,
    );
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(runLines(r.out), []);
    assert.ok(r.out.includes("Net P/L"), "the report is still printed");
    assert.ok(!(await exists(join(dir, "l.log"))), "no line, no file");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("StatusLine: position, open P/L, levels, closed P/L, tick age and connection, worked out by hand; Screen keeps it under the lines", () => {
  const written: string[] = [];
  const screen = new Screen({ statusLine: true, write: (t) => written.push(t), width: () => 200 });
  let now = Date.UTC(2025, 1, 17, 14, 31, 0);
  const config = configSchema.parse({});
  const status = new StatusLine({ screen, clock: { now: () => now }, config, intervalMs: 0 });
  const t = (ms: number) => Date.UTC(2025, 1, 17, 14, 30, 0) + ms;
  status.onEvent({ kind: "CONNECTION", time: t(0), from: "syncing", state: "connected" });
  assert.equal(status.text(), "08:31:00 | flat | closed 0.00 USD | no tick yet | connected");
  status.onEvent({
    kind: "ENTRY",
    time: t(30_000),
    tradeId: "R-001",
    side: "LONG",
    entry: 5000.25,
    stop: 4998,
    target: 5004,
    size: 2,
    context: {},
  });
  assert.match(status.text(), /\| LONG entry working \(2\) \| stop 4998\.00 \| target 5004\.00 \|/);
  const fill = (price: number, filled: number) =>
    status.onEvent({
      kind: "FILL",
      time: t(31_000),
      tradeId: "R-001",
      price,
      qty: 1,
      filled,
      remaining: 2 - filled,
    });
  fill(5000.25, 1);
  fill(5000.75, 2);
  const batch = {
    ts: new Float64Array(1),
    price: new Float64Array(1),
    size: new Float64Array(1),
    count: 1,
  };
  now = Date.UTC(2025, 1, 17, 14, 31, 3, 500);
  status.onEvent({
    kind: "TICKS",
    batch,
    lastTime: t(63_000),
    lastPrice: 5001.5,
    forming: undefined,
  });
  status.onEvent({
    kind: "STOP_MOVE",
    time: t(63_000),
    tradeId: "R-001",
    old: 4998,
    price: 5000.5,
    reason: "BREAKEVEN",
  });
  now += 1_500;
  // Average entry (5000.25 + 5000.75) / 2 = 5000.50; open P/L (5001.50 - 5000.50) x 2 x $5 = +10.00.
  assert.equal(
    status.text(),
    "08:31:05 | LONG 2 @ 5000.50 | P/L +10.00 | stop 5000.50 | target 5004.00 | closed 0.00 USD | tick 1.5s ago | connected",
  );
  status.onEvent({
    kind: "EXIT",
    time: t(70_000),
    tradeId: "R-001",
    side: "LONG",
    reason: "STOP",
    price: 5000.5,
    qty: 2,
    entryPrice: 5000.5,
    entryTime: t(31_000),
    pnlPoints: 0,
    pnlTicks: 0,
    grossPnl: 0,
    commission: 2.48,
    netPnl: -2.48,
  });
  assert.equal(status.text(), "08:31:05 | flat | closed -2.48 USD | tick 1.5s ago | connected");
  // A trade resumed from the journal: no ENTRY on this run's stream.
  status.resume({
    side: "SHORT",
    ordered: 1,
    filled: 1,
    filledValue: 5003,
    stop: 5005,
    target: 4999,
  });
  assert.match(
    status.text(),
    /\| SHORT 1 @ 5003\.00 \| P\/L \+7\.50 \| stop 5005\.00 \| target 4999\.00 \|/,
  );
  // Each line erases the status line, is written, and the status line follows it.
  written.length = 0;
  status.draw();
  screen.line("a line");
  assert.deepEqual(written, [
    `\r\x1b[2K${status.text()}`,
    `\r\x1b[2Ka line\n${status.text()}`,
  ]);
  screen.close();
  assert.equal(written.at(-1), "\r\x1b[2K");
});

Deno.test("--log-file in the launcher's permission plan: read (the same-file check) and write, plus a folder to create", () => {
  const config = configSchema.parse({});
  const opts = { config, dirExists: (d: string) => d !== "logs" };
  for (const command of ["backtest", "live", "demo"]) {
    const plan = planPermissions(command, ["--log-file", "logs/run.log"], opts);
    assert.ok(plan.read.includes("logs/run.log"), `${command}: ${plan.read}`);
    assert.ok(plan.write.includes("logs/run.log"), `${command}: ${plan.write}`);
    assert.ok(plan.write.includes("logs"), `${command}: the folder to create`);
    const without = planPermissions(command, [], opts);
    assert.ok(!without.write.some((p) => p.startsWith("logs")), `${command} without --log-file`);
  }
});
