/**
 * Live paper trading: the offline engine fed by TWS tick-by-tick trades, bars closed by a
 * timer on IB's clock, and a connection state machine that survives what IB does to a
 * long-running client (drops, restarts, 1100/1101/1102, 326, 10190, 162, silence).
 *
 * Every (re)connection and every 1101/1102 runs one "sync": subscribe (unless IB kept the
 * subscription), wait until IB's clock has passed the subscription's second, fetch the
 * history between the last processed trade and that second, feed it, then feed the live
 * trades buffered meanwhile. Bars are only closed by the timer while in sync, so a bar
 * never closes before its backfilled trades are in.
 *
 * @module
 */
import type { Config } from "../config/schema.ts";
import { Engine } from "../engine/engine.ts";
import type { Venue } from "../execution/venue.ts";
import { EventStream } from "../events/stream.ts";
import type { ConnectionState } from "../events/types.ts";
import { IbRequestError, type TickPage } from "../ib/adapter.ts";
import { IbConnection } from "../ib/connection.ts";
import { hostPort } from "../ib/host.ts";
import type { ResolvedContract, SessionSpan } from "../ib/contract.ts";
import type { LiquidHours } from "../indicators/liquid_hours.ts";
import type { JournalSink } from "../journal/writer.ts";
import type { Clock } from "../types.ts";
import { HistoryPacer } from "../ib/history.ts";
import { fetchRange, type TickColumns, unprocessed } from "./backfill.ts";
import { ExchangeClock } from "./exchange_clock.ts";
import { FirstSync, type ResumeState } from "./recovery.ts";
import { FatalError, resolveFrontMonth } from "./resolve.ts";
import { StrategyError } from "../strategy/errors.ts";
import { type LiveStats, newLiveStats } from "./stats.ts";
import { Watchdog } from "./watchdog.ts";

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
  /** scalpbot version and config digest for SESSION_START. */
  version: string;
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
}

/**
 * Runs live mode. `start()` connects (and keeps reconnecting); `stop()` ends the run:
 * cancels the subscription, closes (or keeps) the open trade, writes SESSION_END.
 */
export class LiveRunner {
  readonly options: LiveRunnerOptions;
  /** The stream the engine and the runner publish on. */
  readonly events: EventStream;
  /** Counters of the run. */
  readonly stats: LiveStats = newLiveStats();
  #cfg: Config;
  #conn: IbConnection;
  #clock: Clock;
  #ex: ExchangeClock;
  #log: (line: string) => void;
  #engine: Engine | undefined;
  #contract: ResolvedContract | undefined;
  #liquidSpans: SessionSpan[] = [];
  #liquid: LiquidHours | undefined;
  #gen = 0;
  #buffering = true;
  #buf: TickColumns = { ts: [], price: [], size: [] };
  #lastSecond = -Infinity;
  #inLastSecond = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #watchdog: Watchdog;
  #pacer: HistoryPacer;
  #stopped = false;
  #first: FirstSync;

  /** Builds the runner; nothing connects until `start`. */
  constructor(options: LiveRunnerOptions) {
    this.options = options;
    this.events = options.events ?? new EventStream();
    this.#cfg = options.config;
    this.#clock = options.clock;
    this.#ex = new ExchangeClock(options.clock);
    this.#log = options.log ?? (() => {});
    this.#first = new FirstSync(options.resume);
    this.#pacer = new HistoryPacer({
      intervalMs: options.config.live.page_interval_ms,
      onBackoff: (delay) => {
        this.stats.pacingRetries++;
        this.#log(`[ib] pacing violation (162): next history page in ${delay / 1000} s`);
      },
    });
    const received = options.onTickReceived;
    this.#conn = new IbConnection({
      ib: options.config.ib,
      live: options.config.live,
      log: this.#log,
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
        void this.#sync("connect");
      },
      onDisconnected: () => {
        this.stats.disconnects++;
        this.#gen++;
        this.#buffering = true;
      },
      onLost: () => {
        this.#gen++;
        this.#buffering = true;
      },
      onRestored: (code) => void this.#sync(code === 1101 ? "1101" : "1102"),
      onSubscriptionRefused: () => {
        this.#gen++;
        this.#buffering = true;
      },
      onResubscribe: () => void this.#sync("10190"),
    });
    this.#watchdog = new Watchdog({
      live: options.config.live,
      clock: options.clock,
      stats: this.stats,
      log: this.#log,
      liquid: () => this.#liquid,
      probe: () => this.#serverTime(),
      generation: () => this.#gen,
      stopped: () => this.#stopped,
      onAnswer: () => void this.#sync("watchdog"),
      onNoAnswer: () => {
        // Leave "connected" at once: no bar may close before the reconnect's backfill.
        this.#gen++;
        this.#buffering = true;
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
    return this.#engine;
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
    return this.#contract;
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
    const live = this.#cfg.live;
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
    this.#gen++;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#conn.stop();
    this.#conn.unsubscribe();
    const engine = this.#engine;
    if (engine !== undefined) {
      // A sync cut short leaves a gap before the buffered trades: they may still end the open
      // trade, but no bar may close on them (a signal would open a trade while stopping).
      const buffered = this.#takeBuffer();
      for (let i = 0; i < buffered.ts.length && engine.openTrade !== undefined; i++) {
        this.#feed(buffered.ts[i]!, buffered.price[i]!, buffered.size[i]!);
      }
      if (exit === "MANUAL" && this.#cfg.live.on_stop === "keep" && engine.openTrade) {
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

  // ---- sync: subscribe, backfill, drain ----

  async #sync(why: string): Promise<void> {
    const gen = ++this.#gen;
    this.#buffering = true;
    this.#conn.syncing();
    const stale = () => gen !== this.#gen || this.#stopped;
    try {
      if (this.#contract === undefined) {
        await this.#resolve();
        if (stale()) return;
      }
      const c = this.#contract!;
      // 1102 keeps the subscription, and so does a gap found on a live stream.
      if ((why !== "1102" && why !== "gap") || this.#conn.subscription === undefined) {
        this.#conn.subscribe(c.conId, c.exchange);
      }
      // IB's clock must pass the subscription's second: then live covers every later second.
      const first = await this.#serverTime();
      let until = first;
      while (until <= first) {
        await sleep(100);
        if (stale()) return;
        until = await this.#serverTime();
      }
      if (stale()) return;
      // Pending until one first sync completes, whatever interrupted an earlier one.
      const firstSync = !this.#first.done;
      let from: number | undefined;
      if (!firstSync) from = Number.isFinite(this.#lastSecond) ? this.#lastSecond : undefined;
      else {
        const l = this.#cfg.live;
        const warm = l.warmup === "ticks" && l.warmup_bars > 0
          ? until - l.warmup_bars * this.#cfg.bars.seconds * 1000
          : undefined;
        from = this.#first.historyFrom(warm, until);
      }
      let history: TickColumns = { ts: [], price: [], size: [] };
      if (from !== undefined && from < until) {
        let n = 0;
        const r = await fetchRange(
          async (end) => {
            const page = await this.#page(end, gen);
            this.options.onHistoryPage?.(++n);
            return page;
          },
          { fromMs: from, untilMs: until },
          { maxPages: this.#cfg.live.max_pages },
        );
        if (stale()) return;
        this.stats.backfillPages += r.pages;
        if (r.truncated) {
          this.stats.truncatedBackfills++;
          this.#log(`[live] history capped at ${r.pages} pages (live.max_pages): a gap remains`);
        }
        if (firstSync) {
          const w = this.#first.gapWarning(r);
          if (w !== undefined) this.#log(w);
        }
        history = unprocessed(r, this.#processed());
      }
      // From here on no await: history, resume and buffered trades go in as one step.
      if (firstSync) this.#createEngine(until);
      const engine = this.#engine!;
      const feed = (ts: number, price: number, size: number) => this.#feed(ts, price, size);
      if (firstSync) this.#first.feedHistory(engine, history, feed, this.#log);
      else history.ts.forEach((ts, i) => feed(ts, history.price[i]!, history.size[i]!));
      const fed = history.ts.length;
      if (firstSync) this.stats.warmupTicks += fed;
      else this.stats.backfilledTicks += fed;
      this.stats.syncs++;
      this.#drainBuffer();
      this.#buffering = false;
      this.#first.complete();
      this.#conn.resetBackoff();
      this.#watchdog.activity();
      this.#log(
        `[live] in sync (${why}): ${fed} ${firstSync ? "warm-up" : "backfilled"} trade(s), ` +
          `live from ${new Date(until).toISOString()}`,
      );
      this.#conn.synced(why);
    } catch (e) {
      if (stale()) return;
      if (e instanceof FatalError) {
        this.#log(`[live] ${e.message}`);
        this.options.onFatal?.(e);
        return;
      }
      if (e instanceof IbRequestError && e.code === -2) return; // reconnect handles it
      this.#log(`[live] sync failed (${(e as Error).message}); retrying`);
      await sleep(this.#conn.nextBackoff());
      if (!stale() && this.#conn.ready) void this.#sync(why === "1102" ? "1101" : why);
    }
  }

  async #serverTime(): Promise<number> {
    const askedAt = this.#clock.now();
    const t = await this.#conn.adapter.currentTime(this.#cfg.live.request_timeout_ms);
    this.#ex.observeServerTime(t, askedAt);
    return t;
  }

  /** One history page, within IB's pacing (lib/ib/history.ts), retried on 162. */
  #page(end: number, gen: number): Promise<TickPage> {
    const c = this.#contract!;
    const timeoutMs = this.#cfg.live.request_timeout_ms;
    return this.#pacer.request(
      `end|${end}`,
      c.conId,
      () =>
        this.#conn.adapter.historicalTicksBefore(c.conId, c.exchange, end, {
          count: 1000,
          timeoutMs,
        }),
      () => gen !== this.#gen,
    );
  }

  async #resolve(): Promise<void> {
    const r = await resolveFrontMonth(this.#conn.adapter, this.#cfg, () => this.#serverTime());
    this.#contract = r.contract;
    this.#cfg = r.config;
    this.#liquidSpans = r.liquidSpans;
    this.#liquid = r.liquid;
    this.#log(r.line);
  }

  #createEngine(liveFrom: number): void {
    const o = this.options;
    const ib = this.#cfg.ib;
    const first = this.#first;
    const engine = new Engine({
      config: this.#cfg,
      journal: o.journal,
      events: this.events,
      mark: (e) => first.mark(e),
      runId: o.runId,
      ...(o.venue === undefined ? {} : { venue: o.venue(this.#contract!) }),
      // Warm-up bars (ending before live data) calibrate but never trade.
      entriesAfter: liveFrom,
      liquidSpans: this.#liquidSpans,
    });
    engine.start({
      time: liveFrom,
      version: o.version,
      configDigest: o.configDigest,
      source: `ib:${hostPort(ib.host, ib.port)}`,
    });
    this.#engine = engine;
  }

  // ---- ticks ----

  #onTick(reqId: number, ts: number, price: number, size: number): void {
    if (reqId !== this.#conn.subscription || this.#stopped) return;
    this.stats.liveTicks++;
    this.#watchdog.activity();
    this.#ex.observeTick(ts);
    // First trade after a silence: trades may have been lost in between; fill from history.
    if (!this.#buffering && this.#watchdog.tradeAfterSilence()) void this.#sync("gap");
    if (this.#buffering) {
      this.#buf.ts.push(ts);
      this.#buf.price.push(price);
      this.#buf.size.push(size);
      return;
    }
    this.#feed(ts, price, size);
  }

  /**
   * Where the engine stands. Live trades buffered during a sync are deduplicated against it,
   * not cut at the sync's `until`: a trade stamped before `until` may reach the history
   * service after the history request (or the live stream late), and is then only in the
   * buffer.
   */
  #processed(): { lastSecond: number; inLastSecond: number } {
    return { lastSecond: this.#lastSecond, inLastSecond: this.#inLastSecond };
  }

  /** Empties the live buffer; returns its trades the engine has not processed. */
  #takeBuffer(): TickColumns {
    const b = this.#buf;
    this.#buf = { ts: [], price: [], size: [] };
    return unprocessed(b, this.#processed());
  }

  /** The strategy threw: the engine has ended the session; the run stops as on a fatal error. */
  #strategyFailed(e: unknown): void {
    if (!(e instanceof StrategyError)) throw e;
    this.options.onFatal?.(e);
  }

  #drainBuffer(): void {
    const b = this.#takeBuffer();
    for (let i = 0; i < b.ts.length; i++) this.#feed(b.ts[i]!, b.price[i]!, b.size[i]!);
  }

  #feed(ts: number, price: number, size: number): void {
    const engine = this.#engine;
    if (engine === undefined) return;
    const lateBefore = engine.stats.late;
    try {
      engine.onTick(ts, price, size);
    } catch (e) {
      return this.#strategyFailed(e);
    }
    if (ts > this.#lastSecond) {
      this.#lastSecond = ts;
      this.#inLastSecond = 1;
    } else if (ts === this.#lastSecond) {
      this.#inLastSecond++;
    }
    if (engine.stats.late !== lateBefore) {
      this.stats.lateTicks++;
      const n = this.stats.lateTicks;
      if (n <= 10 || n % 100 === 0) {
        this.#log(
          `[live] late tick #${n} stamped ${new Date(ts).toISOString()} @ ${price} x ${size}: ` +
            `its bar had closed (policy ${this.#cfg.bars.late_ticks}; stop/target still checked)`,
        );
      }
    }
  }

  // ---- timer: bars, flatten, watchdog ----

  #onTimer(): void {
    const engine = this.#engine;
    if (engine === undefined || this.#stopped || this.#conn.state !== "connected") return;
    const now = this.#ex.now();
    if (!this.#watchdog.holdBars(now)) {
      try {
        if (engine.closeDueBars(now - this.#cfg.live.grace_ms) !== undefined) {
          this.stats.timerBars++;
        }
      } catch (e) {
        return this.#strategyFailed(e);
      }
    }
    this.#flatten(engine, now);
    this.#watchdog.check(now);
  }

  /** The engine's session policy flattens on ticks; the timer covers a quiet market. */
  #flatten(engine: Engine, now: number): void {
    if (engine.flattenDue(now)) {
      this.#log(
        `[live] flattening ${this.#cfg.live.flatten_minutes} min before the session closes`,
      );
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
