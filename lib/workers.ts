/**
 * Starting a module worker under narrow permissions.
 *
 * @module
 */

/**
 * True when this process may start a worker from `url`: Deno checks read access to a local
 * worker module's file when the worker starts, and a run with narrow permissions (as the
 * launcher starts it) may not have it.
 *
 * @example
 * ```ts
 * canStartWorker(new URL("https://example.com/w.js")); // true: no file to read
 * ```
 */
export function canStartWorker(url: URL): boolean {
  if (url.protocol !== "file:") return true;
  const path = decodeURIComponent(url.pathname);
  return Deno.permissions.querySync({ name: "read", path }).state === "granted";
}
