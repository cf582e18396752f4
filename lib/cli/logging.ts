/**
 * Console logging for the long-running commands (sim, live): logtape's console sink for
 * the `scalpbot` categories. Library code only calls `getLogger`; sinks are set here.
 *
 * @module
 */
import { configure, getConsoleSink, type LogLevel } from "@logtape/logtape";

/** Sends `scalpbot.*` log records at `level` or above to the console. */
export async function setupLogging(level: LogLevel = "info"): Promise<void> {
  await configure({
    reset: true,
    sinks: { console: getConsoleSink() },
    loggers: [
      { category: ["scalpbot"], lowestLevel: level, sinks: ["console"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["console"] },
    ],
  });
}
