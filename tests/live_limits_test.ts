/**
 * Live mode against IB's limits and silences, with the real @stoqey/ib client over loopback:
 * client id in use (326), tick-by-tick cap (10190), historical pacing (162) in the warm-up
 * and in a backfill, a silent stream the watchdog resubscribes, and a connection that stops
 * answering (the watchdog reconnects). After each, the bars must equal an uninterrupted
 * offline run over the same trades, and never two trades are open.
 */
import assert from "node:assert/strict";
import { EventName, SecType, TickByTickDataType } from "@stoqey/ib";
import { assertSurvived, faultRun, generatedTicks, until } from "./_live_harness.ts";
import { connectClient } from "./_sim_client.ts";

const TICKS = generatedTicks(3, 7);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const count = (lines: readonly string[], text: string) =>
  lines.filter((l) => l.includes(text)).length;

Deno.test("live: client id in use (326) backs off and retries until the id is free", async () => {
  let other: Awaited<ReturnType<typeof connectClient>> | undefined;
  const r = await faultRun(TICKS, async (run) => {
    // Drop the bot, and take its client id before its reconnect (300 ms later).
    run.sim.faults.dropAll();
    other = await connectClient(run.sim.port, { clientId: run.runner.options.config.ib.client_id });
    await until("two 326 refusals", () => count(run.lines, "already in use (326)") >= 2);
    assert.equal(run.runner.stats.connects, 1, "connected while the id was taken");
    await other.close();
    await until("reconnected", () => run.runner.stats.connects >= 2);
  }, {
    patch: (c) => {
      c.live.reconnect_min_ms = 300;
      c.live.reconnect_max_ms = 600;
    },
  }).finally(() => other?.close());
  assertSurvived(r);
  assert.ok(r.run.runner.stats.backfilledTicks > 0, "the gap was not backfilled");
});

Deno.test("live: tick-by-tick cap (10190) is logged, retried with backoff, recovered when a slot frees", async () => {
  let other: Awaited<ReturnType<typeof connectClient>> | undefined;
  const r = await faultRun(TICKS, async (run) => {
    run.sim.faults.dropAll();
    // Another client takes the only tick-by-tick slot before the bot is back.
    other = await connectClient(run.sim.port, { clientId: 99 });
    const conId = run.runner.contract!.conId;
    other.ib.reqTickByTickData(1, { conId, exchange: "CME" }, TickByTickDataType.AllLast, 0, false);
    await until("two 10190 refusals", () => count(run.lines, "limit reached (10190)") >= 2);
    assert.notEqual(run.runner.state, "connected");
    other.ib.cancelTickByTickData(1);
    await until("resubscribed", () => run.runner.state === "connected", 10_000);
  }, {
    tbtLimit: 1,
    patch: (c) => {
      c.live.reconnect_min_ms = 300;
      c.live.reconnect_max_ms = 600;
    },
  }).finally(() => other?.close());
  assertSurvived(r);
  assert.ok(r.run.runner.stats.backfilledTicks > 0, "the gap was not backfilled");
});

Deno.test("live: a warm-up of more pages than IB allows in 2 s waits for the pacing, no 162", async () => {
  // 5 minutes of history, about 7,000 trades: 7 pages (page_interval_ms 0), and the
  // simulator allows 5 per contract in 2 s: the shared pacer (lib/ib/history.ts) waits.
  const ticks = generatedTicks(7, 3);
  const r = await faultRun(ticks, () => {}, { historyMs: 300_000, atFraction: 0.8 });
  assert.equal(r.run.runner.stats.pacingRetries, 0, "a 162 was provoked");
  assert.ok(!r.run.lines.some((l) => l.includes("pacing violation (162)")));
  assert.ok(r.run.runner.stats.backfillPages >= 6, `${r.run.runner.stats.backfillPages} pages`);
  assert.ok(r.run.runner.stats.warmupTicks > 5000);
  assertSurvived(r);
});

Deno.test("live: a pacing violation (162) in a gap backfill waits and retries the page", async () => {
  let other: Awaited<ReturnType<typeof connectClient>> | undefined;
  const r = await faultRun(TICKS, async (run) => {
    run.sim.faults.connectivityLost();
    await until("lost", () => run.runner.state === "lost");
    // Another client uses up the contract's pacing budget (5 requests in 2 s).
    other = await connectClient(run.sim.port, { clientId: 98 });
    const conId = run.runner.contract!.conId;
    for (let i = 0; i < 5; i++) {
      other.ib.reqHistoricalTicks(
        i + 1,
        { conId, exchange: "CME", secType: SecType.FUT },
        "",
        `20250217-14:3${i}:00`,
        10,
        "TRADES" as never,
        0,
        false,
      );
    }
    await other.waitFor("5 answers", () => other!.named(EventName.historicalTicksLast).length >= 5);
    run.sim.faults.restoredDataLost();
    await until("resynced", () => run.runner.stats.syncs >= 2, 15_000);
  }).finally(() => other?.close());
  assert.ok(r.run.runner.stats.pacingRetries >= 1, "no 162 was provoked");
  assertSurvived(r);
  assert.ok(r.run.runner.stats.backfilledTicks > 0);
});

Deno.test("live: silence in liquid hours: the watchdog checks the time, resubscribes, fills the gap", async () => {
  const r = await faultRun(TICKS, async (run) => {
    // One wall second of silence is 50 s of market: far past the 10 s watchdog.
    run.sim.faults.goSilent(1000);
    await until("watchdog resync", () => run.runner.stats.syncs >= 2, 5000);
  }, { patch: (c) => c.live.watchdog_ms = 10_000 });
  assertSurvived(r);
  const s = r.run.runner.stats;
  assert.ok(s.watchdogChecks >= 1);
  assert.equal(s.connects, 1, "TWS answered: no reconnect needed");
  assert.ok(r.run.lines.some((l) => l.includes("TWS answers: resubscribing")));
  assert.ok(s.backfilledTicks > 0, "the silent stretch was not filled from history");
});

/** A loopback TCP relay whose current connections can be frozen (nothing passes, nothing closes). */
function startRelay() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  let target = 0;
  const live = new Set<{ frozen: boolean; close(): void }>();
  const pipe = async (
    from: Deno.Conn,
    to: Deno.Conn,
    link: { frozen: boolean; close(): void },
  ) => {
    const buf = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await from.read(buf);
        if (n === null) break;
        // A frozen link swallows everything, like a dead NAT entry.
        if (!link.frozen) {
          let off = 0;
          while (off < n) off += await to.write(buf.subarray(off, n));
        }
      }
    } catch {
      // either side closed
    }
    link.close();
  };
  const accepting = (async () => {
    for await (const down of listener) {
      const up = await Deno.connect({ hostname: "127.0.0.1", port: target }).catch(() => undefined);
      if (up === undefined) {
        down.close();
        continue;
      }
      let closed = false;
      const link = {
        frozen: false,
        close() {
          if (closed) return;
          closed = true;
          live.delete(link);
          for (const c of [down, up]) {
            try {
              c.close();
            } catch {
              // already closed
            }
          }
        },
      };
      live.add(link);
      void pipe(down, up, link);
      void pipe(up, down, link);
    }
  })();
  return {
    port,
    setTarget(p: number) {
      target = p;
    },
    freezeAll() {
      for (const l of live) l.frozen = true;
    },
    async close() {
      listener.close();
      await accepting.catch(() => {});
      for (const l of [...live]) l.close();
      await sleep(10);
    },
  };
}

Deno.test("live: a connection that stops answering is reconnected by the watchdog", async () => {
  const relay = startRelay();
  try {
    const r = await faultRun(TICKS, async (run) => {
      relay.freezeAll();
      await until("reconnected", () => run.runner.stats.connects >= 2, 8000);
    }, {
      patch: (c) => {
        relay.setTarget(c.ib.port);
        c.ib.port = relay.port;
        c.live.watchdog_ms = 10_000;
        c.live.request_timeout_ms = 500;
      },
    });
    assertSurvived(r);
    const { stats, lines } = { stats: r.run.runner.stats, lines: r.run.lines };
    assert.ok(stats.watchdogChecks >= 1);
    assert.ok(lines.some((l) => l.includes("no answer from TWS: reconnecting")));
    assert.ok(stats.disconnects >= 1);
    assert.ok(stats.backfilledTicks > 0, "the gap was not backfilled");
  } finally {
    await relay.close();
  }
});
