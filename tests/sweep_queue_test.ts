/**
 * `scalpbot sweep --queue` with `scalpbot worker`s on a real redis-server (bound to
 * 127.0.0.1 on a free port, no persistence): the merged results equal the local sweep, a
 * worker killed mid-job loses nothing (each job once in the results), a failing job is
 * reported with its error. Skips with a message when redis-server is not installed.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { demoSession, TickGenerator } from "../lib/gen/generator.ts";
import { writeTickCsv } from "../lib/gen/csv_writer.ts";

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));
const ENV = { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };

function findRedis(): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      if (Deno.statSync(`${dir}/redis-server`).isFile) return `${dir}/redis-server`;
    } catch { /* not here */ }
  }
  return undefined;
}
const REDIS = findRedis();
if (REDIS === undefined) {
  console.warn(
    "skipping the sweep queue tests: redis-server not found (apt-get install redis-server)",
  );
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function startRedis(): Promise<{ url: string; proc: Deno.ChildProcess }> {
  const port = freePort();
  const proc = new Deno.Command(REDIS!, {
    args: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    stdout: "null",
    stderr: "null",
  }).spawn();
  for (let i = 0; i < 100; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return { url: `redis://127.0.0.1:${port}`, proc };
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error("redis-server did not start");
}

/** A worker process whose stderr lines are collected as they come. */
function startWorker(url: string) {
  const proc = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "worker", "--queue", url, "--lock-seconds", "1"],
    env: ENV,
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const done = (async () => {
    let rest = "";
    for await (const chunk of proc.stderr.pipeThrough(new TextDecoderStream())) {
      rest += chunk;
      const parts = rest.split("\n");
      rest = parts.pop()!;
      lines.push(...parts);
    }
  })();
  const waitFor = async (re: RegExp) => {
    for (let i = 0; i < 600; i++) {
      if (lines.some((l) => re.test(l))) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`worker never printed ${re}: ${lines.join(" | ")}`);
  };
  return { proc, lines, done, waitFor };
}

async function sweep(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "sweep", ...args],
    env: ENV,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Four generated days of a few hours each (the first job of a worker parses its file). */
async function writeDays(dir: string): Promise<string[]> {
  const paths: string[] = [];
  for (let d = 0; d < 4; d++) {
    const s = demoSession(d + 1);
    const shift = d * 86_400_000;
    const path = `${dir}/day${d}.csv`;
    await writeTickCsv(
      path,
      new TickGenerator({
        ...s,
        startMs: s.startMs + shift,
        endMs: s.endMs! + shift + 3 * 3_600_000,
      }),
      { decimals: 2 },
    );
    paths.push(path);
  }
  return paths;
}

const GRID = [
  "--grid=risk.target_points=1,2,3",
  "--grid=risk.stop_atr_multiple=1,2",
  "--set=strategy.short=true",
];

/** A test with a fresh redis-server and a temporary folder, both removed after it. */
function redisTest(name: string, fn: (dir: string, url: string) => Promise<void>): void {
  Deno.test({
    name,
    ignore: REDIS === undefined,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const dir = await Deno.makeTempDir();
      const redis = await startRedis();
      try {
        await fn(dir, redis.url);
      } finally {
        redis.proc.kill("SIGTERM");
        await redis.proc.status;
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

redisTest(
  "sweep --queue: two workers' merged results equal the local sweep; a killed worker loses nothing",
  async (dir, url) => {
    const workers: ReturnType<typeof startWorker>[] = [];
    try {
      const paths = await writeDays(dir);
      const ticks = paths.flatMap((p) => ["--ticks", p]);
      const local = await sweep([...ticks, ...GRID, `--out=${dir}/local.csv`]);
      assert.equal(local.code, 0, local.stderr);
      const expected = await Deno.readTextFile(`${dir}/local.csv`);
      assert.equal(expected.trim().split("\n").length, 1 + 6);

      // Round 1: two workers, nothing goes wrong.
      workers.push(startWorker(url), startWorker(url));
      for (const w of workers) await w.waitFor(/waiting for jobs/);
      const q1 = await sweep([...ticks, ...GRID, `--queue=${url}`, `--out=${dir}/q1.csv`]);
      assert.equal(q1.code, 0, q1.stderr);
      assert.equal(await Deno.readTextFile(`${dir}/q1.csv`), expected);
      const doneBy = workers.map((w) => w.lines.filter((l) => / done$/.test(l)).length);
      assert.equal(doneBy[0]! + doneBy[1]!, 24, `jobs done per worker: ${doneBy}`);

      // Round 2: a fresh worker is killed (SIGKILL) in its first job, which parses its file;
      // the other worker takes the job over when its lock expires.
      workers.push(startWorker(url));
      const victim = workers[2]!;
      await victim.waitFor(/waiting for jobs/);
      // Only the victim takes jobs until it is killed: the others are stopped first.
      for (const w of workers.slice(0, 2)) w.proc.kill("SIGTERM");
      await Promise.all(workers.slice(0, 2).map((w) => w.proc.status));
      const q2 = sweep([...ticks, ...GRID, `--queue=${url}`, `--out=${dir}/q2.csv`]);
      await victim.waitFor(/^job .* started$/);
      victim.proc.kill("SIGKILL");
      await victim.proc.status;
      const started = victim.lines.filter((l) => / started$/.test(l)).map((l) => l.split(" ")[1]);
      const finished = victim.lines.filter((l) => / done$/.test(l)).map((l) => l.split(" ")[1]);
      const lost = started.filter((id) => !finished.includes(id));
      assert.ok(lost.length >= 1, `the kill landed between jobs: ${victim.lines.join(" | ")}`);
      const rescuer = startWorker(url);
      workers.push(rescuer);
      const r2 = await q2;
      assert.equal(r2.code, 0, r2.stderr);
      assert.equal(await Deno.readTextFile(`${dir}/q2.csv`), expected);
      // The job the victim held ran again, on the rescuer.
      for (const id of lost) assert.ok(rescuer.lines.includes(`job ${id} done`), id);

      // A job that fails is reported with its error, after its retries.
      await Deno.writeTextFile(`${dir}/bad.csv`, "ts_utc,price,size\n2025-03-17T13:30:00Z,abc,1\n");
      const bad = await sweep([
        "--ticks",
        `${dir}/bad.csv`,
        "--grid=risk.target_points=1",
        `--queue=${url}`,
      ]);
      assert.equal(bad.code, 1, bad.stderr);
      assert.match(
        bad.stderr,
        /job failed: combination 1 \(risk\.target_points=1\) on .*bad\.csv: .*abc/,
      );
      assert.match(bad.stderr, /1 of 1 jobs failed/);
    } finally {
      for (const w of workers) {
        try {
          w.proc.kill("SIGKILL");
        } catch { /* already ended */ }
        await w.proc.status;
        await w.done;
      }
    }
  },
);

redisTest(
  "sweep --queue stopped by Ctrl+C: its waiting jobs leave the queue, said in one line",
  async (dir, url) => {
    const { Queue } = await import("bullmq");
    const { QUEUE_NAME } = await import("../lib/sweep/queue.ts");
    const queue = new Queue(QUEUE_NAME, { connection: { url: url } });
    try {
      const paths = await writeDays(dir);
      // No worker: all 24 jobs wait until the sweep is stopped.
      const proc = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          MAIN,
          "sweep",
          ...paths.flatMap((p) => ["--ticks", p]),
          ...GRID,
          `--queue=${url}`,
          `--out=${dir}/r.csv`,
        ],
        env: ENV,
        stdout: "null",
        stderr: "piped",
      }).spawn();
      let err = "";
      const reader = (async () => {
        for await (const c of proc.stderr.pipeThrough(new TextDecoderStream())) err += c;
      })();
      for (let i = 0; i < 1000 && !/jobs queued/.test(err); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.match(err, /24 jobs queued/);
      assert.equal((await queue.getJobCounts("waiting")).waiting, 24);
      proc.kill("SIGINT");
      const status = await proc.status;
      await reader;
      assert.equal(status.code, 130, err);
      const lines = err.trim().split("\n");
      assert.equal(lines.length, 2, err);
      assert.match(
        lines[1]!,
        /sweep stopped: 24 waiting job\(s\) removed from the queue, 0 running/,
      );
      const counts = await queue.getJobCounts("waiting", "delayed", "active", "prioritized");
      assert.deepEqual(counts, { waiting: 0, delayed: 0, active: 0, prioritized: 0 });
      assert.equal(await Deno.stat(`${dir}/r.csv`).then(() => true, () => false), false);
    } finally {
      await queue.close();
    }
  },
);

redisTest(
  "sweep --queue of a strategy.module config (examples/orb.yaml): the worker loads it",
  async (dir, url) => {
    const worker = startWorker(url);
    try {
      await worker.waitFor(/waiting for jobs/);
      const paths = await writeDays(dir);
      const args = [
        "--config",
        fileURLToPath(new URL("../examples/orb.yaml", import.meta.url)),
        ...paths.flatMap((p) => ["--ticks", p]),
        "--grid=strategy.params.target_r=1,2",
      ];
      const local = await sweep([...args, `--out=${dir}/local.csv`]);
      assert.equal(local.code, 0, local.stderr);
      const queued = await sweep([...args, `--queue=${url}`, `--out=${dir}/q.csv`]);
      assert.equal(queued.code, 0, queued.stderr);
      const expected = await Deno.readTextFile(`${dir}/local.csv`);
      assert.equal(await Deno.readTextFile(`${dir}/q.csv`), expected);
      // rank,combination,strategy.params.target_r,days,net_pnl,trades,...
      const trades = expected.trim().split("\n").slice(1).map((l) => Number(l.split(",")[5]));
      assert.ok(trades.every((t) => t > 0), `the comparison needs trades: ${trades}`);
      assert.equal(worker.lines.filter((l) => / done$/.test(l)).length, 8);
    } finally {
      worker.proc.kill("SIGKILL");
      await worker.proc.status;
      await worker.done;
    }
  },
);
