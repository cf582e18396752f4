/**
 * Live paper trading: the offline engine fed by TWS tick-by-tick trades, bars closed by a
 * timer on IB's clock, surviving what IB does to a long-running client (drops, restarts,
 * 1100/1101/1102, 326, 10190, 162, silence). The runner only wires its parts:
 *
 * - the connection (`lib/ib/connection.ts`): state machine, reconnect backoff, IB's codes;
 * - the sync (`sync.ts`), run on every (re)connection, every 1101/1102, after a gap and the
 *   watchdog's check: subscribe, backfill from the last processed trade, feed the buffer;
 * - the tick feed (`tick_feed.ts`): live trades buffered during a sync, deduplicated, fed;
 * - the watchdog (`watchdog.ts`): a silent stream holds bar closes, then is checked;
 * - and here the bar timer (bars close only while in sync, so never before their backfilled
 *   trades are in), the session flatten, and the stop.
 *
 * @module
 */
import type { Config } from "../config/schema.ts";
import { Engine } from "../engine/engine.ts";
import type { Venue } from "../execution/venue.ts";
import { EventStream } from "../events/stream.ts";
import type { ConnectionState } from "../events/types.ts";
import { IbConnection } from "../ib/connection.ts";
import type { ResolvedContract } from "../ib/contract.ts";
import { hostPort } from "../ib/host.ts";
import type { JournalSink } from "../journal/writer.ts";
import type { Clock } from "../types.ts";
import { ExchangeClock } from "./exchange_clock.ts";
import { FirstSync, type ResumeState } from "./recovery.ts";
import { type LiveStats, newLiveStats } from "./stats.ts";
import { LiveSync } from "./sync.ts";
import { TickFeed } from "./tick_feed.ts";
import { Watchdog } from "./watchdog.ts";
import { warmUpEngine } from "./warm_up.ts";

export type { ResumeState } from "./recovery.ts";
export type { LiveStats } from "./stats.ts";

/** Connection states; every transition is logged and published (CONNECTION event). */
export type ConnState = ConnectionState;

/** Options of {@linkcode LiveRunner}. */
export interface LiveRunnerOptions {
  /** Loaded config; the engine gets a copy patched from contract details. */
  config: Config;
  /** Where trade events go. */
  journal: JournalSink;
  /** Run id (trade ids are `<runId>-<n>`). */
  runId: string;
  /** Local clock (system clock live; the simulator's clock in tests and the demo). */
  clock: Clock;
  /** scalpbot version for SESSION_START. */
  version: string;
  /** Config digest for SESSION_START. */
  configDigest: string;
  /**
   * Where the engine publishes (bars, trade events) and the runner its CONNECTION changes;
   * default: a stream of its own.
   */
  events?: EventStream;
  /** Receives a line per connection event, backfill and late tick. */
  log?: (line: string) => void;
  /** Uniform [0, 1) for backoff jitter; default Math.random. */
  random?: () => number;
  /** Open trade to resume. */
  resume?: ResumeState | undefined;
  /** Called when a non-recoverable problem stops the run (unknown contract, no front month). */
  onFatal?: (error: Error) => void;
  /**
   * Called first thing when the adapter delivers a live trade, before any processing (the
   * benchmark timestamps it to measure the bot's own latency).
   */
  onTickReceived?: (ts: number, price: number, size: number) => void;
  /** Called after each history page a sync receives, with its number in the sync (tests). */
  onHistoryPage?: (page: number) => void;
  /**
   * Where the engine's orders go, built once the contract is resolved (`execution.venue: ib`:
   * an IbVenue); default: the paper venue.
   */
  venue?: (contract: ResolvedContract) => Venue;
  /**
   * Run the engine's trade code on a throw-away engine before connecting, so that the first
   * live trades do not pay for compiling it (lib/live/warm_up.ts); default true.
   */
  warmUp?: boolean;
}

/**
 * Runs live mode. `start()` connects (and keeps reconnecting); `stop()` ends the run:
 * cancels the subscription, closes (or keeps) the open trade, writes SESSION_END.
 */
export class LiveRunner {
  /** The options it was created with. */
  readonly options: LiveRunnerOptions;
  /** The stream the engine and the runner publish on. */
  readonly events: EventStream;
  /** Counters of the run. */
  readonly stats: LiveStats = newLiveStats();
  #conn: IbConnection;
  #sync: LiveSync;
  #feed: TickFeed;
  #watchdog: Watchdog;
  #clock: Clock;
  #ex: ExchangeClock;
  #log: (line: string) => void;
  #first: FirstSync;
  #timer: ReturnType<typeof setInterval> | undefined;
  /** Clock and wall time of the last timer turn while connected (NaN: none yet). */
  #lastTurn = NaN;
  #lastTurnWall = NaN;
  /** Exchange time before which the timer closes no bar (a stall's trades are read first). */
  #holdUntil = -Infinity;
  #stopped = false;

  /** Builds the runner; nothing connects until `start`. */
  constructor(options: LiveRunnerOptions) {
    this.options = options;
    this.events = options.events ?? new EventStream();
    this.#clock = options.clock;
    this.#ex = new ExchangeClock(options.clock);
    const log = this.#log = options.log ?? (() => {});
    this.#first = new FirstSync(options.resume);
    this.#feed = new TickFeed({ stats: this.stats, log, onFatal: options.onFatal });
    const received = options.onTickReceived;
    this.#conn = new IbConnection({
      ib: options.config.ib,
      live: options.config.live,
      log,
      random: options.random,
    }, {
      onTick: received === undefined
        ? (reqId, ts, price, size) => this.#onTick(reqId, ts, price, size)
        : (reqId, ts, price, size) => {
          received(ts, price, size);
          this.#onTick(reqId, ts, price, size);
        },
      onReady: () => {
        this.stats.connects++;
        void this.#sync.run("connect");
      },
      onDisconnected: () => {
        this.stats.disconnects++;
        this.#sync.invalidate();
      },
      onLost: () => this.#sync.invalidate(),
      onRestored: (code) => void this.#sync.run(code === 1101 ? "1101" : "1102"),
      onSubscriptionRefused: () => this.#sync.invalidate(),
      onResubscribe: () => void this.#sync.run("10190"),
    });
    this.#sync = new LiveSync({
      config: options.config,
      conn: this.#conn,
      clock: options.clock,
      exchangeClock: this.#ex,
      feed: this.#feed,
      first: this.#first,
      stats: this.stats,
      log,
      createEngine: (liveFrom) => this.#createEngine(liveFrom),
      onSynced: () => this.#watchdog.activity(),
      onHistoryPage: options.onHistoryPage,
      onFatal: options.onFatal,
    });
    this.#watchdog = new Watchdog({
      live: options.config.live,
      clock: options.clock,
      stats: this.stats,
      log,
      liquid: () => this.#sync.liquid,
      probe: () => this.#sync.serverTime(),
      generation: () => this.#sync.generation,
      stopped: () => this.#stopped,
      onAnswer: () => void this.#sync.run("watchdog"),
      onNoAnswer: () => {
        // Leave "connected" at once: no bar may close before the reconnect's backfill.
        this.#sync.invalidate();
        this.#conn.drop();
      },
    });
    // First listener: every transition is published right after its log line.
    this.#conn.onState((state, from) =>
      this.events.publish({ kind: "CONNECTION", time: this.#clock.now(), from, state })
    );
  }

  /** Current connection state. */
  get state(): ConnState {
    return this.#conn.state;
  }

  /** The engine, once the contract is resolved. */
  get engine(): Engine | undefined {
    return this.#feed.engine;
  }

  /**
   * The TWS connection (one adapter and IBApi across reconnects): an order client uses its
   * `adapter`, `onSynced`, `onState` and `claimErrors`.
   */
  get connection(): IbConnection {
    return this.#conn;
  }

  /** The resolved contract. */
  get contract(): ResolvedContract | undefined {
    return this.#sync.contract;
  }

  /** Estimated IB time. */
  get exchangeClock(): ExchangeClock {
    return this.#ex;
  }

  /** Calls `fn` on every state change. */
  onState(fn: (s: ConnState) => void): void {
    this.#conn.onState(fn);
  }

  /** Resolves the next time a sync completes (state becomes `connected`). */
  whenSynced(): Promise<void> {
    return this.#conn.whenSynced();
  }

  /** Starts connecting, and the bar timer. */
  start(): void {
    if (this.options.warmUp !== false) warmUpEngine(this.#sync.config);
    const live = this.#sync.config.live;
    this.#timer = setInterval(() => this.#onTimer(), live.timer_ms);
    this.#conn.connect();
  }

  /**
   * Ends the run. `exit` MANUAL closes the open trade at the last price (`live.on_stop`
   * `keep` leaves it open in the journal for the next start); END flushes the last bar
   * without a signal, as a backtest does at the end of data.
   */
  stop(endReason: string, exit: "MANUAL" | "END" = "MANUAL"): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#sync.stop();
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#conn.stop();
    this.#conn.unsubscribe();
    const engine = this.#feed.engine;
    if (engine !== undefined) {
      // A sync cut short leaves a gap before the buffered trades: they may still end the open
      // trade, but no bar may close on them (a signal would open a trade while stopping).
      const buffered = this.#feed.takeBuffer();
      for (let i = 0; i < buffered.ts.length && engine.openTrade !== undefined; i++) {
        this.#feed.feed(buffered.ts[i]!, buffered.price[i]!, buffered.size[i]!);
      }
      if (exit === "MANUAL" && this.#sync.config.live.on_stop === "keep" && engine.openTrade) {
        const t = engine.openTrade;
        this.#log(`[live] keeping trade ${t.tradeId} open for the next start`);
        // Detach it so that finish() does not close it; the journal keeps its ENTRY open.
        engine.resumeTrade(undefined, 0);
      }
      const at = exit === "END" ? undefined : Math.max(engine.lastTickTime, this.#ex.now());
      engine.finish(exit, endReason, Number.isFinite(at ?? NaN) ? at : undefined);
    } else if (this.options.resume !== undefined) {
      // No first sync, no price: the trade is neither checked nor closed, only kept.
      this.#log(
        `[live] stopped before the first sync completed: trade ` +
          `${this.options.resume.state.tradeId} stays open in the journal for the next start`,
      );
    }
    this.#conn.close();
  }

  /** The first sync's engine: the config patched from contract details, live from `liveFrom`. */
  #createEngine(liveFrom: number): Engine {
    const o = this.options;
    const cfg = this.#sync.config;
    const ib = cfg.ib;
    const first = this.#first;
    const engine = new Engine({
      config: cfg,
      journal: o.journal,
      events: this.events,
      mark: (e) => first.mark(e),
      runId: o.runId,
      ...(o.venue === undefined ? {} : { venue: o.venue(this.#sync.contract!) }),
      // Warm-up bars (ending before live data) calibrate but never trade.
      entriesAfter: liveFrom,
      liquidSpans: this.#sync.liquidSpans,
    });
    engine.start({
      time: liveFrom,
      version: o.version,
      configDigest: o.configDigest,
      source: `ib:${hostPort(ib.host, ib.port)}`,
    });
    return engine;
  }

  #onTick(reqId: number, ts: number, price: number, size: number): void {
    if (reqId !== this.#conn.subscription || this.#stopped) return;
    this.stats.liveTicks++;
    this.#watchdog.activity();
    this.#ex.observeTick(ts);
    // First trade after a silence: trades may have been lost in between; fill from history.
    if (!this.#feed.buffering && this.#watchdog.tradeAfterSilence()) void this.#sync.run("gap");
    this.#feed.push(ts, price, size);
  }

  // ---- timer: bars, flatten, watchdog ----

  #onTimer(): void {
    const engine = this.#feed.engine;
    // Not watching (no engine yet, a sync, an outage): the first turn after counts the whole
    // pause, so the hold below also covers trades still in flight when a sync ends.
    if (engine === undefined || this.#stopped || this.#conn.state !== "connected") return;
    const local = this.#clock.now();
    const wall = performance.now();
    const gap = local - this.#lastTurn;
    const late = wall - this.#lastTurnWall;
    this.#lastTurn = local;
    this.#lastTurnWall = wall;
    const now = this.#ex.now();
    const live = this.#sync.config.live;
    // After a stall (this turn came a whole period late) in which the clock passed more than
    // the grace (a long pause, a starved CPU, a sync), trades of a due bar may still be on
    // their way, unread: the timer waits one more grace before closing.
    if (late > 2 * live.timer_ms && gap > live.grace_ms) {
      this.#holdUntil = now + live.grace_ms;
      this.stats.stalledTurns++;
    }
    if (now >= this.#holdUntil && !this.#watchdog.holdBars(now)) {
      try {
        if (engine.closeDueBars(now - live.grace_ms) !== undefined) this.stats.timerBars++;
      } catch (e) {
        return this.#feed.strategyFailed(e);
      }
    }
    // The engine's session policy flattens on ticks; the timer covers a quiet market.
    if (engine.flattenDue(now)) {
      this.#log(`[live] flattening ${live.flatten_minutes} min before the session closes`);
    }
    this.#watchdog.check(now);
  }
}
