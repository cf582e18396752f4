/**
 * The signals that ask a command to stop, in one place: Ctrl+C everywhere, SIGTERM where the
 * OS has it (adding a SIGTERM listener throws on Windows).
 *
 * @module
 */

/** SIGINT, and SIGTERM except on Windows. */
export const STOP_SIGNALS: readonly Deno.Signal[] = Deno.build.os === "windows"
  ? ["SIGINT"]
  : ["SIGINT", "SIGTERM"];

/**
 * Calls `handler` with the signal's name on each stop signal; returns the function that
 * removes the listeners.
 *
 * @example
 * ```ts
 * const stopListening = onStopSignal((signal) => console.log(`stopping on ${signal}`));
 * stopListening();
 * ```
 */
export function onStopSignal(handler: (signal: Deno.Signal) => void): () => void {
  const listeners = STOP_SIGNALS.map((s) => [s, () => handler(s)] as const);
  for (const [s, h] of listeners) Deno.addSignalListener(s, h);
  return () => {
    for (const [s, h] of listeners) Deno.removeSignalListener(s, h);
  };
}
