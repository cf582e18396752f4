/**
 * The terminal side of the console: {@linkcode Screen} writes lines to stdout (buffered for a
 * backtest, at once live) and, on a terminal, keeps a status line under them, redrawn in
 * place; {@linkcode StatusLine} is the stream subscriber that says what that line shows:
 * position, open P/L, stop and target, last tick age, connection.
 *
 * @module
 */
import type { Config } from "../config/schema.ts";
import type { ConnectionState, EngineEvent } from "../events/types.ts";
import { priceDecimalsForTick } from "../journal/format.ts";
import type { Clock, Side } from "../types.ts";
import { clockTime, consoleZone, fitWidth } from "./console.ts";

/** Erase the current terminal line and go back to its start. */
const CLEAR = "\r\x1b[2K";

/** Options of {@linkcode Screen}. */
export interface ScreenOptions {
  /** Writes text out whole (default: stdout, synchronously). */
  write?: (text: string) => void;
  /** Keep a status line under the lines (only on a terminal; default false). */
  statusLine?: boolean;
  /** Collect lines until {@linkcode Screen.flush} (a backtest writes once per input chunk). */
  buffered?: boolean;
  /** Terminal width in columns (default: the console's, else 100). */
  width?: () => number;
}

function stdoutWrite(text: string): void {
  const bytes = new TextEncoder().encode(text);
  let done = 0;
  while (done < bytes.length) done += Deno.stdout.writeSync(bytes.subarray(done));
}

function terminalWidth(): number {
  try {
    // A pseudo-terminal without a size (script, some CI) says 0.
    const n = Deno.consoleSize().columns;
    return n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

/**
 * Console lines, with an optional status line kept under them: each new line erases the
 * status line, is written, and the status line is drawn again after it (no newline), so the
 * status stays at the bottom and scrolls nothing away.
 */
export class Screen {
  #write: (text: string) => void;
  #buffered: boolean;
  #statusOn: boolean;
  #width: () => number;
  #parts: string[] = [];
  #status = "";

  /** A screen on stdout by default; the status line only when asked for. */
  constructor(options: ScreenOptions = {}) {
    this.#write = options.write ?? stdoutWrite;
    this.#buffered = options.buffered === true;
    this.#statusOn = options.statusLine === true;
    this.#width = options.width ?? terminalWidth;
  }

  /** True when a status line is kept. */
  get hasStatusLine(): boolean {
    return this.#statusOn;
  }

  /** Prints one line (no newline in `text`). */
  line(text: string): void {
    if (this.#buffered) {
      this.#parts.push(text);
      return;
    }
    this.#write(this.#statusOn ? `${CLEAR}${text}\n${this.#status}` : `${text}\n`);
  }

  /** Replaces the status line (ignored without one). */
  status(text: string): void {
    if (!this.#statusOn) return;
    this.#status = fitWidth(text, Math.max(10, this.#width() - 1));
    this.#write(`${CLEAR}${this.#status}`);
  }

  /** Writes the buffered lines out, in one write. */
  flush(): void {
    if (this.#parts.length === 0) return;
    const text = this.#parts.join("\n") + "\n";
    this.#parts = [];
    this.#write(this.#statusOn ? `${CLEAR}${text}${this.#status}` : text);
  }

  /** Flushes, and erases the status line for what follows (the report). */
  close(): void {
    this.flush();
    if (this.#statusOn && this.#status !== "") this.#write(CLEAR);
    this.#status = "";
    this.#statusOn = false;
  }
}

/** Options of {@linkcode StatusLine}. */
export interface StatusLineOptions {
  /** Where it is drawn. */
  screen: Screen;
  /** The run's local clock (last tick age; the time shown). */
  clock: Clock;
  /** Config until the RUN event brings the run's own (zone, tick size, multiplier). */
  config: Config;
  /** Redraw period in ms, for the tick age (default 500; 0: only on events). */
  intervalMs?: number;
}

/**
 * What the status line shows, from the stream (subscribe with `{ ticks: true }`): the time,
 * the position (side, contracts, average entry) with its open P/L at the last price, the
 * working stop and target, the closed P/L of the run, the last tick's age and the
 * connection.
 */
export class StatusLine {
  #o: StatusLineOptions;
  #zone: string;
  #decimals: number;
  #multiplier: number;
  #currency: string;
  #side: Side | undefined;
  #ordered = 0;
  #filled = 0;
  #filledValue = 0;
  #stop = NaN;
  #target = NaN;
  #closed = 0;
  #lastPrice = NaN;
  #lastTickAt = NaN;
  #conn: ConnectionState | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** Draws nothing until {@linkcode StatusLine.start}. */
  constructor(options: StatusLineOptions) {
    this.#o = options;
    const c = options.config;
    this.#zone = consoleZone(c);
    this.#decimals = priceDecimalsForTick(c.contract.tick_size);
    this.#multiplier = c.contract.multiplier;
    this.#currency = c.contract.currency;
  }

  /**
   * A trade resumed from the journal (live restart): it has no ENTRY on this run's stream, so
   * the line learns its position and levels here.
   */
  resume(t: {
    side: Side;
    ordered: number;
    filled: number;
    filledValue: number;
    stop: number;
    target: number;
  }): void {
    this.#side = t.side;
    this.#ordered = t.ordered;
    this.#filled = t.filled;
    this.#filledValue = t.filledValue;
    this.#stop = t.stop;
    this.#target = t.target;
  }

  /** Draws now and then every `intervalMs`. */
  start(): void {
    this.draw();
    const ms = this.#o.intervalMs ?? 500;
    if (ms > 0 && this.#timer === undefined) this.#timer = setInterval(() => this.draw(), ms);
  }

  /** Stops redrawing. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Draws the line. */
  draw(): void {
    this.#o.screen.status(this.text());
  }

  /** The subscriber. */
  readonly onEvent = (e: EngineEvent): void => {
    switch (e.kind) {
      case "RUN": {
        const c = e.config;
        this.#zone = consoleZone(c);
        this.#decimals = priceDecimalsForTick(c.contract.tick_size);
        this.#multiplier = c.contract.multiplier;
        this.#currency = c.contract.currency;
        return;
      }
      case "TICKS":
        this.#lastPrice = e.lastPrice;
        this.#lastTickAt = this.#o.clock.now();
        return; // the timer redraws: not one terminal write per tick
      case "CONNECTION":
        this.#conn = e.state;
        break;
      case "ENTRY":
        this.#side = e.side;
        this.#ordered = e.size;
        this.#filled = 0;
        this.#filledValue = 0;
        this.#stop = e.stop;
        this.#target = e.target;
        break;
      case "FILL":
        this.#filled += e.qty;
        this.#filledValue += e.qty * e.price;
        break;
      case "CANCEL":
        this.#ordered -= e.qty;
        if (this.#filled === 0 && this.#ordered <= 0) this.#side = undefined;
        break;
      case "EXIT":
        this.#closed += e.netPnl;
        if (e.remaining !== undefined && e.remaining > 0) {
          // A scale-out: the rest keeps the average entry.
          const avg = this.#filled > 0 ? this.#filledValue / this.#filled : e.entryPrice;
          this.#filled = e.remaining;
          this.#ordered = e.remaining;
          this.#filledValue = avg * e.remaining;
        } else this.#side = undefined;
        break;
      case "STOP_MOVE":
        this.#stop = e.price;
        break;
      case "TARGET_MOVE":
        this.#target = e.price;
        break;
      default:
        return;
    }
    this.draw();
  };

  /** The status text at the clock's now. */
  text(): string {
    const now = this.#o.clock.now();
    const d = this.#decimals;
    const parts = [clockTime(now, this.#zone)];
    if (this.#side === undefined) {
      parts.push("flat");
    } else if (this.#filled === 0) {
      parts.push(`${this.#side} entry working (${this.#ordered})`);
    } else {
      const avg = this.#filledValue / this.#filled;
      const dir = this.#side === "LONG" ? 1 : -1;
      const open = (this.#lastPrice - avg) * dir * this.#filled * this.#multiplier;
      parts.push(
        `${this.#side} ${this.#filled} @ ${avg.toFixed(d)}`,
        `P/L ${Number.isFinite(open) ? signedMoney(open) : "-"}`,
      );
    }
    if (this.#side !== undefined) {
      parts.push(`stop ${this.#stop.toFixed(d)}`, `target ${this.#target.toFixed(d)}`);
    }
    parts.push(`closed ${signedMoney(this.#closed)} ${this.#currency}`);
    parts.push(
      Number.isNaN(this.#lastTickAt)
        ? "no tick yet"
        : `tick ${formatAge(now - this.#lastTickAt)} ago`,
    );
    if (this.#conn !== undefined) parts.push(this.#conn);
    return parts.join(" | ");
  }
}

function signedMoney(x: number): string {
  const t = x.toFixed(2);
  return x > 0 && t !== "0.00" ? `+${t}` : t === "-0.00" ? "0.00" : t;
}

/** An age: `0.4s`, `12s`, `3m05s`. */
export function formatAge(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 10) return `${s.toFixed(1)}s`;
  if (s < 60) return `${Math.floor(s)}s`;
  const whole = Math.floor(s);
  return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, "0")}s`;
}
