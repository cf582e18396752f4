/**
 * The live runner and `scalpbot live` against a hostile TWS peer: a silent handshake is
 * dropped and retried with the refused-connect backoff; a negative length prefix never hangs
 * the process, and SIGINT still ends it.
 *
 * @module
 */
import assert from "node:assert/strict";
import { journalFormatOptions } from "../lib/cli/console.ts";
import { MemoryJournal } from "../lib/journal/writer.ts";
import { LiveRunner } from "../lib/live/runner.ts";
import { liveConfig } from "./_live_harness.ts";
import { sleep } from "./_hostile_peer.ts";

Deno.test("live runner: a peer that never completes the handshake is logged, dropped and retried with backoff", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const conns: Deno.Conn[] = [];
  const accepting = (async () => {
    try {
      for await (const c of listener) conns.push(c); // accepted, never answered
    } catch { /* closed */ }
  })();
  const config = liveConfig(port, (c) => {
    c.live.request_timeout_ms = 150;
    c.live.reconnect_min_ms = 50;
    c.live.reconnect_max_ms = 400;
    c.live.reconnect_jitter = 0.2;
  });
  const lines: string[] = [];
  const runner = new LiveRunner({
    config,
    journal: new MemoryJournal(journalFormatOptions(config)),
    runId: "HOSTILE",
    clock: { now: () => Date.now() },
    version: "test",
    configDigest: "test",
    log: (l) => lines.push(l),
    random: () => 0.5,
  });
  const timeouts = () => lines.filter((l) => /did not complete the API handshake/.test(l));
  try {
    runner.start();
    const t0 = performance.now();
    // Wait for the third reconnect line itself: it is logged after the socket's close event,
    // a turn after the third timeout line, so counting timeouts raced with stop() under load.
    while (!lines.some((l) => l.endsWith("(attempt 3)"))) {
      assert.ok(performance.now() - t0 < 5000, lines.join("\n"));
      await sleep(10);
    }
  } finally {
    runner.stop("test");
    listener.close();
    for (const c of conns) {
      try {
        c.close();
      } catch { /* closed */ }
    }
    await accepting;
    await sleep(30);
  }
  assert.ok(conns.length >= 3);
  assert.match(
    timeouts()[0]!,
    new RegExp(
      `^\\[ib\\] TWS at 127\\.0\\.0\\.1:${port} did not complete the API handshake in 0\\.1 s ` +
        `\\(no server version came back\\): dropping the attempt$`,
    ),
  );
  // Backoff as for a refused connect: min * 2^attempt, times 1 + jitter * 0.5.
  const delays = [50, 100, 200].map((b) => (Math.round(b * 1.1) / 1000).toFixed(1));
  for (let a = 1; a <= 3; a++) {
    assert.ok(
      lines.includes(`[conn] reconnecting in ${delays[a - 1]} s (attempt ${a})`),
      `attempt ${a}:\n${lines.join("\n")}`,
    );
  }
  assert.ok(lines.includes("[conn] connecting -> disconnected"), lines.join("\n"));
});

Deno.test("live CLI: a peer sending a negative length prefix never hangs the process; SIGINT ends it", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const conns: Deno.Conn[] = [];
  const serving = (async () => {
    try {
      for await (const c of listener) {
        conns.push(c);
        (async () => {
          const buf = new Uint8Array(64);
          await c.read(buf); // the hello
          await c.write(new Uint8Array([0x80, 0, 0, 0, 0x41]));
        })().catch(() => {});
      }
    } catch { /* closed */ }
  })();
  const dir = await Deno.makeTempDir();
  const main = new URL("../main.ts", import.meta.url).pathname;
  await Deno.writeTextFile(
    `${dir}/c.yaml`,
    `ib:\n  port: ${port}\nlive:\n  warmup: "off"\n  reconnect_min_ms: 100\n  reconnect_max_ms: 200\n`,
  );
  const p = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      `--allow-read=${dir},${main.replace(/main\.ts$/, "")}`,
      `--allow-write=${dir}`,
      "--allow-env=LOG_TOKENS,LOG_STREAM",
      `--allow-net=127.0.0.1:${port}`,
      main,
      "live",
      "--config",
      `${dir}/c.yaml`,
      "--journal",
      `${dir}/j.text`,
      "--no-bars",
    ],
    stdout: "piped",
    stderr: "piped",
    env: { DENO_NO_UPDATE_CHECK: "1" },
  }).spawn();
  const reader = p.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  const framing = () => out.split("\n").filter((l) => l.includes("bad framing")).length;
  let killedAt = 0;
  const guard = setTimeout(() => p.kill("SIGKILL"), 20_000);
  try {
    while (framing() < 2) {
      const r = await reader.read();
      if (r.done) break;
      out += r.value;
    }
    p.kill("SIGINT");
    killedAt = performance.now();
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      out += r.value;
    }
  } finally {
    const status = await p.status;
    clearTimeout(guard);
    const stopMs = performance.now() - killedAt;
    const err = await new Response(p.stderr).text();
    listener.close();
    for (const c of conns) {
      try {
        c.close();
      } catch { /* closed */ }
    }
    await serving;
    await Deno.remove(dir, { recursive: true });
    assert.ok(status.signal === null, `killed by ${status.signal}:\n${out}\n${err}`);
    assert.ok(stopMs < 5000, `SIGINT took ${stopMs.toFixed(0)} ms`);
    assert.doesNotMatch(out + err, /\n\s+at /);
  }
  assert.ok(framing() >= 2, out);
  const lines = out.split("\n").filter((l) => l.includes("bad framing"));
  for (const l of lines) {
    // Console lines start with their time (issue 9); the rest is the runner's line.
    assert.match(l, /^\d\d:\d\d:\d\d \[ib\] /);
    assert.equal(
      l.slice(9),
      `[ib] bad framing from TWS at 127.0.0.1:${port}: negative message length -2147483648 ` +
        `(0x80000000); dropping the connection`,
    );
  }
  // One line per connection attempt, not 7,000 a second.
  assert.ok(lines.length <= conns.length, `${lines.length} lines for ${conns.length} connections`);
});
