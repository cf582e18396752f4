/**
 * The sweep's ranked results: rows per combination (whole period, or in-sample and
 * out-of-sample side by side), printed as a table and written as CSV.
 *
 * @module
 */
import type { Figures } from "./results.ts";

/** One combination's row. */
export interface SweepRow {
  /** 1-based combination number (grid order). */
  combo: number;
  /** `[key, value]` per grid axis. */
  params: [string, string][];
  /** All files, or the in-sample files when split. */
  main: Figures;
  /** Out-of-sample files (split only). */
  oos?: Figures;
}

/** Best first: net P/L (in-sample when split), then profit factor, then grid order. */
export function rankRows(rows: readonly SweepRow[]): SweepRow[] {
  return [...rows].sort((a, b) =>
    b.main.report.netPnl - a.main.report.netPnl ||
    (b.main.report.profitFactor ?? -1) - (a.main.report.profitFactor ?? -1) ||
    a.combo - b.combo
  );
}

const money = (x: number) => x.toFixed(2);
const ratio = (x: number | null) => (x === null ? "-" : x.toFixed(2));
const pct = (x: number | null) => (x === null ? "-" : `${(x * 100).toFixed(1)}%`);

function cells(f: Figures): string[] {
  const r = f.report;
  return [
    money(r.netPnl),
    String(r.trades),
    pct(r.winRate),
    ratio(r.profitFactor),
    money(r.maxDrawdown),
    ratio(r.sharpe),
  ];
}

const FIGURE_HEADS = ["net P/L", "trades", "win", "PF", "max DD", "Sharpe"];

/**
 * The ranked rows as an aligned text table (at most `top` rows).
 *
 * @example
 * ```ts
 * formatTable([], 10).split("\n").length; // 1 (the header)
 * ```
 */
export function formatTable(ranked: readonly SweepRow[], top: number): string {
  const split = ranked.some((r) => r.oos !== undefined);
  const heads = [
    "#",
    "combination",
    ...(split ? FIGURE_HEADS.map((h) => `IS ${h}`) : FIGURE_HEADS),
  ];
  if (split) heads.push(...FIGURE_HEADS.map((h) => `OOS ${h}`));
  const body = ranked.slice(0, top).map((r) => [
    String(r.combo),
    r.params.map(([k, v]) => `${k.slice(k.lastIndexOf(".") + 1)}=${v}`).join(" "),
    ...cells(r.main),
    ...(r.oos === undefined ? [] : cells(r.oos)),
  ]);
  const widths = heads.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    row.map((c, i) => (i === 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ")
      .trimEnd();
  const lines = [line(heads), ...body.map(line)];
  if (ranked.length > top) lines.push(`(${ranked.length - top} more rows: see --out, or --top N)`);
  return lines.join("\n");
}

function csvCells(f: Figures | undefined): (string | number)[] {
  if (f === undefined) return [];
  const r = f.report;
  return [
    f.days,
    money(r.netPnl),
    r.trades,
    r.winRate ?? "",
    r.profitFactor ?? "",
    money(r.maxDrawdown),
    r.sharpe ?? "",
  ];
}

function csvField(v: string | number): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The ranked rows as CSV (one column per grid key, full-precision ratios). */
export function formatCsv(ranked: readonly SweepRow[]): string {
  const keys = ranked[0]?.params.map(([k]) => k) ?? [];
  const split = ranked.some((r) => r.oos !== undefined);
  const figs = ["days", "net_pnl", "trades", "win_rate", "profit_factor", "max_drawdown", "sharpe"];
  const head = [
    "rank",
    "combination",
    ...keys,
    ...(split ? [...figs.map((f) => `is_${f}`), ...figs.map((f) => `oos_${f}`)] : figs),
  ];
  const rows = ranked.map((r, i) => [
    i + 1,
    r.combo,
    ...r.params.map(([, v]) => v),
    ...csvCells(r.main),
    ...csvCells(r.oos),
  ]);
  return [head, ...rows].map((row) => row.map(csvField).join(",")).join("\n") + "\n";
}
