/**
 * The dashboard page: one HTML document with its style and script inline; the chart library
 * comes from the same server. The script ({@linkcode CLIENT_SCRIPT}) loads the snapshot, draws
 * it, then follows the update stream from the snapshot's number.
 *
 * @module
 */
import { CLIENT_SCRIPT } from "./client.ts";

const STYLE = `
:root { color-scheme: dark; --bg: #0d1117; --panel: #161b22; --line: #30363d; --text: #c9d1d9;
  --dim: #8b949e; --green: #3fb950; --red: #f85149; --amber: #d29922; --blue: #58a6ff; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text);
  font: 13px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; }
header { display: flex; align-items: center; gap: 16px; padding: 8px 16px;
  border-bottom: 1px solid var(--line); background: var(--panel); }
header h1 { font-size: 15px; margin: 0; font-weight: 600; }
header .run { color: var(--dim); font-family: ui-monospace, monospace; font-size: 12px; }
header .spacer { flex: 1; }
.badge { padding: 2px 10px; border-radius: 10px; font-weight: 600; font-size: 12px;
  text-transform: uppercase; letter-spacing: .04em; border: 1px solid transparent; }
.badge.ok { background: #12361f; color: var(--green); border-color: #238636; }
.badge.warn { background: #3b2e0b; color: var(--amber); border-color: #9e6a03; }
.badge.bad { background: #3d1416; color: var(--red); border-color: #da3633; }
.muted { color: var(--dim); }
.cards { display: grid; grid-template-columns: repeat(7, minmax(110px, 1fr)); gap: 8px;
  padding: 10px 16px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 6px;
  padding: 6px 10px; }
.card .k { color: var(--dim); font-size: 11px; text-transform: uppercase; letter-spacing: .05em; }
.card .v { font-size: 17px; font-weight: 600; font-variant-numeric: tabular-nums;
  white-space: nowrap; }
.pos { color: var(--green); } .neg { color: var(--red); }
#chart { height: 460px; margin: 0 16px; border: 1px solid var(--line); border-radius: 6px;
  overflow: hidden; position: relative; }
.legend { position: absolute; left: 10px; top: 6px; z-index: 3; font-size: 12px;
  pointer-events: none; display: flex; gap: 12px; }
.bottom { display: grid; grid-template-columns: 2fr 1fr; gap: 12px; padding: 12px 16px; }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 6px;
  padding: 8px 10px; min-width: 0; }
section h2 { font-size: 12px; margin: 0 0 6px; color: var(--dim); text-transform: uppercase;
  letter-spacing: .05em; }
.scroll { max-height: 300px; overflow-y: auto; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 6px; text-align: right; white-space: nowrap; }
th { color: var(--dim); font-weight: 500; border-bottom: 1px solid var(--line);
  position: sticky; top: 0; background: var(--panel); }
td:first-child, th:first-child, td:nth-child(2), th:nth-child(2) { text-align: left; }
tr.open td { color: var(--blue); }
dl { display: grid; grid-template-columns: auto auto; gap: 3px 12px; margin: 0; }
dt { color: var(--dim); } dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums; }
`;

/**
 * The page, for the run's access token (put into the script's requests).
 *
 * @example
 * ```ts
 * pageHtml("0123abcd").includes("lightweight-charts.js?token=0123abcd"); // true
 * ```
 */
export function pageHtml(token: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) throw new RangeError(`bad dashboard token "${token}"`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>scalpbot</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1 id="title">scalpbot</h1>
  <span class="run" id="run"></span>
  <span class="spacer"></span>
  <span class="muted">last tick <b id="age">-</b></span>
  <span class="muted">TWS</span><span id="conn" class="badge warn" data-state="idle">idle</span>
  <span class="muted">page</span><span id="link" class="badge warn" data-state="loading">loading</span>
</header>
<div class="cards">
  <div class="card"><div class="k">Position</div><div class="v" id="position">-</div></div>
  <div class="card"><div class="k">Open P/L</div><div class="v" id="open-pnl">-</div></div>
  <div class="card"><div class="k">Closed P/L</div><div class="v" id="closed-pnl">-</div></div>
  <div class="card"><div class="k">Last</div><div class="v" id="last">-</div></div>
  <div class="card"><div class="k">Stop</div><div class="v neg" id="stop">-</div></div>
  <div class="card"><div class="k">Target</div><div class="v pos" id="target">-</div></div>
  <div class="card"><div class="k">Trades</div><div class="v" id="trades-count">0</div></div>
</div>
<div id="chart"><div class="legend" id="legend"></div></div>
<div class="bottom">
  <section><h2>Trades</h2><div class="scroll"><table id="trades">
    <thead><tr><th>Trade</th><th>Side</th><th>Qty</th><th>Entry time</th><th>Entry</th>
    <th>Exit time</th><th>Exit</th><th>Reason</th><th>Net P/L</th></tr></thead>
    <tbody></tbody></table></div></section>
  <section><h2>Report</h2><dl id="report"></dl></section>
</div>
<script src="lightweight-charts.js?token=${token}"></script>
<script>const TOKEN = ${JSON.stringify(token)};
${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}
