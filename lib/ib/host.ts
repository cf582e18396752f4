/**
 * Host and port as one string, for permissions, logs and URLs.
 *
 * @module
 */

/**
 * `host:port`, with an IPv6 literal in brackets (`[::1]:7497`), as Deno's permission API,
 * `--allow-net` and URLs expect. A host already in brackets keeps one pair.
 *
 * @example
 * ```ts
 * hostPort("127.0.0.1", 7497); // "127.0.0.1:7497"
 * hostPort("::1", 7497); // "[::1]:7497"
 * ```
 */
export function hostPort(host: string, port: number): string {
  const bare = bareHost(host);
  return bare.includes(":") ? `[${bare}]:${port}` : `${bare}:${port}`;
}

/** The host without IPv6 brackets, as a socket `connect` expects (`[::1]` -> `::1`). */
export function bareHost(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}
