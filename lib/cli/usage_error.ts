/**
 * The errors a command throws for a problem the user can fix: main.ts prints the message
 * alone (never a stack trace) and exits with code 2 ({@linkcode UsageError}) or 1
 * ({@linkcode RunError}).
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

/**
 * A problem with a file, a path or an address (missing, a directory, in use...), or with
 * data, found by a command; main.ts prints its message alone and exits with code 1.
 */
export class RunError extends Error {
  /** Creates the error with a one-line message. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RunError";
  }
}
