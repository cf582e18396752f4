/**
 * The live dashboard page in a real browser (playwright-core driving Debian's chromium),
 * following a live run against the TWS simulator. Screenshots go to
 * `${SCREENSHOT_DIR ?? "<tmp>/scalpbot-screenshots"}`. State, server and flag: dashboard_test.ts.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { UTCTimestamp } from "lightweight-charts";
import { EventStream } from "../lib/events/stream.ts";
import { DashboardState } from "../lib/dashboard/state.ts";
import { startDashboard } from "../lib/dashboard/server.ts";
import { CHILD_ENV } from "../lib/cli/permissions.ts";
import { launchArgs } from "../lib/cli/launch.ts";
import { chartLibraryPath } from "../lib/report/html/assets.ts";
import type { Bar } from "../lib/types.ts";
import { fed, generatedTicks, startLiveRun, until } from "./_live_harness.ts";
import { bar, barEvent, CONFIG, EXIT, RUN, scriptedRun, T0 } from "./_dashboard_fixtures.ts";

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
if (NO_CHROMIUM) console.warn(`dashboard_browser_test: browser tests skipped: ${WHY_NO_BROWSER}`);
const SHOTS = Deno.env.get("SCREENSHOT_DIR") ??
  join(Deno.env.get("TMPDIR") ?? "/tmp", "scalpbot-screenshots");

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
