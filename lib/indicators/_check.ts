/**
 * Argument checks shared by the indicators. Private to this folder.
 *
 * @module
 */

/** Throws a RangeError unless `period` is a positive safe integer. */
export function checkPeriod(period: number, where: string): void {
  if (!Number.isSafeInteger(period) || period < 1) {
    throw new RangeError(`${where}: period must be a positive integer, got ${period}`);
  }
}

/** Throws a RangeError naming `what` (e.g. "Ema.update: x") unless `x` is finite. */
export function checkFinite(x: number, what: string): void {
  // `x - x` is NaN for NaN and ±Infinity: one subtraction on the hot path.
  if (x - x !== 0) throw new RangeError(`${what} must be finite, got ${x}`);
}
