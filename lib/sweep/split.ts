/**
 * The in-sample / out-of-sample split of a sweep's files by date: `--split 0.7` (the first
 * 70% of the days in sample) or `--oos-from DATE` (days from DATE out of sample). A file's
 * date is the date of its last tick in the session's time zone (a GC day that opens at
 * 18:00 New York the evening before counts as the day it closes).
 *
 * @module
 */

/** How to split, as given on the command line. */
export type SplitSpec = { fraction: number } | { oosFrom: string };

/** File indices in date order, per sample. */
export interface Split {
  /** In-sample files, oldest first. */
  inSample: number[];
  /** Out-of-sample files, oldest first. */
  outOfSample: number[];
}

/** Thrown for a split that cannot be made; one line naming the option and its value. */
export class SplitError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "SplitError";
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Parses `--split` / `--oos-from` (at most one of them).
 *
 * @example
 * ```ts
 * parseSplit("0.7", undefined); // { fraction: 0.7 }
 * ```
 */
export function parseSplit(
  split: string | undefined,
  oosFrom: string | undefined,
): SplitSpec | undefined {
  if (split !== undefined && oosFrom !== undefined) {
    throw new SplitError("--split and --oos-from cannot be used together; choose one");
  }
  if (split !== undefined) {
    const f = Number(split);
    if (split.trim() === "" || !(f > 0 && f < 1)) {
      throw new SplitError(`--split must be a fraction between 0 and 1 (e.g. 0.7), got "${split}"`);
    }
    return { fraction: f };
  }
  if (oosFrom !== undefined) {
    const d = new Date(`${oosFrom}T00:00:00Z`);
    if (
      !DATE.test(oosFrom) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== oosFrom
    ) {
      throw new SplitError(`--oos-from must be a date YYYY-MM-DD, got "${oosFrom}"`);
    }
    return { oosFrom };
  }
  return undefined;
}

/** The calendar date (YYYY-MM-DD) of `ms` in `timeZone`. */
export function dateIn(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  })
    .format(ms);
}

/**
 * Splits files by their dates (`dates[i]` of file i). Both samples must hold a file.
 *
 * @example
 * ```ts
 * splitFiles(["2024-01-03", "2024-01-02", "2024-01-04"], { fraction: 0.7 });
 * // { inSample: [1, 0], outOfSample: [2] }
 * ```
 */
export function splitFiles(dates: readonly string[], spec: SplitSpec): Split {
  const order = dateOrder(dates);
  let cut: number;
  let how: string;
  if ("fraction" in spec) {
    cut = Math.round(order.length * spec.fraction);
    how = `--split ${spec.fraction}`;
  } else {
    cut = order.findIndex((i) => dates[i]! >= spec.oosFrom);
    if (cut < 0) cut = order.length;
    how = `--oos-from ${spec.oosFrom}`;
  }
  const first = dates[order[0]!] ?? "?";
  const last = dates[order.at(-1)!] ?? "?";
  if (cut <= 0 || cut >= order.length) {
    throw new SplitError(
      `${how} leaves no ${
        cut <= 0 ? "in-sample" : "out-of-sample"
      } day among the ${order.length} ` +
        `file(s) (${first} to ${last}); each side needs at least one`,
    );
  }
  return { inSample: order.slice(0, cut), outOfSample: order.slice(cut) };
}

/** File indices by date (ties keep the given order). */
export function dateOrder(dates: readonly string[]): number[] {
  return dates.map((_, i) => i).sort((a, b) => dates[a]!.localeCompare(dates[b]!) || a - b);
}
