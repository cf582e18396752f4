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

/** Where {@linkcode setPath} stopped: the value at `path[0..index]` is `found`, not a mapping. */
export interface PathBlocked {
  /** Index of the path segment whose value is not a mapping. */
  index: number;
  /** That value. */
  found: unknown;
}

/**
 * Sets `value` at the dotted `path` in `raw` (a `--set` override), creating missing mappings on
 * the way; a null value deletes the key (back to the default) and a mapping loses its null keys.
 * Returns where the walk met a value that is not a mapping, or undefined when it is set.
 */
export function setPath(
  raw: Raw,
  path: readonly string[],
  value: unknown,
): PathBlocked | undefined {
  let node = raw;
  for (let i = 0; i < path.length - 1; i++) {
    const seg = path[i]!;
    const next = Object.hasOwn(node, seg) ? node[seg] : undefined;
    if (next === undefined) {
      const fresh: Raw = {};
      defineOwn(node, seg, fresh);
      node = fresh;
    } else if (isPlainObject(next)) {
      node = next;
    } else {
      return { index: i, found: next };
    }
  }
  const last = path[path.length - 1]!;
  if (value === null) delete node[last];
  else defineOwn(node, last, isPlainObject(value) ? dropNulls(value) : value);
  return undefined;
}
