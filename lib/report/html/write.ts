/**
 * `--html FILE` of `report` and `backtest`: collects events (and bars) as they come and
 * writes the page at the end. The chart library is read by {@linkcode HtmlReportFile.loadLibrary}
 * before the run, so that a missing library stops the command before any output is touched.
 *
 * @module
 */
import { dirname } from "node:path";
import type { Bar, JournalEvent } from "../../types.ts";
import { type EngineEvent, isJournalEvent } from "../../events/types.ts";
import { loadChartLibrary } from "./assets.ts";
import { HtmlReportBuilder, type HtmlReportOptions } from "./model.ts";
import { renderHtmlReport } from "./page.ts";

/** An HTML report on its way to `path`. */
export class HtmlReportFile {
  #builder: HtmlReportBuilder;
  #library: string | undefined;

  /** Nothing is read or written until {@linkcode loadLibrary} and {@linkcode write}. */
  constructor(readonly path: string, options: HtmlReportOptions) {
    this.#builder = new HtmlReportBuilder(options);
  }

  /** Reads the chart library (throws `ChartLibraryError` with a one-line message). */
  async loadLibrary(): Promise<void> {
    this.#library = await loadChartLibrary();
  }

  /** Adds a journal event. */
  add(event: JournalEvent): void {
    this.#builder.add(event);
  }

  /** Subscriber for the engine's event stream: its journal events and closed bars. */
  readonly onEvent = (e: EngineEvent): void => {
    if (e.kind === "BAR") this.#builder.addBar(e.bar);
    else if (isJournalEvent(e)) this.#builder.add(e);
  };

  /** Adds a closed bar of the current run. */
  addBar(bar: Bar): void {
    this.#builder.addBar(bar);
  }

  /** Writes the page, creating its folder when missing. */
  async write(): Promise<void> {
    if (this.#library === undefined) throw new Error("HtmlReportFile.write before loadLibrary");
    // Deno checks a mkdir against the folder even when it exists; the launcher grants the
    // folder only when it is missing (otherwise the file alone), so ask before creating it.
    const dir = dirname(this.path);
    const granted = Deno.permissions.querySync({ name: "write", path: dir }).state === "granted";
    if (granted) await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(this.path, renderHtmlReport(this.#builder.build(), this.#library));
  }
}
