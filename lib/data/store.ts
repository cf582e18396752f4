/**
 * The local tick store `scalpbot download` fills and a multi-day backtest reads: one CSV per
 * contract per trading day (`<SYMBOL>_<LOCAL>_<yyyy-mm-dd>_trades.csv`, the shared tick
 * header `ts_utc,price,size`), and `manifest.json`, the only record of what is complete.
 *
 * Crash safety: a day is written to `<file>.part`, appended a page at a time; after each
 * page the manifest (written to a temporary file, then renamed) records the part's length
 * and where the next request starts. A resumed day truncates the part to that length and
 * goes on from there; a finished day is renamed to its final name, then marked complete.
 * A file the manifest does not call complete is never trusted. A day without trades (a
 * holiday) is marked `empty` and gets no file.
 *
 * @module
 */
import { join } from "node:path";
import { TICK_CSV_HEADER, TickCsvFormatter } from "../gen/csv_format.ts";
import type { SessionSpan } from "../ib/contract.ts";
import type { SentRequest, TickColumns } from "../ib/history.ts";

/** Name of the manifest in the store folder. */
export const MANIFEST_NAME = "manifest.json";
/** Format tag of the manifest. */
export const STORE_FORMAT = "scalpbot-ticks/1";

/** The contract a day file holds. */
export interface StoreContract {
  conId: number;
  symbol: string;
  localSymbol: string;
  exchange: string;
  /** Contract month `yyyymm`. */
  month: string;
  minTick: number;
  multiplier: number;
  timeZone: string;
}

/** The manifest's record of one contract-day. */
export interface DayRecord {
  contract: StoreContract;
  /** Trading day `yyyy-mm-dd` (local date of the session close). */
  date: string;
  /** File name in the store folder (absent for an empty day). */
  file?: string;
  status: "complete" | "empty" | "partial";
  /** Trades in the file (so far, when partial). */
  ticks: number;
  /** The day's sessions, epoch ms, end exclusive. */
  sessions: SessionSpan[];
  /** Partial only: bytes of the part file that are sound. */
  bytes?: number;
  /** Partial only: the session being walked and the next request's start. */
  session?: number;
  cursor?: number;
}

/** The whole manifest. */
export interface Manifest {
  format: string;
  header: string;
  days: Record<string, DayRecord>;
  /** The last run's history requests still inside IB's pacing windows (wall clock ms). */
  recentRequests?: SentRequest[];
}

/** Where an unfinished day resumes. */
export interface ResumePoint {
  session: number;
  cursor: number;
  ticks: number;
}

/** A store problem (unreadable manifest...), one line naming the file. */
export class StoreError extends Error {}

/** Key of a contract-day in the manifest. */
export function dayKey(localSymbol: string, date: string): string {
  return `${localSymbol} ${date}`;
}

/** File name of a contract-day. */
export function dayFileName(c: StoreContract, date: string): string {
  return `${c.symbol}_${c.localSymbol}_${date}_trades.csv`;
}

/** The tick store in one folder. */
export class TickStore {
  /** Folder of the store. */
  readonly dir: string;
  #manifest: Manifest;

  private constructor(dir: string, manifest: Manifest) {
    this.dir = dir;
    this.#manifest = manifest;
  }

  /** Reads the manifest of `dir` (none yet: empty). Throws {@linkcode StoreError}. */
  static async open(dir: string): Promise<TickStore> {
    const path = join(dir, MANIFEST_NAME);
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        return new TickStore(dir, { format: STORE_FORMAT, header: "ts_utc,price,size", days: {} });
      }
      throw new StoreError(`cannot read ${path}: ${(e as Error).message}`);
    }
    let m: Manifest;
    try {
      m = JSON.parse(text);
    } catch (e) {
      throw new StoreError(`${path} is not JSON (${(e as Error).message}); move it away`);
    }
    if (m?.format !== STORE_FORMAT || typeof m.days !== "object" || m.days === null) {
      throw new StoreError(`${path} is not a ${STORE_FORMAT} manifest; move it away`);
    }
    return new TickStore(dir, m);
  }

  /** The record of a contract-day, if any. */
  record(localSymbol: string, date: string): DayRecord | undefined {
    return this.#manifest.days[dayKey(localSymbol, date)];
  }

  /** Every record, by date then contract. */
  records(): DayRecord[] {
    return Object.values(this.#manifest.days).sort((a, b) =>
      a.date < b.date
        ? -1
        : a.date > b.date
        ? 1
        : a.contract.localSymbol < b.contract.localSymbol
        ? -1
        : 1
    );
  }

  /** True when the day is done (complete or empty). */
  done(localSymbol: string, date: string): boolean {
    const s = this.record(localSymbol, date)?.status;
    return s === "complete" || s === "empty";
  }

  /**
   * Opens a day for writing: resumes its part file where the manifest left it when the part
   * is still that long, else starts it afresh.
   */
  async beginDay(
    contract: StoreContract,
    date: string,
    sessions: SessionSpan[],
  ): Promise<DayWriter> {
    const file = dayFileName(contract, date);
    const part = join(this.dir, file + ".part");
    const old = this.record(contract.localSymbol, date);
    if (
      old?.status === "partial" && old.bytes !== undefined && old.cursor !== undefined &&
      old.session !== undefined && sameSessions(old.sessions, sessions)
    ) {
      const size = await Deno.stat(part).then((s) => s.size, () => -1);
      if (size >= old.bytes) {
        const f = await Deno.open(part, { write: true });
        await f.truncate(old.bytes);
        await f.seek(old.bytes, Deno.SeekMode.Start);
        const at = { session: old.session, cursor: old.cursor, ticks: old.ticks };
        return new DayWriter(this, f, { ...old, file }, at);
      }
    }
    const f = await Deno.open(part, { write: true, create: true, truncate: true });
    const header = new TextEncoder().encode(TICK_CSV_HEADER);
    await writeAll(f, header);
    const rec: DayRecord = {
      contract,
      date,
      file,
      status: "partial",
      ticks: 0,
      sessions,
      bytes: header.length,
      session: 0,
      cursor: sessions[0]?.start ?? 0,
    };
    await this.put(rec);
    return new DayWriter(this, f, rec, { session: 0, cursor: rec.cursor!, ticks: 0 });
  }

  /** Records a day without trades (no file); drops a part file left by an earlier run. */
  async markEmpty(contract: StoreContract, date: string, sessions: SessionSpan[]): Promise<void> {
    await Deno.remove(join(this.dir, dayFileName(contract, date) + ".part")).catch(() => {});
    await this.put({ contract, date, status: "empty", ticks: 0, sessions });
  }

  /** Requests of the last run that may still count against IB's pacing. */
  get recentRequests(): SentRequest[] {
    const r = this.#manifest.recentRequests;
    return Array.isArray(r) ? r : [];
  }

  /** Sets the requests saved with the next manifest write (see `recentRequests`). */
  set recentRequests(list: SentRequest[]) {
    this.#manifest.recentRequests = list;
  }

  /** Stores `rec` and writes the manifest atomically (temporary file, then rename). */
  async put(rec: DayRecord): Promise<void> {
    this.#manifest.days[dayKey(rec.contract.localSymbol, rec.date)] = rec;
    const path = join(this.dir, MANIFEST_NAME);
    await Deno.writeTextFile(path + ".tmp", JSON.stringify(this.#manifest, null, 1) + "\n");
    await Deno.rename(path + ".tmp", path);
  }
}

/** Appends pages to a day's part file; see {@linkcode TickStore.beginDay}. */
export class DayWriter {
  /** Where the day stands (resume point of the next request). */
  readonly at: ResumePoint;
  #store: TickStore;
  #file: Deno.FsFile;
  #rec: DayRecord;
  #fmt: TickCsvFormatter;

  /** Created by {@linkcode TickStore.beginDay}. */
  constructor(store: TickStore, file: Deno.FsFile, rec: DayRecord, at: ResumePoint) {
    this.#store = store;
    this.#file = file;
    this.#rec = rec;
    this.at = { ...at };
    this.#fmt = new TickCsvFormatter({ decimals: decimalsOf(rec.contract.minTick) });
  }

  /** Appends a page, then records the next request's start (`session`, `cursor`). */
  async append(page: TickColumns, session: number, cursor: number): Promise<void> {
    if (page.ts.length > 0) {
      const bytes = this.#fmt.encodeBatch({
        ts: Float64Array.from(page.ts),
        price: Float64Array.from(page.price),
        size: Float64Array.from(page.size),
        count: page.ts.length,
      });
      await writeAll(this.#file, bytes);
      this.#rec.bytes = (this.#rec.bytes ?? 0) + bytes.length;
      this.#rec.ticks += page.ts.length;
    }
    this.at.session = session;
    this.at.cursor = cursor;
    this.at.ticks = this.#rec.ticks;
    this.#rec.session = session;
    this.#rec.cursor = cursor;
    await this.#store.put(this.#rec);
  }

  /** Closes the part file and leaves it for a later resume. */
  close(): void {
    this.#file.close();
  }

  /** Finishes the day: renamed to its final name and marked complete (or empty). */
  async finish(): Promise<DayRecord> {
    await this.#file.syncData();
    this.#file.close();
    const r = this.#rec;
    const path = join(this.#store.dir, r.file!);
    if (r.ticks === 0) {
      await this.#store.markEmpty(r.contract, r.date, r.sessions);
      return this.#store.record(r.contract.localSymbol, r.date)!;
    }
    await Deno.rename(path + ".part", path);
    const done: DayRecord = {
      contract: r.contract,
      date: r.date,
      file: r.file!,
      status: "complete",
      ticks: r.ticks,
      sessions: r.sessions,
    };
    await this.#store.put(done);
    return done;
  }
}

function sameSessions(a: readonly SessionSpan[], b: readonly SessionSpan[]): boolean {
  return a.length === b.length && a.every((s, i) => s.start === b[i]!.start && s.end === b[i]!.end);
}

/** Price decimals of a tick size (0.25 -> 2), capped for odd ticks. */
function decimalsOf(tick: number): number {
  const text = String(tick);
  const dot = text.indexOf(".");
  return Math.min(10, dot < 0 ? 0 : text.length - dot - 1);
}

async function writeAll(f: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await f.write(bytes.subarray(off));
}
