/**
 * The error for a wrong command line or a refused action; main.ts prints its message
 * alone and exits with code 2.
 *
 * @module
 */

/** A command-line or usage problem, reported as one line without a stack trace. */
export class UsageError extends Error {
  /** Creates the error with a one-line message. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
