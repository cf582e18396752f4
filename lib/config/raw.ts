/**
 * Helpers on the raw (parsed, not yet validated) config shared by the full loader
 * (load.ts, yaml and zod) and the fast path (fast_config.ts), which must treat the raw
 * values the same way.
 *
 * @module
 */

/** A parsed YAML mapping before validation. */
export type Raw = Record<string, unknown>;

/** The first line of `text`, trimmed. */
export function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0]!.trim();
}

/** True for `{...}` objects (not arrays, class instances or null). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Sets an own property even for names like `__proto__`, which validation then rejects. */
export function defineOwn(obj: Raw, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Copies `obj` without null-valued keys, at every mapping level (lists are left alone):
 * an empty value (`month:`) means "use the default".
 */
export function dropNulls(obj: Raw): Raw {
  const out: Raw = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === null) continue;
    defineOwn(out, k, isPlainObject(v) ? dropNulls(v) : v);
  }
  return out;
}
