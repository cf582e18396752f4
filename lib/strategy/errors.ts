/**
 * The error a run ends with when its strategy throws: the engine has already closed the
 * open trade and written SESSION_END; main.ts prints the one-line message (no stack trace)
 * and exits with code 1.
 *
 * @module
 */

/** A strategy threw on a bar or a tick; the message names the strategy, where and why. */
export class StrategyError extends Error {
  /** Creates the error with a one-line message; `cause` is what the strategy threw. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StrategyError";
  }
}
