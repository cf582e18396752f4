/**
 * `scalpbot download`: historical trades from TWS / IB Gateway into a local tick store
 * (`lib/data/store.ts`), one file per contract per trading day. Edge code: arguments,
 * permissions, Ctrl+C, the progress bar and the summary; the loop is `lib/data/download.ts`.
 *
 * @module
 */
import { join } from "node:path";
import { loadConfig } from "../config/load.ts";
import { parseDate } from "../data/calendar.ts";
import { download, type DownloadProgress, type DownloadSummary } from "../data/download.ts";
import { MANIFEST_NAME, StoreError, TickStore } from "../data/store.ts";
import { maskAccounts } from "../ib/mask.ts";
import { FatalError } from "../ib/listing.ts";
import { parseCommandArgs } from "./args.ts";
import { onStopSignal } from "./signals.ts";
import { netPermissionProblem } from "./live.ts";
import { PermissionMissing } from "./permissions.ts";
import { RunError, UsageError } from "./usage_error.ts";

/** Help text of the download command. */
export const DOWNLOAD_HELP = `scalpbot download --from DATE --to DATE [options]

Downloads historical trades (TRADES ticks) from TWS or IB Gateway into a local store: one
CSV per contract per trading day (ts_utc,price,size), and manifest.json, which records what
is complete. Each day's contract is the live mode's front month (live.roll_days), expired
ones included; each session is walked from its open, 1,000 trades a request, within IB's
pacing. A second run skips complete days and resumes a partial one; Ctrl+C stops after the
request in flight and leaves nothing that looks complete.

  --from DATE          first trading day, yyyy-mm-dd
  --to DATE            last trading day, yyyy-mm-dd (inclusive)
  --contract LOCAL     one contract for every day, e.g. MESZ5 (default: the front month)
  --out DIR            store folder (default data)
  --config FILE        config file (default: ./config.yaml if present, else built-in defaults)
  --set KEY=VALUE      override a config key, e.g. --set ib.port=4002 (repeatable)
`;

/** Runs the download command; returns the process exit code (130 when stopped by Ctrl+C). */
export async function runDownload(args: string[]): Promise<number> {
  const { values } = parseCommandArgs("download", args, {
    from: { type: "string" },
    to: { type: "string" },
    contract: { type: "string" },
    out: { type: "string" },
    config: { type: "string" },
    set: { type: "string", multiple: true },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(DOWNLOAD_HELP);
    return 0;
  }
  // Every input is checked before the store is created or touched.
  for (const k of ["from", "to"] as const) {
    const v = values[k];
    if (v === undefined) throw new UsageError(`download: --${k} DATE is required (yyyy-mm-dd)`);
    try {
      parseDate(v);
    } catch (e) {
      throw new UsageError(`download: --${k}: ${(e as Error).message}`);
    }
  }
  if (values.from! > values.to!) {
    throw new UsageError(`download: --from ${values.from} is after --to ${values.to}`);
  }
  if (values.contract !== undefined && !/^[A-Za-z0-9 .]{2,16}$/.test(values.contract)) {
    throw new UsageError(`download: --contract "${values.contract}" is not a local symbol`);
  }
  const { config } = await loadConfig(values.config, { overrides: values.set ?? [] });
  const problem = await netPermissionProblem(config.ib.host, config.ib.port);
  if (problem !== undefined) throw new PermissionMissing(problem);
  const out = values.out ?? "data";
  const info = await Deno.stat(out).catch((e) => e instanceof Deno.errors.NotFound ? null : e);
  if (info instanceof Error) throw new RunError(`--out ${out}: ${info.message}`);
  if (info !== null && !info.isDirectory) throw new RunError(`--out ${out} is not a folder`);
  let store: TickStore;
  try {
    store = await TickStore.open(out);
  } catch (e) {
    if (e instanceof StoreError) throw new RunError(e.message);
    throw e;
  }
  await Deno.mkdir(out, { recursive: true });
  const stop = new AbortController();
  // The first Ctrl+C stops after the request in flight; a second one at once (the part
  // files and the manifest are sound at any moment).
  const stopListening = onStopSignal(() => stop.signal.aborted ? Deno.exit(130) : stop.abort());
  const bar = new ProgressLine(Deno.stderr.isTerminal());
  let summary: DownloadSummary;
  try {
    summary = await download({
      config,
      store,
      from: values.from!,
      to: values.to!,
      contract: values.contract,
      signal: stop.signal,
      log: (line) => bar.line(maskAccounts(line)),
      progress: (p) => bar.update(p),
    });
  } catch (e) {
    bar.clear();
    if (e instanceof FatalError) throw new RunError(e.message);
    throw e;
  } finally {
    stopListening();
  }
  bar.clear();
  console.log(formatSummary(summary, out));
  return summary.stopped ? 130 : 0;
}

/** `h:mm:ss` of a duration. */
function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const p = (n: number) => String(n).padStart(2, "0");
  return `${Math.floor(s / 3600)}:${p(Math.floor(s / 60) % 60)}:${p(s % 60)}`;
}

/** The progress figures as one line: days, trades, requests, pacing waits, ETA. */
export function formatProgress(p: DownloadProgress): string {
  const eta = p.fraction > 0 && p.fraction < 1
    ? clock(p.elapsedMs * (1 - p.fraction) / p.fraction)
    : "-";
  const width = 20;
  const filled = Math.round(width * Math.min(1, p.fraction));
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${p.daysDone}/${p.daysTodo} days, ` +
    `${p.ticks.toLocaleString("en-US")} trades, ${p.pacing.requests} requests, ` +
    `pacing waits ${p.pacing.waits} (${(p.pacing.waitedMs / 1000).toFixed(1)} s), ETA ${eta}` +
    (p.current === undefined ? "" : `  ${p.current}`);
}

/** The end-of-run summary. */
export function formatSummary(s: DownloadSummary, out: string): string {
  const lines = [
    `Download ${s.stopped ? "stopped (run it again to resume)" : "done"}: ` +
    `${s.daysDone} of ${s.daysTodo} day(s) fetched (${s.empty} without trades), ` +
    `${s.skipped} already in the store` +
    (s.notOver > 0 ? `, ${s.notOver} not over yet (left for a later run)` : ""),
    `  ${s.ticks.toLocaleString("en-US")} trades in ${clock(s.elapsedMs)}, ` +
    `${s.pacing.requests} requests, pacing waits ${s.pacing.waits} ` +
    `(${(s.pacing.waitedMs / 1000).toFixed(1)} s), 162 retries ${s.pacing.retries162}, ` +
    `reconnects ${s.reconnects}`,
    `  contracts ${s.contracts.join(", ") || "-"}; store ${join(out, MANIFEST_NAME)}`,
  ];
  return lines.join("\n");
}

/** A progress bar redrawn in place on a terminal; a plain line a minute otherwise. */
class ProgressLine {
  #tty: boolean;
  #shown = false;
  #last = 0;
  #text = "";
  #enc = new TextEncoder();

  constructor(tty: boolean) {
    this.#tty = tty;
  }

  update(p: DownloadProgress): void {
    this.#text = formatProgress(p);
    const now = Date.now();
    if (this.#tty) {
      if (now - this.#last < 100) return;
      this.#last = now;
      const cols = Deno.consoleSize?.().columns ?? 120;
      Deno.stderr.writeSync(this.#enc.encode(`\r\x1b[K${this.#text.slice(0, cols - 1)}`));
      this.#shown = true;
    } else if (now - this.#last >= 60_000) {
      this.#last = now;
      console.error(`[progress] ${this.#text}`);
    }
  }

  /** A log line above the bar. */
  line(text: string): void {
    this.clear();
    console.log(text);
    if (this.#tty && this.#text !== "") {
      Deno.stderr.writeSync(this.#enc.encode(this.#text));
      this.#shown = true;
    }
  }

  clear(): void {
    if (!this.#shown) return;
    Deno.stderr.writeSync(this.#enc.encode("\r\x1b[K"));
    this.#shown = false;
  }
}
