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
  // Asked for every order's stop and target, nearly always for the same tick.
  if (tickSize === lastTick) return lastDecimals;
  if (!(tickSize > 0) || !Number.isFinite(tickSize)) {
    throw new RangeError(`Tick size must be a positive number, got ${tickSize}`);
  }
  let d = 0;
  while (d < 10 && Number(tickSize.toFixed(d)) !== tickSize) d++;
  lastTick = tickSize;
  lastDecimals = d;
  return d;
}

let lastTick = NaN;
let lastDecimals = 0;

/**
 * Rounds `price` to the nearest multiple of `tickSize`, returning a number without binary
 * noise (4499.5, not 4499.499999999). A price exactly half way between two ticks goes away
 * from `anchor` (the entry price), so long and short stops and targets round alike: never
 * closer to the entry. Without an anchor, halves round up.
 *
 * @example
 * ```ts
 * roundToTick(4501 - 1.5 * 1.0, 0.25); // 4499.5
 * roundToTick(4499.875, 0.25, 4501); // 4499.75: a long stop, the half goes down
 * roundToTick(4502.125, 0.25, 4501); // 4502.25: a short stop, the half goes up
 * ```
 */
export function roundToTick(price: number, tickSize: number, anchor = -Infinity): number {
  const x = price / tickSize;
  const lower = Math.floor(x + 1e-9);
  const frac = x - lower;
  let ticks: number;
  if (Math.abs(frac - 0.5) < 1e-9) ticks = price < anchor ? lower : lower + 1;
  else ticks = frac > 0.5 ? lower + 1 : lower;
  return Number((ticks * tickSize).toFixed(tickDecimals(tickSize)));
}

/**
 * Keeps `level` (a stop or target on the grid) at least one full tick from `entry` on side
 * `dir` (-1: below the entry, +1: above it), moving it to the nearest grid price that is.
 * Rounding a distance under half a tick puts a level on the entry, and with an entry off the
 * grid (a tick file of another contract) even past it; a stop there would exit at once.
 *
 * @example
 * ```ts
 * oneTickAway(5000, 5000, -1, 0.25); // 4999.75: a long stop rounded onto the entry
 * oneTickAway(1300.25, 1300.2, -1, 0.25); // 1299.75: rounded past an off-grid entry
 * oneTickAway(4998, 5000, -1, 0.25); // 4998: already far enough
 * ```
 */
export function oneTickAway(level: number, entry: number, dir: 1 | -1, tickSize: number): number {
  const d = tickDecimals(tickSize);
  if (dir < 0) {
    const limit = Number((Math.floor((entry - tickSize) / tickSize + 1e-9) * tickSize).toFixed(d));
    return level > limit ? limit : level;
  }
  const limit = Number((Math.ceil((entry + tickSize) / tickSize - 1e-9) * tickSize).toFixed(d));
  return level < limit ? limit : level;
}

/**
 * `price` on the tick grid, rounded down (`dir` -1) or up (`dir` +1): a buy limit never above
 * its level, a sell limit never below it.
 *
 * @example
 * ```ts
 * tickToward(4500.62, -1, 0.25); // 4500.5
 * tickToward(4500.62, 1, 0.25); // 4500.75
 * tickToward(4500.5, -1, 0.25); // 4500.5
 * ```
 */
export function tickToward(price: number, dir: 1 | -1, tickSize: number): number {
  const x = price / tickSize;
  const ticks = dir < 0 ? Math.floor(x + 1e-9) : Math.ceil(x - 1e-9);
  return Number((ticks * tickSize).toFixed(tickDecimals(tickSize)));
}
