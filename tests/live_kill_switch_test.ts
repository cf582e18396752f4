/**
 * The kill switch of a paper `scalpbot live` process (execution.venue: paper): SIGUSR1 (which
 * the launcher forwards) halts trading but does not end the process; the run then ends on
 * SIGINT as usual, with its SESSION_END line.
 */
import assert from "node:assert/strict";
import { readJournal } from "../lib/journal/reader.ts";
import { withGeneratedSim } from "./_live_harness.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

/** Reads `reader` into `acc.out` until `text` shows (or the stream ends); true when it did. */
async function until(
  reader: ReadableStreamDefaultReader<string>,
  acc: { out: string },
  text: string,
): Promise<boolean> {
  while (!acc.out.includes(text)) {
    const r = await reader.read();
    if (r.done) return false;
    acc.out += r.value;
  }
  return true;
}

Deno.test("live CLI (paper): SIGUSR1 halts trading and the run goes on; SIGINT then ends it with SESSION_END", async () => {
  if (Deno.build.os === "windows") return;
  await withGeneratedSim(async (port) => {
    const dir = await Deno.makeTempDir();
    try {
      const journal = `${dir}/j.text`;
      await Deno.writeTextFile(`${dir}/c.yaml`, `ib:\n  port: ${port}\nlive:\n  warmup: "off"\n`);
      const p = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          `--allow-read=${dir},${MAIN.replace(/main\.ts$/, "")}`,
          `--allow-write=${dir}`,
          "--allow-env=LOG_TOKENS,LOG_STREAM",
          `--allow-net=127.0.0.1:${port}`,
          MAIN,
          "live",
          "--config",
          `${dir}/c.yaml`,
          "--journal",
          journal,
          "--no-bars",
        ],
        stdout: "piped",
        stderr: "piped",
        cwd: dir,
      }).spawn();
      const reader = p.stdout.pipeThrough(new TextDecoderStream()).getReader();
      const acc = { out: "" };
      const synced = await until(reader, acc, "in sync");
      if (synced) p.kill("SIGUSR1");
      const halted = synced && await until(reader, acc, "[paper] HALT (kill switch: SIGUSR1)");
      if (halted) p.kill("SIGINT");
      else p.kill("SIGKILL");
      await until(reader, acc, "\u0000"); // to the end
      const status = await p.status;
      const err = await new Response(p.stderr).text();
      assert.ok(synced, acc.out + err);
      assert.ok(halted, `no HALT line after SIGUSR1:\n${acc.out}${err}`);
      assert.equal(status.code, 0, err);
      assert.equal(status.signal, null, "not ended by the signal");
      const j = await readJournal(journal);
      const end = j.events.at(-1)!;
      assert.equal(end.kind, "SESSION_END");
      assert.equal(end.kind === "SESSION_END" && end.reason, "SIGINT");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});
