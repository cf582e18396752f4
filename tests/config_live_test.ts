/** The `live:` config section: defaults and range checks. */
import assert from "node:assert/strict";
import { configSchema } from "../lib/config/schema.ts";

Deno.test("config live section defaults: 5 roll days, 2 s grace, tick warm-up, close on stop", () => {
  const c = configSchema.parse({});
  assert.equal(c.live.roll_days, 5);
  assert.equal(c.live.grace_ms, 2000);
  assert.equal(c.live.warmup, "ticks");
  assert.equal(c.live.on_stop, "close");
  assert.equal(c.live.reconnect_min_ms, 1000);
  assert.equal(c.live.reconnect_max_ms, 30_000);
});

Deno.test("config live section rejects out-of-range and unknown values", () => {
  assert.throws(() => configSchema.parse({ live: { grace_ms: -1 } }));
  assert.throws(() => configSchema.parse({ live: { on_stop: "flatten" } }));
  assert.throws(() => configSchema.parse({ live: { reconnect_jitter: 2 } }));
  assert.throws(() => configSchema.parse({ live: { nope: 1 } }));
});
