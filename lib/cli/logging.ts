/**
 * Logging through logtape. Library code only calls `getLogger`; sinks are set here.
 *
 * - {@linkcode setupLogging}: logtape's console sink for the `scalpbot` categories (sim).
 * - {@linkcode ConsoleLog}: the console of backtest, live and demo. Every record becomes one
 *   line stamped `HH:MM:SS` in the console's one zone (a line with the date and the zone
 *   first, and again whenever the date changes); with `--log-file`, the same records are
 *   appended to the file, each stamped with the full date, time and offset, and its level.
 *   Records below the level (`console.log_level`) are dropped.
 *
 * @module
 */
import {
  configure,
  getConsoleSink,
  getLogger,
  type LogLevel,
  type LogRecord,
  reset,
} from "@logtape/logtape";
import { formatIsoOffset } from "../time/zone.ts";
import type { Clock } from "../types.ts";
import { ensureParentDirSync } from "./fs.ts";
import type { Screen } from "./screen.ts";

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

/** Levels `console.log_level` may name. */
export type ConsoleLevel = "debug" | "info" | "warning" | "error";

/** Options of {@linkcode ConsoleLog.open}. */
export interface ConsoleLogOptions {
  /** Lowest level shown and written. */
  level: ConsoleLevel;
  /** Zone of the stamps until {@linkcode ConsoleLog.setZone}. */
  timeZone: string;
  /** Stamps a record that brings no time of its own (connection lines, notes). */
  clock: Clock;
  /** Where console lines go. */
  screen: Screen;
  /**
   * `--log-file`: appended to (created when missing) on its first line; already checked as
   * an output.
   */
  logFile?: string;
  /** Lines go to the file on {@linkcode ConsoleLog.flush} (a backtest), not one by one. */
  buffered?: boolean;
  /** Nothing on the screen (`--quiet`, `--json`); the log file still gets every line. */
  quiet?: boolean;
}

/** A line logger of one category: `text` is the line without its time; `time` its stamp. */
export interface LineLogger {
  /** Level debug. */
  debug(text: string, time?: number): void;
  /** Level info. */
  info(text: string, time?: number): void;
  /** Level warning. */
  warning(text: string, time?: number): void;
  /** Level error. */
  error(text: string, time?: number): void;
}

/**
 * The logger of `scalpbot.<name>` as a {@linkcode LineLogger}. Lines go wherever
 * {@linkcode ConsoleLog} sends them (nowhere before it is opened).
 */
export function lineLogger(name: string): LineLogger {
  const log = getLogger(["scalpbot", name]);
  const props = (text: string, time: number | undefined) =>
    time === undefined ? { text } : { text, time };
  return {
    debug: (text, time) => log.debug("{text}", props(text, time)),
    info: (text, time) => log.info("{text}", props(text, time)),
    warning: (text, time) => log.warn("{text}", props(text, time)),
    error: (text, time) => log.error("{text}", props(text, time)),
  };
}

/** The text of a record: our `text` property, else logtape's rendered message. */
function recordText(r: LogRecord): string {
  const t = r.properties["text"];
  if (typeof t === "string") return t;
  return r.message.map((part) => typeof part === "string" ? part : String(part)).join("");
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/**
 * The console of a run: logtape configured with a screen sink and, with `--log-file`, a file
 * sink. Close it at the end (restores no sinks: the next command configures its own).
 */
export class ConsoleLog {
  #o: ConsoleLogOptions;
  #zone: string;
  #file: Deno.FsFile | undefined;
  #fileParts: string[] = [];
  #enc = new TextEncoder();
  /** `yyyy-mm-dd zone` of the last console line: a new one is announced by a date line. */
  #day = "";

  private constructor(options: ConsoleLogOptions) {
    this.#o = options;
    this.#zone = options.timeZone;
  }

  /**
   * Routes `scalpbot.*` records to the screen and the log file (opened on its first line, so
   * a run that logs nothing leaves it as it was).
   */
  static async open(options: ConsoleLogOptions): Promise<ConsoleLog> {
    const log = new ConsoleLog(options);
    const sinks: ("screen" | "file")[] = [];
    if (options.quiet !== true) sinks.push("screen");
    if (options.logFile !== undefined) sinks.push("file");
    await configure({
      reset: true,
      sinks: {
        screen: (r: LogRecord) => log.#screen(recordText(r), log.#time(r)),
        file: (r: LogRecord) =>
          log.#toFile(r.category.at(-1)!, r.level, recordText(r), log.#time(r)),
      },
      loggers: [
        { category: ["scalpbot"], lowestLevel: options.level, sinks },
        // The demo's simulator speaks only when something is wrong.
        {
          category: ["scalpbot", "sim"],
          lowestLevel: "warning",
          sinks,
          parentSinks: "override",
        },
        { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["screen"] },
      ],
    });
    return log;
  }

  /**
   * A {@linkcode LineLogger} of `scalpbot.<name>` for lines by the ten thousand (a backtest's
   * bars and trades): logtape decides the level (`isEnabledFor`, the same configuration), and
   * the line goes to the same sinks, but no log record is built. Through logtape's record path
   * each line cost about 3 µs and enough garbage that a 300-day backtest printing its 62,000
   * trade lines peaked at 220 MB instead of 136.
   */
  lines(name: string): LineLogger {
    const logger = getLogger(["scalpbot", name]);
    const at = (level: LogLevel) => (text: string, time?: number) => {
      if (!logger.isEnabledFor(level)) return;
      const t = time ?? this.#o.clock.now();
      if (this.#o.quiet !== true) this.#screen(text, t);
      if (this.#o.logFile !== undefined) this.#toFile(name, level, text, t);
    };
    return { debug: at("debug"), info: at("info"), warning: at("warning"), error: at("error") };
  }

  /** The zone of every stamp from now on (live: the contract's, from the RUN event). */
  setZone(timeZone: string): void {
    this.#zone = timeZone;
  }

  /** The zone of the stamps. */
  get timeZone(): string {
    return this.#zone;
  }

  /** Writes buffered lines out (screen and file). */
  flush(): void {
    this.#o.screen.flush();
    this.#flushFile();
  }

  /** Flushes, closes the file and removes the sinks. */
  async close(): Promise<void> {
    this.flush();
    await reset();
    this.#file?.close();
    this.#file = undefined;
  }

  #flushFile(): void {
    if (this.#fileParts.length === 0) return;
    const bytes = this.#enc.encode(this.#fileParts.join(""));
    this.#fileParts = [];
    if (this.#file === undefined) {
      ensureParentDirSync(this.#o.logFile!);
      this.#file = Deno.openSync(this.#o.logFile!, { append: true, create: true });
    }
    const file = this.#file;
    let done = 0;
    while (done < bytes.length) done += file.writeSync(bytes.subarray(done));
  }

  #time(r: LogRecord): number {
    const t = r.properties["time"];
    return typeof t === "number" && Number.isFinite(t) ? t : this.#o.clock.now();
  }

  #screen(text: string, time: number): void {
    const iso = formatIsoOffset(time, this.#zone);
    const day = `${iso.slice(0, 10)} ${this.#zone}`;
    const clock = iso.slice(11, 19);
    if (day !== this.#day) {
      this.#day = day;
      const weekday = WEEKDAYS[new Date(`${iso.slice(0, 10)}T12:00:00Z`).getUTCDay()];
      this.#o.screen.line(
        `${clock} -- ${weekday} ${iso.slice(0, 10)}, times in ${this.#zone} (UTC${iso.slice(-6)})`,
      );
    }
    this.#o.screen.line(`${clock} ${text}`);
  }

  #toFile(name: string, level: LogLevel, text: string, time: number): void {
    const stamp = formatIsoOffset(time, this.#zone);
    this.#fileParts.push(`${stamp} ${level.toUpperCase().padEnd(7)} ${name}: ${text}\n`);
    if (this.#o.buffered !== true || this.#fileParts.length >= 4096) this.#flushFile();
  }
}
