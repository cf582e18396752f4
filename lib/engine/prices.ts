/**
 * Price arithmetic on a contract's tick grid.
 *
 * @module
 */

/**
 * Decimals needed to print multiples of `tickSize` exactly (0.25 -> 2, 1 -> 0, 2.5 -> 1).
 * Throws a RangeError for a tick that is not a positive finite number.
 *
 * @example
 * ```ts
 * tickDecimals(0.25); // 2
 * ```
 */
export function tickDecimals(tickSize: number): number {
  if (!(tickSize > 0) || !Number.isFinite(tickSize)) {
    throw new RangeError(`Tick size must be a positive number, got ${tickSize}`);
  }
  for (let d = 0; d <= 10; d++) {
    if (Number(tickSize.toFixed(d)) === tickSize) return d;
  }
  return 10;
}

/**
 * Rounds `price` to the nearest multiple of `tickSize` (halves round up), returning a
 * number without binary noise (4499.5, not 4499.499999999).
 *
 * @example
 * ```ts
 * roundToTick(4501 - 1.5 * 1.0, 0.25); // 4499.5
 * roundToTick(4498.94, 0.25); // 4499
 * ```
 */
export function roundToTick(price: number, tickSize: number): number {
  const ticks = Math.round(price / tickSize + 1e-9);
  return Number((ticks * tickSize).toFixed(tickDecimals(tickSize)));
}
