/**
 * The live dashboard (lib/dashboard, `--dashboard`): its state folded from engine events, its
 * server (token, snapshot, event stream resumed by Last-Event-ID), the flag and its
 * permissions. The page in a real browser: dashboard_browser_test.ts.
 */
import assert from "node:assert/strict";
import { DashboardState } from "../lib/dashboard/state.ts";
import type { DashboardUpdate } from "../lib/dashboard/types.ts";
import { startDashboard } from "../lib/dashboard/server.ts";
import { isLoopback, takeDashboardArgs } from "../lib/cli/dashboard.ts";
import { planPermissions } from "../lib/cli/permissions.ts";
import { UsageError } from "../lib/cli/usage_error.ts";
import { chartLibraryPath } from "../lib/report/html/assets.ts";
import type { Bar } from "../lib/types.ts";
import {
  bar,
  barEvent,
  CONFIG,
  EXIT,
  RUN,
  scriptedRun,
  T0,
  ticksEvent,
} from "./_dashboard_fixtures.ts";

Deno.test("DashboardState folds bars, overlays, the forming bar, a trade and its levels", () => {
  let wall = 1_000;
  const state = new DashboardState({ config: CONFIG, wallClock: () => wall });
  for (const e of scriptedRun()) state.apply(e);
  wall = 1_500;
  state.flush();
  const s = state.snapshot();
  assert.equal(s.meta.runId, "R1");
  assert.equal(s.meta.barMs, 30_000);
  // RSI is not on the price scale: EMA9 and VWAP only.
  assert.deepEqual(s.meta.overlays, ["EMA9", "VWAP"]);
  assert.deepEqual(s.bars.map((b) => [b.start, b.open, b.high, b.low, b.close, b.overlays]), [
    [T0, 5000, 5001, 4999.5, 5000.5, [null, 5000.25]],
    [T0 + 30_000, 5000.5, 5002, 5000, 5001.75, [5001.1, 5000.6]],
  ]);
  assert.deepEqual(s.forming.map((b) => [b.start, b.close]), [[T0 + 60_000, 5003]]);
  const t = s.trades[0]!;
  assert.equal(t.filled, 2);
  assert.equal(t.entryPrice, 5000.25);
  assert.equal(t.entryTime, T0 + 61_000);
  assert.equal(t.stop, 5000.25);
  assert.equal(t.target, 5010);
  // Long 2 from 5000.25, last 5003: 2.75 points x 2 x 5 USD = 27.50.
  assert.deepEqual(s.status.position, {
    tradeId: "R1-001",
    side: "LONG",
    qty: 2,
    entryPrice: 5000.25,
  });
  assert.equal(s.status.openPnl, 27.5);
  assert.equal(s.status.stop, 5000.25);
  assert.equal(s.status.target, 5010);
  assert.equal(s.status.lastPrice, 5003);
  assert.equal(s.status.lastTickWall, 1_000);
  state.apply(EXIT);
  state.flush();
  const after = state.snapshot();
  assert.equal(after.status.position, null);
  assert.equal(after.status.openPnl, 0);
  assert.equal(after.status.stop, null);
  assert.equal(after.status.closedPnl, 95.5);
  assert.deepEqual(after.trades[0]!.exits, [
    { time: T0 + 75_000, price: 5010, qty: 2, reason: "TARGET", netPnl: 95.5 },
  ]);
  assert.equal(after.trades[0]!.done, true);
  assert.equal(after.report.trades, 1);
  assert.equal(after.report.wins, 1);
  assert.equal(after.report.netPnl, 95.5);
  assert.equal(after.report.commission, 2);
});

Deno.test("DashboardState: a trade resumed from the journal shows as the position until its EXIT", () => {
  const state = new DashboardState({ config: CONFIG });
  state.apply(RUN);
  // The runner resumed R0-007 (no ENTRY in this run): short 1 at 5004.75, stop 5008, target 4999.
  state.seedTrade({
    tradeId: "R0-007",
    side: "SHORT",
    ordered: 1,
    filled: 1,
    entryPrice: 5004.75,
    entryTime: T0 - 600_000,
    stop: 5008,
    target: 4999,
  });
  state.apply(ticksEvent(T0 + 1000, 5003.5));
  state.flush();
  let s = state.snapshot().status;
  assert.deepEqual(s.position, { tradeId: "R0-007", side: "SHORT", qty: 1, entryPrice: 5004.75 });
  // Short from 5004.75 at 5003.50: 1.25 points x 1 x 5 USD = 6.25.
  assert.equal(s.openPnl, 6.25);
  assert.deepEqual([s.stop, s.target], [5008, 4999]);
  state.apply({
    kind: "STOP_MOVE",
    time: T0 + 2000,
    tradeId: "R0-007",
    old: 5008,
    price: 5005,
    reason: "TRAIL",
  });
  state.flush();
  assert.equal(state.snapshot().status.stop, 5005);
  state.apply({
    ...EXIT,
    tradeId: "R0-007",
    side: "SHORT",
    reason: "STOP",
    price: 5005,
    qty: 1,
    entryPrice: 5004.75,
    netPnl: -2.25,
  });
  state.flush();
  s = state.snapshot().status;
  assert.equal(s.position, null);
  assert.equal(s.closedPnl, -2.25);
  // An EXIT of a trade never seen at all (resumed and closed at once): its row from the EXIT.
  state.apply({ ...EXIT, tradeId: "R0-006", qty: 1, remaining: 1, entryPrice: 5001, netPnl: 3 });
  const row = state.snapshot().trades.find((t) => t.tradeId === "R0-006")!;
  assert.deepEqual(
    [row.side, row.filled, row.exited, row.entryPrice, row.entryTime, row.done],
    ["LONG", 2, 1, 5001, T0 + 61_000, false],
  );
});

Deno.test("DashboardState: the closed bar replaces the forming bar of its start", () => {
  const state = new DashboardState({ config: CONFIG });
  state.apply(RUN);
  state.apply(ticksEvent(T0 + 1000, 5000, bar(0, 5000, 5000, 5000, 5000)));
  state.apply(ticksEvent(T0 + 31_000, 5001, bar(1, 5001, 5001, 5001, 5001)));
  assert.deepEqual(state.snapshot().forming.map((b) => b.start), [T0 + 30_000]);
  // A live timer closes bar 0 after a tick of bar 1 came: bar 1 stays the forming one.
  state.apply(barEvent(bar(0, 5000, 5000.5, 5000, 5000.25)));
  const s = state.snapshot();
  assert.deepEqual(s.bars.map((b) => b.start), [T0]);
  assert.deepEqual(s.forming.map((b) => b.start), [T0 + 30_000]);
  state.apply(barEvent(bar(1, 5001, 5001, 5001, 5001)));
  assert.deepEqual(state.snapshot().forming, []);
});

Deno.test("DashboardState.since: exactly the updates after a number; undefined when not kept", () => {
  const state = new DashboardState({ config: CONFIG });
  const heard: DashboardUpdate[] = [];
  state.subscribe((u) => heard.push(u));
  for (const e of scriptedRun()) state.apply(e);
  state.flush();
  const n = state.seq;
  assert.deepEqual(heard.map((u) => u.seq), Array.from({ length: n }, (_, i) => i + 1));
  assert.deepEqual(state.since(3)!.map((u) => u.seq), heard.slice(3).map((u) => u.seq));
  assert.deepEqual(state.since(n), []);
  assert.equal(state.since(n + 1), undefined, "a number from before a restart");
  assert.equal(state.since(-1), undefined);
  // 6,000 more bars: the oldest updates are no longer kept.
  for (let i = 3; i < 6003; i++) state.apply(barEvent(bar(i, 5000, 5000, 5000, 5000)));
  assert.equal(state.since(1), undefined);
  assert.equal(state.since(state.seq - 10)!.length, 10);
});

Deno.test("DashboardState: a bar of the next session (17:00 Chicago) clears the chart", () => {
  const state = new DashboardState({ config: CONFIG });
  state.apply(RUN);
  // 16:59:30 and 17:00:00 Chicago on 6 Jan 2025 (CST, UTC-6).
  const before = Date.UTC(2025, 0, 6, 22, 59, 30);
  const mk = (start: number): Bar => ({ ...bar(0, 1, 1, 1, 1), start });
  state.apply(barEvent(mk(before - 30_000)));
  state.apply(barEvent(mk(before)));
  assert.equal(state.snapshot().bars.length, 2);
  const seq = state.seq;
  state.apply(barEvent(mk(before + 30_000)));
  assert.deepEqual(state.snapshot().bars.map((b) => b.start), [before + 30_000]);
  assert.deepEqual(state.since(seq)!.map((u) => u.type), ["reset", "bar"]);
});

Deno.test("DashboardState publishes a connection change at once", () => {
  const state = new DashboardState({ config: CONFIG });
  state.apply({ kind: "CONNECTION", time: 0, from: "idle", state: "connecting" });
  state.apply({ kind: "CONNECTION", time: 0, from: "connecting", state: "disconnected" });
  const states = state.since(0)!.flatMap((u) => u.type === "status" ? [u.status.connection] : []);
  assert.deepEqual(states, ["connecting", "disconnected"]);
});

/** Reads SSE messages from `res` until `n` data messages came; returns their parsed data. */
async function readEvents(res: Response, n: number): Promise<{ id?: string; data: unknown }[]> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const out: { id?: string; data: unknown }[] = [];
  let buf = "";
  while (out.length < n) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    let cut;
    while ((cut = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      const id = /^id: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (data !== undefined) {
        out.push({ ...(id === undefined ? {} : { id }), data: JSON.parse(data) });
      }
    }
  }
  await reader.cancel();
  return out;
}

Deno.test("dashboard server: 401 without the token; page, library, snapshot and events with it", async () => {
  const state = new DashboardState({ config: CONFIG });
  for (const e of scriptedRun()) state.apply(e);
  const server = await startDashboard(state, { port: 0, token: "t0k3n" });
  const base = `http://127.0.0.1:${server.port}`;
  try {
    assert.equal(server.url, `${base}/?token=t0k3n`);
    for (const path of ["/", "/snapshot", "/events", "/lightweight-charts.js"]) {
      for (const q of ["", "?token=wrong", "?token=t0k3"]) {
        const r = await fetch(base + path + q);
        await r.body?.cancel();
        assert.equal(r.status, 401, `${path}${q}`);
      }
    }
    const page = await fetch(`${base}/?token=t0k3n`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.ok(html.includes('src="lightweight-charts.js?token=t0k3n"'));
    assert.match(page.headers.get("content-security-policy") ?? "", /default-src 'none'/);
    const lib = await fetch(`${base}/lightweight-charts.js`, {
      headers: { authorization: "Bearer t0k3n" },
    });
    assert.equal(lib.status, 200);
    assert.deepEqual(
      new Uint8Array(await lib.arrayBuffer()),
      await Deno.readFile(chartLibraryPath()!),
    );
    const snap = await (await fetch(`${base}/snapshot?token=t0k3n`)).json();
    assert.equal(snap.seq, state.seq);
    assert.equal(snap.bars.length, 2);
    const other = await fetch(`${base}/nothing?token=t0k3n`);
    await other.body?.cancel();
    assert.equal(other.status, 404);
    // A second dashboard on the same port: one line naming the address and the way out.
    await assert.rejects(
      startDashboard(state, { port: server.port }),
      Deno.errors.AddrInUse,
      `dashboard: 127.0.0.1:${server.port} is in use; choose another port with --dashboard=PORT`,
    );
  } finally {
    await server.close();
  }
});

Deno.test("dashboard server: a stream resumes after Last-Event-ID with no gap or repeat", async () => {
  const state = new DashboardState({ config: CONFIG });
  const events = scriptedRun();
  for (const e of events) state.apply(e);
  state.flush();
  const n = state.seq;
  const server = await startDashboard(state, { port: 0, token: "tok", flushMs: 10_000 });
  const url = `http://127.0.0.1:${server.port}/events?token=tok`;
  try {
    // The browser's reconnect: Last-Event-ID wins over the page's ?after.
    const res = await fetch(`${url}&after=0`, { headers: { "last-event-id": "4" } });
    assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
    // Those after 4, then the EXIT's two (its trade row and the report).
    const wanted = n - 4 + 2;
    const got = readEvents(res, wanted);
    await new Promise((r) => setTimeout(r, 50));
    state.apply(EXIT);
    const seen = await got;
    const seqs = seen.map((m) => (m.data as DashboardUpdate).seq);
    assert.deepEqual(seqs, Array.from({ length: wanted }, (_, i) => 5 + i));
    assert.deepEqual(seen.map((m) => Number(m.id)), seqs);
    // A page from before a restart (ahead of this server): told to reload the snapshot.
    const ahead = await readEvents(await fetch(`${url}&after=${state.seq + 5}`), 1);
    assert.deepEqual(ahead[0]!.data, { seq: state.seq, type: "reset" });
    assert.equal(ahead[0]!.id, undefined, "a reset carries no id: Last-Event-ID stays");
  } finally {
    await server.close();
  }
});

Deno.test("--dashboard: parsed before the command's options; one line for a bad value", () => {
  assert.deepEqual(takeDashboardArgs("live", ["--no-bars"]), {
    rest: ["--no-bars"],
    dashboard: undefined,
  });
  assert.deepEqual(takeDashboardArgs("live", ["--dashboard", "--journal", "j.text"]), {
    rest: ["--journal", "j.text"],
    dashboard: { hostname: "127.0.0.1", port: 8787 },
  });
  assert.deepEqual(
    takeDashboardArgs("demo", ["--dashboard=0", "--dashboard-host", "[::1]"]).dashboard,
    { hostname: "::1", port: 0 },
  );
  const bad: Array<[string[], string]> = [
    [["--dashboard=80x"], "demo: --dashboard=80x: the port must be a whole number from 0 to 65535"],
    [
      ["--dashboard=70000"],
      "demo: --dashboard=70000: the port must be a whole number from 0 to 65535",
    ],
    [["--dashboard-host", "0.0.0.0"], "demo: --dashboard-host 0.0.0.0 needs --dashboard as well"],
    [["--dashboard", "--dashboard-host"], "demo: --dashboard-host needs an address, e.g. 0.0.0.0"],
    [["--dashboard", "--dashboard=1"], "demo: --dashboard is given twice"],
  ];
  for (const [args, message] of bad) {
    assert.throws(() => takeDashboardArgs("demo", args), (e) => {
      assert.ok(e instanceof UsageError);
      assert.equal(e.message, message);
      return true;
    });
  }
  assert.equal(isLoopback("127.0.0.1"), true);
  assert.equal(isLoopback("::1"), true);
  assert.equal(isLoopback("0.0.0.0"), false);
  assert.equal(isLoopback("192.168.1.5"), false);
});

Deno.test("--dashboard permissions: listen on its address only, read the chart library", () => {
  const plan = (command: string, args: string[]) =>
    planPermissions(command, args, { config: CONFIG, dirExists: () => true });
  const library = chartLibraryPath()!;
  const live = plan("live", ["--dashboard"]);
  assert.deepEqual(live.net, ["127.0.0.1:7497", "127.0.0.1:8787"]);
  assert.ok(live.read.includes(library));
  const plain = plan("live", []);
  assert.deepEqual(plain.net, ["127.0.0.1:7497"]);
  assert.equal(plain.read.includes(library), false);
  assert.deepEqual(plan("live", ["--dashboard=9000", "--dashboard-host", "10.0.0.2"]).net, [
    "127.0.0.1:7497",
    "10.0.0.2:9000",
  ]);
  // Any free port: the host alone.
  assert.deepEqual(plan("demo", ["--dashboard=0"]).net, ["127.0.0.1", "127.0.0.1"]);
});
