/**
 * Bounds of a plausible trade, shared by every tick source (the CSV parser and the IB
 * adapter's row checks) so that a file and the TWS socket refuse the same values.
 *
 * @module
 */

/**
 * Prices at or above this are refused. No futures contract trades at a billion points, and
 * a 1e300 price would make P/L figures the journal cannot hold.
 */
export const MAX_PRICE = 1e9;

/** Sizes at or above this are refused: no single print is a billion contracts. */
export const MAX_SIZE = 1e9;
