/**
 * Multi-day backtests (issue 10): a download store written from the simulator's archive
 * (the days and contracts a download stores, worked out by hand in _download_sim.ts), run
 * in one backtest, compared with one file of the same days concatenated; the roll closes an
 * open trade; --from/--to; overlapping files refused; the per-trade CSV against the journal.
 */
import assert from "node:assert/strict";
import { runMain } from "./_run_main.ts";
import { type StoreContract, TickStore } from "../lib/data/store.ts";
import { parseJournalText } from "../lib/journal/reader.ts";
import { generateArchive } from "../lib/sim/history_store.ts";
import type { ExitEvent, JournalEvent } from "../lib/types.ts";
import { cmeSession, EXPECTED_DAYS, FROM, HOLIDAY, NOW, TO } from "./_download_sim.ts";

const run = runMain;

async function events(path: string): Promise<JournalEvent[]> {
  return parseJournalText(await Deno.readTextFile(path), { source: path }).events;
}

/** The trades of a journal without run ids: side, times, prices, reason. */
function trades(evs: JournalEvent[]): string[] {
  return evs.filter((e): e is ExitEvent => e.kind === "EXIT").map((e) =>
    `${e.side} ${new Date(e.entryTime).toISOString()} ${e.entryPrice} -> ` +
    `${new Date(e.time).toISOString()} ${e.price} ${e.reason} ${e.netPnl}`
  );
}

// Short bars and a quick calibration so that a few days of a light tape trade.
const SETTINGS = [
  "--set",
  "bars.seconds=15",
  "--set",
  "strategy.calibration_bars=5",
  "--set",
  "strategy.short=true",
];

const archive = generateArchive({
  symbol: "MES",
  months: ["202509", "202512"],
  from: FROM,
  to: TO,
  holidays: [HOLIDAY],
  now: NOW,
  intensity: 0.6,
  seed: 3,
});

/** Writes the store a download would: the days of EXPECTED_DAYS, one contract each. */
async function writeStore(dir: string): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const store = await TickStore.open(dir);
  for (const { date, local } of EXPECTED_DAYS) {
    const c = archive.contracts.find((x) => x.localSymbol === local)!;
    const contract: StoreContract = {
      conId: c.conId,
      symbol: "MES",
      localSymbol: local,
      exchange: "CME",
      month: local === "MESU5" ? "202509" : "202512",
      minTick: 0.25,
      multiplier: 5,
      timeZone: "US/Central",
    };
    const day = archive.day(local, date);
    const sessions = [cmeSession(date)];
    if (day.ts.length === 0) {
      await store.markEmpty(contract, date, sessions);
      continue;
    }
    const w = await store.beginDay(contract, date, sessions);
    await w.append({ ts: day.ts, price: day.price, size: day.size }, 0, sessions[0]!.end);
    await w.finish();
  }
}

/** The CSV text of days (header once), as one file. */
function concatenated(days: { date: string; local: string }[]): string {
  const lines = ["ts_utc,price,size"];
  for (const { date, local } of days) {
    const d = archive.day(local, date);
    for (let i = 0; i < d.ts.length; i++) lines.push(`${d.ts[i]},${d.price[i]},${d.size[i]}`);
  }
  return lines.join("\n") + "\n";
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "scalpbot_store_bt_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("backtest over a store: the days of one contract equal one file of them concatenated", async () => {
  await withDir(async (dir) => {
    await writeStore(`${dir}/data`);
    // Z5's days only (after the roll): the store run and the single-file run see the same ticks.
    const z5 = EXPECTED_DAYS.filter((d) => d.local === "MESZ5");
    await Deno.writeTextFile(`${dir}/z5.csv`, concatenated(z5));
    const a = await run([
      "backtest",
      "--ticks",
      `${dir}/data`,
      "--from",
      "2025-09-15",
      ...SETTINGS,
      "--journal",
      `${dir}/a.text`,
      "--quiet",
    ]);
    assert.equal(a.code, 0, a.err);
    const b = await run([
      "backtest",
      "--ticks",
      `${dir}/z5.csv`,
      ...SETTINGS,
      "--journal",
      `${dir}/b.text`,
      "--quiet",
    ]);
    assert.equal(b.code, 0, b.err);
    const ta = trades(await events(`${dir}/a.text`));
    assert.ok(ta.length >= 5, `the days trade (${ta.length} trades)`);
    assert.deepEqual(ta, trades(await events(`${dir}/b.text`)));
    // The same day files given one by one (a glob) make the same run again.
    const c = await run([
      "backtest",
      "--ticks",
      `${dir}/data/MES_MESZ5_*.csv`,
      ...SETTINGS,
      "--journal",
      `${dir}/c.text`,
      "--quiet",
    ]);
    assert.equal(c.code, 0, c.err);
    assert.deepEqual(trades(await events(`${dir}/c.text`)), ta);
  });
});

Deno.test("backtest over a store: no trade is held across the roll; one run, one journal", async () => {
  await withDir(async (dir) => {
    await writeStore(`${dir}/data`);
    const r = await run([
      "backtest",
      "--ticks",
      `${dir}/data`,
      ...SETTINGS,
      "--journal",
      `${dir}/j.text`,
      "--trades-csv",
      `${dir}/t.csv`,
      "--json",
    ]);
    assert.equal(r.code, 0, r.err);
    const evs = await events(`${dir}/j.text`);
    assert.equal(evs.filter((e) => e.kind === "SESSION_START").length, 1);
    // The roll: the last U5 tick (12 Sep) and the first Z5 tick (Sunday 14 Sep 17:00 on).
    const u5 = archive.day("MESU5", "2025-09-12");
    const lastU5 = u5.ts.at(-1)!;
    const firstZ5 = archive.day("MESZ5", "2025-09-15").ts[0]!;
    const exits = evs.filter((e): e is ExitEvent => e.kind === "EXIT");
    for (const x of exits) {
      const held = x.entryTime <= lastU5 && x.time >= firstZ5;
      assert.ok(!held, `trade ${x.tradeId} held across the roll`);
    }
    // Every trade's prices are those of its own contract: U5 near 6500, Z5 near 6540 (the
    // archive starts them 40 points apart).
    const report = JSON.parse(r.out);
    assert.equal(report.trades, exits.length);
    const days = report.byDay.map((d: { date: string }) => d.date);
    assert.deepEqual(days, [...new Set(days)].sort());
    // The per-trade CSV: one line per EXIT, net P/L as journaled.
    const csv = (await Deno.readTextFile(`${dir}/t.csv`)).trim().split("\n");
    // Levels no price reaches in these days: the first trade is still open at the roll, and
    // is closed there, at U5's last print, before any Z5 tick.
    const wide = await run([
      "backtest",
      "--ticks",
      `${dir}/data`,
      ...SETTINGS,
      "--set",
      "risk.stop_atr_multiple=100",
      "--set",
      "risk.target_points=1000",
      "--journal",
      `${dir}/w.text`,
      "--quiet",
    ]);
    assert.equal(wide.code, 0, wide.err);
    const wideExits = (await events(`${dir}/w.text`))
      .filter((e): e is ExitEvent => e.kind === "EXIT");
    const atRoll = wideExits.filter((x) => x.entryTime <= lastU5).at(-1);
    assert.deepEqual(
      atRoll && [atRoll.time, atRoll.reason, atRoll.price],
      [lastU5, "END", u5.price.at(-1)],
    );
    assert.equal(csv.length, exits.length + 1);
    const header = csv[0]!.split(",");
    const net = header.indexOf("net");
    assert.deepEqual(
      csv.slice(1).map((l) => Number(l.split(",")[net])),
      exits.map((x) => x.netPnl),
    );
    // scalpbot report writes the same rows from the journal alone.
    const rep = await run(["report", `${dir}/j.text`, "--trades-jsonl", `${dir}/t.jsonl`]);
    assert.equal(rep.code, 0, rep.err);
    const rows = (await Deno.readTextFile(`${dir}/t.jsonl`)).trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    assert.deepEqual(
      rows.map((r) => [r.id, r.net, r.exitPrice]),
      exits.map((x) => [x.tradeId, x.netPnl, x.price]),
    );
  });
});

Deno.test("backtest: overlapping tick files are refused with both names; nothing is written", async () => {
  await withDir(async (dir) => {
    const d = EXPECTED_DAYS.slice(0, 2);
    await Deno.writeTextFile(`${dir}/a.csv`, concatenated(d));
    await Deno.writeTextFile(`${dir}/b.csv`, concatenated(d.slice(1)));
    const r = await run([
      "backtest",
      "--ticks",
      `${dir}/a.csv`,
      "--ticks",
      `${dir}/b.csv`,
      "--journal",
      `${dir}/j.text`,
      "--trades-csv",
      `${dir}/t.csv`,
    ]);
    assert.equal(r.code, 1);
    assert.match(r.err, /tick files overlap in time: .*a\.csv \(.* to .*\) and .*b\.csv/);
    assert.equal(r.err.trim().split("\n").length, 1, r.err);
    for (const f of ["j.text", "t.csv"]) {
      await assert.rejects(Deno.stat(`${dir}/${f}`), Deno.errors.NotFound);
    }
  });
});

Deno.test("backtest: files given out of order are read in time order; --to cuts by trading day", async () => {
  await withDir(async (dir) => {
    const [d1, d2, d3] = EXPECTED_DAYS;
    for (const d of [d1!, d2!, d3!]) {
      await Deno.writeTextFile(`${dir}/${d.date}.csv`, concatenated([d]));
    }
    const r = await run([
      "backtest",
      "--ticks",
      `${dir}/${d3!.date}.csv`,
      "--ticks",
      `${dir}/${d1!.date}.csv`,
      "--ticks",
      `${dir}/${d2!.date}.csv`,
      "--to",
      d2!.date,
      ...SETTINGS,
      "--journal",
      `${dir}/j.text`,
      "--quiet",
    ]);
    assert.equal(r.code, 0, r.err);
    const end = (await events(`${dir}/j.text`)).find((e) => e.kind === "SESSION_END");
    // Days 1 and 2 only, every tick of them (their sizes are all above 0).
    const want = archive.day(d1!.local, d1!.date).ts.length +
      archive.day(d2!.local, d2!.date).ts.length;
    assert.equal(end?.kind === "SESSION_END" && end.ticks, want);
  });
});

Deno.test("backtest over a store: with the flatten policy no trade is held past a session's end", async () => {
  await withDir(async (dir) => {
    await writeStore(`${dir}/data`);
    const r = await run([
      "backtest",
      "--ticks",
      `${dir}/data`,
      ...SETTINGS,
      "--set",
      'session.liquid_hours=["08:30-15:00"]',
      "--set",
      "live.flatten_minutes=10",
      "--journal",
      `${dir}/j.text`,
      "--quiet",
    ]);
    assert.equal(r.code, 0, r.err);
    const exits = (await events(`${dir}/j.text`)).filter((e): e is ExitEvent => e.kind === "EXIT");
    assert.ok(exits.length >= 5, `${exits.length} trades`);
    // Entries inside 08:30-14:50 Chicago and out by 14:50 (or at a later print): each trade
    // opens and closes on the same local date, never across the 16:00 close.
    const chicago = (t: number) =>
      new Date(t).toLocaleDateString("en-CA", { timeZone: "America/Chicago" });
    for (const x of exits) {
      assert.equal(chicago(x.entryTime), chicago(x.time), `${x.tradeId} held overnight`);
      const hm = new Date(x.entryTime).toLocaleTimeString("en-GB", {
        timeZone: "America/Chicago",
        hour12: false,
      });
      assert.ok(hm >= "08:30:00" && hm < "14:50:00", `${x.tradeId} entered at ${hm}`);
    }
  });
});
