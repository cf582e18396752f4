/**
 * The journal line format: one event per line,
 * `<ISO time with offset> | <KIND> | Key=Value | Key=Value ...`.
 * `formatEvent` writes a line, `parseJournalLine` reads one back strictly.
 * The format is documented field by field in docs/journal.md.
 *
 * @module
 */
import { tickDecimals } from "../market/prices.ts";
import type {
  CancelEvent,
  EntryEvent,
  ExitEvent,
  ExitReason,
  FillEvent,
  JournalEvent,
  LevelMoveEvent,
  SessionEndEvent,
  SessionStartEvent,
  Side,
} from "../types.ts";
import { formatIsoOffset, isTimeZone } from "../time/zone.ts";
import { formatDayStart, isDayStartMinute, parseDayStart } from "../time/day_start.ts";
import { Bad, Fields, NAME_RE, parseIso } from "./line_fields.ts";

/**
 * Indicator periods. No longer used for labels (an ENTRY's indicator keys are its context's
 * keys); still accepted, and checked, so that existing callers keep working.
 */
export interface JournalPeriods {
  /** Fast EMA period. */
  emaFast: number;
  /** Slow EMA period. */
  emaSlow: number;
  /** RSI period. */
  rsi: number;
  /** ATR period. */
  atr: number;
}

/** How events are turned into text. */
export interface JournalFormatOptions {
  /** IANA zone the timestamps are shown in (always with an explicit offset). */
  timeZone: string;
  /** Decimals of a price, e.g. 2 for a 0.25 tick (see {@link priceDecimalsForTick}). */
  priceDecimals: number;
  /** Accepted for compatibility; the ENTRY keys come from the event's context. */
  periods?: JournalPeriods;
}

/** Decimals printed for indicator values (EMA, RSI, ATR, VWAP, RVOL). */
export const INDICATOR_DECIMALS = 4;
/** Decimals printed for money (gross, commission, net). */
export const MONEY_DECIMALS = 2;
/** Extra decimals a price may get when it is not on the tick grid (e.g. an average entry). */
export const EXTRA_PRICE_DECIMALS = 4;

const SEP = " | ";
const SIDES: readonly Side[] = ["LONG", "SHORT"];
const EXIT_REASONS: readonly ExitReason[] = ["TARGET", "STOP", "MANUAL", "END"];
/** ENTRY keys that are not indicator values; every other ENTRY key is one. */
const ENTRY_KEYS: ReadonlySet<string> = new Set(["TradeID", "Side", "Entry", "Stop", "TP", "Size"]);
const INDICATOR_KEY_RE = /^[A-Za-z][A-Za-z0-9_]*$/;
/** Every kind of journal line (the events the journal records), as written. */
export const JOURNAL_KINDS: ReadonlySet<string> = new Set<JournalEvent["kind"]>([
  "SESSION_START",
  "ENTRY",
  "FILL",
  "CANCEL",
  "EXIT",
  "STOP_MOVE",
  "TARGET_MOVE",
  "SESSION_END",
]);

/** A journal line that cannot be parsed; names the file, the line number and the text. */
export class JournalParseError extends SyntaxError {
  /** File (or other source name) the line came from. */
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  /** The offending line's text. */
  readonly text: string;
  /** What is wrong, without the location. */
  readonly detail: string;

  /** Builds `Cannot parse journal line at <file>:<line>: <detail> (line: "<text>")`. */
  constructor(file: string, line: number, text: string, detail: string) {
    super(
      `Cannot parse journal line at ${file}:${line}: ${detail} (line: ${JSON.stringify(text)})`,
    );
    this.name = "JournalParseError";
    this.file = file;
    this.line = line;
    this.text = text;
    this.detail = detail;
  }
}

/** Decimals needed to print prices of a contract with tick `tickSize` (0.25 -> 2). */
export const priceDecimalsForTick: (tickSize: number) => number = tickDecimals;

// ---------------------------------------------------------------------------------------------
// Formatting

function finite(value: number, key: string): number {
  if (!Number.isFinite(value)) throw new RangeError(`Journal value ${key} is not finite: ${value}`);
  return value;
}

/** `toFixed` prints a magnitude from 1e21 up with an exponent, which no number key accepts. */
const MAX_PLAIN = 1e21;

/**
 * A finite value that `toFixed` prints as plain digits. This and {@linkcode stamp},
 * {@linkcode oneOf} and the positive SESSION_START sizes are what keeps every line readable
 * by `parseJournalLine` (tests/journal_readable_test.ts proves it over extreme events), at a
 * fraction of the cost of parsing each line back.
 */
function plain(value: number, key: string): number {
  finite(value, key);
  if (!(Math.abs(value) < MAX_PLAIN)) {
    throw new RangeError(
      `Journal line would not read back: ${key} ${value} prints with an exponent`,
    );
  }
  return value;
}

/**
 * What `parseIso` accepts of `formatIsoOffset`'s output (its month, day and clock fields are
 * valid by construction): a 4-digit year and an offset under 24 h (far before year 1000,
 * `Intl` gives offsets of days).
 */
const STAMP_RE = /^[1-9]\d{3}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{3})?[+-](?:[01]\d|2[0-3]):[0-5]\d$/;

/** The time in `timeZone`, refused unless it reads back (see {@linkcode STAMP_RE}). */
function stamp(ms: number, timeZone: string, key: string): string {
  const s = formatIsoOffset(finite(ms, key), timeZone);
  if (!STAMP_RE.test(s)) {
    throw new RangeError(
      `Journal line would not read back: ${key} ${ms} is ${s}, not a 4-digit year with an offset under 24 h`,
    );
  }
  return s;
}

/** `value` when it is one of `allowed` (the reader accepts nothing else). */
function oneOf<T extends string>(value: T, allowed: readonly T[], key: string): T {
  if (!allowed.includes(value)) {
    throw new RangeError(`Journal line would not read back: ${key} is ${JSON.stringify(value)}`);
  }
  return value;
}

/** A SESSION_START size as printed, refused unless it reads back positive. */
function positive(text: string, key: string): string {
  if (!(Number(text) > 0)) {
    throw new RangeError(`Journal line would not read back: ${key} is ${text}, not positive`);
  }
  return text;
}

/** A SESSION_START TimeZone, refused unless it is an IANA zone (the reader accepts no other). */
function zoneName(zone: string | undefined): string {
  if (zone === undefined || !isTimeZone(zone)) {
    throw new RangeError(
      `Journal line would not read back: TimeZone is ${JSON.stringify(zone)}, not an IANA zone`,
    );
  }
  return zone;
}

/** A SESSION_START DayStart minute as `HH:MM`: 00:00 (midnight) or 12:00..23:59. */
function dayStart(minute: number | undefined): string {
  if (minute === undefined || !isDayStartMinute(minute)) {
    throw new RangeError(
      `Journal line would not read back: DayStart is ${minute}, not 0 or 720..1439 minutes`,
    );
  }
  return formatDayStart(minute);
}

/** Drops the sign of a negative zero such as "-0.00". */
function unsignZero(s: string): string {
  // Most numbers do not start "-0": no regex for them.
  if (s.charCodeAt(0) !== 45 || s.charCodeAt(1) !== 48) return s;
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

function fixed(value: number, decimals: number, key: string): string {
  return unsignZero(plain(value, key).toFixed(decimals));
}

/**
 * At least `min` decimals, up to `min + extra` when fewer would not give back the same
 * number (an average entry off the tick grid); trailing zeros past `min` are trimmed.
 */
function flexible(value: number, min: number, extra: number, key: string): string {
  plain(value, key);
  for (let d = min; d < min + extra; d++) {
    const s = value.toFixed(d);
    if (Number(s) === value) return unsignZero(s);
  }
  let s = value.toFixed(min + extra);
  while (s.includes(".") && s.length > 0) {
    const decimals = s.length - s.indexOf(".") - 1;
    if (decimals <= min || !s.endsWith("0")) break;
    s = s.slice(0, -1);
  }
  if (s.endsWith(".")) s = s.slice(0, -1);
  return unsignZero(s);
}

function integer(value: number, key: string): string {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`Journal value ${key} must be a non-negative integer, got ${value}`);
  }
  return String(value);
}

function lineNumber(value: number): string {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`Journal value Repaired must be a line number (>= 1), got ${value}`);
  }
  return String(value);
}

/** Percent-escapes `%`, `|` and control characters so a value never breaks the line. */
function escapeText(value: string): string {
  // A trade's ENTRY, FILL and EXIT carry the same TradeID: escaped once.
  if (value === lastText) return lastEscaped;
  // deno-lint-ignore no-control-regex
  const escaped = value.replace(/[%|\x00-\x1f\x7f]/g, (c) => {
    return "%" + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0");
  });
  lastText = value;
  lastEscaped = escaped;
  return escaped;
}

let lastText = "";
let lastEscaped = "";

type Pairs = [string, string][];

function sessionStartPairs(e: SessionStartEvent): Pairs {
  const pairs: Pairs = [
    ["RunID", escapeText(e.runId)],
    ["Version", escapeText(e.version)],
    ["Config", escapeText(e.configDigest)],
    ["Source", escapeText(e.source)],
    ["Symbol", escapeText(e.symbol)],
    ["Multiplier", positive(flexible(e.multiplier, 0, 10, "Multiplier"), "Multiplier")],
    ["TickSize", positive(flexible(e.tickSize, 0, 10, "TickSize"), "TickSize")],
    ["Currency", escapeText(e.currency)],
  ];
  // The run's trading day, so that `report` counts days as the run did (absent: UTC).
  if (e.timeZone !== undefined || e.dayStartMinute !== undefined) {
    pairs.push(["TimeZone", zoneName(e.timeZone)], ["DayStart", dayStart(e.dayStartMinute)]);
  }
  if (e.repairedLine !== undefined) pairs.push(["Repaired", lineNumber(e.repairedLine)]);
  return pairs;
}

function entryPairs(e: EntryEvent, o: JournalFormatOptions): Pairs {
  const p = o.priceDecimals;
  const pairs: Pairs = [
    ["TradeID", escapeText(e.tradeId)],
    ["Side", oneOf(e.side, SIDES, "Side")],
    ["Entry", flexible(e.entry, p, EXTRA_PRICE_DECIMALS, "Entry")],
    ["Stop", flexible(e.stop, p, EXTRA_PRICE_DECIMALS, "Stop")],
    ["TP", flexible(e.target, p, EXTRA_PRICE_DECIMALS, "TP")],
    ["Size", integer(e.size, "Size")],
  ];
  for (const [key, v] of Object.entries(e.context)) {
    if (!INDICATOR_KEY_RE.test(key) || ENTRY_KEYS.has(key)) {
      throw new RangeError(`Journal indicator key ${JSON.stringify(key)} is not allowed`);
    }
    pairs.push([key, v === undefined ? "-" : fixed(v, INDICATOR_DECIMALS, key)]);
  }
  return pairs;
}

function fillPairs(e: FillEvent, o: JournalFormatOptions): Pairs {
  const pairs: Pairs = [
    ["TradeID", escapeText(e.tradeId)],
    ["Price", flexible(e.price, o.priceDecimals, EXTRA_PRICE_DECIMALS, "Price")],
    ["Qty", integer(e.qty, "Qty")],
    ["Filled", integer(e.filled, "Filled")],
    ["Remaining", integer(e.remaining, "Remaining")],
  ];
  // A broker's execution id (IB), so that a restart knows which executions it holds.
  if (e.execId !== undefined) pairs.push(["ExecId", escapeText(e.execId)]);
  return pairs;
}

function cancelPairs(e: CancelEvent): Pairs {
  return [
    ["TradeID", escapeText(e.tradeId)],
    ["Qty", integer(e.qty, "Qty")],
    ["Reason", escapeText(e.reason)],
  ];
}

function exitPairs(e: ExitEvent, o: JournalFormatOptions): Pairs {
  const p = o.priceDecimals;
  const pairs: Pairs = [
    ["TradeID", escapeText(e.tradeId)],
    ["Side", oneOf(e.side, SIDES, "Side")],
    ["Reason", oneOf(e.reason, EXIT_REASONS, "Reason")],
    ["Exit", flexible(e.price, p, EXTRA_PRICE_DECIMALS, "Exit")],
    ["Qty", integer(e.qty, "Qty")],
    ["AvgEntry", flexible(e.entryPrice, p, EXTRA_PRICE_DECIMALS, "AvgEntry")],
    ["EntryTime", stamp(e.entryTime, o.timeZone, "EntryTime")],
    ["PnLPts", flexible(e.pnlPoints, p, EXTRA_PRICE_DECIMALS, "PnLPts")],
    ["PnLTicks", flexible(e.pnlTicks, 0, EXTRA_PRICE_DECIMALS, "PnLTicks")],
    ["Gross", fixed(e.grossPnl, MONEY_DECIMALS, "Gross")],
    ["Commission", fixed(e.commission, MONEY_DECIMALS, "Commission")],
    ["Net", fixed(e.netPnl, MONEY_DECIMALS, "Net")],
  ];
  // Optional keys, so that a default run's lines (and the goldens) stay as they were.
  if (e.remaining !== undefined && e.remaining > 0) {
    pairs.push(["Remaining", integer(e.remaining, "Remaining")]);
  }
  if (e.by !== undefined) {
    if (!NAME_RE.test(e.by)) {
      throw new RangeError(`Journal By ${JSON.stringify(e.by)} is not a name`);
    }
    pairs.push(["By", e.by]);
  }
  // Found on a live restart, in the trades printed while the bot was down.
  if (e.recovered === true) pairs.push(["Recovered", "1"]);
  // Excursions while open (absent for a resumed trade and in older journals).
  if (e.mae !== undefined) pairs.push(["MAE", flexible(e.mae, p, EXTRA_PRICE_DECIMALS, "MAE")]);
  if (e.mfe !== undefined) pairs.push(["MFE", flexible(e.mfe, p, EXTRA_PRICE_DECIMALS, "MFE")]);
  if (e.execId !== undefined) pairs.push(["ExecId", escapeText(e.execId)]);
  return pairs;
}

function movePairs(e: LevelMoveEvent, o: JournalFormatOptions): Pairs {
  const p = o.priceDecimals;
  return [
    ["TradeID", escapeText(e.tradeId)],
    ["Old", flexible(e.old, p, EXTRA_PRICE_DECIMALS, "Old")],
    ["New", flexible(e.price, p, EXTRA_PRICE_DECIMALS, "New")],
    ["Reason", escapeText(e.reason)],
  ];
}

function sessionEndPairs(e: SessionEndEvent): Pairs {
  return [
    ["RunID", escapeText(e.runId)],
    ["Reason", escapeText(e.reason)],
    ["Ticks", integer(e.ticks, "Ticks")],
    ["Bars", integer(e.bars, "Bars")],
    ["Trades", integer(e.trades, "Trades")],
  ];
}

/**
 * Throws a RangeError when the options cannot produce parseable lines (equal EMA periods
 * would give two keys with the same name; a slow period smaller than the fast one would be
 * read back swapped, since the reader takes the smaller period as the fast EMA).
 */
export function assertJournalFormatOptions(options: JournalFormatOptions): void {
  const { priceDecimals, periods } = options;
  if (!Number.isInteger(priceDecimals) || priceDecimals < 0 || priceDecimals > 10) {
    throw new RangeError(`Journal priceDecimals must be an integer 0..10, got ${priceDecimals}`);
  }
  if (periods === undefined) return;
  for (const [name, v] of Object.entries(periods)) {
    if (!Number.isSafeInteger(v) || v < 1) {
      throw new RangeError(`Journal period ${name} must be a positive integer, got ${v}`);
    }
  }
  if (periods.emaFast >= periods.emaSlow) {
    throw new RangeError(
      `Journal EMA periods must have fast < slow, got fast ${periods.emaFast}, slow ${periods.emaSlow}`,
    );
  }
}

/**
 * Formats one event as one journal line, without the trailing newline.
 * Throws a RangeError for a non-finite number, a non-integer quantity, or any value that
 * would make a line `parseJournalLine` cannot read back.
 *
 * @example
 * ```ts
 * const periods = { emaFast: 9, emaSlow: 21, rsi: 9, atr: 9 };
 * const fill = {
 *   kind: "FILL" as const,
 *   time: Date.UTC(2025, 1, 17, 18, 1),
 *   tradeId: "r1-1",
 *   price: 4501,
 *   qty: 1,
 *   filled: 1,
 *   remaining: 0,
 * };
 * formatEvent(fill, { timeZone: "America/Chicago", priceDecimals: 2, periods });
 * // "2025-02-17T12:01:00-06:00 | FILL | TradeID=r1-1 | Price=4501.00 | Qty=1 | ..."
 * ```
 */
export function formatEvent(event: JournalEvent, options: JournalFormatOptions): string {
  let pairs: Pairs;
  switch (event.kind) {
    case "SESSION_START":
      pairs = sessionStartPairs(event);
      break;
    case "ENTRY":
      pairs = entryPairs(event, options);
      break;
    case "FILL":
      pairs = fillPairs(event, options);
      break;
    case "CANCEL":
      pairs = cancelPairs(event);
      break;
    case "EXIT":
      pairs = exitPairs(event, options);
      break;
    case "STOP_MOVE":
    case "TARGET_MOVE":
      pairs = movePairs(event, options);
      break;
    case "SESSION_END":
      pairs = sessionEndPairs(event);
      break;
    default:
      throw new TypeError(
        `Cannot format journal event of kind ${JSON.stringify((event as { kind: unknown }).kind)}`,
      );
  }
  // A finite value can still print unreadably (1e300 -> "1e+300", year 275760): the checks
  // on each value above refuse the line that `report` could not read back.
  let line = stamp(event.time, options.timeZone, "time") + SEP + event.kind;
  for (const [k, v] of pairs) line += `${SEP}${k}=${v}`;
  return line;
}

// ---------------------------------------------------------------------------------------------
// Parsing

function parseSessionStart(time: number, f: Fields): SessionStartEvent {
  const multiplier = f.number("Multiplier");
  const tickSize = f.number("TickSize");
  if (!(multiplier > 0)) throw new Bad(`SESSION_START Multiplier must be positive`);
  if (!(tickSize > 0)) throw new Bad(`SESSION_START TickSize must be positive`);
  const event: SessionStartEvent = {
    kind: "SESSION_START",
    time,
    runId: f.text("RunID"),
    version: f.text("Version"),
    configDigest: f.text("Config"),
    source: f.text("Source"),
    symbol: f.text("Symbol"),
    multiplier,
    tickSize,
    currency: f.text("Currency"),
  };
  // Optional (journals before them count days in UTC), but only together.
  if (f.has("TimeZone") || f.has("DayStart")) {
    const zone = f.raw("TimeZone");
    if (!isTimeZone(zone)) {
      throw new Bad(`SESSION_START TimeZone is ${JSON.stringify(zone)}, expected an IANA zone`);
    }
    const text = f.raw("DayStart");
    const minute = parseDayStart(text);
    if (minute === undefined) {
      throw new Bad(
        `SESSION_START DayStart is ${JSON.stringify(text)}, expected 00:00 or 12:00 to 23:59`,
      );
    }
    event.timeZone = zone;
    event.dayStartMinute = minute;
  }
  // Optional, so journals written before the key existed still parse.
  if (f.has("Repaired")) {
    const line = f.integer("Repaired");
    if (line < 1) throw new Bad(`SESSION_START Repaired must be a line number >= 1, got 0`);
    event.repairedLine = line;
  }
  return event;
}

/**
 * Every ENTRY key but the fixed ones is an indicator value, a number or `-`, in line order:
 * the `scalp` keys of journals written before indicators were generic read the same way.
 */
function parseEntry(time: number, f: Fields): EntryEvent {
  const context: Record<string, number | undefined> = {};
  for (const key of f.keys()) {
    if (ENTRY_KEYS.has(key)) continue;
    if (!INDICATOR_KEY_RE.test(key)) {
      throw new Bad(`ENTRY key ${JSON.stringify(key)} is not a name`);
    }
    context[key] = f.raw(key) === "-" ? undefined : f.number(key);
  }
  return {
    kind: "ENTRY",
    time,
    tradeId: f.text("TradeID"),
    side: f.oneOf("Side", SIDES),
    entry: f.number("Entry"),
    stop: f.number("Stop"),
    target: f.number("TP"),
    size: f.integer("Size"),
    context,
  };
}

function parseFill(time: number, f: Fields): FillEvent {
  return {
    kind: "FILL",
    time,
    tradeId: f.text("TradeID"),
    price: f.number("Price"),
    qty: f.integer("Qty"),
    filled: f.integer("Filled"),
    remaining: f.integer("Remaining"),
    ...(f.has("ExecId") ? { execId: f.text("ExecId") } : {}),
  };
}

function parseCancel(time: number, f: Fields): CancelEvent {
  return {
    kind: "CANCEL",
    time,
    tradeId: f.text("TradeID"),
    qty: f.integer("Qty"),
    reason: f.text("Reason"),
  };
}

function parseExit(time: number, f: Fields): ExitEvent {
  return {
    kind: "EXIT",
    time,
    tradeId: f.text("TradeID"),
    side: f.oneOf("Side", SIDES),
    reason: f.oneOf("Reason", EXIT_REASONS),
    price: f.number("Exit"),
    qty: f.integer("Qty"),
    entryPrice: f.number("AvgEntry"),
    entryTime: f.time("EntryTime"),
    pnlPoints: f.number("PnLPts"),
    pnlTicks: f.number("PnLTicks"),
    grossPnl: f.money("Gross"),
    commission: f.money("Commission"),
    netPnl: f.money("Net"),
    ...(f.has("Remaining") ? { remaining: f.integer("Remaining") } : {}),
    ...(f.has("By") ? { by: f.name("By") } : {}),
    ...(f.has("Recovered") && f.oneOf("Recovered", ["1"]) === "1" ? { recovered: true } : {}),
    ...(f.has("MAE") ? { mae: f.number("MAE") } : {}),
    ...(f.has("MFE") ? { mfe: f.number("MFE") } : {}),
    ...(f.has("ExecId") ? { execId: f.text("ExecId") } : {}),
  };
}

function parseMove(kind: LevelMoveEvent["kind"], time: number, f: Fields): LevelMoveEvent {
  return {
    kind,
    time,
    tradeId: f.text("TradeID"),
    old: f.number("Old"),
    price: f.number("New"),
    reason: f.text("Reason"),
  };
}

function parseSessionEnd(time: number, f: Fields): SessionEndEvent {
  return {
    kind: "SESSION_END",
    time,
    runId: f.text("RunID"),
    reason: f.text("Reason"),
    ticks: f.integer("Ticks"),
    bars: f.integer("Bars"),
    trades: f.integer("Trades"),
  };
}

function parseParts(line: string): JournalEvent {
  const parts = line.split(SEP);
  const stamp = parts[0] ?? "";
  const time = parseIso(stamp);
  if (time === undefined) throw new Bad(`timestamp is ${JSON.stringify(stamp)}`);
  const kind = parts[1];
  if (kind === undefined) throw new Bad("no event kind after the timestamp");
  if (!JOURNAL_KINDS.has(kind)) {
    throw new Bad(`unknown event kind ${JSON.stringify(kind)}`);
  }
  const map = new Map<string, string>();
  for (const part of parts.slice(2)) {
    const eq = part.indexOf("=");
    if (eq <= 0) throw new Bad(`${kind} field ${JSON.stringify(part)} is not Key=Value`);
    const key = part.slice(0, eq);
    if (map.has(key)) throw new Bad(`${kind} has ${key} twice`);
    map.set(key, part.slice(eq + 1));
  }
  const f = new Fields(kind, map);
  switch (kind as JournalEvent["kind"]) {
    case "SESSION_START":
      return parseSessionStart(time, f);
    case "ENTRY":
      return parseEntry(time, f);
    case "FILL":
      return parseFill(time, f);
    case "CANCEL":
      return parseCancel(time, f);
    case "EXIT":
      return parseExit(time, f);
    case "STOP_MOVE":
    case "TARGET_MOVE":
      return parseMove(kind as LevelMoveEvent["kind"], time, f);
    case "SESSION_END":
      return parseSessionEnd(time, f);
  }
}

/**
 * Parses one journal line (without its newline) strictly. Unknown extra keys are ignored
 * so that newer journals stay readable; a missing or malformed known key, a duplicate key or
 * an unknown kind throws a {@link JournalParseError} naming `source:lineNo`.
 *
 * @example
 * ```ts
 * parseJournalLine("2025-02-17T12:01:00-06:00 | FILL | TradeID=r1-1 | ...", 7, "trade_record.text");
 * ```
 */
export function parseJournalLine(line: string, lineNo: number, source: string): JournalEvent {
  try {
    return parseParts(line);
  } catch (e) {
    if (e instanceof Bad) throw new JournalParseError(source, lineNo, line, e.message);
    throw e;
  }
}
