/**
 * The live run's sync, run on every (re)connection, every 1101/1102, after the watchdog's
 * check and after a gap: resolve the contract (once), subscribe (unless IB kept the
 * subscription), wait until IB's clock has passed the subscription's second, fetch the
 * history between the last processed trade and that second (the warm-up, and the resumed
 * trade's check, on the first sync), feed it, then feed the live trades buffered meanwhile.
 * Bars are only closed by the timer while in sync, so a bar never closes before its
 * backfilled trades are in.
 *
 * A sync belongs to a generation: a drop, a loss, a newer sync or the stop starts a new one,
 * and the older sync stops at its next step.
 *
 * @module
 */
import type { Config } from "../config/schema.ts";
import type { Engine } from "../engine/engine.ts";
import { IbRequestError, type TickPage } from "../ib/adapter.ts";
import type { IbConnection } from "../ib/connection.ts";
import type { ResolvedContract, SessionSpan } from "../ib/contract.ts";
import { HistoryPacer } from "../ib/history.ts";
import type { LiquidHours } from "../indicators/liquid_hours.ts";
import type { Clock } from "../types.ts";
import { fetchRange, type TickColumns, unprocessed } from "./backfill.ts";
import type { ExchangeClock } from "./exchange_clock.ts";
import type { FirstSync } from "./recovery.ts";
import { FatalError, resolveFrontMonth } from "./resolve.ts";
import type { LiveStats } from "./stats.ts";
import type { TickFeed } from "./tick_feed.ts";

/** Settings of {@linkcode LiveSync}. */
export interface LiveSyncOptions {
  /** Loaded config; patched from contract details once resolved. */
  config: Config;
  /** The connection it subscribes and requests on. */
  conn: IbConnection;
  /** Local clock. */
  clock: Clock;
  /** IB's clock, fed with every current-time answer. */
  exchangeClock: ExchangeClock;
  /** Buffers live trades during a sync, feeds the engine. */
  feed: TickFeed;
  /** The run's first sync (warm-up, resume, recovery check). */
  first: FirstSync;
  /** Counts syncs, backfilled and warm-up ticks, pages, pacing retries. */
  stats: LiveStats;
  /** Receives a line per sync, contract and history cap. */
  log: (line: string) => void;
  /** Creates the engine, on the first sync, live from `liveFrom` (after `config` is patched). */
  createEngine: (liveFrom: number) => Engine;
  /** Called when a sync completes, just before the state becomes `connected`. */
  onSynced?: (() => void) | undefined;
  /** Called after each history page a sync receives, with its number in the sync (tests). */
  onHistoryPage?: ((page: number) => void) | undefined;
  /** Called when a non-recoverable problem stops the run (unknown contract, no front month). */
  onFatal?: ((error: Error) => void) | undefined;
}

/** Runs the syncs of a live run; see the module doc. */
export class LiveSync {
  #o: LiveSyncOptions;
  #cfg: Config;
  #contract: ResolvedContract | undefined;
  #liquidSpans: SessionSpan[] = [];
  #liquid: LiquidHours | undefined;
  #pacer: HistoryPacer;
  #gen = 0;
  #stopped = false;

  /** Nothing runs until `run`. */
  constructor(options: LiveSyncOptions) {
    this.#o = options;
    this.#cfg = options.config;
    this.#pacer = new HistoryPacer({
      intervalMs: options.config.live.page_interval_ms,
      onBackoff: (delay) => {
        options.stats.pacingRetries++;
        options.log(`[ib] pacing violation (162): next history page in ${delay / 1000} s`);
      },
    });
  }

  /** The config, patched from contract details once the contract is resolved. */
  get config(): Config {
    return this.#cfg;
  }

  /** The resolved contract. */
  get contract(): ResolvedContract | undefined {
    return this.#contract;
  }

  /** The contract's liquid hours (empty unless `live.contract_hours`). */
  get liquidSpans(): SessionSpan[] {
    return this.#liquidSpans;
  }

  /** The session's liquid-hours windows, once the contract is resolved. */
  get liquid(): LiquidHours | undefined {
    return this.#liquid;
  }

  /** The current generation: it changes whenever a running sync must stop. */
  get generation(): number {
    return this.#gen;
  }

  /** The stream can no longer be trusted (drop, loss, refusal): live trades wait, syncs stop. */
  invalidate(): void {
    this.#gen++;
    this.#o.feed.buffering = true;
  }

  /** The run stops: no sync goes on. */
  stop(): void {
    this.#stopped = true;
    this.#gen++;
  }

  /** Asks TWS for its clock and feeds the answer to the exchange clock. */
  async serverTime(): Promise<number> {
    const askedAt = this.#o.clock.now();
    const t = await this.#o.conn.adapter.currentTime(this.#cfg.live.request_timeout_ms);
    this.#o.exchangeClock.observeServerTime(t, askedAt);
    return t;
  }

  /**
   * One sync; `why` is its reason (`connect`, `1101`, `1102`, `gap`, `watchdog`, `10190`).
   * 1102 and a gap keep a running subscription. Failures other than a fatal one or a drop
   * retry after the connection's backoff.
   */
  async run(why: string): Promise<void> {
    const o = this.#o;
    const conn = o.conn;
    const feed = o.feed;
    const gen = ++this.#gen;
    feed.buffering = true;
    conn.syncing();
    const stale = () => gen !== this.#gen || this.#stopped;
    try {
      if (this.#contract === undefined) {
        await this.#resolve();
        if (stale()) return;
      }
      const c = this.#contract!;
      // 1102 keeps the subscription, and so does a gap found on a live stream.
      if ((why !== "1102" && why !== "gap") || conn.subscription === undefined) {
        conn.subscribe(c.conId, c.exchange);
      }
      // IB's clock must pass the subscription's second: then live covers every later second.
      const first = await this.serverTime();
      let until = first;
      while (until <= first) {
        await sleep(100);
        if (stale()) return;
        until = await this.serverTime();
      }
      if (stale()) return;
      // Pending until one first sync completes, whatever interrupted an earlier one.
      const firstSync = !o.first.done;
      let from: number | undefined;
      if (!firstSync) from = Number.isFinite(feed.lastSecond) ? feed.lastSecond : undefined;
      else {
        const l = this.#cfg.live;
        const warm = l.warmup === "ticks" && l.warmup_bars > 0
          ? until - l.warmup_bars * this.#cfg.bars.seconds * 1000
          : undefined;
        from = o.first.historyFrom(warm, until);
      }
      let history: TickColumns = { ts: [], price: [], size: [] };
      if (from !== undefined && from < until) {
        let n = 0;
        const r = await fetchRange(
          async (end) => {
            const page = await this.#page(end, gen);
            o.onHistoryPage?.(++n);
            return page;
          },
          { fromMs: from, untilMs: until },
          { maxPages: this.#cfg.live.max_pages },
        );
        if (stale()) return;
        o.stats.backfillPages += r.pages;
        if (r.truncated) {
          o.stats.truncatedBackfills++;
          o.log(`[live] history capped at ${r.pages} pages (live.max_pages): a gap remains`);
        }
        if (firstSync) {
          const w = o.first.gapWarning(r);
          if (w !== undefined) o.log(w);
        }
        history = unprocessed(r, feed.processed());
      }
      // From here on no await: history, resume and buffered trades go in as one step.
      if (firstSync) feed.attach(o.createEngine(until));
      const engine = feed.engine!;
      const push = (ts: number, price: number, size: number) => feed.feed(ts, price, size);
      if (firstSync) o.first.feedHistory(engine, history, push, o.log);
      else history.ts.forEach((ts, i) => push(ts, history.price[i]!, history.size[i]!));
      const fed = history.ts.length;
      if (firstSync) o.stats.warmupTicks += fed;
      else o.stats.backfilledTicks += fed;
      o.stats.syncs++;
      feed.drain();
      feed.buffering = false;
      o.first.complete();
      conn.resetBackoff();
      o.onSynced?.();
      o.log(
        `[live] in sync (${why}): ${fed} ${firstSync ? "warm-up" : "backfilled"} trade(s), ` +
          `live from ${new Date(until).toISOString()}`,
      );
      conn.synced(why);
    } catch (e) {
      if (stale()) return;
      if (e instanceof FatalError) {
        o.log(`[live] ${e.message}`);
        o.onFatal?.(e);
        return;
      }
      if (e instanceof IbRequestError && e.code === -2) return; // reconnect handles it
      o.log(`[live] sync failed (${(e as Error).message}); retrying`);
      await sleep(conn.nextBackoff());
      if (!stale() && conn.ready) void this.run(why === "1102" ? "1101" : why);
    }
  }

  /** One history page, within IB's pacing (lib/ib/history.ts), retried on 162. */
  #page(end: number, gen: number): Promise<TickPage> {
    const c = this.#contract!;
    const timeoutMs = this.#cfg.live.request_timeout_ms;
    return this.#pacer.request(
      `end|${end}`,
      c.conId,
      () =>
        this.#o.conn.adapter.historicalTicksBefore(c.conId, c.exchange, end, {
          count: 1000,
          timeoutMs,
        }),
      () => gen !== this.#gen,
    );
  }

  async #resolve(): Promise<void> {
    const r = await resolveFrontMonth(this.#o.conn.adapter, this.#cfg, () => this.serverTime());
    this.#contract = r.contract;
    this.#cfg = r.config;
    this.#liquidSpans = r.liquidSpans;
    this.#liquid = r.liquid;
    this.#o.log(r.line);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
