/**
 * Sweeps beyond one machine, on BullMQ (Redis): the sweep enqueues one job per
 * (combination, file), `scalpbot worker`s on any machine run them, and the results come
 * back through the queue. BullMQ's locks give a killed worker's job to another worker;
 * a job that fails (after its retries) is reported with its error.
 *
 * Loaded lazily: only `sweep --queue` and `worker` pay for bullmq and ioredis.
 *
 * @module
 */
import { type Job, Queue, QueueEvents, Worker } from "bullmq";
import { Redis } from "ioredis";
import type { Config } from "../config/schema.ts";
import { VERSION } from "../version.ts";
import { loadColumns, type TickColumns } from "./columns.ts";
import type { Combo } from "./grid.ts";
import { type JobResult, prepareStrategy, runJob } from "./job.ts";
import { describeJob, jobRunId } from "./pool.ts";
import { checkQueueUrl, QueueUrlError } from "./queue_url.ts";

export { QueueUrlError };

/** The queue's name in Redis. */
export const QUEUE_NAME = "scalpbot-sweep";

/** Attempts per job: a failure (or a killed worker) is retried this many times in all. */
export const ATTEMPTS = 3;

/** A job's data. */
export interface SweepJobData {
  /** scalpbot version of the sweep (a worker of another version refuses the job). */
  version: string;
  /** Sweep id: several sweeps may share a queue. */
  sweep: string;
  /** Combination index. */
  combo: number;
  /** File index. */
  file: number;
  /** The tick file, an absolute path on every machine. */
  path: string;
  /** Its size in bytes (the worker checks its copy). */
  bytes: number;
  /** The combination's validated config. */
  config: Config;
  /** Its digest. */
  digest: string;
  /** Skip malformed tick lines. */
  skipMalformed: boolean;
}

/** A Redis client for one BullMQ object (BullMQ needs maxRetriesPerRequest null). */
function connect(url: string): Redis {
  checkQueueUrl(url);
  return new Redis(url, { maxRetriesPerRequest: null });
}

/**
 * Fails fast, with one line, when Redis cannot be reached: BullMQ's clients would retry
 * for ever without a word.
 */
async function probe(url: string): Promise<void> {
  checkQueueUrl(url);
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    connectTimeout: 5000,
  });
  let cause: Error | undefined;
  client.on("error", (e: Error) => (cause ??= e));
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    throw new QueueUrlError(
      `--queue ${url}: cannot reach Redis (${
        cause?.message ?? (e instanceof Error ? e.message : e)
      })`,
    );
  } finally {
    client.disconnect();
  }
}

/** Options of {@linkcode runQueueSweep}. */
export interface QueueSweepOptions {
  /** Skip malformed tick lines. */
  skipMalformed: boolean;
  /** Called after each finished job. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Stops the sweep (Ctrl+C): its jobs still waiting are removed from the queue, so that the
   * workers do not run them; the jobs in hand finish on their workers.
   */
  signal?: AbortSignal;
}

/** What a stopped sweep left: jobs taken off the queue, and jobs still running. */
export interface QueueSweepStop {
  /** Waiting (or retry-delayed) jobs removed from the queue. */
  removed: number;
  /** Jobs locked by a worker: they finish, their results unused. */
  running: number;
}

/** What came back: results[combo][file] and the failed jobs as lines. */
export interface QueueSweepRun {
  /** Results of the jobs that completed. */
  results: JobResult[][];
  /** `job <what>: <error>` per failed job. */
  failed: string[];
  /** Set when the sweep was stopped (results then incomplete). */
  stopped?: QueueSweepStop;
}

/**
 * Enqueues every (combination, file) job and waits for each to finish on some worker.
 * Each job's result is taken once, by its id, however many times it was attempted.
 */
export async function runQueueSweep(
  url: string,
  combos: readonly Combo[],
  paths: readonly string[],
  options: QueueSweepOptions,
): Promise<QueueSweepRun> {
  await probe(url);
  const files: { path: string; bytes: number }[] = [];
  for (const p of paths) {
    files.push({ path: await Deno.realPath(p), bytes: (await Deno.stat(p)).size });
  }
  const sweep = crypto.randomUUID();
  const queue = new Queue(QUEUE_NAME, { connection: connect(url) });
  const events = new QueueEvents(QUEUE_NAME, { connection: connect(url) });
  try {
    await events.waitUntilReady();
    const results: JobResult[][] = combos.map(() => new Array<JobResult>(files.length));
    const failed: string[] = [];
    const jobs = await queue.addBulk(
      combos.flatMap((c) =>
        files.map((f, i) => ({
          name: "job",
          data: {
            version: VERSION,
            sweep,
            combo: c.index,
            file: i,
            path: f.path,
            bytes: f.bytes,
            config: c.config,
            digest: c.digest,
            skipMalformed: options.skipMalformed,
          } satisfies SweepJobData,
          opts: {
            jobId: `${sweep}:${c.index}:${i}`,
            attempts: ATTEMPTS,
            backoff: { type: "fixed", delay: 200 },
            removeOnComplete: true,
            removeOnFail: true,
          },
        }))
      ),
    );
    const total = jobs.length;
    // One listener per waiting job: not a leak.
    queue.setMaxListeners(total + 10);
    events.setMaxListeners(total + 10);
    console.error(
      `${total} jobs queued on ${url}; they run on \`scalpbot worker --queue ${url}\` processes`,
    );
    let done = 0;
    const pending = new Set(jobs.map((j: Job<SweepJobData>) => j.id!));
    const all = Promise.all(jobs.map(async (job: Job<SweepJobData>) => {
      const d = job.data;
      try {
        results[d.combo]![d.file] = (await job.waitUntilFinished(events)) as JobResult;
      } catch (e) {
        if (options.signal?.aborted) return;
        const what = describeJob(combos[d.combo]!, paths[d.file]!);
        failed.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
      }
      pending.delete(job.id!);
      done++;
      options.onProgress?.(done, total);
    }));
    const signal = options.signal;
    const aborted = signal === undefined ? new Promise<never>(() => {}) : new Promise<"stop">(
      (resolve) => {
        if (signal.aborted) resolve("stop");
        signal.addEventListener("abort", () => resolve("stop"), { once: true });
      },
    );
    if ((await Promise.race([all, aborted])) !== "stop") return { results, failed };
    // Only this sweep's jobs, by id: other sweeps may share the queue.
    const stopped: QueueSweepStop = { removed: 0, running: 0 };
    for (const id of pending) {
      if ((await queue.remove(id)) === 1) stopped.removed++;
      else stopped.running++;
    }
    return { results, failed, stopped };
  } finally {
    await events.close();
    await queue.close();
  }
}

/** Options of {@linkcode runQueueWorker}. */
export interface QueueWorkerOptions {
  /** Jobs at a time. */
  concurrency: number;
  /** Lock duration: a job whose worker stops renewing it for this long is retried elsewhere. */
  lockMs: number;
  /** Resolves when the worker is to stop (default: SIGINT or SIGTERM). */
  stop?: Promise<unknown>;
  /** Called when the worker is ready for jobs. */
  onReady?: () => void;
}

/** The process's parsed files, by path: each parsed once however many jobs use it. */
const parsed = new Map<string, Promise<TickColumns>>();

/** Runs one queued job (exported for tests). */
export async function processJob(data: SweepJobData): Promise<JobResult> {
  if (data.version !== VERSION) {
    throw new Error(`the sweep runs scalpbot ${data.version}, this worker ${VERSION}`);
  }
  const bytes = (await Deno.stat(data.path)).size;
  if (bytes !== data.bytes) {
    throw new Error(`${data.path} has ${bytes} bytes here, ${data.bytes} where the sweep runs`);
  }
  // A strategy module, like the tick files, is at the same absolute path on every machine.
  await prepareStrategy(data.config);
  let cols = parsed.get(data.path);
  if (cols === undefined) {
    cols = loadColumns(data.path, { skipMalformed: data.skipMalformed });
    parsed.set(data.path, cols);
    cols.catch(() => parsed.delete(data.path));
  }
  return runJob(data.config, data.digest, await cols, jobRunId(data.combo, data.file));
}

/** Runs queued jobs until `stop` (Ctrl+C / SIGTERM by default), then closes cleanly. */
export async function runQueueWorker(url: string, options: QueueWorkerOptions): Promise<void> {
  await probe(url);
  const worker = new Worker<SweepJobData, JobResult>(
    QUEUE_NAME,
    (job) => processJob(job.data),
    {
      connection: connect(url),
      concurrency: options.concurrency,
      lockDuration: options.lockMs,
      stalledInterval: options.lockMs,
      maxStalledCount: ATTEMPTS,
    },
  );
  worker.on("error", (e) => console.error(`scalpbot worker: ${e.message}`));
  // One line per job: what an operator watches, and what the tests follow.
  worker.on("active", (job) => console.error(`job ${job.id} started`));
  worker.on("completed", (job) => console.error(`job ${job.id} done`));
  worker.on("failed", (job, e) => console.error(`job ${job?.id ?? "?"} failed: ${e.message}`));
  await worker.waitUntilReady();
  console.error(`scalpbot worker: waiting for jobs on ${url} (queue ${QUEUE_NAME})`);
  options.onReady?.();
  const stop = options.stop ?? new Promise<void>((resolve) => {
    Deno.addSignalListener("SIGINT", () => resolve());
    Deno.addSignalListener("SIGTERM", () => resolve());
  });
  await stop;
  // The job in hand finishes; without Redis, close() would wait for it for ever.
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    worker.close(),
    new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS))),
  ]);
  clearTimeout(timer);
}

/** Longest wait for a clean close on Ctrl+C / SIGTERM before the worker exits anyway. */
const CLOSE_WAIT_MS = 10_000;
