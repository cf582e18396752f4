/**
 * The local sweep: (combination, file) jobs spread over Workers that share the parsed tick
 * columns (SharedArrayBuffers: parsed once, never copied).
 *
 * @module
 */
import type { Config } from "../config/schema.ts";
import { canStartWorker } from "../workers.ts";
import type { TickColumns } from "./columns.ts";
import { type Combo, comboLabel } from "./grid.ts";
import { type JobResult, runJob } from "./job.ts";

/** A message to a sweep worker. */
export type PoolRequest =
  | { kind: "files"; files: TickColumns[] }
  | { kind: "job"; id: number; file: number; config: Config; digest: string; runId: string };

/** A sweep worker's answer to a job. */
export type PoolReply =
  | { kind: "done"; id: number; result: JobResult }
  | { kind: "error"; id: number; message: string };

const WORKER_URL = new URL("./sweep_worker.ts", import.meta.url);

/** Thrown when a job fails; names the combination and the file. */
export class JobError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "JobError";
  }
}

/** Options of {@linkcode runLocalSweep}. */
export interface LocalSweepOptions {
  /** Worker threads (at most one per job). */
  workers: number;
  /** Called after each job with jobs done and jobs in all. */
  onProgress?: (done: number, total: number) => void;
  /** Stops the sweep (workers are terminated). */
  signal?: AbortSignal;
}

/** The run id of a job's trades: `S<combo>F<file>`. */
export function jobRunId(combo: number, file: number): string {
  return `S${combo}F${file}`;
}

/**
 * Runs every combination over every file. Returns results[combo][file]. Without read access
 * to the worker module (narrow permissions) the jobs run on this thread.
 */
export async function runLocalSweep(
  combos: readonly Combo[],
  files: readonly TickColumns[],
  options: LocalSweepOptions,
): Promise<JobResult[][]> {
  const jobs = combos.flatMap((c) => files.map((_, f) => ({ combo: c, file: f })));
  const results: JobResult[][] = combos.map(() => new Array<JobResult>(files.length));
  const total = jobs.length;
  let done = 0;
  if (!canStartWorker(WORKER_URL)) {
    for (const j of jobs) {
      options.signal?.throwIfAborted();
      results[j.combo.index]![j.file] = runJob(
        j.combo.config,
        j.combo.digest,
        files[j.file]!,
        jobRunId(j.combo.index, j.file),
      );
      done++;
      options.onProgress?.(done, total);
      await new Promise((r) => setTimeout(r, 0));
    }
    return results;
  }
  const n = Math.max(1, Math.min(options.workers, total));
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      const fail = (e: unknown) => reject(e);
      options.signal?.addEventListener("abort", () => fail(options.signal?.reason), {
        once: true,
      });
      const give = (w: Worker) => {
        if (next >= total) return;
        const id = next++;
        const j = jobs[id]!;
        const req: PoolRequest = {
          kind: "job",
          id,
          file: j.file,
          config: j.combo.config,
          digest: j.combo.digest,
          runId: jobRunId(j.combo.index, j.file),
        };
        w.postMessage(req);
      };
      for (let i = 0; i < n; i++) {
        const w = new Worker(WORKER_URL.href, { type: "module" });
        workers.push(w);
        w.onmessage = (ev: MessageEvent<PoolReply>) => {
          const m = ev.data;
          const j = jobs[m.id]!;
          if (m.kind === "error") {
            fail(new JobError(`job ${describeJob(j.combo, files[j.file]!.path)}: ${m.message}`));
            return;
          }
          results[j.combo.index]![j.file] = m.result;
          done++;
          options.onProgress?.(done, total);
          if (done === total) resolve();
          else give(w);
        };
        w.onerror = (ev: ErrorEvent) => {
          ev.preventDefault();
          fail(new JobError(`sweep worker: ${ev.message}`));
        };
        w.postMessage({ kind: "files", files: [...files] } satisfies PoolRequest);
        give(w);
      }
    });
  } finally {
    for (const w of workers) w.terminate();
  }
  return results;
}

/** `combination 3 (risk.target_points=2 ...) on FILE`. */
export function describeJob(combo: Combo, path: string): string {
  return `combination ${combo.index + 1} (${comboLabel(combo.params)}) on ${path}`;
}
