/**
 * What the fill options do to results on the shared data: `scalpbot backtest` (the CLI's own
 * code path, in-process) over each real tick file in ../shared/data/ticks under four option
 * sets, from the old optimistic defaults to the new honest ones, one option at a time. Prints
 * a Markdown table of trades, win rate and net P/L; `--write` puts it into README.md between
 * the `fills-table` markers (tests/honest_fills_test.ts checks that it is current).
 *
 *   deno run --allow-read --allow-write --allow-env bench/fills_table.ts [--write]
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { main } from "../main.ts";
import { parseJournalText } from "../lib/journal/reader.ts";

/** One column of the table: a name and its `--set` overrides on the defaults. */
export interface FillSet {
  /** Column heading. */
  name: string;
  /** `--set` overrides on the built-in defaults. */
  sets: string[];
}

/** From the old defaults to the new ones, one option at a time. */
export const FILL_SETS: readonly FillSet[] = [
  {
    name: "bar_close, touch, no slippage (old defaults)",
    sets: [
      "strategy.entry_price=bar_close",
      "fills.entry_slippage_ticks=0",
      "fills.stop_slippage_ticks=0",
      "fills.target_fill=touch",
    ],
  },
  {
    name: "next_tick",
    sets: [
      "strategy.entry_price=next_tick",
      "fills.entry_slippage_ticks=0",
      "fills.stop_slippage_ticks=0",
      "fills.target_fill=touch",
    ],
  },
  {
    name: "next_tick + 1 tick slippage",
    sets: [
      "strategy.entry_price=next_tick",
      "fills.entry_slippage_ticks=1",
      "fills.stop_slippage_ticks=1",
      "fills.target_fill=touch",
    ],
  },
  // Nothing set: what a user gets today.
  { name: "+ targets traded through (new defaults)", sets: [] },
];

/** The shared tick files, relative to this module. */
export const SHARED_TICKS = new URL("../../shared/data/ticks/", import.meta.url);

/** Contract settings of a shared file, by its name (ES or GC futures). */
export function contractFor(file: string): string[] {
  return file.startsWith("GC_")
    ? ["contract.symbol=GC", "contract.tick_size=0.1", "contract.multiplier=100"]
    : ["contract.symbol=ES", "contract.tick_size=0.25", "contract.multiplier=50"];
}

/** Trades, winners and net P/L of one backtest. */
export interface Result {
  trades: number;
  wins: number;
  net: number;
}

/** Runs one backtest of `path` with `sets` and reads its journal's exits. */
export async function backtestResult(path: string, sets: string[]): Promise<Result> {
  const dir = await Deno.makeTempDir({ prefix: "fills_table_" });
  const args = ["backtest", "--ticks", path, "--journal", `${dir}/j.text`, "--json"];
  for (const s of sets) args.push("--set", s);
  const { log } = console;
  console.log = () => {};
  try {
    const code = await main(args);
    if (code !== 0) throw new Error(`backtest ${args.join(" ")} exited ${code}`);
    const { events } = parseJournalText(await Deno.readTextFile(`${dir}/j.text`));
    const r: Result = { trades: 0, wins: 0, net: 0 };
    for (const e of events) {
      if (e.kind !== "EXIT") continue;
      r.trades++;
      if (e.netPnl > 0) r.wins++;
      r.net += e.netPnl;
    }
    return r;
  } finally {
    console.log = log;
    await Deno.remove(dir, { recursive: true });
  }
}

function cell(r: Result): string {
  const rate = r.trades === 0 ? "-" : `${Math.round((100 * r.wins) / r.trades)}%`;
  return `${r.trades} / ${rate} / ${r.net.toFixed(2)}`;
}

/** The Markdown table over the `.csv` files of `dir`, or undefined when `dir` is absent. */
export async function fillsTable(dir: URL = SHARED_TICKS): Promise<string | undefined> {
  let files: string[];
  try {
    files = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".csv"));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  files.sort();
  const totals: Result[] = FILL_SETS.map(() => ({ trades: 0, wins: 0, net: 0 }));
  const rows: string[][] = [];
  for (const file of files) {
    const cells: string[] = [];
    for (const [i, set] of FILL_SETS.entries()) {
      const r = await backtestResult(fileURLToPath(new URL(file, dir)), [
        ...contractFor(file),
        ...set.sets,
      ]);
      const t = totals[i]!;
      t.trades += r.trades;
      t.wins += r.wins;
      t.net += r.net;
      cells.push(cell(r));
    }
    rows.push([file, ...cells]);
  }
  rows.push([`all ${files.length} files`, ...totals.map(cell)]);
  return markdownTable(["file", ...FILL_SETS.map((s) => s.name)], rows);
}

/** A Markdown table padded as `deno fmt` pads it, so that the README stays fmt-clean. */
function markdownTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  const rule = `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`;
  return [line(head), rule, ...rows.map(line)].join("\n") + "\n";
}

/** Marks of the generated block in README.md. */
export const BEGIN = "<!-- fills-table: bench/fills_table.ts --write -->";
/** End mark. */
export const END = "<!-- /fills-table -->";

/** The block between the marks of `text`, or undefined when the marks are missing. */
export function tableIn(text: string): string | undefined {
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  return a < 0 || b < a ? undefined : text.slice(a + BEGIN.length, b).trim() + "\n";
}

if (import.meta.main) {
  const table = await fillsTable();
  if (table === undefined) {
    console.error(`No shared tick files: ${fileURLToPath(SHARED_TICKS)} is absent`);
    Deno.exit(1);
  }
  console.log(table);
  if (Deno.args.includes("--write")) {
    const readme = new URL("../README.md", import.meta.url);
    const text = await Deno.readTextFile(readme);
    const a = text.indexOf(BEGIN);
    const b = text.indexOf(END);
    if (a < 0 || b < a) {
      console.error(`README.md has no ${BEGIN} ... ${END} block`);
      Deno.exit(1);
    }
    await Deno.writeTextFile(
      readme,
      text.slice(0, a + BEGIN.length) + "\n\n" + table + "\n" + text.slice(b),
    );
  }
}
