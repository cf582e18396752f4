/**
 * The HTML report's page script (plain ES5-style JavaScript, inlined in the page): reads the
 * embedded data, fills the run picker and draws the run's charts and tables with
 * lightweight-charts. Sets `document.body.dataset.ready` once every chart has drawn.
 *
 * @module
 */

/** The page script. Written without template literals so it can live in this string. */
export const CLIENT_SCRIPT: string = String.raw`
(function () {
  "use strict";
  var startMs = performance.now();
  var LC = window.LightweightCharts;
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var parsedMs = performance.now();
  var charts = [];
  // Marker kinds by number (series.ts MARK_KINDS): long, short entry; winning, losing exit.
  var KIND_COLORS = ["#1565c0", "#ef6c00", "#2e7d32", "#c62828"];
  var KIND_SHAPES = ["arrowUp", "arrowDown", "circle", "circle"];
  var KIND_POSITIONS = ["atPriceBottom", "atPriceTop", "atPriceMiddle", "atPriceMiddle"];
  var COLUMNS = [
    ["#", "n", function (r, i) { return i + 1; }],
    ["ID", "t", function (r) { return r[0]; }],
    ["Side", "t", function (r) { return r[1]; }],
    ["Qty", "n", function (r) { return r[2]; }],
    ["Entry time", "w", function (r) { return r[4]; }, function (r) { return r[3]; }],
    ["Entry", "p", function (r) { return r[5]; }],
    ["Stop", "p", function (r) { return r[6]; }],
    ["Target", "p", function (r) { return r[7]; }],
    ["Exit time", "w", function (r) { return r[9]; }, function (r) { return r[8]; }],
    ["Exit", "p", function (r) { return r[10]; }],
    ["Reason", "t", function (r) { return r[11]; }],
    ["By", "t", function (r) { return r[12]; }],
    ["Points", "p", function (r) { return r[13]; }],
    ["Gross", "m", function (r) { return r[14]; }],
    ["Comm.", "m", function (r) { return r[15]; }],
    ["Net", "m", function (r) { return r[16]; }],
    ["R", "r", function (r) { return r[17]; }],
    ["MAE", "p", function (r) { return r[18]; }],
    ["MFE", "p", function (r) { return r[19]; }],
    ["Hold s", "h", function (r) { return r[20]; }]
  ];
  var sortState = { col: 0, dir: 1 };
  var MAX_MARKS_IN_VIEW = 4000;
  var OPEN_SPAN = 2000;
  // What the charts hold, for tests and for anyone poking at the page from the console.
  var hooks = window.scalpbotReport = {
    data: data, series: {}, startMs: Math.round(startMs), parseMs: Math.round(parsedMs - startMs)
  };
  var current = null;

  function $(id) { return document.getElementById(id); }
  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
  }
  function money(x) { return x === null || x === undefined ? "n/a" : x.toFixed(2); }
  function signClass(x) { return x > 0 ? "pos" : x < 0 ? "neg" : ""; }

  function baseOptions(extra) {
    var o = {
      autoSize: true,
      // The attribution the library's licence asks for is in the page's footer instead (the
      // logo covered bars in the small charts).
      layout: { background: { color: "#ffffff" }, textColor: "#1f2328", fontSize: 12, attributionLogo: false },
      grid: { vertLines: { color: "#eef1f4" }, horzLines: { color: "#eef1f4" } },
      rightPriceScale: { borderColor: "#d0d7de" },
      // A small minimum spacing lets fitContent show a whole long run, not its last days.
      timeScale: { borderColor: "#d0d7de", timeVisible: true, secondsVisible: false, minBarSpacing: 0.02 }
    };
    for (var k in extra) o[k] = extra[k];
    return o;
  }
  function line(points) {
    var out = new Array(points.t.length);
    for (var i = 0; i < points.t.length; i++) {
      out[i] = { time: points.t[i], value: points.v[i] };
      // With steps, a point's colour paints the flat line leaving it and the step into it.
      if (points.on && !points.on[i]) out[i].color = "rgba(0,0,0,0)";
    }
    return out;
  }
  function showEmpty(el, text) {
    el.innerHTML = "<p class=\"note\">" + esc(text) + "</p>";
    el.style.height = "auto";
  }

  function drawPrice(run) {
    var s = run.series;
    var el = $("price-chart");
    $("candle-note").textContent = s.candleNote;
    if (!s.candles && !s.fills) { showEmpty(el, "Nothing to draw: no bars and no trades."); return; }
    el.style.height = "";
    var chart = LC.createChart(el, baseOptions({}));
    charts.push(chart);
    var fmt = { type: "price", precision: run.decimals, minMove: run.tickSize || Math.pow(10, -run.decimals) };
    var host;
    if (s.candles) {
      var c = s.candles, bars = new Array(c.t.length);
      for (var i = 0; i < c.t.length; i++) bars[i] = { time: c.t[i], open: c.o[i], high: c.h[i], low: c.l[i], close: c.c[i] };
      host = chart.addSeries(LC.CandlestickSeries, {
        priceFormat: fmt, upColor: "#26a69a", downColor: "#ef5350", borderVisible: false,
        wickUpColor: "#26a69a", wickDownColor: "#ef5350"
      });
      host.setData(bars);
      hooks.series.candles = host;
    } else {
      host = chart.addSeries(LC.LineSeries, {
        priceFormat: fmt, color: "#8c959f", lineWidth: 1, lastValueVisible: false, priceLineVisible: false
      });
      host.setData(line(s.fills));
      hooks.series.fills = host;
    }
    var levelOptions = { priceFormat: fmt, lineWidth: 1, lineType: 1, lastValueVisible: false,
      priceLineVisible: false, crosshairMarkerVisible: false };
    var stop = chart.addSeries(LC.LineSeries, Object.assign({ color: "#c62828" }, levelOptions));
    stop.setData(line(s.stop));
    var target = chart.addSeries(LC.LineSeries, Object.assign({ color: "#2e7d32", lineStyle: 2 }, levelOptions));
    target.setData(line(s.target));
    var m = s.marks, marks = new Array(m.t.length);
    for (var j = 0; j < m.t.length; j++) {
      var k = m.k[j];
      marks[j] = {
        time: m.t[j], price: m.p[j], color: KIND_COLORS[k], shape: KIND_SHAPES[k],
        position: KIND_POSITIONS[k],
        size: m.t.length > 2000 ? 0.6 : 1
      };
    }
    hooks.series.stop = stop;
    hooks.series.target = target;
    hooks.series.markers = LC.createSeriesMarkers(host, marks);
    chart.timeScale().fitContent();
    // Thousands of markers on screen take seconds to paint: a busy run opens on its last part.
    var range = chart.timeScale().getVisibleLogicalRange();
    if (marks.length > MAX_MARKS_IN_VIEW && range && range.to > OPEN_SPAN) {
      chart.timeScale().setVisibleLogicalRange({ from: range.to - OPEN_SPAN, to: range.to });
      $("candle-note").textContent = s.candleNote + " The chart opens on its last " +
        OPEN_SPAN.toLocaleString("en-US") + " of " + Math.round(range.to + 1).toLocaleString("en-US") +
        " time points (" + marks.length.toLocaleString("en-US") +
        " markers take seconds to draw at once): drag it or zoom out with the wheel for the rest.";
    }
  }

  function drawEquity(run) {
    var s = run.series, el = $("equity-chart");
    if (s.equity.t.length === 0) { showEmpty(el, "No closed trades."); return; }
    el.style.height = "";
    var chart = LC.createChart(el, baseOptions({}));
    charts.push(chart);
    var eq = chart.addSeries(LC.BaselineSeries, {
      baseValue: { type: "price", price: 0 }, lineWidth: 2, priceLineVisible: false,
      topLineColor: "#1a7f37", bottomLineColor: "#cf222e",
      topFillColor1: "rgba(26,127,55,0.18)", topFillColor2: "rgba(26,127,55,0.02)",
      bottomFillColor1: "rgba(207,34,46,0.02)", bottomFillColor2: "rgba(207,34,46,0.18)"
    });
    eq.setData(line(s.equity));
    var dd = chart.addSeries(LC.AreaSeries, {
      lineColor: "#cf222e", topColor: "rgba(207,34,46,0.35)", bottomColor: "rgba(207,34,46,0.05)",
      lineWidth: 1, priceLineVisible: false, invertFilledArea: true
    }, 1);
    dd.setData(line(s.drawdown));
    hooks.series.equity = eq;
    hooks.series.drawdown = dd;
    var panes = chart.panes();
    if (panes.length > 1) panes[1].setHeight(90);
    chart.timeScale().fitContent();
  }

  function barChart(el, items, empty, label) {
    if (items.length === 0) { showEmpty(el, empty); return; }
    el.style.height = "";
    var chart = LC.createOptionsChart(el, baseOptions({
      timeScale: { borderColor: "#d0d7de", tickMarkFormatter: label },
      localization: { timeFormatter: label }
    }));
    charts.push(chart);
    var h = chart.addSeries(LC.HistogramSeries, { priceLineVisible: false, lastValueVisible: false });
    h.setData(items);
    chart.timeScale().fitContent();
  }

  function drawDays(run) {
    var d = run.series.days, el = $("day-chart");
    if (d.date.length === 0) { showEmpty(el, "No closed trades."); return; }
    el.style.height = "";
    var chart = LC.createChart(el, baseOptions({ timeScale: { borderColor: "#d0d7de" } }));
    charts.push(chart);
    var h = chart.addSeries(LC.HistogramSeries, { priceLineVisible: false, lastValueVisible: false });
    var items = [];
    for (var i = 0; i < d.date.length; i++) {
      items.push({ time: d.date[i], value: d.net[i], color: d.net[i] >= 0 ? "#2e7d32" : "#c62828" });
    }
    h.setData(items);
    chart.timeScale().fitContent();
  }

  function drawHours(run) {
    var d = run.series.hours, items = [];
    for (var i = 0; i < d.hour.length; i++) {
      items.push({ time: d.hour[i], value: d.net[i], color: d.net[i] >= 0 ? "#2e7d32" : "#c62828" });
    }
    barChart($("hour-chart"), items, "No closed trades.", function (h) {
      return (h < 10 ? "0" : "") + Math.round(h) + ":00";
    });
  }

  function drawHistogram(run) {
    var d = run.series.histogram, items = [], mids = [];
    for (var i = 0; i < d.count.length; i++) {
      var mid = (d.from[i] + d.to[i]) / 2;
      mids.push(mid);
      items.push({ time: mid, value: d.count[i],
        color: d.to[i] <= 0 ? "#c62828" : d.from[i] >= 0 ? "#2e7d32" : "#8c959f" });
    }
    barChart($("hist-chart"), items, "No closed trades.", function (x) {
      return Math.abs(x) >= 1000 ? x.toFixed(0) : x.toFixed(2);
    });
  }

  function drawSummary(run) {
    var m = run.metrics;
    var cards = [
      ["Net P/L", money(m.netPnl) + " " + (m.currency || ""), signClass(m.netPnl)],
      ["Trades", m.trades.toLocaleString("en-US"), ""],
      ["Win rate", m.winRate === null ? "n/a" : (m.winRate * 100).toFixed(1) + "%", ""],
      ["Profit factor", m.profitFactor === null ? "n/a" : m.profitFactor.toFixed(2), ""],
      ["Max drawdown", money(m.maxDrawdown), m.maxDrawdown > 0 ? "neg" : ""],
      ["Expectancy", money(m.expectancy), signClass(m.expectancy)],
      ["Sharpe", m.sharpe === null ? "n/a" : m.sharpe.toFixed(2), ""]
    ];
    $("summary").innerHTML = cards.map(function (c) {
      return "<div class=\"card\"><div class=\"k\">" + esc(c[0]) + "</div><div class=\"v " + c[2] +
        "\">" + esc(c[1]) + "</div></div>";
    }).join("");
  }

  function drawMetrics(run) {
    // The text report's block: "Label:   value" lines, then (after a blank line) the day table.
    var blocks = run.text.split("\n\n");
    $("metrics").innerHTML = blocks[0].split("\n").map(function (l) {
      var i = l.indexOf(":");
      return "<tr><th>" + esc(l.slice(0, i)) + "</th><td>" + esc(l.slice(i + 1).trim()) + "</td></tr>";
    }).join("");
    var days = run.metrics.byDay;
    $("day-table").innerHTML = days.length === 0 ? "" :
      "<thead><tr><th>Day</th><th>Trades</th><th>Net P/L</th><th>Win rate</th><th>Max DD</th></tr></thead><tbody>" +
      days.map(function (d) {
        return "<tr><td>" + esc(d.date) + "</td><td>" + d.trades + "</td><td class=\"" + signClass(d.netPnl) +
          "\">" + d.netPnl.toFixed(2) + "</td><td>" + (d.winRate * 100).toFixed(1) + "%</td><td>" +
          d.maxDrawdown.toFixed(2) + "</td></tr>";
      }).join("") + "</tbody>";
    $("metrics-json").textContent = JSON.stringify(run.metrics, null, 2);
  }

  // A wall-time ms (exchange time labelled UTC) as yyyy-mm-dd hh:mm:ss, .mmm when not whole.
  function wallText(ms) {
    var iso = new Date(ms).toISOString();
    return iso.slice(0, 10) + " " + iso.slice(11, ms % 1000 === 0 ? 19 : 23);
  }

  function cell(col, r, i, dec) {
    var v = col[2](r, i);
    if (v === null || v === undefined) return "";
    switch (col[1]) {
      // On the tick grid with the tick's decimals, else every digit (an average entry).
      case "p": return Number(v.toFixed(dec)) === v ? v.toFixed(dec) : String(v);
      case "m": return v.toFixed(2);
      case "r": return v.toFixed(2);
      case "h": return v.toFixed(1);
      case "w": return wallText(v);
      default: return String(v);
    }
  }

  // Sorted once per click; a page of rows drawn at a time (10,000 rows take seconds to lay out).
  var sorted = [];
  var pageState = { size: 500, page: 0 };

  function sortTrades() {
    var rows = current.trades.map(function (r, i) { return [r, i]; });
    var col = COLUMNS[sortState.col], key = col[3] || col[2], dir = sortState.dir;
    rows.sort(function (a, b) {
      var x = key(a[0], a[1]), y = key(b[0], b[1]);
      if (x === y) return a[1] - b[1];
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      return (x < y ? -1 : 1) * dir;
    });
    sorted = rows;
    pageState.page = 0;
    var ths = $("trades").tHead.rows[0].cells;
    for (var h = 0; h < ths.length; h++) {
      if (h === sortState.col) ths[h].setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
      else ths[h].removeAttribute("aria-sort");
    }
  }

  function drawTrades() {
    var run = current, size = pageState.size > 0 ? pageState.size : sorted.length || 1;
    var pages = Math.max(1, Math.ceil(sorted.length / size));
    if (pageState.page >= pages) pageState.page = pages - 1;
    var from = pageState.page * size, to = Math.min(sorted.length, from + size);
    var html = new Array(to - from);
    for (var i = from; i < to; i++) {
      var r = sorted[i][0], n = sorted[i][1], cells = "";
      for (var c = 0; c < COLUMNS.length; c++) {
        var cl = COLUMNS[c][1] === "t" || COLUMNS[c][1] === "w" ? "t" : c === 15 ? "m " + signClass(r[16]) : "";
        cells += "<td class=\"" + cl + "\">" + esc(cell(COLUMNS[c], r, n, run.decimals)) + "</td>";
      }
      html[i - from] = "<tr>" + cells + "</tr>";
    }
    $("trades").tBodies[0].innerHTML = html.join("");
    $("page-info").textContent = sorted.length === 0 ? "no trades" :
      "rows " + (from + 1).toLocaleString("en-US") + "\u2013" + to.toLocaleString("en-US") + " of " +
      sorted.length.toLocaleString("en-US");
    $("page-prev").disabled = pageState.page === 0;
    $("page-next").disabled = pageState.page >= pages - 1;
  }

  function sortAndDraw() {
    sortTrades();
    drawTrades();
  }

  function buildTradeHead() {
    $("trades").tHead.innerHTML = "<tr>" + COLUMNS.map(function (c, i) {
      return "<th class=\"" + (c[1] === "t" || c[1] === "w" ? "t" : "") + "\" data-col=\"" + i + "\">" + esc(c[0]) + "</th>";
    }).join("") + "</tr>";
    $("trades").tHead.addEventListener("click", function (ev) {
      var th = ev.target.closest("th");
      if (!th) return;
      var col = Number(th.getAttribute("data-col"));
      sortState = { col: col, dir: sortState.col === col ? -sortState.dir : 1 };
      sortAndDraw();
    });
    $("page-size").addEventListener("change", function () {
      pageState.size = Number($("page-size").value);
      pageState.page = 0;
      drawTrades();
    });
    $("page-prev").addEventListener("click", function () { pageState.page--; drawTrades(); });
    $("page-next").addEventListener("click", function () { pageState.page++; drawTrades(); });
  }

  function render(run) {
    while (charts.length > 0) charts.pop().remove();
    hooks.series = {};
    hooks.run = run.id;
    current = run;
    sortState = { col: 0, dir: 1 };
    // All rows when few; pages of 500 past 1,000.
    pageState.size = run.trades.length > 1000 ? 500 : 0;
    $("page-size").value = String(pageState.size);
    var meta = [];
    if (run.symbol) meta.push(run.symbol);
    if (run.source) meta.push("source " + run.source);
    meta.push("times in " + data.timeZone);
    $("meta").textContent = meta.join(" \u00b7 ");
    var cur = document.querySelectorAll(".currency");
    for (var i = 0; i < cur.length; i++) cur[i].textContent = run.currency || "";
    $("trade-count").textContent = "(" + run.trades.length.toLocaleString("en-US") + ")";
    // Each part's time (ms) in scalpbotReport.timings: where a slow page spends it.
    hooks.timings = {};
    var parts = [drawSummary, drawMetrics, sortAndDraw, drawPrice, drawEquity, drawDays, drawHours, drawHistogram];
    for (var p = 0; p < parts.length; p++) {
      var t0 = performance.now();
      parts[p](run);
      hooks.timings[parts[p].name] = Math.round(performance.now() - t0);
    }
  }

  function markReady() {
    document.body.removeAttribute("data-ready");
    // Charts paint on the next animation frame: two frames later every one has drawn.
    requestAnimationFrame(function () {
      requestAnimationFrame(function () {
        // Since the navigation started: what "the page opened in" means.
        hooks.readyMs = Math.round(performance.now());
        document.body.setAttribute("data-ready", current ? current.id : "-");
      });
    });
  }

  $("footer-written").textContent = "Written by scalpbot at " + data.generatedAt + " (" + data.schema + "). ";
  var picker = $("run-picker");
  if (data.runs.length === 0) {
    $("empty").hidden = false;
    $("run-label").hidden = true;
    markReady();
    return;
  }
  data.runs.forEach(function (r, i) {
    var o = document.createElement("option");
    o.value = String(i);
    o.textContent = r.label;
    picker.appendChild(o);
  });
  if (data.runs.length === 1) picker.disabled = true;
  picker.addEventListener("change", function () {
    render(data.runs[Number(picker.value)]);
    markReady();
  });
  buildTradeHead();
  render(data.runs[0]);
  hooks.scriptMs = Math.round(performance.now() - startMs);
  markReady();
})();
`;
