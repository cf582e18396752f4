/**
 * Gap backfill, pure: page IB's historical trades backwards over a time range, then keep
 * only the trades the engine has not processed yet.
 *
 * Stamps are whole seconds, so "after the last processed tick" is ambiguous inside the
 * last processed second. The rule: re-request from that second and drop as many of its
 * trades as were already processed (IB sends a second's trades in the same order live and
 * in history). The other end: history is used for seconds before `untilMs`, a second that
 * IB's clock had already passed when the live subscription was running, so live ticks from
 * `untilMs` on are complete and history before it is complete.
 *
 * @module
 */

import type { TickColumns } from "../ib/history.ts";

/** Trades in columnar form, oldest first (defined with IB's history rules). */
export type { TickColumns };

/** Where the engine stands: the last processed second and how many of its trades it saw. */
export interface Processed {
  /** Stamp (ms, whole second) of the last processed tick, or -Infinity for none. */
  lastSecond: number;
  /** Ticks of `lastSecond` already processed. */
  inLastSecond: number;
}

/** Fetches the page of trades up to `endMs` inclusive to the second (IB's `end` semantics). */
export type PageFetcher = (endMs: number) => Promise<TickColumns>;

/** Result of {@linkcode fetchRange}. */
export interface RangeResult extends TickColumns {
  /** Pages requested. */
  pages: number;
  /** True when the page cap stopped the paging before `fromMs` was reached. */
  truncated: boolean;
}

/**
 * Pages backwards from `untilMs` (exclusive) until a page reaches `fromMs` (or history
 * ends), at most `maxPages` pages; returns the trades in `[fromMs, untilMs)`, oldest first.
 */
export async function fetchRange(
  fetchPage: PageFetcher,
  range: { fromMs: number; untilMs: number },
  options: { maxPages: number },
): Promise<RangeResult> {
  const chunks: TickColumns[] = [];
  let end = range.untilMs - 1000;
  let pages = 0;
  let truncated = false;
  while (end >= range.fromMs) {
    if (pages >= options.maxPages) {
      truncated = true;
      break;
    }
    const page = await fetchPage(end);
    pages++;
    if (page.ts.length === 0) break;
    chunks.push(page);
    const first = page.ts[0]!;
    if (first <= range.fromMs) break;
    // The page holds every trade of its first second, so the next one ends just before.
    end = Math.floor(first / 1000) * 1000 - 1000;
  }
  const out: RangeResult = { ts: [], price: [], size: [], pages, truncated };
  for (let c = chunks.length - 1; c >= 0; c--) {
    const page = chunks[c]!;
    for (let i = 0; i < page.ts.length; i++) {
      const t = page.ts[i]!;
      if (t < range.fromMs || t >= range.untilMs) continue;
      out.ts.push(t);
      out.price.push(page.price[i]!);
      out.size.push(page.size[i]!);
    }
  }
  return out;
}

/**
 * The trades of `history` (oldest first) the engine has not processed: those after
 * `p.lastSecond`, and those of `p.lastSecond` past the first `p.inLastSecond`.
 */
export function unprocessed(history: TickColumns, p: Processed): TickColumns {
  const out: TickColumns = { ts: [], price: [], size: [] };
  let seen = 0;
  for (let i = 0; i < history.ts.length; i++) {
    const t = history.ts[i]!;
    if (t < p.lastSecond) continue;
    if (t === p.lastSecond && seen < p.inLastSecond) {
      seen++;
      continue;
    }
    out.ts.push(t);
    out.price.push(history.price[i]!);
    out.size.push(history.size[i]!);
  }
  return out;
}
