/**
 * Cooperative yielding for long loops: a signal handler (Ctrl+C) or a timer only runs when
 * the event loop turns, which a resolved promise (a microtask) never lets happen.
 *
 * @module
 */

/** One turn of the event loop (a macrotask), so signal handlers, timers and I/O can run. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Returns a function to await inside a long loop: it takes a turn of the event loop when
 * at least `ms` of work have passed since the last one, and otherwise returns at once.
 *
 * @example
 * ```ts
 * const pause = yieldEvery(20);
 * for (let i = 0; i < 10; i++) await pause();
 * ```
 */
export function yieldEvery(ms: number): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < ms) return;
    await nextTurn();
    last = performance.now();
  };
}
