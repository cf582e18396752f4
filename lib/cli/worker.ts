/**
 * `scalpbot worker --queue redis://HOST:PORT`: runs sweep jobs from the queue until stopped
 * (Ctrl+C or SIGTERM finishes the job in hand; a worker killed outright loses nothing: the
 * queue gives its job to another worker).
 *
 * @module
 */
import { intOption, parseCommandArgs } from "./args.ts";
import { RunError, UsageError } from "./usage_error.ts";
import { checkQueueUrl, QueueUrlError } from "../sweep/queue_url.ts";

/** Help text of the worker command. */
export const WORKER_HELP = `scalpbot worker --queue redis://HOST:PORT [options]

Runs the jobs \`scalpbot sweep --queue\` puts on the queue, until Ctrl+C. Start one per
machine (it uses one core; start several for several cores). The tick files are read at
the paths the sweep gave: every machine needs the tick store at the same path.

  --queue URL          the Redis server (redis://HOST:PORT)
  --concurrency N      jobs at a time in this process (default 1)
  --lock-seconds N     a job whose worker stops answering for N s is given to another
                       worker (default 30)
`;

/** Runs the worker command; returns the exit code when stopped. */
export async function runWorker(args: string[]): Promise<number> {
  const { values } = parseCommandArgs("worker", args, {
    queue: { type: "string" },
    concurrency: { type: "string" },
    "lock-seconds": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(WORKER_HELP);
    return 0;
  }
  if (values.queue === undefined) {
    throw new UsageError("worker: --queue redis://HOST:PORT is required");
  }
  const concurrency = intOption(values.concurrency, "--concurrency", 1, 1, 64);
  const lockSeconds = intOption(values["lock-seconds"], "--lock-seconds", 30, 1, 3600);
  try {
    checkQueueUrl(values.queue); // before BullMQ's import, which reads the environment
  } catch (e) {
    if (e instanceof QueueUrlError) throw new RunError(e.message);
    throw e;
  }
  const { runQueueWorker } = await import("../sweep/queue.ts");
  try {
    await runQueueWorker(values.queue, { concurrency, lockMs: lockSeconds * 1000 });
  } catch (e) {
    if (e instanceof QueueUrlError) throw new RunError(e.message);
    throw e;
  }
  return 0;
}
