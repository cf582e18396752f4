/**
 * The HTML report page: one self-contained file with the data as JSON, the chart library and
 * the page script inlined. A Content-Security-Policy forbids every fetch, so the page works
 * offline and cannot leak anything when opened.
 *
 * @module
 */
import type { HtmlReportData } from "./model.ts";
import { CLIENT_SCRIPT } from "./client.ts";
import { escapeHtml, PAGE_STYLE } from "./style.ts";

/** Text safe inside a `<script>` element: no `</script` or `<!--` can end or bend it. */
function scriptSafe(text: string): string {
  return text.replace(/<(\/script|!--)/gi, "<\\$1");
}

/**
 * The page for `data`, with `chartLibrary` (the standalone lightweight-charts build) inlined.
 *
 * @example
 * ```ts
 * const html = renderHtmlReport(
 *   { schema: "scalpbot.html/1", title: "t", generatedAt: "", timeZone: "UTC", runs: [] },
 *   "window.LightweightCharts = {};",
 * );
 * html.startsWith("<!doctype html>"); // true
 * ```
 */
export function renderHtmlReport(data: HtmlReportData, chartLibrary: string): string {
  // JSON with `<` escaped cannot close its script element, whatever a run id or path holds.
  const json = JSON.stringify(data).replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(data.title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<header>
  <h1 id="title">${escapeHtml(data.title)}</h1>
  <label id="run-label">Run <select id="run-picker"></select></label>
  <div id="meta"></div>
</header>
<main>
  <p id="empty" class="note" hidden>The journal holds no events.</p>
  <section id="summary" class="cards"></section>
  <section>
    <h2>Price, entries and exits</h2>
    <p id="candle-note" class="note"></p>
    <div id="price-chart" class="chart tall"></div>
    <p class="legend"><span class="key long">&#9650;</span> long entry
      <span class="key short">&#9660;</span> short entry
      <span class="key win">&#9679;</span> winning exit
      <span class="key loss">&#9679;</span> losing exit
      <span class="key stop">&#9472;</span> stop
      <span class="key target">&#9472;</span> target</p>
  </section>
  <section>
    <h2>Equity and drawdown (closed trades, <span class="currency"></span>)</h2>
    <div id="equity-chart" class="chart"></div>
  </section>
  <div class="grid">
    <section>
      <h2>Net P/L per trading day</h2>
      <div id="day-chart" class="chart small"></div>
    </section>
    <section>
      <h2>Net P/L per hour of day <span class="sub">(by exit; 9 = 09:00&ndash;09:59)</span></h2>
      <div id="hour-chart" class="chart small"></div>
    </section>
    <section>
      <h2>Distribution of trade net P/L <span class="sub">(trades per bin; label: its middle)</span></h2>
      <div id="hist-chart" class="chart small"></div>
    </section>
  </div>
  <section>
    <h2>Metrics</h2>
    <div class="metrics-wrap">
      <table id="metrics"></table>
      <div class="day-wrap"><table id="day-table"></table></div>
    </div>
    <details><summary>The same figures as <code>--json</code></summary><pre id="metrics-json"></pre></details>
  </section>
  <section>
    <h2>Trades <span id="trade-count"></span></h2>
    <p class="note pager">Click a column header to sort; again to reverse.
      <label>Rows per page <select id="page-size"><option value="100">100</option>
        <option value="500">500</option><option value="1000">1,000</option>
        <option value="0">all</option></select></label>
      <button id="page-prev" type="button">&#8249; previous</button>
      <span id="page-info"></span>
      <button id="page-next" type="button">next &#8250;</button></p>
    <div class="table-wrap"><table id="trades"><thead></thead><tbody></tbody></table></div>
  </section>
  <footer id="footer"><span id="footer-written"></span>Charts:
    <a href="https://www.tradingview.com/lightweight-charts/">TradingView Lightweight Charts&trade;</a>,
    Copyright (c) TradingView, Inc., Apache License 2.0.</footer>
</main>
<script id="report-data" type="application/json">${json}</script>
<script>${scriptSafe(chartLibrary)}</script>
<script>${scriptSafe(CLIENT_SCRIPT)}</script>
</body>
</html>
`;
}
