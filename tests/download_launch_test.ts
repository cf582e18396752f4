/**
 * `deno task download` runs through the launcher with least privilege: the config and the
 * store folder read, the store folder written, the TWS address reached, nothing else.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseConfigText } from "../lib/config/load.ts";
import { planPermissions } from "../lib/cli/permissions.ts";
import { assertStoreEqualsArchive, startDownloadSim } from "./_download_sim.ts";

const LAUNCH = new URL("../lib/cli/launch.ts", import.meta.url).pathname;

Deno.test("download plan: the config and the store read, the store written, TWS's host:port", () => {
  const config = parseConfigText("ib:\n  host: 10.0.0.5\n  port: 4002\n", { source: "gw.yaml" });
  const plan = (args: string[], exists: boolean) =>
    planPermissions("download", ["--from", "2025-09-01", "--to", "2025-09-02", ...args], {
      config,
      dirExists: () => exists,
    });
  assert.deepEqual(plan(["--config", "gw.yaml", "--out", "ticks/mes"], true), {
    read: ["gw.yaml", "ticks/mes"],
    write: ["ticks/mes"],
    net: ["10.0.0.5:4002"],
    env: ["LOG_TOKENS", "LOG_STREAM"],
  });
  // A store folder inside a missing folder: that folder is created too.
  assert.deepEqual(plan(["--out=ticks/mes"], false).write, ["ticks/mes", "ticks"]);
  // Defaults: ./config.yaml and data/.
  assert.deepEqual(plan([], true).read, ["config.yaml", "data"]);
});

Deno.test("download through the launcher: least privilege, the day fetched equal to the history", async () => {
  const t = await startDownloadSim({
    rate: 1,
    intensity: 0.05,
    from: "2025-09-11",
    to: "2025-09-11",
  });
  const dir = await Deno.makeTempDir();
  try {
    const cfg = join(dir, "c.yaml");
    await Deno.writeTextFile(cfg, `ib:\n  port: ${t.port}\nlive:\n  page_interval_ms: 0\n`);
    const out = join(dir, "store");
    const r = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-env=LOG_TOKENS,LOG_STREAM",
        "--allow-run=deno",
        LAUNCH,
        "download",
        "--from=2025-09-11",
        "--to=2025-09-11",
        "--config",
        cfg,
        "--out",
        out,
      ],
      env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    }).output();
    const stdout = new TextDecoder().decode(r.stdout);
    const stderr = new TextDecoder().decode(r.stderr);
    assert.equal(r.code, 0, stdout + stderr);
    const launched = stderr.split("\n").find((l) => l.startsWith("[launch] "))!;
    assert.ok(
      launched.includes(
        `--allow-read=${cfg},${out} --allow-write=${out} --allow-env=LOG_TOKENS,LOG_STREAM ` +
          `--allow-net=127.0.0.1:${t.port} `,
      ),
      launched,
    );
    assert.ok(stdout.includes("Download done: 1 of 1 day(s) fetched"), stdout);
    await assertStoreEqualsArchive(t, out, [{ date: "2025-09-11", local: "MESU5" }]);
  } finally {
    await t.close();
    await Deno.remove(dir, { recursive: true });
  }
});
