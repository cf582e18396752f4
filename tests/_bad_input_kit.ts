/**
 * What the bad-input campaign's tables (_bad_inputs.ts, _bad_inputs_cli.ts) are made of: the
 * case type and the helpers that build tick files, backtest command lines and odd bytes.
 *
 * @module
 */
/** Marks a folder in a case's files. */
export const DIR = Symbol("directory");
/** Files a case puts in its folder: text, bytes or a folder. */
export type Files = Record<string, string | Uint8Array | typeof DIR>;

/** One bad input. */
export interface Case {
  /** Group and what is wrong. */
  name: string;
  args: string[];
  files?: Files;
  code: 1 | 2;
  /** The one error line must match this: it names the place and the value. */
  line: RegExp;
}

/** A tick time inside the default session. */
export const T = "2025-02-17T15:00:01Z";
/** The tick CSV header. */
export const HEADER = "ts_utc,price,size\n";
/** Options every backtest case ends with: the existing journal, to be replaced. */
export const OUT = ["--journal", "j.text", "--overwrite", "--quiet"];
/** A backtest command line with `args`, ending with {@linkcode OUT}. */
export const bt = (...args: string[]) => ["backtest", ...args, ...OUT];
/** A backtest of the tick file `t.csv` holding `text`, with `more` options. */
export const ticks = (text: string, ...more: string[]): Pick<Case, "args" | "files"> => ({
  args: bt("--ticks", "t.csv", ...more),
  files: { "t.csv": text },
});

/** Deterministic bytes that are no text format (a xorshift stream). */
export function garbage(n: number, seed: number): string {
  const bytes = new Uint8Array(n);
  let x = seed * 2654435761 >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return new TextDecoder("latin1").decode(bytes);
}

/** `text` as UTF-16 LE bytes with a byte-order mark. */
export function utf16(text: string): Uint8Array {
  const out = new Uint8Array(2 + text.length * 2);
  out[0] = 0xff;
  out[1] = 0xfe;
  for (let i = 0; i < text.length; i++) out[2 + 2 * i] = text.charCodeAt(i);
  return out;
}
