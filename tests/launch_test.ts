/**
 * The launcher behind `deno task live` / `demo` / `backtest` (lib/cli/launch.ts) and the
 * permission planner (lib/cli/permissions.ts): the exact flags for each IB setup, a real
 * run through the launcher against the simulator, and the complete command printed when a
 * permission is missing, taken from stderr and run.
 */
import assert from "node:assert/strict";
import { dirname } from "node:path";
import { ConfigError } from "../lib/config/errors.ts";
import { parseConfigText } from "../lib/config/load.ts";
import { launchArgs } from "../lib/cli/launch.ts";
import {
  CHILD_ENV,
  permissionFlags,
  planPermissions,
  shellCommand,
  shellQuote,
  statDir,
} from "../lib/cli/permissions.ts";
import { UsageError } from "../lib/cli/usage_error.ts";
import { readJournal } from "../lib/journal/reader.ts";
import { demoSession, TickGenerator } from "../lib/gen/generator.ts";
import { writeTickCsv } from "../lib/gen/csv_writer.ts";
import { withGeneratedSim } from "./_live_harness.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const MAIN = `${ROOT}main.ts`;
const LAUNCH = `${ROOT}lib/cli/launch.ts`;
const LOG_VARS = "LOG_TOKENS,LOG_STREAM";
const LOG = `--allow-env=${LOG_VARS}`;
/** PATH with the running deno first: the launcher and suggested commands call `deno`. */
const PATH = `${dirname(Deno.execPath())}:${Deno.env.get("PATH") ?? ""}`;
const everyFolderExists = () => true;
/** A worker module's static import graph as `deno info` sees it: local files, sorted, joined. */
async function workerGraph(module: string): Promise<string> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", `${ROOT}${module}`],
    stdout: "piped",
  }).output();
  const info = JSON.parse(new TextDecoder().decode(r.stdout)) as {
    modules: { specifier: string }[];
  };
  return info.modules.map((m) => m.specifier).filter((s) => s.startsWith("file:"))
    .map((s) => decodeURIComponent(new URL(s).pathname)).sort().join(",");
}
/** What the launcher must grant for the workers to start (Deno checks every module). */
const TICK_WORKER = await workerGraph("lib/ticks/parse_worker.ts");
const JOURNAL_WORKER = await workerGraph("lib/journal/journal_worker.ts");
const SWEEP_WORKER = await workerGraph("lib/sweep/sweep_worker.ts");

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "scalpbot_launch_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The deno arguments the launcher computes for `live` with config text `yaml`. */
async function liveArgs(dir: string, yaml: string, extra: string[] = []): Promise<string[]> {
  await Deno.writeTextFile(`${dir}/c.yaml`, yaml);
  return await launchArgs("live", ["--config", `${dir}/c.yaml`, ...extra], {
    mainPath: "main.ts",
    dirExists: everyFolderExists,
  });
}

Deno.test("launcher: TWS paper (defaults) gets 127.0.0.1:7497, the config and the journal only", async () => {
  await withTempDir(async (dir) => {
    assert.deepEqual(await liveArgs(dir, "ib:\n  client_id: 3\n"), [
      "run",
      `--allow-read=${dir}/c.yaml,trade_record.text,${JOURNAL_WORKER}`,
      "--allow-write=trade_record.text",
      LOG,
      "--allow-net=127.0.0.1:7497",
      // The young generation's cap (peak memory flat however long the run; permissions.ts).
      "--v8-flags=--max-semi-space-size=2",
      "main.ts",
      "live",
      "--config",
      `${dir}/c.yaml`,
    ]);
  });
});

Deno.test("launcher: IB Gateway paper via --set ib.port=4002 (after the file's 7496)", async () => {
  await withTempDir(async (dir) => {
    const args = await liveArgs(dir, "ib:\n  port: 7496\n", ["--set", "ib.port=4002"]);
    assert.deepEqual(args.filter((a) => a.startsWith("--allow-net")), [
      "--allow-net=127.0.0.1:4002",
    ]);
    assert.deepEqual(args.slice(-4), ["--config", `${dir}/c.yaml`, "--set", "ib.port=4002"]);
  });
});

Deno.test("launcher: an IPv6 host is bracketed, a remote host keeps its name", async () => {
  await withTempDir(async (dir) => {
    const v6 = await liveArgs(dir, 'ib:\n  host: "::1"\n  port: 4001\n');
    assert.ok(v6.includes("--allow-net=[::1]:4001"), v6.join(" "));
    const remote = await liveArgs(dir, "ib:\n  host: gw.example.net\n  port: 4002\n");
    assert.ok(remote.includes("--allow-net=gw.example.net:4002"), remote.join(" "));
  });
  const bracketed = parseConfigText('ib:\n  host: "[fe80::1]"\n', { source: "c.yaml" });
  const plan = planPermissions("live", [], { config: bracketed, dirExists: everyFolderExists });
  assert.deepEqual(plan.net, ["[fe80::1]:7497"]);
});

Deno.test("launcher: the shipped XINA50 example reads examples/xina50.yaml", async () => {
  const args = await launchArgs("live", ["--config", "examples/xina50.yaml"], {
    mainPath: "main.ts",
    dirExists: everyFolderExists,
  });
  const text = await Deno.readTextFile(`${ROOT}examples/xina50.yaml`);
  const port = /^\s+port:\s*(\d+)/m.exec(text)?.[1];
  assert.ok(args.includes(`--allow-read=examples/xina50.yaml,trade_record.text,${JOURNAL_WORKER}`));
  assert.ok(args.includes(`--allow-net=127.0.0.1:${port}`), args.join(" "));
});

Deno.test("launcher: a journal in a subfolder gets the folder's write only when it must be created", () => {
  const config = parseConfigText("", { source: "defaults" });
  const plan = (journal: string, exists: (d: string) => boolean | undefined) =>
    planPermissions("live", ["--journal", journal], { config, dirExists: exists });
  assert.deepEqual(plan("logs/live.text", () => true).write, ["logs/live.text"]);
  assert.deepEqual(plan("logs/live.text", () => false).write, ["logs/live.text", "logs"]);
  // Both folders missing: the outermost one is created (mkdir -p), so it is granted.
  assert.deepEqual(plan("a/b/j.text", () => false).write, ["a/b/j.text", "a"]);
  assert.deepEqual(plan("/var/x/j.text", (d) => d === "/var").write, ["/var/x/j.text", "/var/x"]);
  // Unknown (no permission to look): granted, so that the run can create it.
  assert.deepEqual(plan("logs/j.text", () => undefined).write, ["logs/j.text", "logs"]);
  assert.deepEqual(plan("logs/j.text", () => true).read, [
    "config.yaml",
    "logs/j.text",
    ...JOURNAL_WORKER.split(","),
  ]);
});

Deno.test("launcher: demo, backtest and report plans; flags in a fixed order without repeats", () => {
  const config = parseConfigText("journal:\n  path: runs/bt.text\n", { source: "c.yaml" });
  const demo = planPermissions("demo", [], { config, dirExists: everyFolderExists });
  assert.deepEqual(permissionFlags(demo), [
    `--allow-read=config.yaml,demo_trade_record.text,${JOURNAL_WORKER}`,
    "--allow-write=demo_trade_record.text",
    LOG,
    "--allow-net=127.0.0.1",
  ]);
  const bt = planPermissions(
    "backtest",
    ["--ticks=/data/mes.csv", "--bars-out", "bars.csv", "--config", "c.yaml", "--trades-csv=t.csv"],
    { config, dirExists: everyFolderExists },
  );
  assert.deepEqual(
    planPermissions("report", ["--run", "x"], { config, dirExists: everyFolderExists }).read,
    [
      "trade_record.text",
    ],
  );
  assert.deepEqual(
    planPermissions("report", ["--json", "old.text"], { config, dirExists: everyFolderExists })
      .read,
    ["old.text"],
  );
  assert.deepEqual(permissionFlags(bt), [
    // bars.csv read too: the backtest checks that it is not the journal.
    `--allow-read=c.yaml,/data/mes.csv,runs/bt.text,${TICK_WORKER},bars.csv,t.csv`,
    "--allow-write=runs/bt.text,bars.csv,t.csv",
    LOG,
  ]);
});

Deno.test("launcher: sim gets its tick file and its own listen address only", () => {
  const config = parseConfigText("", { source: "defaults" });
  const plan = (args: string[]) => planPermissions("sim", args, { config, dirExists: () => true });
  assert.deepEqual(plan([]), {
    read: [],
    write: [],
    net: ["127.0.0.1:7497"],
    env: LOG_VARS.split(","),
  });
  const file = plan(["--ticks=/data/gc.csv", "--port", "4002", "--symbol", "GC"]);
  assert.deepEqual([file.read, file.net], [["/data/gc.csv"], ["127.0.0.1:4002"]]);
  assert.deepEqual(plan(["--host", "::1", "--port", "7000"]).net, ["[::1]:7000"]);
  // Any free port (0) or a port the simulator will refuse: the host, without a port.
  assert.deepEqual(plan(["--port", "0"]).net, ["127.0.0.1"]);
  assert.deepEqual(plan(["--port", "x"]).net, ["127.0.0.1"]);
});

Deno.test("launcher: a bad config or a path with a comma is one clear error", async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(
      liveArgs(dir, "ib:\n  port: 99999\n"),
      (e: unknown) =>
        e instanceof ConfigError && /ib\.port/.test(e.message) && !e.message.includes("\n"),
    );
    await assert.rejects(
      liveArgs(dir, "", ["--journal", "a,b.text"]),
      (e: unknown) => e instanceof UsageError && e.message.includes('"a,b.text"'),
    );
  });
});

Deno.test("launcher: an empty file name is one clear error naming the option, not deno's trace", async () => {
  // Deno refuses "--allow-read=a,,b" with a stack trace: the plan must never hold "".
  for (
    const [command, args, option] of [
      ["backtest", ["--html", ""], "--html"],
      ["backtest", ["--log-file="], "--log-file"],
      ["backtest", ["--journal", ""], "--journal"],
      ["report", ["j.text", "--html", ""], "--html"],
      ["demo", ["--log-file", ""], "--log-file"],
    ] as const
  ) {
    await assert.rejects(
      launchArgs(command, [...args], { dirExists: everyFolderExists }),
      (e: unknown) =>
        e instanceof UsageError && e.message === `${option}: the file name is empty ("")`,
      `${command} ${args.join(" ")}`,
    );
  }
});

Deno.test("launcher: shell quoting keeps odd paths one word", () => {
  assert.equal(shellQuote("--allow-net=[::1]:4001"), "--allow-net=[::1]:4001");
  assert.equal(shellQuote("my ticks.csv"), "'my ticks.csv'");
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
  assert.equal(
    shellCommand(["run", "main.ts", "live"]),
    "DENO_NO_UPDATE_CHECK=1 DENO_NO_PROMPT=1 deno run main.ts live",
  );
});

Deno.test("every task that runs deno sets DENO_NO_UPDATE_CHECK=1 (no update-check DNS query)", async () => {
  const tasks = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)).tasks as Record<
    string,
    string
  >;
  // The static checks (fmt, lint, check) come first in `test`; its deno test sets it.
  const runs = Object.entries(tasks).filter(([, cmd]) => / deno (run|test) /.test(` ${cmd}`));
  assert.ok(runs.length >= 8, runs.map(([n]) => n).join(" "));
  for (const [name, cmd] of runs) {
    assert.match(cmd, /DENO_NO_UPDATE_CHECK=1 deno (run|test) /, `task ${name}: ${cmd}`);
  }
  // The launcher gives the bot the same variable (and prints it in the command it shows).
  assert.deepEqual(CHILD_ENV, { DENO_NO_UPDATE_CHECK: "1", DENO_NO_PROMPT: "1" });
});

/** Reads `stream` until `text` appears (or it ends); returns what was read. */
async function readUntil(
  reader: ReadableStreamDefaultReader<string>,
  text: string,
  sofar = "",
): Promise<string> {
  let out = sofar;
  while (!out.includes(text)) {
    const r = await reader.read();
    if (r.done) break;
    out += r.value;
  }
  return out;
}

/** Starts `cmd` (argv) in `dir`, waits until its stdout shows `ready`, sends SIGINT. */
async function runUntil(cmd: string[], dir: string, ready = "in sync"): Promise<{
  code: number;
  out: string;
  err: string;
}> {
  const p = new Deno.Command(cmd[0]!, {
    args: cmd.slice(1),
    cwd: dir,
    env: { PATH },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const errText = new Response(p.stderr).text();
  const reader = p.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  try {
    out = await readUntil(reader, ready);
  } finally {
    p.kill("SIGINT");
  }
  out = await readUntil(reader, "\u0000", out);
  const status = await p.status;
  const err = await errText;
  assert.ok(out.includes(ready), out + err);
  return { code: status.code, out, err };
}

Deno.test("launcher: live through the launcher reaches the simulator; SIGINT ends it with 0", async () => {
  await withGeneratedSim(async (port) => {
    await withTempDir(async (dir) => {
      await Deno.writeTextFile(`${dir}/c.yaml`, 'live:\n  warmup: "off"\n');
      const r = await runUntil([
        Deno.execPath(),
        "run",
        "--allow-read",
        LOG,
        "--allow-run=deno",
        LAUNCH,
        "live",
        "--config",
        "c.yaml",
        "--set",
        `ib.port=${port}`,
        "--journal",
        "j.text",
        "--no-bars",
      ], dir);
      assert.equal(r.code, 0, r.err);
      // The child ran with exactly this (printed by the launcher on stderr).
      assert.ok(
        r.err.includes(
          `deno run --allow-read=c.yaml,j.text,${JOURNAL_WORKER} --allow-write=j.text ${LOG} ` +
            `--allow-net=127.0.0.1:${port} `,
        ),
        r.err,
      );
      assert.ok(r.out.includes("Net P/L"), "report printed");
      const end = (await readJournal(`${dir}/j.text`)).events.at(-1)!;
      assert.equal(end.kind === "SESSION_END" && end.reason, "SIGINT");
    });
  });
});

Deno.test("deno task sim's launcher replays a tick file outside the folder; SIGINT ends it with 0", async () => {
  // The task used to grant --allow-read=. only: a file elsewhere was refused.
  await withTempDir(async (work) => {
    await withTempDir(async (data) => {
      const t0 = Date.UTC(2025, 5, 10, 14);
      const rows = Array.from({ length: 50 }, (_, i) => `${t0 + i * 1000},${5000 + i / 4},1`);
      await Deno.writeTextFile(`${data}/t.csv`, `ts,price,size\n${rows.join("\n")}\n`);
      const task = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)).tasks.sim as string;
      assert.match(task, /lib\/cli\/launch\.ts sim$/);
      const launcher = [Deno.execPath(), "run", "--allow-read", LOG, "--allow-run=deno", LAUNCH];
      const { code, out, err } = await runUntil(
        [...launcher, "sim", "--port", "0", "--ticks", `${data}/t.csv`],
        work,
        "TWS simulator on",
      );
      assert.match(out, /^TWS simulator on 127\.0\.0\.1:\d+: MES from file:/m, out + err);
      assert.equal(code, 0, err);
      assert.ok(
        err.includes(`deno run --allow-read=${data}/t.csv ${LOG} --allow-net=127.0.0.1 `),
        err,
      );
    });
  });
});

/** The command main.ts suggests on stderr after a missing permission. */
function suggested(stderr: string): string {
  const m = /Run with the permissions it needs: (.+)$/m.exec(stderr);
  assert.ok(m !== null, stderr);
  assert.ok(!m[1]!.includes("..."), m[1]);
  return m[1]!;
}

Deno.test("backtest of a tick file outside the folder: the suggested command runs", async () => {
  await withTempDir(async (work) => {
    await withTempDir(async (data) => {
      // 20 minutes of a slow zig-zag, one print every 3 s.
      const lines = ["ts_utc,price,size"];
      for (let i = 0; i < 400; i++) {
        const ts = new Date(Date.UTC(2024, 2, 5, 15, 0, 0) + i * 3000).toISOString();
        lines.push(`${ts},${(5000 + Math.abs((i % 40) - 20) * 0.25).toFixed(2)},1`);
      }
      await Deno.writeTextFile(`${data}/my ticks.csv`, lines.join("\n") + "\n");
      const denied = await new Deno.Command(Deno.execPath(), {
        // What `deno task backtest` granted before the launcher: the project folder.
        args: ["run", "--allow-read=.", "--allow-write=.", LOG, MAIN, "backtest"]
          .concat(["--ticks", `${data}/my ticks.csv`, "--quiet"]),
        cwd: work,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const err = new TextDecoder().decode(denied.stderr);
      assert.equal(denied.code, 1, err);
      const command = suggested(err);
      assert.ok(command.includes(`'${data}/my ticks.csv'`), command);
      const ran = await new Deno.Command("sh", {
        args: ["-c", command],
        cwd: work,
        env: { PATH },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const out = new TextDecoder().decode(ran.stdout);
      assert.equal(ran.code, 0, new TextDecoder().decode(ran.stderr));
      assert.match(out, /Data: 400 ticks/);
      const journal = await readJournal(`${work}/trade_record.text`);
      assert.equal(journal.events[0]?.kind, "SESSION_START");
    });
  });
});

Deno.test("launcher: backtest's flags let the tick parse Worker start; live's the journal worker", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/t.csv`, "ts_utc,price,size\n1700000000000,5000.25,1\n");
    const config = parseConfigText("", { source: "defaults" });
    const run = async (command: string, args: string[]) => {
      const flags = permissionFlags(
        planPermissions(command, args, { config, dirExists: everyFolderExists }),
      );
      const r = await new Deno.Command(Deno.execPath(), {
        args: ["run", ...flags, `${ROOT}tests/_worker_probe.ts`, `${dir}/t.csv`],
        cwd: dir,
        stdout: "piped",
        stderr: "piped",
      }).output();
      return new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr);
    };
    assert.match(
      await run("backtest", ["--ticks", `${dir}/t.csv`]),
      /^journal_worker=false\nticks=1\n/,
    );
    // Live grants the journal worker, not the parser: the parse Worker is refused (so the
    // check above is not vacuous).
    const live = await run("live", ["--journal", `${dir}/t.csv`]);
    assert.match(live, /^journal_worker=true\n/);
    assert.ok(!live.includes("ticks=") && live.includes("parse_worker.ts"), live);
  });
});

Deno.test("live without the TWS address permission: the suggested command connects", async () => {
  await withGeneratedSim(async (port) => {
    await withTempDir(async (dir) => {
      await Deno.writeTextFile(`${dir}/c.yaml`, 'live:\n  warmup: "off"\n');
      const args = ["live", "--config", "c.yaml", "--set", `ib.port=${port}`, "--no-bars"];
      const denied = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-read=c.yaml", LOG, "--allow-net=127.0.0.1:7497", MAIN, ...args],
        cwd: dir,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const err = new TextDecoder().decode(denied.stderr);
      assert.equal(denied.code, 2, err);
      assert.equal(err.trim().split("\n").length, 2, err);
      const command = suggested(err);
      assert.ok(command.includes(`--allow-net=127.0.0.1:${port} `), command);
      const r = await runUntil(["sh", "-c", `exec env ${command}`], dir);
      assert.equal(r.code, 0, r.err);
      assert.ok(r.out.includes("Net P/L"), "report printed");
    });
  });
});

Deno.test("a journal in an existing folder needs write access to the file only", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/runs`);
    const lines = ["ts_utc,price,size"];
    for (let i = 0; i < 50; i++) {
      lines.push(`${new Date(Date.UTC(2024, 2, 5, 15, 0, i)).toISOString()},5000.25,1`);
    }
    await Deno.writeTextFile(`${dir}/t.csv`, lines.join("\n") + "\n");
    const args = await launchArgs("backtest", ["--ticks", "t.csv", "--journal", "runs/j.text"], {
      mainPath: MAIN,
      dirExists: (d) => statDir(`${dir}/${d}`),
    });
    assert.ok(args.includes("--allow-write=runs/j.text"), args.join(" "));
    // Deno checks mkdir against the folder even when it exists: the run must not need it.
    const r = await new Deno.Command(Deno.execPath(), {
      args: [...args, "--quiet"],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
    assert.match(await Deno.readTextFile(`${dir}/runs/j.text`), /SESSION_END/);
  });
});

Deno.test("launcher: a bad config gives the same one line and exit code as scalpbot itself", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/c.yaml`, "bars:\n  seconds: 7\n");
    const run = async (args: string[]) => {
      const r = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-read", LOG, "--allow-run=deno", ...args],
        cwd: dir,
        env: { PATH },
        stdout: "piped",
        stderr: "piped",
      }).output();
      return { code: r.code, err: new TextDecoder().decode(r.stderr) };
    };
    const cli = ["live", "--config", "c.yaml", "--set", "ib.port=4002"];
    const viaLauncher = await run([LAUNCH, ...cli]);
    const direct = await run(["--allow-net=127.0.0.1:4002", MAIN, ...cli]);
    assert.equal(viaLauncher.code, 2);
    assert.equal(direct.code, 2);
    assert.match(viaLauncher.err, /^scalpbot: c\.yaml: bars\.seconds = 7 is not allowed[^\n]*\n$/);
    assert.equal(viaLauncher.err, direct.err);
  });
});

Deno.test("launcher: sweep reads its inputs and worker graph, writes --out/--journals only", async () => {
  const args = await launchArgs("sweep", [
    "--config",
    "examples/orb.yaml",
    "--ticks",
    "data/a.csv",
    "--ticks=data/days",
    "--grid",
    "risk.target_points=1,2",
    "--out",
    "runs/r.csv",
    "--journals",
    "runs/j",
  ], { mainPath: "main.ts", dirExists: (d) => d !== "runs" });
  assert.deepEqual(args.slice(0, 6), [
    "run",
    `--allow-read=examples/orb.yaml,data/a.csv,data/days,${SWEEP_WORKER},` +
    "examples/orb_strategy.ts,runs/r.csv,runs/j",
    // runs/ is missing: created, so granted once.
    "--allow-write=runs/r.csv,runs,runs/j",
    LOG,
    "--v8-flags=--max-semi-space-size=2",
    "main.ts",
  ]);
  // A grid over strategy.module reads each module, relative to the config's folder.
  const config = parseConfigText("", { source: "cfg/c.yaml" });
  const grid = planPermissions("sweep", [
    "--config=cfg/c.yaml",
    "--ticks=t.csv",
    "--grid=strategy.module=./a.ts,/abs/b.ts",
  ], { config, dirExists: everyFolderExists });
  assert.deepEqual(grid.read.slice(-2), ["cfg/a.ts", "/abs/b.ts"]);
  assert.deepEqual(grid.write, []);
  assert.deepEqual(grid.net, []);
});

Deno.test("launcher: sweep --queue and worker reach only that Redis host:port", () => {
  const config = parseConfigText("", { source: "defaults" });
  const flags = (command: string, args: string[]) =>
    permissionFlags(planPermissions(command, args, { config, dirExists: everyFolderExists }));
  assert.deepEqual(
    flags("sweep", ["--ticks=t.csv", "--grid=risk.target_points=1", "--queue=redis://[::1]:6400"]),
    [
      `--allow-read=config.yaml,t.csv,${SWEEP_WORKER}`,
      // ioredis's `debug` lists every variable when it loads: a name list is refused.
      "--allow-env",
      "--allow-net=[::1]:6400",
    ],
  );
  // A worker reads whatever files its jobs name (absolute paths, unknown here); no writes.
  assert.deepEqual(flags("worker", ["--queue", "redis://alpha", "--concurrency", "2"]), [
    "--allow-read=/",
    "--allow-env",
    "--allow-net=alpha:6379",
  ]);
  // A malformed address gets no network: the command says what is wrong in one line.
  assert.deepEqual(flags("worker", ["--queue", "http://alpha:6379"]), [
    "--allow-read=/",
    LOG,
  ]);
});

Deno.test("launcher: a sweep of examples/orb.yaml through the launcher equals the backtest through it", async () => {
  await withTempDir(async (dir) => {
    const s = demoSession(3);
    await writeTickCsv(`${dir}/day.csv`, new TickGenerator(s), { decimals: 2 });
    const orb = `${ROOT}examples/orb.yaml`;
    const run = async (args: string[]) => {
      const r = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-read", LOG, "--allow-run=deno", LAUNCH, ...args],
        cwd: dir,
        env: { PATH },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const dec = new TextDecoder();
      return { code: r.code, out: dec.decode(r.stdout), err: dec.decode(r.stderr) };
    };
    const sweep = await run([
      "sweep",
      "--config",
      orb,
      "--ticks",
      "day.csv",
      "--grid=strategy.params.target_r=1,2",
      "--workers=2",
      "--out=res/r.csv",
      "--journals=res/j",
    ]);
    assert.equal(sweep.code, 0, sweep.err);
    assert.match(sweep.err, /^\[launch\] .*--allow-write=res\/r\.csv,res,res\/j --allow-env=/);
    assert.ok(!/--allow-net/.test(sweep.err), sweep.err);
    assert.match(sweep.out, /on 2 worker\(s\)/);
    const rows = (await Deno.readTextFile(`${dir}/res/r.csv`)).trim().split("\n").slice(1)
      .map((l) => l.split(","));
    assert.equal(rows.length, 2);
    for (const target of ["1", "2"]) {
      const bt = await run([
        "backtest",
        "--config",
        orb,
        "--ticks",
        "day.csv",
        `--set=strategy.params.target_r=${target}`,
        `--journal=bt_${target}.text`,
        "--json",
      ]);
      assert.equal(bt.code, 0, bt.err);
      const want = JSON.parse(bt.out) as { trades: number; netPnl: number };
      // rank,combination,strategy.params.target_r,days,net_pnl,trades,...
      const row = rows.find((r) => r[2] === target)!;
      assert.ok(want.trades > 0, "the comparison needs trades");
      assert.deepEqual([row[4], Number(row[5])], [want.netPnl.toFixed(2), want.trades]);
      const combo = row[1]!.padStart(3, "0");
      const journal = await readJournal(`${dir}/res/j/combo_${combo}.text`);
      assert.equal(journal.events.filter((e) => e.kind === "EXIT").length, want.trades);
    }
  });
});
