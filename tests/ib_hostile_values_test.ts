/**
 * Values out of range from a hostile TWS peer: NaN, Infinity, negative, 1e300 prices, zero
 * or negative sizes, garbage times in tick-by-tick and historical-ticks answers, bad contract
 * details and current times, account ids in message texts; then the same through a whole
 * live run. Bad rows are dropped, counted and logged once per kind; the run goes on.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { TickPage } from "../lib/ib/adapter.ts";
import { parseJournalLine } from "../lib/journal/format.ts";
import { listedContracts } from "../lib/sim/contracts.ts";
import { contractData, contractDataEnd, errorMsg } from "../lib/sim/messages.ts";
import { frameText } from "../lib/sim/wire.ts";
import { generatedTicks, startLiveRun, until } from "./_live_harness.ts";
import {
  campaign,
  frames,
  handshake,
  hold,
  hostileCase,
  type Recorder,
  SERVER_VERSION,
  sleep,
  write,
} from "./_hostile_peer.ts";

// ---- values ----

const NOW_S = Math.floor(Date.UTC(2026, 11, 7, 11, 0, 0) / 1000);
const MES = listedContracts("MES", NOW_S * 1000)[0]!;

/** A session where the adapter learns MES (tick 0.25), subscribes, and gets `rows`. */
async function valueSession(
  live: Array<[string, string, string]>,
  hist: Array<[string, string, string]>,
): Promise<{ r: Recorder; page: TickPage }> {
  let page: TickPage = { ts: [], price: [], size: [] };
  const r = await hostileCase(async (c) => {
    await handshake(c);
    await sleep(60);
    // Request ids are the adapter's: 1000 contract details, 1001 ticks, 1002 history.
    await write(c, frames(contractData(SERVER_VERSION, 1000, MES), contractDataEnd(1000)));
    await sleep(60);
    const out: Uint8Array[] = [];
    for (const [t, p, s] of live) {
      out.push(
        frameText(`99\u00001001\u00002\u0000${t}\u0000${p}\u0000${s}\u00000\u0000CME\u0000\u0000`),
      );
    }
    for (const f of out) await write(c, f);
    let h = `98\u00001002\u0000${hist.length}\u0000`;
    for (const [t, p, s] of hist) h += `${t}\u00000\u0000${p}\u0000${s}\u0000CME\u0000\u0000`;
    h += "1\u0000";
    await sleep(60);
    await write(c, frameText(h));
    await hold(c);
  }, async (r) => {
    await r.until("ready", () => r.ready === 1);
    const details = await r.adapter.contractDetails(
      { symbol: "MES", secType: "FUT", exchange: "CME", currency: "USD" },
      2000,
    );
    assert.deepEqual(details.length, 1);
    assert.deepEqual(details[0]!.minTick, 0.25);
    r.adapter.subscribeTicks(details[0]!.conId, "CME");
    page = await r.adapter.historicalTicksBefore(details[0]!.conId, "CME", NOW_S * 1000, {
      count: 1000,
      timeoutMs: 2000,
    });
    assert.deepEqual(r.disconnects, 0);
  });
  return { r, page };
}

const T = String(NOW_S - 10);
const BAD_ROWS: Array<[string, string, string, RegExp]> = [
  [T, "NaN", "1", /price not a number/],
  [T, "Infinity", "1", /price not a number/],
  [T, "-Infinity", "1", /price not a number/],
  [T, "-5004", "1", /price not positive/],
  [T, "0", "1", /price not positive/],
  [T, "1e300", "1", /price too large/],
  [T, "1e9", "1", /price too large/],
  [T, "5004.1", "1", /price off the tick grid/],
  [T, "5004.26", "1", /price off the tick grid/],
  [T, "abc", "1", /price not a number/],
  [T, "5004.25", "0", /size not positive/],
  [T, "5004.25", "-3", /size not positive/],
  [T, "5004.25", "NaN", /size not a number/],
  [T, "5004.25", "Infinity", /size not a number/],
  [T, "5004.25", "1e300", /size too large/],
  [T, "5004.25", "", /size not a number/],
  ["abc", "5004.25", "1", /time not a number/],
  ["", "5004.25", "1", /time (not a number|out of range)/],
  ["-5", "5004.25", "1", /time out of range/],
  ["1e20", "5004.25", "1", /time out of range/],
  ["99999999999999", "5004.25", "1", /time out of range/],
  ["0", "5004.25", "1", /time out of range/],
  ["4102444800", "5004.25", "1", /time out of range/],
];

Deno.test("hostile peer: out-of-range live trades are dropped, counted, logged once per kind; good ones pass", async () => {
  const good: Array<[string, string, string]> = [[T, "5004.25", "2"], [T, "5004.5", "1"]];
  const rows = [
    good[0]!,
    ...BAD_ROWS.map(([t, p, s]) => [t, p, s] as [string, string, string]),
    good[1]!,
  ];
  const { r } = await valueSession(rows, []);
  await r.until("the ticks", () => r.ticks.length >= 2).catch(() => {});
  assert.deepEqual(r.ticks, [[(NOW_S - 10) * 1000, 5004.25, 2], [(NOW_S - 10) * 1000, 5004.5, 1]]);
  const counts = r.adapter.stats.droppedRows;
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  assert.deepEqual(total, BAD_ROWS.length);
  // One line per distinct kind.
  const kinds = new Set(Object.keys(counts));
  assert.deepEqual(r.warnings.length, kinds.size, r.warnings.join("\n"));
  for (const [t, p, s, re] of BAD_ROWS) {
    assert.ok([...kinds].some((k) => re.test(k)), `no drop kind for ${t}/${p}/${s}`);
  }
  for (const w of r.warnings) assert.match(w, /^\[ib\] dropped a live trade from TWS: /);
  campaign.badInputs += BAD_ROWS.length - 1;
});

Deno.test("hostile peer: out-of-range history rows are dropped; the page keeps the good rows in order", async () => {
  const late = String(NOW_S + 5); // after the requested end
  const rows: Array<[string, string, string]> = [
    [String(NOW_S - 30), "5004.25", "1"],
    ...BAD_ROWS.map(([t, p, s]) => [t, p, s] as [string, string, string]),
    [String(NOW_S - 20), "5004.5", "3"],
    [String(NOW_S - 40), "5004.5", "3"], // out of order
    [late, "5004.5", "3"],
  ];
  const { r, page } = await valueSession([], rows);
  assert.deepEqual(page, {
    ts: [(NOW_S - 30) * 1000, (NOW_S - 20) * 1000],
    price: [5004.25, 5004.5],
    size: [1, 3],
  });
  const counts = r.adapter.stats.droppedRows;
  assert.deepEqual(counts["history row: time out of order"], 1);
  assert.deepEqual(counts["history row: time after the requested end"], 1);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  assert.deepEqual(total, BAD_ROWS.length + 2);
  campaign.badInputs += BAD_ROWS.length + 1;
});

Deno.test("hostile peer: account ids inside TWS message texts are masked", async () => {
  const r = await hostileCase(async (c) => {
    await handshake(c);
    await write(
      c,
      frames(
        errorMsg(SERVER_VERSION, -1, 2100, "Account DU1234567 and U7654321 were updated"),
        errorMsg(SERVER_VERSION, 7, 201, "Order rejected: account DF123456 has no funds"),
      ),
    );
    await hold(c);
  }, async (r) => {
    await r.until("both messages", () => r.errors.length >= 2);
  });
  assert.deepEqual(r.errors, [
    "2100: Account DU******7 and U*****21 were updated",
    "201: Order rejected: account DF*****6 has no funds",
  ]);
  campaign.badInputs += 1;
});

Deno.test("hostile peer: contract details with a bad minTick or multiplier are dropped, not resolved", async () => {
  const bad = [
    { ...MES, conId: 1, minTick: NaN },
    { ...MES, conId: 2, minTick: 0 },
    { ...MES, conId: 3, minTick: -0.25 },
    { ...MES, conId: 4, multiplier: Infinity },
    { ...MES, conId: 5, multiplier: 0 },
  ];
  let details: unknown[] = [];
  const r = await hostileCase(async (c) => {
    await handshake(c);
    await sleep(60);
    await write(
      c,
      frames(...bad.map((d) => contractData(SERVER_VERSION, 1000, d)), contractDataEnd(1000)),
    );
    await hold(c);
  }, async (r) => {
    await r.until("ready", () => r.ready === 1);
    details = await r.adapter.contractDetails(
      { symbol: "MES", secType: "FUT", exchange: "CME", currency: "USD" },
      2000,
    );
  });
  assert.deepEqual(details, []);
  assert.deepEqual(r.adapter.stats.droppedRows, {
    "contract details record: minTick or multiplier not a positive number": 5,
  });
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0]!, /conId 1, minTick NaN, multiplier 5/);
  campaign.badInputs += bad.length - 1;
});

Deno.test("hostile peer: a garbage current time is dropped; the request times out as unanswered", async () => {
  const times = ["abc", "-1", "99999999999", ""];
  const r = await hostileCase(async (c) => {
    await handshake(c);
    await sleep(60);
    await write(c, frames(...times.map((t) => [49, 1, t])));
    await hold(c);
  }, async (r) => {
    await r.until("ready", () => r.ready === 1);
    const got = await r.adapter.currentTime(500).then(String, (e: Error) => e.message);
    assert.match(got, /No answer to reqCurrentTime in 500 ms/);
  });
  assert.deepEqual(r.adapter.stats.droppedRows, { "current time: time out of range": 4 });
  assert.equal(r.warnings.length, 1);
  campaign.badInputs += times.length - 1;
});

Deno.test("live runner: NaN, Infinity, negative and 1e300 values from the socket are dropped; bars and journal stay sound", async () => {
  const ticks = generatedTicks(2, 7);
  const lo = Math.min(...ticks.map((t) => t.price));
  const hi = Math.max(...ticks.map((t) => t.price));
  // [field index in a TICK_BY_TICK frame, value]: 3 time, 4 price, 5 size.
  const liveFaults: Array<[number, string]> = [
    [4, "NaN"],
    [4, "Infinity"],
    [4, "-5004"],
    [4, "1e300"],
    [4, "0"],
    [5, "0"],
    [5, "-1"],
    [5, "NaN"],
    [3, "abc"],
    [3, "99999999999999"],
  ];
  // [offset in a HISTORICAL_TICKS_LAST row: 0 time, 2 price, 3 size, value].
  const histFaults: Array<[number, string]> = [[2, "NaN"], [2, "-5004"], [3, "Infinity"], [
    0,
    "-7",
  ]];
  let n99 = 0;
  let n98 = 0;
  const run = await startLiveRun({
    ticks,
    historyMs: 30_000,
    speed: 40,
    patch: (c) => {
      c.live.warmup = "ticks";
    },
    rewrite: (f) => {
      if (f[0] === "99" && ++n99 % 3 === 0) {
        const [i, v] = liveFaults[(n99 / 3) % liveFaults.length]!;
        const g = [...f];
        g[i] = v;
        return g;
      }
      if (f[0] === "98" && Number(f[2]) > histFaults.length) {
        n98++;
        const g = [...f];
        histFaults.forEach(([off, v], k) => g[3 + k * 6 + off] = v);
        return g;
      }
      return f;
    },
  });
  try {
    await run.sim.replayDone();
    await until("bars", () => run.bars.length >= 4, 20_000);
  } finally {
    await run.finish();
  }
  assert.ok(n99 > 30 && n98 >= 1, `${n99} tick frames, ${n98} history pages`);
  assert.equal(run.runner.stats.disconnects, 0);
  for (const b of run.bars) {
    for (const v of [b.open, b.high, b.low, b.close]) {
      assert.ok(v >= lo && v <= hi, `bar price ${v} outside ${lo}..${hi}`);
    }
    assert.ok(Number.isFinite(b.volume) && b.volume > 0);
  }
  const drops = run.lines.filter((l) => l.startsWith("[ib] dropped a "));
  const kinds = drops.map((l) => /^\[ib\] dropped an? ([a-z ]+) from TWS: ([a-z ]+) \(/.exec(l)!);
  // One line per source and kind, never two.
  assert.equal(new Set(kinds.map((m) => `${m[1]}: ${m[2]}`)).size, drops.length);
  const live = kinds.filter((m) => m[1] === "live trade").map((m) => m[2]).sort();
  assert.deepEqual(live, [
    "price not a number",
    "price not positive",
    "price too large",
    "size not a number",
    "size not positive",
    "time not a number",
    "time out of range",
  ]);
  const hist = kinds.filter((m) => m[1] === "history row").map((m) => m[2]).sort();
  assert.deepEqual(hist, [
    "price not a number",
    "price not positive",
    "size not a number",
    "time out of range",
  ]);
  for (const [i, line] of run.journal.lines.entries()) parseJournalLine(line, i + 1, "journal");
  campaign.badInputs += liveFaults.length + histFaults.length;
});

Deno.test("hostile peer (values): the campaign count of bad inputs sent by this file", () => {
  // Counted by the cases above as they ran: meaningful when the whole file runs.
  console.log(`hostile peer (values) bad inputs: ${campaign.badInputs}`);
  assert.ok(campaign.badInputs === 0 || campaign.badInputs >= 60);
});
