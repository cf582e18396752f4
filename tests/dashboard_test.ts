/**
 * The live dashboard (lib/dashboard, `--dashboard`): its state folded from engine events, its
 * server (token, snapshot, event stream resumed by Last-Event-ID), the flag and its
 * permissions, and the page in a real browser (playwright-core driving Debian's chromium)
 * following a live run against the TWS simulator. Screenshots go to
 * `${SCREENSHOT_DIR ?? "<tmp>/scalpbot-screenshots"}`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { UTCTimestamp } from "lightweight-charts";
import { parseConfigText } from "../lib/config/load.ts";
import { EventStream } from "../lib/events/stream.ts";
import type { EngineEvent } from "../lib/events/types.ts";
import { DashboardState } from "../lib/dashboard/state.ts";
import type { DashboardUpdate } from "../lib/dashboard/types.ts";
import { startDashboard } from "../lib/dashboard/server.ts";
import { isLoopback, takeDashboardArgs } from "../lib/cli/dashboard.ts";
import { CHILD_ENV, planPermissions } from "../lib/cli/permissions.ts";
import { launchArgs } from "../lib/cli/launch.ts";
import { UsageError } from "../lib/cli/usage_error.ts";
import { chartLibraryPath } from "../lib/report/html/assets.ts";
import type { Bar, IndicatorField, JournalEvent } from "../lib/types.ts";
import { fed, generatedTicks, startLiveRun, until } from "./_live_harness.ts";

const CHROMIUM = "/usr/bin/chromium";
/** playwright-core reads the home folder and /proc when it loads, which needs `-A`. */
const ALL_GRANTED = (["read", "write", "net", "env", "sys", "run", "ffi"] as const)
  .every((name) => Deno.permissions.querySync({ name }).state === "granted");
const WHY_NO_BROWSER = !(await Deno.stat(CHROMIUM).then((s) => s.isFile, () => false))
  ? `${CHROMIUM} not found`
  : !ALL_GRANTED
  ? "playwright-core needs every permission (it reads the home folder and /proc): deno test -A"
  : undefined;
const NO_CHROMIUM = WHY_NO_BROWSER !== undefined;
if (NO_CHROMIUM) console.warn(`dashboard_test: browser tests skipped: ${WHY_NO_BROWSER}`);
const SHOTS = Deno.env.get("SCREENSHOT_DIR") ??
  join(Deno.env.get("TMPDIR") ?? "/tmp", "scalpbot-screenshots");

const CONFIG = parseConfigText("", { source: "defaults" });
const FIELDS: IndicatorField[] = [
  { key: "EMA9", column: "ema_fast", decimals: "price" },
  { key: "RSI9", column: "rsi", decimals: 2 },
  { key: "VWAP", column: "vwap", decimals: "price" },
];
/** Mon 6 Jan 2025 09:00 in Chicago (15:00 UTC); default bars are 30 s. */
const T0 = Date.UTC(2025, 0, 6, 15, 0, 0);
const EMPTY = { ts: new Float64Array(0), price: new Float64Array(0), size: new Float64Array(0) };

function bar(i: number, o: number, h: number, l: number, c: number): Bar {
  return {
    start: T0 + i * 30_000,
    lengthMs: 30_000,
    open: o,
    high: h,
    low: l,
    close: c,
    volume: 10 + i,
    trades: 3,
  };
}

function barEvent(b: Bar, ema?: number, vwap?: number): EngineEvent {
  return {
    kind: "BAR",
    bar: b,
    snapshot: { fields: FIELDS, values: [ema, 50, vwap], mark: undefined },
    signal: undefined,
  };
}

function ticksEvent(lastTime: number, lastPrice: number, forming?: Bar): EngineEvent {
  return { kind: "TICKS", batch: { ...EMPTY, count: 0 }, lastTime, lastPrice, forming };
}

const RUN: EngineEvent = { kind: "RUN", time: T0, runId: "R1", config: CONFIG, fields: FIELDS };

/** A run with two bars, a long of 2 (fills 5000.00 and 5000.50), a stop move and an exit. */
function scriptedRun(): EngineEvent[] {
  return [
    RUN,
    barEvent(bar(0, 5000, 5001, 4999.5, 5000.5), undefined, 5000.25),
    barEvent(bar(1, 5000.5, 5002, 5000, 5001.75), 5001.1, 5000.6),
    {
      kind: "ENTRY",
      time: T0 + 60_000,
      tradeId: "R1-001",
      side: "LONG",
      entry: 5000,
      stop: 4995,
      target: 5010,
      size: 2,
      context: {},
    },
    {
      kind: "FILL",
      time: T0 + 61_000,
      tradeId: "R1-001",
      price: 5000,
      qty: 1,
      filled: 1,
      remaining: 1,
    },
    {
      kind: "FILL",
      time: T0 + 62_000,
      tradeId: "R1-001",
      price: 5000.5,
      qty: 1,
      filled: 2,
      remaining: 0,
    },
    ticksEvent(T0 + 63_000, 5003, bar(2, 5001.75, 5003, 5000, 5003)),
    {
      kind: "STOP_MOVE",
      time: T0 + 63_000,
      tradeId: "R1-001",
      old: 4995,
      price: 5000.25,
      reason: "BREAKEVEN",
    },
  ];
}

/** The EXIT of the scripted trade: 2 at 5010, 9.75 points each ((5010-5000.25)*2*5 = 97.50). */
const EXIT: JournalEvent = {
  kind: "EXIT",
  time: T0 + 75_000,
  tradeId: "R1-001",
  side: "LONG",
  reason: "TARGET",
  price: 5010,
  qty: 2,
  entryPrice: 5000.25,
  entryTime: T0 + 61_000,
  pnlPoints: 9.75,
  pnlTicks: 39,
  grossPnl: 97.5,
  commission: 2,
  netPnl: 95.5,
};

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

/** Page hooks read in the browser (see lib/dashboard/client.ts). */
interface PageCandle {
  /** The chart's own time type: epoch seconds. */
  time: UTCTimestamp;
  open: number;
  high: number;
  low: number;
  close: number;
}

Deno.test({
  name:
    "demo --dashboard=0 with the launcher's permissions: address and token printed, 401 without it",
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const dir = await Deno.makeTempDir();
  try {
    // Exactly the flags deno task demo would grant, run in an empty folder.
    const args = await launchArgs("demo", ["--seconds", "6", "--no-bars", "--dashboard=0"]);
    const child = new Deno.Command(Deno.execPath(), {
      args,
      cwd: dir,
      env: { ...CHILD_ENV },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let out = "";
    let url: URL | undefined;
    while (url === undefined) {
      const { value, done } = await lines.read();
      if (done) break;
      out += value;
      const m = /\[dashboard\] (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32})\b/.exec(out);
      if (m !== null) url = new URL(m[1]!);
    }
    assert.ok(url !== undefined, `no dashboard address in:\n${out}`);
    const token = url.searchParams.get("token")!;
    const bare = await fetch(new URL("/snapshot", url));
    await bare.body?.cancel();
    assert.equal(bare.status, 401);
    const snap = await fetch(new URL(`/snapshot?token=${token}`, url));
    assert.equal(snap.status, 200);
    assert.equal((await snap.json()).meta.symbol, "MES");
    // The chart library is readable under the launcher's --allow-read.
    const lib = await fetch(new URL(`/lightweight-charts.js?token=${token}`, url));
    assert.equal(lib.status, 200);
    assert.equal((await lib.arrayBuffer()).byteLength, (await Deno.stat(chartLibraryPath()!)).size);
    for (;;) {
      const { value, done } = await lines.read();
      if (done) break;
      out += value;
    }
    const status = await child.status;
    const err = await new Response(child.stderr).text();
    assert.equal(status.code, 0, `${err}\n${out.slice(-1500)}`);
    assert.match(out, /Net P\/L/);
    // Closed with the run: nothing listens there any more.
    await assert.rejects(fetch(new URL(`/snapshot?token=${token}`, url)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** What the page exposes (lib/dashboard/client.ts), and the bits of the DOM used here. */
interface PageWindow {
  scalpbot?: {
    candles(): PageCandle[];
    overlays(): Array<Array<{ time: number; value: number }>>;
    markers(): Array<{ time: number; shape: string; text: string }>;
    levels(): { stop: number | null; target: number | null };
    seq(): number;
    resyncs(): number;
  };
  __states: string[];
  document: { getElementById(id: string): { dataset: Record<string, string> } };
  MutationObserver: new (fn: () => void) => {
    observe(el: unknown, o: { attributes: boolean; attributeFilter: string[] }): void;
  };
}

/** The page's hooks; only inside functions that run in the page (they are sent as text). */
/** Functions run in the page: each names only `globalThis` (no closure reaches the page). */
const inPage = {
  candles: () => (globalThis as unknown as PageWindow).scalpbot!.candles(),
  count: () => (globalThis as unknown as PageWindow).scalpbot?.candles().length ?? 0,
  more: (n: number) => ((globalThis as unknown as PageWindow).scalpbot?.candles().length ?? 0) > n,
  seq: () => (globalThis as unknown as PageWindow).scalpbot!.seq(),
  seqIs: (n: number) => (globalThis as unknown as PageWindow).scalpbot?.seq() === n,
  resyncs: () => (globalThis as unknown as PageWindow).scalpbot!.resyncs(),
  overlays: () => (globalThis as unknown as PageWindow).scalpbot!.overlays(),
  markers: () => (globalThis as unknown as PageWindow).scalpbot!.markers(),
  levels: () => (globalThis as unknown as PageWindow).scalpbot?.levels(),
  badge: () => (globalThis as unknown as PageWindow).document.getElementById("conn").dataset.state,
  badgeIs: (s: string) =>
    (globalThis as unknown as PageWindow).document.getElementById("conn").dataset.state === s,
  badgeIsNot: (s: string) =>
    (globalThis as unknown as PageWindow).document.getElementById("conn").dataset.state !== s,
  watchBadge: () => {
    const g = globalThis as unknown as PageWindow;
    const el = g.document.getElementById("conn");
    g.__states = [el.dataset.state!];
    new g.MutationObserver(() => g.__states.push(el.dataset.state!))
      .observe(el, { attributes: true, attributeFilter: ["data-state"] });
  },
  states: () => (globalThis as unknown as PageWindow).__states,
  hasLevels: () => {
    const l = (globalThis as unknown as PageWindow).scalpbot?.levels();
    return l !== undefined && l.stop !== null && l.target !== null;
  },
  levelsAre: (want: { stop: number | null; target: number | null }) => {
    const l = (globalThis as unknown as PageWindow).scalpbot?.levels();
    return l !== undefined && l.stop === want.stop && l.target === want.target;
  },
};

function assertNoDuplicates(candles: PageCandle[], where: string): void {
  for (let i = 1; i < candles.length; i++) {
    assert.ok(
      candles[i]!.time > candles[i - 1]!.time,
      `${where}: candle ${i} repeats or goes back`,
    );
  }
}

function asPage(bars: readonly Bar[]): PageCandle[] {
  return bars.map((b) => ({
    time: (b.start / 1000) as UTCTimestamp,
    open: b.open,
    high: b.high,
    low: b.low,
    close: b.close,
  }));
}

async function launch() {
  await Deno.mkdir(SHOTS, { recursive: true });
  // Loaded only here: under narrow permissions the module cannot even load.
  const { chromium } = await import("playwright-core");
  return await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
}

Deno.test({
  name:
    "dashboard in chromium follows a live run: candles = engine bars, markers = journal trades, badge on a drop, no repeat after reload",
  ignore: NO_CHROMIUM,
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  // 16 minutes at 30x: 64 bars in about 32 s, six trades (the first at 08:36:15).
  const ticks = generatedTicks(16, 7);
  // Warm-up from ticks: the trades sent before the first subscription are fetched too.
  const run = await startLiveRun({
    ticks,
    speed: 30,
    patch: (c) => void (c.live.warmup = "ticks"),
  });
  const state = new DashboardState({ config: run.runner.options.config });
  const emas: Array<{ time: number; value: number }> = [];
  run.runner.events.subscribe((e) => {
    state.apply(e);
    if (e.kind === "BAR") {
      const v = e.snapshot.values[e.snapshot.fields.findIndex((f) => f.key === "EMA9")];
      if (v !== undefined) emas.push({ time: e.bar.start / 1000, value: v });
    }
  }, { ticks: true });
  const server = await startDashboard(state, { port: 0 });
  const browser = await launch();
  const errors: string[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    // Without the token: 401 (on a page of its own, whose logged 401 is expected).
    const probe = await browser.newPage();
    assert.equal((await probe.goto(`http://127.0.0.1:${server.port}/`))?.status(), 401);
    await probe.close();
    await page.goto(server.url);
    await page.waitForFunction(inPage.more, 5, {
      timeout: 30_000,
    });
    // A new bar appears as the simulator sends ticks.
    const n0 = await page.evaluate(inPage.count);
    await page.waitForFunction(inPage.more, n0, { timeout: 10_000 });
    // The closed candles so far are the engine's bars (the page may be a flush behind).
    const mid = await page.evaluate(inPage.candles);
    const k = Math.min(mid.length - 1, run.bars.length);
    assert.deepEqual(mid.slice(0, k), asPage(run.bars.slice(0, k)));
    await page.screenshot({ path: join(SHOTS, "dashboard_live.png") });

    // A position: its stop and target are lines on the chart, at levels the journal gave it.
    await page.waitForFunction(inPage.hasLevels, null, { timeout: 20_000 });
    await page.screenshot({ path: join(SHOTS, "dashboard_position.png") });
    const shown = (await page.evaluate(inPage.levels))!;
    const stops = new Set<number>();
    const targets = new Set<number>();
    for (const e of run.events) {
      if (e.kind === "ENTRY") {
        stops.add(e.stop);
        targets.add(e.target);
      }
      if (e.kind === "STOP_MOVE") stops.add(e.price);
      if (e.kind === "TARGET_MOVE") targets.add(e.price);
    }
    assert.ok(stops.has(shown.stop!), `stop line ${shown.stop} is no journaled stop`);
    assert.ok(targets.has(shown.target!), `target line ${shown.target} is no journaled target`);

    // An injected drop: the TWS badge leaves "connected" and comes back.
    await page.evaluate(inPage.watchBadge);
    const refused = run.sim.faults.refuseFor(1500);
    await page.waitForFunction(inPage.badgeIsNot, "connected");
    await page.screenshot({ path: join(SHOTS, "dashboard_drop.png") });
    await refused;
    await until("reconnected", () => run.runner.stats.connects >= 2, 15_000);
    await page.waitForFunction(inPage.badgeIs, "connected");
    const states = await page.evaluate(inPage.states);
    assert.equal(states[0], "connected");
    assert.ok(states.includes("disconnected"), `badge states: ${states.join(" ")}`);
    assert.equal(states.at(-1), "connected");

    // The page's stream is cut: the browser reconnects with Last-Event-ID, no snapshot reload.
    const resyncs = await page.evaluate(inPage.resyncs);
    const n1 = await page.evaluate(inPage.count);
    server.dropStreams();
    await page.waitForFunction(inPage.more, n1, { timeout: 10_000 });
    assert.equal(await page.evaluate(inPage.resyncs), resyncs);
    assertNoDuplicates(await page.evaluate(inPage.candles), "resumed");

    // A reload: the snapshot, then the stream from its number.
    await page.reload();
    await page.waitForFunction(inPage.more, 0);
    const n2 = await page.evaluate(inPage.count);
    await page.waitForFunction(inPage.more, n2, { timeout: 10_000 });
    assertNoDuplicates(await page.evaluate(inPage.candles), "reloaded");

    // The end of the run: every bar and every trade on the page.
    await run.sim.replayDone();
    await until("every tick fed", () => fed(run) >= ticks.length, 30_000);
    await run.finish();
    state.flush();
    await page.waitForFunction(inPage.seqIs, state.seq, { timeout: 10_000 });
    const candles = await page.evaluate(inPage.candles);
    assert.ok(run.bars.length >= 60, `only ${run.bars.length} bars`);
    assert.deepEqual(candles, asPage(run.bars));
    const overlays = await page.evaluate(inPage.overlays);
    assert.deepEqual(overlays[0], emas, "the EMA9 line is the engine's EMA9");
    // Markers from the journal: an arrow at the bar of a trade's first fill, a circle with the
    // net P/L at the bar of each exit.
    const barSec = (ms: number) => Math.floor(ms / 15_000) * 15;
    const expected: string[] = [];
    const firstFill = new Set<string>();
    const sides = new Map<string, string>();
    for (const e of run.events) {
      if (e.kind === "ENTRY") sides.set(e.tradeId, e.side);
      if (e.kind === "FILL" && !firstFill.has(e.tradeId)) {
        firstFill.add(e.tradeId);
        const long = sides.get(e.tradeId) === "LONG";
        expected.push(`${barSec(e.time)} ${long ? "arrowUp B" : "arrowDown S"}`);
      }
      if (e.kind === "EXIT") {
        expected.push(`${barSec(e.time)} circle ${e.netPnl > 0 ? "+" : ""}${e.netPnl.toFixed(2)}`);
      }
    }
    const markers = await page.evaluate(inPage.markers);
    assert.ok(firstFill.size >= 2, `only ${firstFill.size} trades`);
    assert.deepEqual(
      markers.map((m) => `${m.time} ${m.shape} ${m.text}`).sort(),
      expected.sort(),
    );
    const rows = await page.locator("#trades tbody tr").count();
    assert.equal(rows, run.events.filter((e) => e.kind === "ENTRY").length);
    // Loaded afresh, the finished run is the same bars, from the snapshot alone.
    await page.reload();
    await page.waitForFunction(inPage.seqIs, state.seq);
    assert.deepEqual(await page.evaluate(inPage.candles), asPage(run.bars));
    await page.screenshot({ path: join(SHOTS, "dashboard_end.png") });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.close();
    await run.finish().catch(() => {});
  }
});

Deno.test({
  name: "dashboard in chromium: stop and target lines move with the managers, cards show P/L",
  ignore: NO_CHROMIUM,
  sanitizeOps: false,
  sanitizeResources: false,
}, async () => {
  const stream = new EventStream();
  const state = new DashboardState({ config: CONFIG });
  stream.subscribe((e) => state.apply(e), { ticks: true });
  const server = await startDashboard(state, { port: 0, flushMs: 50 });
  const browser = await launch();
  const errors: string[] = [];
  try {
    const script = scriptedRun();
    // Before the ENTRY: 40 bars drifting up, EMA and VWAP beside them.
    stream.publish(RUN);
    for (let i = 0; i < 40; i++) {
      const o = 4990 + i * 0.25;
      const b = { ...bar(i - 38, o, o + 1, o - 0.75, o + 0.5) };
      stream.publish(barEvent(b, o + 0.1, 4992 + i * 0.1));
    }
    for (const e of script.slice(3)) stream.publish(e);
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(server.url);
    await page.waitForFunction(inPage.levelsAre, { stop: 5000.25, target: 5010 });
    assert.deepEqual(await page.evaluate(inPage.levels), { stop: 5000.25, target: 5010 });
    assert.equal(await page.textContent("#position"), "LONG 2 @ 5000.25");
    assert.equal(await page.textContent("#open-pnl"), "+27.50 USD");
    await page.screenshot({ path: join(SHOTS, "dashboard_levels.png") });
    // A manager moves the stop, then the target: the lines follow.
    stream.publish({
      kind: "STOP_MOVE",
      time: T0 + 70_000,
      tradeId: "R1-001",
      old: 5000.25,
      price: 5002,
      reason: "TRAIL",
    });
    await page.waitForFunction(inPage.levelsAre, { stop: 5002, target: 5010 });
    stream.publish({
      kind: "TARGET_MOVE",
      time: T0 + 71_000,
      tradeId: "R1-001",
      old: 5010,
      price: 5012.5,
      reason: "TRAIL",
    });
    await page.waitForFunction(inPage.levelsAre, { stop: 5002, target: 5012.5 });
    assert.equal(await page.textContent("#stop"), "5002.00");
    stream.publish(EXIT);
    await page.waitForFunction(inPage.levelsAre, { stop: null, target: null });
    assert.equal(await page.textContent("#position"), "flat");
    assert.equal(await page.textContent("#closed-pnl"), "+95.50 USD");
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});
