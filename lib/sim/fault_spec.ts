/**
 * The simulator's fault spec, one parser for the CLI and the library:
 * `KIND@WHEN[:DURATION]`, where WHEN is `+DURATION` (wall time after start) or `HH:MM`
 * (a daily simulator-clock time in the fault time zone). Examples: `drop@+30s`,
 * `refuse@+60s:20s`, `1101@+90s`, `1102@+2m:5s`, `2110@+3m`, `silent@+4m:30s`, `freeze@+5m:20s`,
 * `reset@23:45`, `reset@23:45:2m`. WHEN may also be an order event, `parent-fill` (a
 * parent filled, its children not yet announced), `partial-fill` (an order part-filled) or
 * `cancel` (a cancel request, before its confirmation): `drop@parent-fill`,
 * `refuse@partial-fill:3s`, `freeze@cancel:1s`; such a fault fires once, at the first event.
 *
 * @module
 */

/** Kinds of scheduled faults. */
export type FaultKind =
  | "drop"
  | "refuse"
  | "1101"
  | "1102"
  | "2110"
  | "silent"
  | "freeze"
  | "reset";

/** Order events a fault can fire at. */
export type OrderFaultEvent = "parent-fill" | "partial-fill" | "cancel";

/** One parsed fault. */
export interface FaultSpec {
  /** What happens. */
  kind: FaultKind;
  /** Wall ms after start, a daily clock time (minute of day), or an order event. */
  when: { afterMs: number } | { minuteOfDay: number } | { event: OrderFaultEvent };
  /** Length of the fault in wall ms, where the kind has one (else undefined). */
  durationMs: number | undefined;
}

/** Default durations per kind, in wall ms. */
export const DEFAULT_FAULT_MS: Readonly<Record<FaultKind, number | undefined>> = {
  drop: undefined,
  refuse: 10_000,
  "1101": 2_000,
  "1102": 2_000,
  "2110": undefined,
  silent: 10_000,
  freeze: 10_000,
  reset: 60_000,
};

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses `250ms`, `30s`, `2m`, `1.5h` into ms; throws SyntaxError. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (m === null) {
    throw new SyntaxError(`Cannot parse duration "${text}" (use e.g. 500ms, 30s, 2m, 1h)`);
  }
  return Math.round(Number(m[1]) * UNIT_MS[m[2]!]!);
}

/** Parses one fault spec; throws SyntaxError naming the spec. */
export function parseFaultSpec(text: string): FaultSpec {
  const m =
    /^(drop|refuse|1101|1102|2110|silent|freeze|reset)@(\+[0-9.]+(?:ms|s|m|h)|\d{1,2}:\d{2}|parent-fill|partial-fill|cancel)(?::([0-9.]+(?:ms|s|m|h)))?$/
      .exec(text.trim());
  if (m === null) {
    throw new SyntaxError(
      `Cannot parse fault spec "${text}": expected KIND@+DELAY[:DURATION], KIND@HH:MM[:DURATION] ` +
        `or KIND@EVENT[:DURATION] (EVENT parent-fill, partial-fill, cancel), ` +
        `KIND one of drop, refuse, 1101, 1102, 2110, silent, freeze, reset`,
    );
  }
  const kind = m[1] as FaultKind;
  const whenText = m[2]!;
  let when: FaultSpec["when"];
  if (/^[a-z]/.test(whenText)) {
    when = { event: whenText as OrderFaultEvent };
  } else if (whenText.startsWith("+")) {
    when = { afterMs: parseDuration(whenText.slice(1)) };
  } else {
    const [h, mi] = whenText.split(":").map(Number) as [number, number];
    if (h > 23 || mi > 59) {
      throw new SyntaxError(`Cannot parse fault spec "${text}": time ${whenText}`);
    }
    when = { minuteOfDay: h * 60 + mi };
  }
  const durationMs = m[3] !== undefined ? parseDuration(m[3]) : DEFAULT_FAULT_MS[kind];
  if (m[3] !== undefined && DEFAULT_FAULT_MS[kind] === undefined) {
    throw new SyntaxError(`Cannot parse fault spec "${text}": ${kind} takes no duration`);
  }
  return { kind, when, durationMs };
}
