/**
 * lib/live/warm_up.ts: the throw-away engine runs every trade event the live settings can
 * produce, and nothing of it reaches the run (its config, journal or event stream).
 */
import assert from "node:assert/strict";
import { defaultConfig } from "../lib/config/defaults.ts";
import type { Config } from "../lib/config/schema.ts";
import { warmUpConfig, warmUpEngine } from "../lib/live/warm_up.ts";
import { LiveRunner } from "../lib/live/runner.ts";
import type { JournalEvent } from "../lib/types.ts";

function configWith(change: (c: Config) => void): Config {
  const c = defaultConfig();
  change(c);
  return c;
}

Deno.test("warmUpEngine runs entries, fills and exits of the default config many times", () => {
  const r = warmUpEngine(defaultConfig());
  assert.equal(r.error, undefined);
  assert.equal(r.ticks, 2400); // 120 s at 20 ticks a second
  assert.equal(r.bars, 120); // 1 s bars
  assert.ok(r.events.ENTRY! >= 20, JSON.stringify(r.events));
  assert.equal(r.events.FILL, r.events.ENTRY);
  assert.ok(r.events.EXIT! >= r.events.ENTRY! - 1, JSON.stringify(r.events));
  assert.equal(r.events.SESSION_START, 1);
  assert.equal(r.events.SESSION_END, 1);
});

Deno.test("warmUpEngine runs the live config's managers: each produces its own events", () => {
  const cases: [string, (c: Config) => void, string[]][] = [
    ["trailing stop and target, scale-out", (c) => {
      c.risk.stop.mode = "trailing_atr";
      c.risk.target.mode = "trailing";
      c.risk.contracts = 2;
      c.risk.scale_out.contracts = 1;
    }, ["ENTRY", "FILL", "EXIT", "STOP_MOVE", "TARGET_MOVE"]],
    ["swing stop, bar-close entries", (c) => {
      c.risk.stop.mode = "swing";
      c.strategy.entry_price = "bar_close";
    }, ["ENTRY", "FILL", "EXIT"]],
    ["breakeven stop, r-multiple target, cross trigger", (c) => {
      c.risk.stop.mode = "breakeven";
      c.risk.target.mode = "r_multiple";
      c.strategy.trigger = "cross";
    }, ["ENTRY", "FILL", "EXIT"]],
    ["pullback limit entries with partial fills", (c) => {
      c.strategy.trigger = "pullback";
      c.fills.partial = true;
    }, ["ENTRY", "FILL", "EXIT"]],
    ["limit entry orders", (c) => {
      c.execution.entry_type = "limit";
    }, ["ENTRY", "FILL", "EXIT"]],
    ["a 1.0 tick size in another zone with liquid hours", (c) => {
      c.contract.tick_size = 1;
      c.session.timezone = "Asia/Singapore";
      c.session.liquid_hours = ["09:00-16:30"];
      c.live.flatten_minutes = 15;
    }, ["ENTRY", "FILL", "EXIT"]],
  ];
  for (const [name, change, kinds] of cases) {
    const r = warmUpEngine(configWith(change));
    assert.equal(r.error, undefined, name);
    for (const k of kinds) {
      assert.ok((r.events[k] ?? 0) > 0, `${name}: no ${k} in ${JSON.stringify(r.events)}`);
    }
  }
});

Deno.test("warmUpConfig keeps the live managers and never trades through a real venue", () => {
  const live = configWith((c) => {
    c.execution.venue = "ib";
    c.execution.kill_file = "/tmp/stop";
    c.execution.daily_loss_limit = 100;
    c.execution.max_position = 1;
    c.strategy.module = "./mine.ts";
    c.strategy.name = "orb";
    c.risk.stop.mode = "breakeven";
  });
  const before = structuredClone(live);
  const w = warmUpConfig(live);
  assert.deepStrictEqual(live, before); // the run's config is not touched
  assert.equal(w.execution.venue, "paper");
  assert.equal("kill_file" in w.execution, false);
  assert.equal("daily_loss_limit" in w.execution, false);
  assert.equal("max_position" in w.execution, false);
  assert.equal("module" in w.strategy, false);
  assert.equal(w.strategy.name, "scalp");
  assert.equal(w.risk.stop.mode, "breakeven");
  assert.equal(w.risk.target_points, 4 * live.contract.tick_size);
  const r = warmUpEngine(live);
  assert.equal(r.error, undefined);
  assert.ok(r.events.ENTRY! > 0);
});

Deno.test("LiveRunner.start warms up without a line in the run's journal or events", async () => {
  // A port nobody listens on: the runner starts, warms up and keeps trying to connect.
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const config = configWith((c) => {
    c.ib.port = port;
    c.live.reconnect_min_ms = 1000;
  });
  const written: JournalEvent[] = [];
  const published: string[] = [];
  const runner = new LiveRunner({
    config,
    journal: { write: (e) => void written.push(e) },
    runId: "RUN",
    clock: { now: () => Date.now() },
    version: "test",
    configDigest: "test",
    log: () => {},
  });
  runner.events.subscribe((e) => void published.push(e.kind));
  try {
    runner.start();
    await new Promise((r) => setTimeout(r, 50));
    assert.deepStrictEqual(written, []);
    const trading = published.filter((k) => k !== "CONNECTION");
    assert.deepStrictEqual(trading, [], published.join(", "));
    assert.equal(runner.engine, undefined);
  } finally {
    runner.stop("test");
    await new Promise((r) => setTimeout(r, 20));
  }
});
