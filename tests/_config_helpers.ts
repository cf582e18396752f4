/**
 * Helpers of the config tests (config_test.ts, config_errors_test.ts).
 *
 * @module
 */
import { parseConfigText } from "../lib/config/load.ts";

/** The repository root. */
export const REPO = new URL("../", import.meta.url);
/** A file of the repository by its path from the root. */
export const repoFile = (p: string) => new URL(p, REPO);
/** The config's sections, as the unknown-section error lists them. */
export const SECTIONS =
  "ib, contract, bars, indicators, strategy, risk, fills, session, journal, live, console, execution";

/** parseConfigText of `text` as config.yaml, with `--set` overrides. */
export function parse(text: string, overrides: string[] = []) {
  return parseConfigText(text, { source: "config.yaml", overrides });
}
