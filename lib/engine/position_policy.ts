/**
 * Position policy: whether a new entry may be placed given what is already open. The one
 * place the one-trade rule lives; the engine consults it before asking the strategy for an
 * entry, and the trader only asserts it was obeyed.
 *
 * @module
 */

/** What the policy looks at: the trader's exposure. */
export interface Exposure {
  /** True when a trade is active or an entry order is working or awaited. */
  readonly busy: boolean;
}

/** Decides whether a new entry is allowed. */
export interface PositionPolicy {
  /** True when an entry may be placed now. */
  allowsEntry(exposure: Exposure): boolean;
}

/**
 * One trade at a time: no entry while a trade is open or an entry order is working.
 *
 * @example
 * ```ts
 * singlePosition.allowsEntry({ busy: false }); // true
 * ```
 */
export const singlePosition: PositionPolicy = {
  allowsEntry: (exposure) => !exposure.busy,
};
