/**
 * Run by tests/launch_test.ts under the launcher's exact permissions: reads the tick file
 * named by its first argument on the parse Worker (which fails without read access to the
 * worker module) and prints whether the journal worker may start, then the ticks read.
 */
import { readTickFileInWorker } from "../lib/ticks/worker_reader.ts";
import { canStartWorker } from "../lib/workers.ts";

const journalWorker = new URL("../lib/journal/journal_worker.ts", import.meta.url);
console.log(`journal_worker=${canStartWorker(journalWorker)}`);
let ticks = 0;
await readTickFileInWorker(Deno.args[0]!, { onBatch: (b) => (ticks += b.count) });
console.log(`ticks=${ticks}`);
