/**
 * Backtests over the real tick files in ../shared/data/ticks, checked against the tape with
 * independent code: bars by a plain split/Date.parse grouping, and every exit by scanning
 * the prints after its entry for the first print through the target or at the stop, under
 * the default (honest) fills: entry and stop 1 tick worse than the print, targets traded
 * through.
 */
import assert from "node:assert/strict";
import { main } from "../main.ts";
import { parseJournalText } from "../lib/journal/reader.ts";
import type { EntryEvent, ExitEvent, FillEvent } from "../lib/types.ts";

const DATA = new URL("../../shared/data/ticks/", import.meta.url);
let files: string[] = [];
try {
  files = [...Deno.readDirSync(DATA)].map((e) => e.name).filter((n) => n.endsWith(".csv")).sort();
} catch {
  console.warn(`skipping shared-data backtests: ${DATA.pathname} is absent`);
}

interface RefTick {
  ts: number;
  price: number;
  size: number;
}

function referenceTicks(text: string): RefTick[] {
  return text.trim().split("\n").slice(1).map((line) => {
    const [ts, price, size] = line.split(",");
    return { ts: Date.parse(ts!), price: Number(price), size: Number(size) };
  }).filter((t) => t.size > 0); // zero-size prints are ignored by policy
}

/** Groups in-order ticks into 30 s bars; ticks before the open bar are dropped (policy drop). */
function referenceBars(ticks: RefTick[]): string[] {
  const rows: string[] = [];
  let cur:
    | { start: number; o: number; h: number; l: number; c: number; v: number; n: number }
    | null = null;
  const emit = () => {
    if (cur) {
      rows.push(
        [new Date(cur.start).toISOString(), cur.o, cur.h, cur.l, cur.c, cur.v, cur.n].join(),
      );
    }
  };
  for (const t of ticks) {
    const start = Math.floor(t.ts / 30_000) * 30_000;
    if (cur && t.ts < cur.start) continue;
    if (!cur || start !== cur.start) {
      emit();
      cur = { start, o: t.price, h: t.price, l: t.price, c: t.price, v: 0, n: 0 };
    }
    cur.h = Math.max(cur.h, t.price);
    cur.l = Math.min(cur.l, t.price);
    cur.c = t.price;
    cur.v += t.size;
    cur.n++;
  }
  emit();
  return rows;
}

function settingsFor(name: string): string[] {
  return name.startsWith("GC_")
    ? ["contract.symbol=GC", "contract.tick_size=0.1", "contract.multiplier=100"]
    : ["contract.symbol=ES", "contract.tick_size=0.25", "contract.multiplier=50"];
}

for (const name of files) {
  Deno.test(`backtest over shared ${name} matches the tape bar for bar and exit for exit`, async () => {
    const path = new URL(name, DATA).pathname;
    const dir = await Deno.makeTempDir();
    try {
      const args = [
        "backtest",
        "--ticks",
        path,
        "--journal",
        `${dir}/j.text`,
        "--bars-out",
        `${dir}/b.csv`,
        "--json",
      ];
      for (const s of [...settingsFor(name), "strategy.short=true"]) args.push("--set", s);
      const { log } = console;
      let out = "";
      console.log = (...a: unknown[]) => void (out += a.join(" "));
      let code: number;
      try {
        code = await main(args);
      } finally {
        console.log = log;
      }
      assert.equal(code, 0);
      const ticks = referenceTicks(await Deno.readTextFile(path));

      // Bars: OHLCV and trade count equal the plain grouping of the tape.
      const bars = (await Deno.readTextFile(`${dir}/b.csv`)).trim().split("\n").slice(1)
        .map((r) =>
          r.split(",").slice(0, 7).map((c, i) => (i === 0 ? c : String(Number(c)))).join()
        );
      assert.deepEqual(bars, referenceBars(ticks));

      // Exits: the first print after entry that touches stop or target closes the trade.
      const { events } = parseJournalText(await Deno.readTextFile(`${dir}/j.text`));
      const entries = events.filter((e): e is EntryEvent => e.kind === "ENTRY");
      const fills = new Map(
        events.filter((e): e is FillEvent => e.kind === "FILL").map((e) => [e.tradeId, e]),
      );
      const tick = name.startsWith("GC_") ? 0.1 : 0.25;
      const exits = new Map(
        events.filter((e): e is ExitEvent => e.kind === "EXIT").map((e) => [e.tradeId, e]),
      );
      for (const entry of entries) {
        const exit = exits.get(entry.tradeId);
        assert.ok(exit, `trade ${entry.tradeId} has an exit`);
        const long = entry.side === "LONG";
        // next_tick: the order is the first print after the signal, filled a tick worse.
        const first = ticks.findIndex((t) => t.ts >= entry.time);
        assert.equal(entry.entry, ticks[first]!.price, `${entry.tradeId} entry print`);
        const fill = fills.get(entry.tradeId)!.price;
        assert.ok(Math.abs(fill - (long ? entry.entry + tick : entry.entry - tick)) < 1e-9);
        // A target fills only on a print beyond it (half a tick: grid prices carry noise).
        const through = (p: number) =>
          long ? p > entry.target + tick / 2 : p < entry.target - tick / 2;
        let touch: RefTick | undefined;
        for (let i = first; i >= 0 && i < ticks.length; i++) {
          const p = ticks[i]!.price;
          const hit = through(p) || (long ? p <= entry.stop : p >= entry.stop);
          if (hit) {
            touch = ticks[i];
            break;
          }
        }
        if (touch === undefined) {
          assert.equal(exit.reason, "END", `${entry.tradeId} never touched a level`);
          assert.equal(exit.price, ticks.at(-1)!.price);
          continue;
        }
        assert.equal(exit.time, touch.ts, `${entry.tradeId} exit time`);
        const targetHit = through(touch.price);
        assert.equal(exit.reason, targetHit ? "TARGET" : "STOP");
        const stopFill = long ? touch.price - tick : touch.price + tick;
        assert.ok(Math.abs(exit.price - (targetHit ? entry.target : stopFill)) < 1e-9);
        const points = long ? exit.price - fill : fill - exit.price;
        assert.ok(Math.abs(exit.pnlPoints - points) < 1e-9);
      }
      // The printed report adds up the journal's exits.
      const report = JSON.parse(out);
      assert.equal(report.trades, exits.size);
      const net = [...exits.values()].reduce((s, e) => s + e.netPnl, 0);
      assert.ok(Math.abs(report.netPnl - net) < 0.005);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
