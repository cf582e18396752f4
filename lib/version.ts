/**
 * The scalpbot version, written in every journal's SESSION_START line. Kept equal to
 * `version` in deno.json (a test checks it).
 *
 * @module
 */

/** scalpbot's version. */
export const VERSION = "0.1.0";
