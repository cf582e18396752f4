/**
 * `deno task compile` builds the single `scalpbot` binary. Compiling needs Deno's `denort`
 * runtime, which Deno downloads from its own host unless DENORT_BIN names a local copy;
 * without it this test is skipped with a message.
 */
import assert from "node:assert/strict";

const denort = Deno.env.get("DENORT_BIN");
if (!denort) console.warn("skipping compile test: set DENORT_BIN to a denort binary to run it");

const ROOT = new URL("..", import.meta.url).pathname;

async function sh(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  const r = await new Deno.Command(cmd, { args, cwd: ROOT, stdout: "piped", stderr: "piped" })
    .output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
}

Deno.test({
  name: "deno task compile builds a scalpbot binary that runs --version, backtest and report",
  ignore: !denort,
  async fn() {
    const built = await sh(Deno.execPath(), ["task", "compile"]);
    assert.equal(built.code, 0, built.out);
    const bin = `${ROOT}out/scalpbot`;
    const version = await sh(bin, ["--version"]);
    assert.equal(version.code, 0, version.out);
    assert.match(version.out, /^scalpbot \d+\.\d+\.\d+/);
    const bt = await sh(bin, [
      "backtest",
      "--journal",
      "out/compile_test.text",
      "--overwrite",
      "--quiet",
    ]);
    assert.equal(bt.code, 0, bt.out);
    const report = await sh(bin, ["report", "out/compile_test.text"]);
    assert.equal(report.code, 0, report.out);
    assert.match(report.out, /Win rate/);
    // The binary has no permission outside its folder: one clear message, no stack trace.
    const denied = await sh(bin, ["report", "/etc/hostname"]);
    assert.notEqual(denied.code, 0);
    assert.doesNotMatch(denied.out, /\n\s+at /);
  },
});
