/**
 * Small file-system helpers for the commands (edge code).
 *
 * @module
 */
import { dirname } from "node:path";

/**
 * Creates the folder that will hold `path` when it is not the working directory. The
 * working directory itself is never touched, so a task allowed to write only the journal
 * file (not ".") still runs.
 */
export async function ensureParentDir(path: string): Promise<void> {
  const dir = dirname(path);
  if (dir === "." || dir === "") return;
  await Deno.mkdir(dir, { recursive: true });
}
