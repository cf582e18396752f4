/**
 * The download loop behind `scalpbot download`: historical trades from TWS into the
 * {@linkcode TickStore}, one contract-day at a time.
 *
 * - Contract: the configured symbol's contracts, expired ones included; each day's contract
 *   is the live mode's front month (roll rule of `lib/ib/contract.ts`) at the day's first
 *   session open, or the one `contract` names.
 * - Days and sessions: the weekly pattern of the contract's trading hours
 *   (`lib/data/calendar.ts`); each session is walked forward from its open, 1,000 trades a
 *   request, within IB's pacing (`lib/ib/history.ts`, shared with the live backfill).
 * - Faults: a drop reconnects with the live backoff and the day goes on from the last page
 *   written; 1100 holds requests until 1101/1102; a request that times out is asked again.
 *
 * @module
 */
import type { Config } from "../config/schema.ts";
import { IbAdapter, IbRequestError } from "../ib/adapter.ts";
import { pickFrontMonth, type ResolvedContract } from "../ib/contract.ts";
import { hostPort } from "../ib/host.ts";
import { HistoryPacer, type PacerStats, walkForward } from "../ib/history.ts";
import { FatalError, listContracts } from "../ib/listing.ts";
import { type TradingDay, tradingDays, weeklyPattern } from "./calendar.ts";
import type { DayWriter, StoreContract, TickStore } from "./store.ts";

/** Options of {@linkcode download}. */
export interface DownloadOptions {
  config: Config;
  store: TickStore;
  /** First and last trading day, `yyyy-mm-dd`. */
  from: string;
  to: string;
  /** Local symbol (e.g. MESZ5) to download instead of each day's front month. */
  contract?: string | undefined;
  /** One line per event (connection, day done, holiday). */
  log?: (line: string) => void;
  /** Called after each request and day. */
  progress?: (p: DownloadProgress) => void;
  /** Ends the run after the page in flight (Ctrl+C). */
  signal?: AbortSignal;
  /**
   * Pacing clock, epoch ms (default the wall clock: the manifest hands the windows to the
   * next run), and sleep; tests run them faster, with the simulator's clock.
   */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Consecutive failed connection attempts before giving up (default 8). */
  maxConnectAttempts?: number;
}

/** Where the download stands. */
export interface DownloadProgress {
  /** Contract-days to fetch this run, and those finished (fetched or found empty). */
  daysTodo: number;
  daysDone: number;
  /** Done days found in the store and skipped. */
  skipped: number;
  /** Days without trades (holidays), recorded as empty. */
  empty: number;
  /** Trades written this run. */
  ticks: number;
  pacing: PacerStats;
  /** Fraction of this run's work done, 0..1. */
  fraction: number;
  /** Run time so far, ms (pacing clock). */
  elapsedMs: number;
  /** The day being fetched (`MESZ5 2025-10-01`), if any. */
  current?: string;
}

/** What a run did. */
export interface DownloadSummary extends DownloadProgress {
  /** Days in the range whose sessions had not ended at IB's time (not fetched). */
  notOver: number;
  /** Contracts used, in order. */
  contracts: string[];
  /** Reconnections after a drop. */
  reconnects: number;
  /** True when stopped (signal) before the end. */
  stopped: boolean;
}

/** Thrown when the run was stopped; the store is consistent. */
class Stopped extends Error {}

/** IB connection with reconnects and 1100 holds, for one download run. */
class Link {
  readonly ib: IbAdapter;
  reconnects = 0;
  #cfg: Config;
  #log: (line: string) => void;
  #lost = false;
  #everReady = false;
  #failures = 0;
  #maxFailures: number;
  #waiters: Array<() => void> = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #fatal: Error | undefined;

  constructor(cfg: Config, log: (line: string) => void, maxFailures: number) {
    this.#cfg = cfg;
    this.#log = log;
    this.#maxFailures = maxFailures;
    this.ib = new IbAdapter({
      host: cfg.ib.host,
      port: cfg.ib.port,
      clientId: cfg.ib.client_id,
      maxReqPerSec: cfg.ib.max_req_per_sec,
      tickType: cfg.ib.tick_type,
      handshakeTimeoutMs: cfg.live.request_timeout_ms,
    }, {
      onReady: () => {
        if (this.#everReady) this.reconnects++;
        this.#everReady = true;
        this.#failures = 0;
        this.#lost = false;
        this.#log(`[ib] connected to TWS at ${this.#where()}`);
        this.#wake();
      },
      onDisconnected: () => {
        if (this.#closed) return;
        this.#failures++;
        if (this.#failures >= this.#maxFailures) {
          this.#fatal = new FatalError(
            `cannot reach TWS at ${this.#where()} (${this.#failures} attempts); ` +
              `is TWS / IB Gateway running with the API enabled on that port?`,
          );
          this.#wake();
          return;
        }
        const l = this.#cfg.live;
        const delay = Math.min(l.reconnect_max_ms, l.reconnect_min_ms * 2 ** (this.#failures - 1));
        const what = this.#everReady ? "disconnected" : `no connection to TWS at ${this.#where()}`;
        this.#log(`[conn] ${what}; trying again in ${(delay / 1000).toFixed(1)} s`);
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          if (!this.#closed) this.ib.connect();
        }, delay);
      },
      onInfo: (code, message) => {
        if (code === 1100) {
          this.#lost = true;
          this.#log(`[ib] 1100 ${message}: requests wait`);
        } else if (code === 1101 || code === 1102) {
          this.#lost = false;
          this.#log(`[ib] ${code}: the day goes on from its last page`);
          this.#wake();
        }
      },
      onWarning: (line) => this.#log(line),
    });
  }

  #where(): string {
    return hostPort(this.#cfg.ib.host, this.#cfg.ib.port);
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  /** Resolves once requests can be sent; throws when the link gave up or `stop` fires. */
  async usable(signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      if (this.#fatal !== undefined) throw this.#fatal;
      if (signal?.aborted) throw new Stopped();
      if (this.ib.ready && !this.#lost) return;
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        signal?.addEventListener("abort", () => resolve(), { once: true });
      });
    }
  }

  start(): void {
    this.ib.connect();
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.ib.disconnect();
    this.#wake();
  }
}

/** A day's job: its contract and sessions. */
interface Job {
  day: TradingDay;
  contract: ResolvedContract;
}

function storeContract(c: ResolvedContract): StoreContract {
  return {
    conId: c.conId,
    symbol: c.symbol,
    localSymbol: c.localSymbol,
    exchange: c.exchange,
    month: c.contractMonth || c.lastTradeDateOrContractMonth.slice(0, 6),
    minTick: c.minTick,
    multiplier: c.multiplier,
    timeZone: c.timeZone,
  };
}

/**
 * Downloads the trading days `from`..`to` into the store; skips the days the manifest has
 * as done and resumes a partial one. Throws {@linkcode FatalError} for what no retry fixes
 * (unknown contract, TWS unreachable, a 162 that persists).
 */
export async function download(o: DownloadOptions): Promise<DownloadSummary> {
  const log = o.log ?? (() => {});
  const now = o.now ?? (() => Date.now());
  const t0 = now();
  const link = new Link(o.config, log, o.maxConnectAttempts ?? 8);
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const pacer = new HistoryPacer({
    intervalMs: o.config.live.page_interval_ms,
    now,
    // A Ctrl+C does not wait out a pacing window.
    sleep: async (ms) => {
      const signal = o.signal;
      if (signal === undefined) return await sleep(ms);
      if (signal.aborted) return;
      const woken = Promise.withResolvers<void>();
      const wake = () => woken.resolve();
      signal.addEventListener("abort", wake);
      await Promise.race([sleep(ms), woken.promise]);
      signal.removeEventListener("abort", wake);
    },
    onBackoff: (d) => log(`[ib] pacing violation (162): next request in ${d / 1000} s`),
  }, o.store.recentRequests);
  const s: DownloadSummary = {
    daysTodo: 0,
    daysDone: 0,
    skipped: 0,
    empty: 0,
    ticks: 0,
    pacing: pacer.stats,
    fraction: 0,
    elapsedMs: 0,
    notOver: 0,
    contracts: [],
    reconnects: 0,
    stopped: false,
  };
  let dayFraction = 0;
  const report = (current?: string) => {
    s.elapsedMs = now() - t0;
    s.fraction = s.daysTodo === 0 ? 1 : (s.daysDone + dayFraction) / s.daysTodo;
    s.reconnects = link.reconnects;
    const p: DownloadProgress = { ...s, pacing: { ...pacer.stats } };
    if (current !== undefined) p.current = current;
    o.progress?.(p);
  };
  /** Runs `f` until it succeeds, across drops, 1100 holds and timeouts. */
  const retrying = async <T>(f: () => Promise<T>): Promise<T> => {
    for (;;) {
      await link.usable(o.signal);
      try {
        return await f();
      } catch (e) {
        if (o.signal?.aborted) throw new Stopped();
        if (!(e instanceof IbRequestError) || (e.code !== -2 && e.code !== 0)) throw e;
        if (e.code === 0) log(`[ib] ${e.message}; asking again`);
      }
    }
  };
  link.start();
  try {
    const list = await retrying(() => listContracts(link.ib, o.config, true));
    const jobs = await plan(o, list, await retrying(() => link.ib.currentTime(5000)), s);
    const todo = jobs.filter((j) => !o.store.done(j.contract.localSymbol, j.day.date));
    s.skipped = jobs.length - todo.length;
    s.daysTodo = todo.length;
    if (s.skipped > 0) log(`[download] ${s.skipped} day(s) already in the store: skipped`);
    for (const j of jobs) {
      if (!s.contracts.includes(j.contract.localSymbol)) s.contracts.push(j.contract.localSymbol);
    }
    report();
    for (const job of todo) {
      if (o.signal?.aborted) throw new Stopped();
      const c = job.contract;
      const name = `${c.localSymbol} ${job.day.date}`;
      const writer = await o.store.beginDay(storeContract(c), job.day.date, job.day.sessions);
      try {
        await fetchDay(job, writer, (page) => {
          s.ticks += page;
          dayFraction = progressInDay(job.day, writer);
          report(name);
        });
      } catch (e) {
        writer.close();
        throw e;
      }
      const rec = await writer.finish();
      dayFraction = 0;
      s.daysDone++;
      if (rec.status === "empty") {
        s.empty++;
        log(`[download] ${name}: no trades (a holiday?), recorded as empty`);
      } else log(`[download] ${name}: ${rec.ticks} trades -> ${rec.file}`);
      report();
    }
  } catch (e) {
    // An answer no retry fixes (a 162 that persists, no permission...): one line, not a bug
    // report; the store keeps the pages written, and the next run resumes there.
    if (e instanceof IbRequestError) {
      throw new FatalError(
        `${e.message}: the store keeps what was fetched; run again to resume`,
      );
    }
    if (!(e instanceof Stopped)) throw e;
    s.stopped = true;
  } finally {
    link.close();
  }
  report();
  return s;

  async function fetchDay(job: Job, w: DayWriter, onPage: (n: number) => void): Promise<void> {
    const c = job.contract;
    const sessions = job.day.sessions;
    while (w.at.session < sessions.length) {
      const k = w.at.session;
      const span = sessions[k]!;
      const cursorMs = Math.max(w.at.cursor, span.start);
      await walkForward(
        (start) =>
          retrying(() =>
            pacer.request(
              `start|${start}`,
              c.conId,
              () =>
                link.ib.historicalTicksFrom(c.conId, c.exchange, start, {
                  count: 1000,
                  timeoutMs: o.config.live.request_timeout_ms,
                  includeExpired: true,
                }).catch((e) => {
                  // IB's "HMDS query returned no data": nothing from `start` on.
                  if (e instanceof IbRequestError && e.code === 162 && /no data/i.test(e.message)) {
                    return { ts: [], price: [], size: [] };
                  }
                  throw e;
                }),
              () => o.signal?.aborted === true,
            )
          ),
        { cursorMs, endMs: span.end },
        async (page, next) => {
          o.store.recentRequests = pacer.recent();
          const last = next >= span.end;
          const nextSession = last ? k + 1 : k;
          const nextCursor = last ? sessions[k + 1]?.start ?? span.end : next;
          await w.append(page, nextSession, nextCursor);
          onPage(page.ts.length);
        },
        () => o.signal?.aborted === true,
      );
      if (o.signal?.aborted) throw new Stopped();
    }
  }
}

/** Share of a day's session time already walked. */
function progressInDay(day: TradingDay, w: DayWriter): number {
  let total = 0;
  let done = 0;
  day.sessions.forEach((s, i) => {
    total += s.end - s.start;
    if (i < w.at.session) done += s.end - s.start;
    else if (i === w.at.session) done += Math.max(0, Math.min(w.at.cursor, s.end) - s.start);
  });
  return total > 0 ? done / total : 0;
}

/** The contract-days of the range, each with its contract; days not over yet are counted. */
function plan(
  o: DownloadOptions,
  list: ResolvedContract[],
  ibNow: number,
  s: DownloadSummary,
): Job[] {
  const k = o.config.contract;
  if (list.length === 0) throw new FatalError(`IB lists no contract for ${k.symbol}`);
  let fixed: ResolvedContract | undefined;
  if (o.contract !== undefined) {
    const want = o.contract.toUpperCase();
    fixed = list.find((c) => c.localSymbol.toUpperCase() === want);
    if (fixed === undefined) {
      throw new FatalError(
        `--contract ${o.contract}: IB lists no such ${k.symbol} contract (listed: ${
          list.map((c) => c.localSymbol).join(", ")
        })`,
      );
    }
  }
  // The hours of a live contract (an expired one's may be empty); all share the pattern.
  const refs = [...list].sort((a, b) => b.lastTradeMs - a.lastTradeMs);
  let days: TradingDay[] | undefined;
  let problem = "";
  for (const ref of fixed === undefined ? refs : [fixed, ...refs]) {
    try {
      days = tradingDays(weeklyPattern(ref.tradingHours, ref.timeZone), o.from, o.to);
      break;
    } catch (e) {
      problem ||= `${ref.localSymbol}: ${(e as Error).message}`;
    }
  }
  if (days === undefined) throw new FatalError(problem);
  const jobs: Job[] = [];
  for (const day of days) {
    const end = day.sessions.at(-1)!.end;
    if (end > ibNow) {
      s.notOver++;
      continue;
    }
    const open = day.sessions[0]!.start;
    const c = fixed ?? pickFrontMonth(list, open, {
      rollDays: o.config.live.roll_days,
      month: k.month,
    });
    if (c === undefined) {
      throw new FatalError(`no ${k.symbol} contract fits ${day.date} by the roll rule`);
    }
    // A contract's history ends at its last trade.
    if (open >= c.lastTradeMs) continue;
    jobs.push({ day, contract: c });
  }
  return jobs;
}
