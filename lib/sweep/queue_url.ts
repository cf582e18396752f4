/**
 * The `--queue redis://HOST:PORT` address check, apart from the queue itself: the commands
 * check the address before they import BullMQ, whose import already reads the environment
 * (a bad address must be one line, not a permission error).
 *
 * @module
 */

/** Throws a one-line {@linkcode QueueUrlError} unless `url` is `redis://HOST[:PORT]`. */
export function checkQueueUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new QueueUrlError(`--queue ${url}: expected redis://HOST:PORT`);
  }
  if (parsed.protocol !== "redis:" || parsed.hostname === "") {
    throw new QueueUrlError(`--queue ${url}: expected redis://HOST:PORT`);
  }
}

/** A bad `--queue` address. */
export class QueueUrlError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "QueueUrlError";
  }
}
