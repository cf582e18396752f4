/**
 * The tick files of a multi-day backtest: `--ticks DIR|GLOB|FILE…` resolved to a list of
 * files in time order. A folder with a `manifest.json` is a download store: its complete
 * days, one contract per trading day (the continuous contract), filtered by `--from/--to`.
 * Any other folder gives its `*.csv` files, a glob (wildcards in the file name) the files it
 * matches. Each plain file's first and last tick times are read (head and tail only) to order
 * the files and to refuse two that overlap in time.
 *
 * Continuous contract: the store holds one contract per trading day (download picks it by the
 * live roll rule); when a day holds files of two contracts (a `--contract` download), the
 * later month is taken from the first day it appears on, and never left again. Prices are
 * not back-adjusted: each contract's own prices are replayed, and the runner closes a trade
 * still open when the contract changes (no trade is held across a roll).
 *
 * @module
 */
import { basename, dirname, join } from "node:path";
import { type DayRecord, MANIFEST_NAME, TickStore } from "./store.ts";
import { parseTickCsvText } from "../ticks/csv_reader.ts";

/** One tick file of the run. */
export interface TickInput {
  /** Path of the file. */
  path: string;
  /** Contract (local symbol) when known (store files); a change between files is a roll. */
  contract?: string;
  /** Trading day `yyyy-mm-dd` when known (store files). */
  date?: string;
  /** Time of the first and last tick, epoch ms (NaN when the file holds no tick). */
  first: number;
  last: number;
  /** True when the file comes from a store (its days are selected by date, not by tick). */
  fromStore: boolean;
}

/** A bad `--ticks` value or a conflict between files: one line naming both. */
export class InputError extends Error {}

/** Options of {@linkcode resolveTickInputs}. */
export interface ResolveOptions {
  /** Trading days `yyyy-mm-dd`, inclusive (store days; plain files are filtered by tick). */
  from?: string;
  to?: string;
}

const PEEK_BYTES = 64 * 1024;

/**
 * Resolves `--ticks` values to files in time order. Throws {@linkcode InputError} for a
 * value that names nothing, a store without complete days in range, or overlapping files.
 */
export async function resolveTickInputs(
  specs: readonly string[],
  options: ResolveOptions = {},
): Promise<TickInput[]> {
  const inputs: TickInput[] = [];
  const seen = new Set<string>();
  const add = (t: TickInput) => {
    if (seen.has(t.path)) return;
    seen.add(t.path);
    inputs.push(t);
  };
  for (const spec of specs) {
    if (/[*?[]/.test(basename(spec))) {
      const files = await globFiles(spec);
      if (files.length === 0) throw new InputError(`--ticks ${spec} matches no file`);
      for (const f of files) add(await peekFile(f));
      continue;
    }
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(spec);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw new InputError(`--ticks ${spec}: no such file or folder`);
      }
      throw new InputError(`--ticks ${spec}: ${(e as Error).message}`);
    }
    if (!info.isDirectory) {
      // A pipe or a device is read as it comes: nothing to peek at, so it must come alone.
      if (!info.isFile) {
        if (specs.length > 1) {
          throw new InputError(`--ticks ${spec} is not a regular file: give it alone`);
        }
        return [{ path: spec, first: NaN, last: NaN, fromStore: false }];
      }
      add(await peekFile(spec));
      continue;
    }
    const isStore = await Deno.stat(join(spec, MANIFEST_NAME)).then(() => true, () => false);
    if (isStore) {
      for (const t of await storeInputs(spec, options)) add(t);
      continue;
    }
    const files = await globFiles(join(spec, "*.csv"));
    if (files.length === 0) throw new InputError(`--ticks ${spec}: the folder holds no .csv file`);
    for (const f of files) add(await peekFile(f));
  }
  return orderAndCheck(inputs);
}

/** The store's complete days in range, one contract per day (see the module notes). */
async function storeInputs(dir: string, o: ResolveOptions): Promise<TickInput[]> {
  let store: TickStore;
  try {
    store = await TickStore.open(dir);
  } catch (e) {
    throw new InputError(`--ticks ${dir}: ${(e as Error).message}`);
  }
  const byDate = new Map<string, DayRecord[]>();
  for (const r of store.records()) {
    if (r.status !== "complete" || r.file === undefined) continue;
    if ((o.from !== undefined && r.date < o.from) || (o.to !== undefined && r.date > o.to)) {
      continue;
    }
    const list = byDate.get(r.date) ?? [];
    list.push(r);
    byDate.set(r.date, list);
  }
  if (byDate.size === 0) {
    const range = o.from !== undefined || o.to !== undefined
      ? ` from ${o.from ?? "the start"} to ${o.to ?? "the end"}`
      : "";
    throw new InputError(`--ticks ${dir}: the store holds no complete day${range}`);
  }
  const out: TickInput[] = [];
  let month = "";
  for (const date of [...byDate.keys()].sort()) {
    const list = byDate.get(date)!.sort((a, b) => a.contract.month < b.contract.month ? -1 : 1);
    // The continuous contract never goes back to an earlier month.
    const r = list.find((x) => x.contract.month >= month) ?? list.at(-1)!;
    month = r.contract.month;
    const path = join(dir, r.file!);
    const peek = await peekFile(path);
    out.push({ ...peek, contract: r.contract.localSymbol, date, fromStore: true });
  }
  return out;
}

/** Files matching a glob whose wildcards are in the file name only, sorted by name. */
async function globFiles(pattern: string): Promise<string[]> {
  const dir = dirname(pattern);
  const name = basename(pattern);
  if (/[*?[]/.test(dir)) {
    throw new InputError(`--ticks ${pattern}: wildcards are allowed in the file name only`);
  }
  const re = new RegExp(
    "^" + name.replace(/[.+^${}()|\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") + "$",
  );
  const files: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && re.test(e.name)) files.push(join(dir, e.name));
    }
  } catch (e) {
    throw new InputError(`--ticks ${pattern}: cannot list ${dir} (${(e as Error).message})`);
  }
  return files.sort();
}

/** First and last tick times of a file, from its first and last 64 KiB. */
async function peekFile(path: string): Promise<TickInput> {
  const f = await Deno.open(path, { read: true }).catch((e: Error) => {
    throw new InputError(`--ticks ${path}: ${e.message}`);
  });
  try {
    const size = (await f.stat()).size;
    const head = await readAt(f, 0, Math.min(size, PEEK_BYTES));
    const headText = new TextDecoder().decode(head);
    const nl = headText.indexOf("\n");
    const header = nl < 0 ? headText : headText.slice(0, nl);
    // Whole lines only: the head up to its last newline, the tail from its first.
    const headLines = size <= PEEK_BYTES
      ? headText
      : headText.slice(0, headText.lastIndexOf("\n") + 1);
    const firstTicks = parseTickCsvText(headLines, {
      source: path,
      // Malformed lines are the run's to report (or skip), at their place in the file.
      skipMalformed: true,
    }).ticks;
    let last = firstTicks.at(-1)?.ts ?? NaN;
    if (size > PEEK_BYTES) {
      const tailText = new TextDecoder().decode(
        await readAt(f, size - PEEK_BYTES, PEEK_BYTES),
      );
      const body = tailText.slice(tailText.indexOf("\n") + 1);
      // Lines cut by the peek are skipped: the run itself reports malformed ones.
      const tail = parseTickCsvText(`${header}\n${body}`, { source: path, skipMalformed: true });
      last = tail.ticks.at(-1)?.ts ?? last;
    }
    return { path, first: firstTicks[0]?.ts ?? NaN, last, fromStore: false };
  } finally {
    f.close();
  }
}

async function readAt(f: Deno.FsFile, at: number, length: number): Promise<Uint8Array> {
  await f.seek(at, Deno.SeekMode.Start);
  const buf = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const n = await f.read(buf.subarray(got));
    if (n === null) break;
    got += n;
  }
  return buf.subarray(0, got);
}

/** Sorts by first tick; two files whose tick spans overlap are refused. */
function orderAndCheck(inputs: TickInput[]): TickInput[] {
  // Files without a tick go first: they add nothing but their zero-size prints.
  const empty = inputs.filter((t) => Number.isNaN(t.first));
  const sorted = inputs.filter((t) => !Number.isNaN(t.first))
    .sort((a, b) => a.first - b.first || a.last - b.last);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (b.first < a.last) {
      throw new InputError(
        `tick files overlap in time: ${a.path} (${iso(a.first)} to ${iso(a.last)}) and ` +
          `${b.path} (${iso(b.first)} to ${iso(b.last)}); give each span once`,
      );
    }
  }
  return [...empty, ...sorted];
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
