/**
 * Small file-system helpers for the commands (edge code). The rule they serve: every input
 * is opened and checked before any output is created, truncated or opened for writing, so
 * a bad command line never costs a file that was already there.
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import { RunError, UsageError } from "./usage_error.ts";

/**
 * Creates the folder that will hold `path` when it is not the working directory. The
 * working directory itself is never touched, so a task allowed to write only the journal
 * file (not ".") still runs.
 */
export async function ensureParentDir(path: string): Promise<void> {
  const dir = dirname(path);
  if (dir === "." || dir === "" || !mayWrite(dir)) return;
  await Deno.mkdir(dir, { recursive: true });
}

/** Synchronous {@linkcode ensureParentDir}, for outputs opened from inside a run. */
export function ensureParentDirSync(path: string): void {
  const dir = dirname(path);
  if (dir === "." || dir === "" || !mayWrite(dir)) return;
  Deno.mkdirSync(dir, { recursive: true });
}

/**
 * Whether the write permission covers `dir`. A run granted only the file (its folder
 * exists: `deno task live` grants no more) skips the mkdir, which Deno checks against the
 * folder even when it exists; a missing folder then fails the open with a clear NotFound.
 */
function mayWrite(dir: string): boolean {
  return Deno.permissions.querySync({ name: "write", path: dir }).state === "granted";
}

/**
 * Checks that the input `path` (described as `what`, e.g. "tick file") is a file that can be
 * read: throws a one-line {@linkcode RunError} when it is missing, a directory or unreadable.
 * A regular file is opened and closed again; a named pipe is only looked at, since opening
 * one would consume its writer. A path outside the granted permissions throws Deno's
 * `NotCapable`, which main.ts explains.
 */
export async function checkInputFile(path: string, what: string): Promise<void> {
  refuseEmpty(path, what);
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (e) {
    throw await fileError(e, path, what);
  }
  if (info.isDirectory) throw new RunError(`${what} ${path} is a directory, not a file`);
  if (!info.isFile) return; // a pipe or a device: read as it comes
  try {
    (await Deno.open(path, { read: true })).close();
  } catch (e) {
    throw await fileError(e, path, what);
  }
}

/**
 * Checks, without creating or opening anything, that the output `path` can be written: it
 * is not a directory, the folders above it are folders, and the write permission covers it
 * (and any folder still to be created). Throws a one-line {@linkcode RunError}, or Deno's
 * `NotCapable` for a missing permission (asked for at a terminal, as a real write would).
 */
export async function checkOutputFile(path: string, what: string): Promise<void> {
  refuseEmpty(path, what);
  let existing = path;
  for (;;) {
    try {
      const info = await Deno.stat(existing);
      if (existing === path && info.isDirectory) {
        throw new RunError(`${what} ${path} is a directory, not a file`);
      }
      if (existing !== path && !info.isDirectory) {
        throw new RunError(`${what} ${path}: ${existing} is a file, not a folder`);
      }
      break;
    } catch (e) {
      if (e instanceof RunError) throw e;
      // A folder above that the run may not look at (only the file is granted): stop here.
      if (e instanceof Deno.errors.NotCapable && existing !== path) break;
      if (!(e instanceof Deno.errors.NotFound)) throw await fileError(e, path, what);
      const up = dirname(existing);
      if (up === existing) break;
      existing = up;
    }
  }
  // The outermost folder to create needs the permission as well as the file.
  for (const p of new Set([path, ...(existing === path ? [] : [firstMissing(path, existing)])])) {
    const desc = { name: "write", path: p } as const;
    let state = Deno.permissions.querySync(desc).state;
    if (state === "prompt") state = Deno.permissions.requestSync(desc).state;
    if (state !== "granted") {
      throw new Deno.errors.NotCapable(
        `Requires write access to "${p}", run again with the --allow-write flag`,
      );
    }
  }
}

/**
 * An empty name (`--html ""`) is no file: Deno's open fails on it only once the run has
 * written its journal, so it is refused with the other usage errors.
 */
function refuseEmpty(path: string, what: string): void {
  if (path === "") throw new UsageError(`${what}: the file name is empty ("")`);
}

/** True when `a` and `b` name the same file (compared after resolving links when both exist). */
export async function sameFile(a: string, b: string): Promise<boolean> {
  if (resolve(a) === resolve(b)) return true;
  try {
    return (await Deno.realPath(a)) === (await Deno.realPath(b));
  } catch {
    return false;
  }
}

/** The first part of `path` that exists and is not a folder, if any. */
async function fileOnTheWay(path: string): Promise<string | undefined> {
  const parts: string[] = [];
  for (let p = dirname(path); p !== dirname(p); p = dirname(p)) parts.unshift(p);
  for (const p of parts) {
    try {
      if (!(await Deno.stat(p)).isDirectory) return p;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The child of `existing` on the way down to `path`. */
function firstMissing(path: string, existing: string): string {
  let p = path;
  while (dirname(p) !== existing && dirname(p) !== p) p = dirname(p);
  return p;
}

/** A file-system error on `path` as one line; NotCapable passes through for main.ts. */
async function fileError(e: unknown, path: string, what: string): Promise<Error> {
  if (e instanceof Deno.errors.NotCapable) return e;
  if (e instanceof Deno.errors.NotFound) return new RunError(`${what} ${path}: no such file`);
  if (e instanceof Deno.errors.NotADirectory) {
    const file = await fileOnTheWay(path);
    return new RunError(
      `${what} ${path}: ${
        file === undefined ? "a part of the path" : file
      } is a file, not a folder`,
    );
  }
  if (e instanceof Deno.errors.PermissionDenied) {
    return new RunError(`${what} ${path}: the system refuses access (file permissions)`);
  }
  const message = e instanceof Error ? e.message : String(e);
  return new RunError(`${what} ${path}: ${message.split(/\r?\n/, 1)[0]}`, { cause: e });
}
