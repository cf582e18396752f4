/**
 * Parsing of local wall-clock times ("HH:MM") and windows ("HH:MM-HH:MM"), shared by the
 * session schedule, liquid hours and the tick generator.
 *
 * @module
 */

const HHMM = /^(\d{2}):(\d{2})$/;

/** Minute of day (0 to 1439) of `text` as "HH:MM"; `where` names the place in errors. */
export function parseHhmm(text: string, where: string): number {
  if (typeof text !== "string") {
    throw new TypeError(`${where}: expected a time as "HH:MM", got ${typeof text}`);
  }
  const m = HHMM.exec(text);
  if (m === null) throw new SyntaxError(`Cannot parse time at ${where}: "${text}" is not HH:MM`);
  const hh = Number(m[1]);
  const mm = Number(m[2]);
  if (hh > 23 || mm > 59) {
    throw new RangeError(`Time out of range at ${where}: "${text}" (00:00 to 23:59)`);
  }
  return hh * 60 + mm;
}

/**
 * Start and end minute of day of `text` as "HH:MM-HH:MM" (end exclusive; an end before
 * the start wraps midnight). An empty window (start equal to end) is a RangeError.
 */
export function parseWindow(text: string, where: string): [number, number] {
  if (typeof text !== "string") {
    throw new TypeError(`${where}: expected a window as "HH:MM-HH:MM", got ${typeof text}`);
  }
  const dash = text.indexOf("-");
  if (dash < 0) {
    throw new SyntaxError(`Cannot parse window at ${where}: "${text}" is not HH:MM-HH:MM`);
  }
  const start = parseHhmm(text.slice(0, dash), where);
  const end = parseHhmm(text.slice(dash + 1), where);
  if (start === end) throw new RangeError(`Empty window at ${where}: "${text}"`);
  return [start, end];
}
