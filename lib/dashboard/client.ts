/**
 * The dashboard page's script, as text (the page inlines it; it runs in the browser, not in
 * Deno). It expects `TOKEN` and the global `LightweightCharts` (the standalone build).
 *
 * Sequence: load `/snapshot` (state as of update N), draw it, open `/events?after=N`; apply
 * each update numbered N+1, N+2, ... once. An update at or below the last applied number is a
 * repeat and is skipped; a jump past it, or a `reset`, reloads the snapshot. The browser's
 * own reconnect sends `Last-Event-ID`, so the server resumes right after the last update
 * received. `window.scalpbot` exposes the chart's data to tests.
 *
 * @module
 */

/** The client script (plain browser JavaScript). */
export const CLIENT_SCRIPT: string = String.raw`
"use strict";
(() => {
  const LC = window.LightweightCharts;
  const $ = (id) => document.getElementById(id);
  const q = (path) => path + (path.includes("?") ? "&" : "?") + "token=" + TOKEN;
  const COLORS = ["#f0883e", "#a371f7", "#e3b341", "#56d4dd"];
  // VWAP keeps its colour whichever EMAs the strategy draws.
  const colorOf = (keys, i) => keys[i] === "VWAP" ? "#58a6ff" :
    COLORS[keys.slice(0, i).filter((k) => k !== "VWAP").length % COLORS.length];
  let meta = null, seq = 0, offset = 0, es = null, syncing = false, resyncs = 0;
  let closed = [], forming = [], shown = [];
  const trades = new Map();
  let status = null, report = null;
  let priceDecimals = 2, fmtTime = null, fmtSeconds = null, fmtDay = null, fmtDateTime = null;
  // Axis labels in the exchange's zone; seconds only where the axis marks seconds.
  const tickMark = (t, type) => !fmtTime ? "" :
    (type === 4 ? fmtSeconds : type === 3 ? fmtTime : fmtDay).format(t * 1000);

  const levels = { stop: null, target: null, entry: null };
  const chart = LC.createChart($("chart"), {
    autoSize: true,
    layout: { background: { color: "#0d1117" }, textColor: "#c9d1d9", attributionLogo: false },
    grid: { vertLines: { color: "#161b22" }, horzLines: { color: "#161b22" } },
    rightPriceScale: { borderColor: "#30363d" },
    timeScale: { borderColor: "#30363d", timeVisible: true, secondsVisible: true,
      rightOffset: 8, maxBarSpacing: 24, tickMarkFormatter: tickMark },
    localization: { timeFormatter: (t) => fmtDateTime ? fmtDateTime.format(t * 1000) : String(t) },
    crosshair: { mode: LC.CrosshairMode.Normal },
  });
  const candles = chart.addSeries(LC.CandlestickSeries, {
    upColor: "#3fb950", downColor: "#f85149", wickUpColor: "#3fb950", wickDownColor: "#f85149",
    borderVisible: false,
    // The stop and target stay in view even when the candles have not reached them.
    autoscaleInfoProvider: (original) => {
      const r = original();
      const extra = [levels.stop, levels.target].filter((l) => l !== null).map((l) => l.options().price);
      if (r === null || extra.length === 0) return r;
      const p = r.priceRange;
      return { ...r, priceRange: { minValue: Math.min(p.minValue, ...extra), maxValue: Math.max(p.maxValue, ...extra) } };
    },
  });
  const markers = LC.createSeriesMarkers(candles, []);
  let lines = [];

  const num = (v, d) => v === null || v === undefined || !isFinite(v) ? "-" : v.toFixed(d);
  const price = (v) => num(v, priceDecimals);
  const money = (v) => v === null || v === undefined ? "-" :
    (v < 0 ? "-" : v > 0 ? "+" : "") + Math.abs(v).toFixed(2) + " " + (meta ? meta.currency : "");
  const signClass = (v) => v > 0 ? "pos" : v < 0 ? "neg" : "";
  const barTime = (ms) => Math.floor(ms / meta.barMs) * meta.barMs / 1000;
  const toBar = (c) => ({ time: c.start / 1000, open: c.open, high: c.high, low: c.low, close: c.close });

  function setMeta(m) {
    meta = m;
    priceDecimals = Math.max(0, (String(m.tickSize).split(".")[1] || "").length);
    const zone = { timeZone: m.timeZone, hour12: false };
    fmtTime = new Intl.DateTimeFormat("en-GB", { ...zone, hour: "2-digit", minute: "2-digit" });
    fmtSeconds = new Intl.DateTimeFormat("en-GB", { ...zone, hour: "2-digit", minute: "2-digit",
      second: "2-digit" });
    fmtDay = new Intl.DateTimeFormat("en-GB", { timeZone: m.timeZone, month: "short", day: "2-digit" });
    fmtDateTime = new Intl.DateTimeFormat("en-GB", { ...zone, month: "short", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit" });
    candles.applyOptions({ priceFormat: { type: "price", precision: priceDecimals, minMove: m.tickSize } });
    for (const l of lines) chart.removeSeries(l);
    lines = m.overlays.map((key, i) => chart.addSeries(LC.LineSeries, {
      color: colorOf(m.overlays, i), lineWidth: 1, priceLineVisible: false,
      lastValueVisible: false, crosshairMarkerVisible: false, title: key,
      priceFormat: { type: "price", precision: priceDecimals + 1, minMove: m.tickSize / 10 },
    }));
    $("legend").innerHTML = m.overlays.map((k, i) =>
      '<span style="color:' + colorOf(m.overlays, i) + '">' + k + "</span>").join("");
    $("title").textContent = "scalpbot " + m.symbol + " " + (m.barMs / 1000) + " s";
    $("run").textContent = m.runId ? "run " + m.runId + " · times " + m.timeZone : "waiting for the run";
  }

  /** Draws closed + forming candles; updates in place when only the tail changed. */
  function drawCandles() {
    const last = closed.length ? closed[closed.length - 1].start : -Infinity;
    const want = closed.concat(forming.filter((f) => f.start > last));
    let prefix = shown.length <= want.length;
    for (let i = Math.max(0, shown.length - 3); prefix && i < shown.length; i++) {
      if (shown[i].start !== want[i].start) prefix = false;
    }
    if (!prefix || shown.length < want.length - 50) {
      candles.setData(want.map(toBar));
    } else {
      for (let i = Math.max(0, shown.length - 3); i < want.length; i++) {
        const s = shown[i], w = want[i];
        if (s && s.open === w.open && s.high === w.high && s.low === w.low && s.close === w.close) continue;
        candles.update(toBar(w), i < shown.length - 1);
      }
    }
    shown = want.map((c) => ({ start: c.start, open: c.open, high: c.high, low: c.low, close: c.close }));
  }

  function drawOverlays(all) {
    lines.forEach((series, i) => {
      const pts = [];
      for (const c of all) if (c.overlays[i] !== null && c.overlays[i] !== undefined) {
        pts.push({ time: c.start / 1000, value: c.overlays[i] });
      }
      series.setData(pts);
    });
  }

  function addOverlayPoint(c) {
    lines.forEach((series, i) => {
      const v = c.overlays[i];
      if (v !== null && v !== undefined) series.update({ time: c.start / 1000, value: v });
    });
  }

  function drawMarkers() {
    const list = [];
    for (const t of trades.values()) {
      if (t.entryTime !== null) {
        const long = t.side === "LONG";
        list.push({ time: barTime(t.entryTime), position: long ? "belowBar" : "aboveBar",
          shape: long ? "arrowUp" : "arrowDown", color: long ? "#58a6ff" : "#e3b341",
          text: long ? "B" : "S", id: t.tradeId + ":entry" });
      }
      t.exits.forEach((x, i) => {
        list.push({ time: barTime(x.time), position: t.side === "LONG" ? "aboveBar" : "belowBar",
          shape: "circle", color: x.netPnl > 0 ? "#3fb950" : x.netPnl < 0 ? "#f85149" : "#8b949e",
          text: (x.netPnl > 0 ? "+" : "") + x.netPnl.toFixed(2), id: t.tradeId + ":exit" + i });
      });
    }
    list.sort((a, b) => a.time - b.time);
    markers.setMarkers(list);
  }

  function setLevel(name, value, color, style) {
    const line = levels[name];
    if (value === null) {
      if (line) candles.removePriceLine(line);
      levels[name] = null;
    } else if (line) {
      if (line.options().price !== value) line.applyOptions({ price: value });
    } else {
      levels[name] = candles.createPriceLine({ price: value, color, lineWidth: 1, lineStyle: style,
        axisLabelVisible: true, title: name });
    }
  }

  function drawStatus() {
    const s = status;
    if (!s) return;
    const pos = s.position;
    $("position").textContent = pos ? pos.side + " " + pos.qty + " @ " + price(pos.entryPrice) : "flat";
    $("position").className = "v " + (pos ? (pos.side === "LONG" ? "pos" : "neg") : "");
    $("open-pnl").textContent = pos ? money(s.openPnl) : "-";
    $("open-pnl").className = "v " + signClass(s.openPnl);
    $("closed-pnl").textContent = money(s.closedPnl);
    $("closed-pnl").className = "v " + signClass(s.closedPnl);
    $("last").textContent = price(s.lastPrice);
    $("stop").textContent = price(s.stop);
    $("target").textContent = price(s.target);
    const c = $("conn");
    c.textContent = s.connection;
    c.dataset.state = s.connection;
    c.className = "badge " + (s.connection === "connected" ? "ok" :
      s.connection === "syncing" || s.connection === "connecting" || s.connection === "idle" ? "warn" : "bad");
    setLevel("stop", s.stop, "#f85149", 2);
    setLevel("target", s.target, "#3fb950", 2);
    setLevel("entry", pos ? pos.entryPrice : null, "#8b949e", 1);
    drawAge();
  }

  function drawAge() {
    if (!status || status.lastTickWall === null) return;
    // Never below 0: the clock offset is only as good as the snapshot's round trip.
    const age = Math.max(0, (Date.now() + offset - status.lastTickWall) / 1000);
    $("age").textContent = age < 60 ? age.toFixed(1) + " s" : Math.round(age / 60) + " min";
  }

  function fmtClock(ms) {
    return ms === null ? "-" : fmtDateTime.format(ms).replace(/^\w+ \d+, /, "");
  }

  function drawTrades() {
    const rows = [...trades.values()].sort((a, b) => b.orderTime - a.orderTime).slice(0, 300);
    $("trades").tBodies[0].innerHTML = rows.map((t) =>
      '<tr class="' + (t.done ? "" : "open") + '" data-trade="' + t.tradeId + '"><td>' +
      t.tradeId.split("-").pop() + "</td><td>" + t.side + "</td><td>" + t.filled + "</td><td>" +
      fmtClock(t.entryTime) + "</td><td>" + price(t.entryPrice) + "</td><td>" +
      (t.done || t.exits.length ? fmtClock(t.exitTime) : "") + "</td><td>" + price(t.exitPrice) + "</td><td>" +
      (t.reason || (t.filled ? "open" : "working")) + '</td><td class="' + signClass(t.netPnl) + '">' +
      (t.exits.length ? money(t.netPnl) : "-") + "</td></tr>").join("");
    $("trades-count").textContent = String(report ? report.trades : 0);
  }

  function drawReport() {
    const r = report;
    if (!r) return;
    const pct = (v) => v === null ? "-" : (v * 100).toFixed(1) + " %";
    const hold = (ms) => ms === null ? "-" : ms < 60000 ? (ms / 1000).toFixed(0) + " s" : (ms / 60000).toFixed(1) + " min";
    const rows = [
      ["Trades", r.trades + " (" + r.wins + " W / " + r.losses + " L)"],
      ["Win rate", pct(r.winRate)], ["Net P/L", money(r.netPnl)], ["Gross P/L", money(r.grossPnl)],
      ["Commission", money(-r.commission)], ["Profit factor", num(r.profitFactor, 2)],
      ["Avg trade", money(r.avgTrade)], ["Avg win", money(r.avgWin)], ["Avg loss", money(r.avgLoss)],
      ["Largest win", money(r.largestWin)], ["Largest loss", money(r.largestLoss)],
      ["Max drawdown", money(r.maxDrawdown === 0 ? 0 : -r.maxDrawdown)], ["Avg hold", hold(r.avgHoldMs)],
    ];
    $("report").innerHTML = rows.map(([k, v]) => "<dt>" + k + "</dt><dd>" + v + "</dd>").join("");
    $("trades-count").textContent = String(r.trades);
  }

  function applySnapshot(s) {
    setMeta(s.meta);
    offset = s.serverTime - Date.now();
    seq = s.seq;
    closed = s.bars;
    forming = s.forming;
    shown = [];
    candles.setData([]);
    drawCandles();
    drawOverlays(closed);
    // A short session fills the width; a long one opens on its latest bars.
    if (closed.length < 150) chart.timeScale().fitContent();
    else chart.timeScale().scrollToRealTime();
    trades.clear();
    for (const t of s.trades) trades.set(t.tradeId, t);
    status = s.status;
    report = s.report;
    drawMarkers();
    drawTrades();
    drawReport();
    drawStatus();
  }

  function apply(u) {
    switch (u.type) {
      case "bar": {
        const last = closed.length ? closed[closed.length - 1].start : -Infinity;
        if (u.candle.start <= last) return; // already drawn (never expected)
        closed.push(u.candle);
        forming = forming.filter((f) => f.start > u.candle.start);
        drawCandles();
        addOverlayPoint(u.candle);
        return;
      }
      case "forming": forming = u.candles; drawCandles(); return;
      case "trade": trades.set(u.trade.tradeId, u.trade); drawMarkers(); drawTrades(); return;
      case "status": status = u.status; drawStatus(); return;
      case "report": report = u.report; drawReport(); return;
    }
  }

  function setLink(state) {
    const l = $("link");
    l.textContent = state;
    l.dataset.state = state;
    l.className = "badge " + (state === "live" ? "ok" : state === "offline" ? "bad" : "warn");
  }

  async function resync() {
    if (syncing) return;
    syncing = true;
    resyncs++;
    if (es) { es.close(); es = null; }
    setLink("loading");
    try {
      const r = await fetch(q("snapshot"), { cache: "no-store" });
      if (!r.ok) throw new Error("snapshot: HTTP " + r.status);
      applySnapshot(await r.json());
      openStream();
    } catch (e) {
      setLink("offline");
      setTimeout(resync, 2000);
    } finally {
      syncing = false;
    }
  }

  function openStream() {
    es = new EventSource(q("events?after=" + seq));
    es.onopen = () => setLink("live");
    es.onerror = () => setLink(es && es.readyState === EventSource.CLOSED ? "offline" : "reconnecting");
    es.onmessage = (ev) => {
      const u = JSON.parse(ev.data);
      if (u.type === "reset") { resync(); return; }
      if (u.seq <= seq) return;
      if (u.seq !== seq + 1) { resync(); return; }
      apply(u);
      seq = u.seq;
    };
  }

  setInterval(drawAge, 250);
  window.scalpbot = {
    candles: () => candles.data().map((b) => ({ ...b })),
    overlays: () => lines.map((l) => l.data().map((p) => ({ ...p }))),
    markers: () => markers.markers().map((m) => ({ ...m })),
    levels: () => ({ stop: levels.stop ? levels.stop.options().price : null,
      target: levels.target ? levels.target.options().price : null }),
    seq: () => seq,
    resyncs: () => resyncs,
    meta: () => meta,
  };
  resync();
})();
`;
