/**
 * `sweep --html`: the ranked results as one self-contained page (no chart library: a table
 * sortable by any column, the grid values as columns, in-sample and out-of-sample side by
 * side). Like the report page, a Content-Security-Policy forbids every request.
 *
 * @module
 */
import type { Report } from "../report.ts";
import { escapeHtml, PAGE_STYLE } from "./style.ts";

/** One combination's figures (the shape of the sweep's rows). */
export interface SweepPageFigures {
  /** Files (days) run. */
  days: number;
  /** The report over those days. */
  report: Report;
}

/** One combination, as ranked by the sweep. */
export interface SweepPageRow {
  /** 1-based combination number (grid order). */
  combo: number;
  /** `[key, value]` per grid axis. */
  params: [string, string][];
  /** All days, or the in-sample days when split. */
  main: SweepPageFigures;
  /** Out-of-sample days (split only). */
  oos?: SweepPageFigures;
}

/** Figures shown per set, in order: heading, report key. */
const FIGURES: [string, keyof Report | "days"][] = [
  ["days", "days"],
  ["net P/L", "netPnl"],
  ["trades", "trades"],
  ["win rate", "winRate"],
  ["profit factor", "profitFactor"],
  ["max DD", "maxDrawdown"],
  ["Sharpe", "sharpe"],
  ["avg trade", "avgTrade"],
  ["commission", "commission"],
];

function figures(f: SweepPageFigures | undefined): (number | null)[] {
  if (f === undefined) return [];
  return FIGURES.map(([, k]) => (k === "days" ? f.days : f.report[k] as number | null));
}

/**
 * The page of `ranked` (best first), titled `title`; `note` says what was swept and how it is
 * ranked.
 *
 * @example
 * ```ts
 * renderSweepPage([], "sweep", "").includes("<table"); // true
 * ```
 */
export function renderSweepPage(
  ranked: readonly SweepPageRow[],
  title: string,
  note: string,
): string {
  const keys = ranked[0]?.params.map(([k]) => k) ?? [];
  const split = ranked.some((r) => r.oos !== undefined);
  const heads = [
    "rank",
    "combination",
    ...keys,
    ...FIGURES.map(([h]) => (split ? `IS ${h}` : h)),
    ...(split ? FIGURES.map(([h]) => `OOS ${h}`) : []),
  ];
  const rows = ranked.map((r, i) => [
    i + 1,
    r.combo,
    ...r.params.map(([, v]) => v),
    ...figures(r.main),
    ...figures(r.oos),
  ]);
  // Kinds per column: which are numbers (sorted as numbers) and how they print.
  const kinds = heads.map((h, i) => {
    if (i < 2) return "int";
    if (i < 2 + keys.length) return "text";
    const name = h.replace(/^(IS|OOS) /, "");
    if (name === "win rate") return "pct";
    if (name === "days" || name === "trades") return "int";
    return "num";
  });
  const json = JSON.stringify({ heads, kinds, rows }).replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>${PAGE_STYLE}
#trades td.text, #trades th.text { text-align: left; }
</style>
</head>
<body>
<header><h1>${escapeHtml(title)}</h1><div id="meta">${escapeHtml(note)}</div></header>
<main>
  <section>
    <h2>Combinations (${ranked.length})</h2>
    <p class="note">Ranked by net P/L${
    split ? " in sample" : ""
  }, then profit factor. Click a column header to sort; again to reverse.</p>
    <div class="table-wrap"><table id="trades" class="results"><thead></thead><tbody></tbody></table></div>
  </section>
</main>
<script id="sweep-data" type="application/json">${json}</script>
<script>${SWEEP_SCRIPT}</script>
</body>
</html>
`;
}

/** The page script: draws the table, sorts it on a header click. */
const SWEEP_SCRIPT = String.raw`
(function () {
  "use strict";
  var d = JSON.parse(document.getElementById("sweep-data").textContent);
  var table = document.getElementById("trades");
  var sort = { col: 0, dir: 1 };
  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
  }
  function text(v, kind) {
    if (v === null || v === undefined) return "-";
    if (kind === "pct") return (v * 100).toFixed(1) + "%";
    if (kind === "num") return v.toFixed(2);
    return String(v);
  }
  function draw() {
    var rows = d.rows.map(function (r, i) { return [r, i]; });
    var c = sort.col, dir = sort.dir;
    rows.sort(function (a, b) {
      var x = a[0][c], y = b[0][c];
      if (x === y) return a[1] - b[1];
      if (x === null) return 1;
      if (y === null) return -1;
      return (x < y ? -1 : 1) * dir;
    });
    table.tBodies[0].innerHTML = rows.map(function (r) {
      return "<tr>" + r[0].map(function (v, i) {
        var k = d.kinds[i], cls = k === "text" ? "text" : "";
        if (d.heads[i].indexOf("net P/L") >= 0 && v !== null) cls += v > 0 ? " pos" : v < 0 ? " neg" : "";
        return "<td class=\"" + cls + "\">" + esc(text(v, k)) + "</td>";
      }).join("") + "</tr>";
    }).join("");
    var ths = table.tHead.rows[0].cells;
    for (var h = 0; h < ths.length; h++) {
      if (h === c) ths[h].setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
      else ths[h].removeAttribute("aria-sort");
    }
  }
  table.tHead.innerHTML = "<tr>" + d.heads.map(function (h, i) {
    return "<th class=\"" + (d.kinds[i] === "text" ? "text" : "") + "\" data-col=\"" + i + "\">" +
      esc(h) + "</th>";
  }).join("") + "</tr>";
  table.tHead.addEventListener("click", function (ev) {
    var th = ev.target.closest("th");
    if (!th) return;
    var col = Number(th.getAttribute("data-col"));
    sort = { col: col, dir: sort.col === col ? -sort.dir : 1 };
    draw();
  });
  draw();
  document.body.setAttribute("data-ready", "1");
})();
`;
