/**
 * A sweep Worker: holds the shared tick columns it is given once, and runs the jobs it is
 * sent one at a time (see pool.ts).
 *
 * @module
 */
/// <reference lib="deno.worker" />
import type { TickColumns } from "./columns.ts";
import { prepareStrategy, runJob } from "./job.ts";
import type { PoolReply, PoolRequest } from "./pool.ts";

let files: TickColumns[] = [];

self.onmessage = async (ev: MessageEvent<PoolRequest>) => {
  const m = ev.data;
  if (m.kind === "files") {
    files = m.files;
    return;
  }
  let reply: PoolReply;
  try {
    // The pool sends a Worker its next job only after this one's reply: no overlap.
    await prepareStrategy(m.config);
    const result = runJob(m.config, m.digest, files[m.file]!, m.runId);
    reply = { kind: "done", id: m.id, result };
  } catch (e) {
    reply = { kind: "error", id: m.id, message: e instanceof Error ? e.message : String(e) };
  }
  self.postMessage(reply);
};
