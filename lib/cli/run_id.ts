/**
 * Run ids: unique across runs so that trade ids (`<runId>-<n>`) never repeat, and readable
 * (they start with the run's UTC start time).
 *
 * @module
 */

/**
 * Makes a run id from a wall-clock time and random bytes, e.g. `20250217T180100-3fa9`.
 *
 * @example
 * ```ts
 * makeRunId(Date.UTC(2025, 1, 17, 18, 1), new Uint8Array([0x3f, 0xa9])); // "20250217T180100-3fa9"
 * ```
 */
export function makeRunId(nowMs: number, random: Uint8Array): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:]/g, "").slice(0, 15);
  const hex = [...random].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${stamp}-${hex}`;
}
