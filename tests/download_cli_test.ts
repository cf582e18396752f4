/**
 * `scalpbot download` as a real subprocess: a Ctrl+C mid-download leaves a partial day
 * that no file makes look complete, and the next run completes it equal to the simulator's
 * history; bad arguments are one line and touch nothing.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { download } from "../lib/data/download.ts";
import { TickStore } from "../lib/data/store.ts";
import { assertStoreEqualsArchive, downloadConfig, startDownloadSim } from "./_download_sim.ts";

const ENV = "--allow-env=LOG_TOKENS,LOG_STREAM";
const MAIN = new URL("../main.ts", import.meta.url).pathname;

function scalpbot(args: string[], allow: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", ...allow, MAIN, "download", ...args],
    env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

Deno.test("download CLI: Ctrl+C stops after the request in flight; the next run completes the day", async () => {
  // Wall-clock pacing (IB's 5 requests per contract in 2 s) makes the second day take seconds.
  const days = [{ date: "2025-09-11", local: "MESU5" }, { date: "2025-09-12", local: "MESU5" }];
  const t = await startDownloadSim({
    rate: 1,
    intensity: 0.1,
    from: days[0]!.date,
    to: "2025-09-12",
  });
  const dir = await Deno.makeTempDir();
  const out = join(dir, "store");
  const cfg = join(dir, "config.yaml");
  await Deno.writeTextFile(cfg, `ib:\n  port: ${t.port}\nlive:\n  page_interval_ms: 0\n`);
  try {
    const child = scalpbot(
      ["--from", "2025-09-11", "--to", "2025-09-12", "--config", cfg, "--out", out],
      [`--allow-net=127.0.0.1:${t.port}`, "--allow-read", `--allow-write=${dir}`, ENV],
    );
    // Interrupt once the first day is written (plain lines: stdout is not a terminal).
    let text = "";
    const dec = new TextDecoder();
    const reader = child.stdout.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += dec.decode(value);
      if (text.includes("2025-09-11:")) break;
    }
    child.kill("SIGINT");
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += dec.decode(value);
    }
    const status = await child.status;
    const err = dec.decode((await child.stderr.getReader().read()).value ?? new Uint8Array());
    assert.equal(status.code, 130, text + err);
    assert.ok(text.includes("Download stopped (run it again to resume)"), text);
    const store = await TickStore.open(out);
    assert.deepEqual(
      store.records().map((r) => [r.date, r.status]),
      [["2025-09-11", "complete"], ["2025-09-12", "partial"]],
    );
    const names = [...Deno.readDirSync(out)].map((e) => e.name).sort();
    assert.deepEqual(names, [
      "MES_MESU5_2025-09-11_trades.csv",
      "MES_MESU5_2025-09-12_trades.csv.part",
      "manifest.json",
    ]);
    // The next run (in process) resumes the partial day.
    const s = await download({
      config: downloadConfig(t.port),
      store: await TickStore.open(out),
      from: "2025-09-11",
      to: "2025-09-12",
    });
    assert.deepEqual([s.skipped, s.daysDone, s.stopped], [1, 1, false]);
    await assertStoreEqualsArchive(t, out, days);
    assert.equal(t.counts.pacing162, 0);
  } finally {
    await t.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("download CLI: bad arguments are one line, exit 2, and create nothing", async () => {
  const dir = await Deno.makeTempDir();
  const out = join(dir, "store");
  try {
    const cases: Array<[string[], string]> = [
      [["--to", "2025-09-12"], "download: --from DATE is required (yyyy-mm-dd)"],
      [
        ["--from", "2025-9-11", "--to", "2025-09-12"],
        `download: --from: "2025-9-11" is not a date yyyy-mm-dd`,
      ],
      [
        ["--from", "2025-02-30", "--to", "2025-03-02"],
        `download: --from: "2025-02-30" is not a date yyyy-mm-dd`,
      ],
      [
        ["--from", "2025-09-12", "--to", "2025-09-11"],
        "download: --from 2025-09-12 is after --to 2025-09-11",
      ],
    ];
    for (const [args, line] of cases) {
      const child = scalpbot([...args, "--out", out], [
        "--allow-read",
        `--allow-write=${dir}`,
        ENV,
      ]);
      const r = await child.output();
      const err = new TextDecoder().decode(r.stderr);
      assert.equal(r.code, 2, err);
      assert.equal(err, `scalpbot: ${line}\n`);
    }
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
