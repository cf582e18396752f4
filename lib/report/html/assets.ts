/**
 * The chart library inlined into the HTML report: lightweight-charts' standalone build, read
 * from the npm package Deno resolved for deno.json's `lightweight-charts` import, so that the
 * page needs no network.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** File of the standalone build, next to the module the package exports. */
const STANDALONE = "lightweight-charts.standalone.production.js";

/** The chart library cannot be read (a build without the npm package, or no permission). */
export class ChartLibraryError extends Error {
  /** A one-line message. */
  constructor(message: string) {
    super(message);
    this.name = "ChartLibraryError";
  }
}

/**
 * Path of the standalone chart library, or undefined when the package cannot be resolved
 * (a compiled binary). Pure: the permission plan asks it for the file to grant.
 */
export function chartLibraryPath(): string | undefined {
  try {
    const main = import.meta.resolve("lightweight-charts");
    if (!main.startsWith("file:")) return undefined;
    return fileURLToPath(new URL(STANDALONE, main));
  } catch {
    return undefined;
  }
}

/** Reads the chart library; throws a {@linkcode ChartLibraryError} naming the file. */
export async function loadChartLibrary(): Promise<string> {
  const path = chartLibraryPath();
  if (path === undefined) {
    throw new ChartLibraryError(
      "--html: the chart library (npm lightweight-charts) is not available to this build",
    );
  }
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotCapable) throw e;
    throw new ChartLibraryError(
      `--html: cannot read the chart library ${path}: ${(e as Error).message}`,
    );
  }
}
