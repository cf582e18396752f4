/**
 * IB's historical-tick rules, shared by the live backfill and `scalpbot download`: the
 * pacing TWS enforces with error 162, and the forward walk of a session page by page.
 *
 * Pacing (IB's published limits for small historical requests): no identical request
 * within 15 s, at most 5 requests for one contract in any 2 s, at most 60 requests in any
 * 10 minutes; on top, the configured spacing between two requests. A request is logged
 * when its answer (or failure) arrives, later than TWS logs it, so waiting out the windows
 * on this clock never undercuts TWS's. A 162 is still possible (another client of the
 * same account): it is retried with a growing backoff.
 *
 * @module
 */
import { IbRequestError, type TickPage } from "./adapter.ts";

/** Trades in columnar form, oldest first: the adapter's history page. */
export type TickColumns = TickPage;

/** IB's pacing limits for historical data. */
export const IB_PACING = {
  /** An identical request is refused within this many ms. */
  identicalMs: 15_000,
  /** At most `perContract` requests for one contract in `perContractMs`. */
  perContract: 5,
  perContractMs: 2_000,
  /** At most `window` requests in `windowMs`. */
  window: 60,
  windowMs: 600_000,
} as const;

/** Options of {@linkcode HistoryPacer}. */
export interface HistoryPacerOptions {
  /** Least ms between two requests (`live.page_interval_ms`). */
  intervalMs: number;
  /** Clock in ms (default `performance.now`); tests run it faster, with `sleep`. */
  now?: () => number;
  /** Waits `ms` on the same clock (default a timer). */
  sleep?: (ms: number) => Promise<void>;
  /** Retries of a request answered by 162 before the error is thrown (default 5). */
  maxRetries?: number;
  /** Called before a 162 backoff of `delayMs`. */
  onBackoff?(delayMs: number, attempt: number): void;
}

/** What the pacer did. */
export interface PacerStats {
  /** Requests sent. */
  requests: number;
  /** Requests that had to wait for a pacing window (beyond the plain spacing). */
  waits: number;
  /** Total ms waited for the windows. */
  waitedMs: number;
  /** Requests answered by 162 and retried. */
  retries162: number;
}

/** A request the pacer logged: when its answer came (pacer clock), its key and contract. */
export interface SentRequest {
  at: number;
  key: string;
  conId: number;
}

/** The text of IB's pacing 162 ("Historical data request pacing violation"). */
const PACING_162 = /pacing/i;

const timerSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Sends historical requests one at a time within IB's pacing; see the module doc. */
export class HistoryPacer {
  /** Counters since creation. */
  readonly stats: PacerStats = { requests: 0, waits: 0, waitedMs: 0, retries162: 0 };
  #o: HistoryPacerOptions;
  #now: () => number;
  #sleep: (ms: number) => Promise<void>;
  #sent: SentRequest[] = [];

  /**
   * Creates a pacer; `sent` are requests logged by an earlier run on the same clock (a
   * download resumed at once must not undercut the windows its predecessor opened).
   */
  constructor(options: HistoryPacerOptions, sent: readonly SentRequest[] = []) {
    this.#o = options;
    this.#now = options.now ?? (() => performance.now());
    this.#sleep = options.sleep ?? timerSleep;
    this.#sent = sent.filter((s) => Number.isFinite(s.at)).sort((a, b) => a.at - b.at);
  }

  /** The requests that still count against a window, oldest first. */
  recent(): SentRequest[] {
    const now = this.#now();
    return this.#sent.filter((s) => now - s.at < IB_PACING.windowMs);
  }

  /**
   * Sends `send()` once the pacing allows a request `key` for `conId`; retries it on a
   * pacing 162 with a backoff of 2, 4, 8, 15 s... Throws what `send` throws otherwise, and an
   * {@linkcode IbRequestError} -2 when `stale()` turns true while waiting.
   */
  async request<T>(
    key: string,
    conId: number,
    send: () => Promise<T>,
    stale: () => boolean = () => false,
  ): Promise<T> {
    const max = this.#o.maxRetries ?? 5;
    for (let attempt = 0;; attempt++) {
      await this.#wait(key, conId);
      if (stale()) throw new IbRequestError(-2, "superseded");
      this.stats.requests++;
      let refused = false;
      try {
        return await send();
      } catch (e) {
        // A request TWS refused for pacing was not served: it does not count as sent. Other
        // 162s (no data, no permission) are answers, for the caller.
        refused = e instanceof IbRequestError && e.code === 162 && PACING_162.test(e.message);
        if (!refused || attempt >= max) throw e;
        this.stats.retries162++;
        const delay = Math.min(15_000, 2000 * 2 ** attempt);
        this.#o.onBackoff?.(delay, attempt);
        await this.#sleep(delay);
      } finally {
        if (!refused) this.#sent.push({ at: this.#now(), key, conId });
      }
    }
  }

  /** Ms to wait before a request `key` for `conId` is within every limit (0: none). */
  delay(key: string, conId: number): { spacing: number; window: number } {
    const now = this.#now();
    const p = IB_PACING;
    this.#sent = this.#sent.filter((s) => now - s.at < p.windowMs);
    const sent = this.#sent;
    let until = -Infinity;
    for (const s of sent) {
      if (s.key === key && s.conId === conId) until = Math.max(until, s.at + p.identicalMs);
    }
    const same = sent.filter((s) => s.conId === conId && now - s.at < p.perContractMs);
    if (same.length >= p.perContract) {
      until = Math.max(until, same[same.length - p.perContract]!.at + p.perContractMs);
    }
    if (sent.length >= p.window) {
      until = Math.max(until, sent[sent.length - p.window]!.at + p.windowMs);
    }
    const last = sent.at(-1)?.at ?? -Infinity;
    return {
      spacing: Math.max(0, last + this.#o.intervalMs - now),
      window: Math.max(0, until - now),
    };
  }

  async #wait(key: string, conId: number): Promise<void> {
    let counted = false;
    for (;;) {
      const d = this.delay(key, conId);
      if (d.spacing <= 0 && d.window <= 0) return;
      if (d.window > 0) {
        if (!counted) this.stats.waits++;
        counted = true;
        this.stats.waitedMs += Math.max(d.window, d.spacing);
      }
      await this.#sleep(Math.max(d.window, d.spacing));
    }
  }
}

/** Fetches the page of trades from `startMs` on (IB's `startDateTime` semantics). */
export type ForwardFetcher = (startMs: number) => Promise<TickColumns>;

/**
 * Walks one session forward from `cursorMs` to `endMs` (exclusive): each page starts at the
 * second after the previous page's last one (IB completes a page's last second), and the
 * walk ends at the first page that is empty or reaches `endMs`. Trades outside
 * `[cursorMs, endMs)` are dropped. `onPage` gets each page's trades and the next cursor
 * (`endMs` once done); `stop()` is checked before each request.
 * Returns false when stopped before the end.
 */
export async function walkForward(
  fetchPage: ForwardFetcher,
  span: { cursorMs: number; endMs: number },
  onPage: (page: TickColumns, nextMs: number) => Promise<void> | void,
  stop: () => boolean = () => false,
): Promise<boolean> {
  let cursor = span.cursorMs;
  while (cursor < span.endMs) {
    if (stop()) return false;
    const page = await fetchPage(cursor);
    const kept: TickColumns = { ts: [], price: [], size: [] };
    for (let i = 0; i < page.ts.length; i++) {
      const t = page.ts[i]!;
      if (t < cursor || t >= span.endMs) continue;
      kept.ts.push(t);
      kept.price.push(page.price[i]!);
      kept.size.push(page.size[i]!);
    }
    const last = page.ts.at(-1);
    const next = last === undefined || last >= span.endMs
      ? span.endMs
      : Math.max(cursor + 1000, Math.floor(last / 1000) * 1000 + 1000);
    await onPage(kept, next);
    cursor = next;
  }
  return true;
}
