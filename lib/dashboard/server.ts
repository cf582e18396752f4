/**
 * The dashboard's HTTP server (Deno.serve): the page, the chart library, a snapshot of the
 * state and a stream of its updates as server-sent events. Every request needs the run's
 * random token (`?token=`, or `Authorization: Bearer`); without it the answer is 401.
 *
 * Routes:
 * - `GET /` the page;
 * - `GET /lightweight-charts.js` the chart library (from the npm package);
 * - `GET /snapshot` {@linkcode DashboardSnapshot} as JSON;
 * - `GET /events?after=SEQ` the updates after SEQ (or after the `Last-Event-ID` a browser
 *   sends when it reconnects), each with its number as the event id. When those updates are
 *   no longer kept, a `reset` update tells the page to load the snapshot again.
 *
 * @module
 */
import { chartLibraryPath } from "../report/html/assets.ts";
import { pageHtml } from "./page.ts";
import type { DashboardState } from "./state.ts";
import type { DashboardUpdate } from "./types.ts";

/** Options of {@linkcode startDashboard}. */
export interface DashboardServerOptions {
  /** Address to listen on (default 127.0.0.1). */
  hostname?: string;
  /** Port (0: any free port). */
  port: number;
  /** The access token (default: 128 random bits, hex). */
  token?: string;
  /** How often the forming bar and the status are published, in ms (default 250). */
  flushMs?: number;
  /** Comment sent on idle streams so that tunnels and proxies keep them open (default 15 s). */
  heartbeatMs?: number;
}

/** A running dashboard server. */
export interface DashboardServer {
  /** Port it listens on. */
  readonly port: number;
  /** Address it listens on. */
  readonly hostname: string;
  /** The access token. */
  readonly token: string;
  /** The page's address, token included. */
  readonly url: string;
  /** Ends every open event stream; browsers reconnect with `Last-Event-ID` (tests). */
  dropStreams(): void;
  /** Stops serving: open streams end. */
  close(): Promise<void>;
}

/**
 * A new random access token: 32 hex digits (128 bits).
 *
 * @example
 * ```ts
 * newToken().length; // 32
 * ```
 */
export function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Compares in time independent of where the strings first differ. */
function sameToken(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** Reads the chart library once; one line naming the cure when it is missing. */
async function loadChartsLibrary(): Promise<Uint8Array> {
  const path = chartLibraryPath();
  if (path === undefined) {
    throw new Deno.errors.NotFound(
      "dashboard: the chart library (npm lightweight-charts) is not available to this " +
        "build; run scalpbot from its project folder (deno task live --dashboard)",
    );
  }
  try {
    return await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(
        `dashboard: chart library ${path} not found; run \`deno install\``,
      );
    }
    throw e;
  }
}

const HEADERS = {
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
};

/** The page may load only its own script and data: nothing leaves the machine. */
const PAGE_CSP = "default-src 'none'; script-src 'self' 'unsafe-inline'; " +
  "style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:";

/**
 * Starts serving `state`. Resolves once listening; the flush timer runs until `close`.
 *
 * @example
 * ```ts ignore
 * const server = await startDashboard(state, { port: 8787 });
 * console.log(server.url); // http://127.0.0.1:8787/?token=...
 * ```
 */
export async function startDashboard(
  state: DashboardState,
  options: DashboardServerOptions,
): Promise<DashboardServer> {
  const charts = await loadChartsLibrary();
  const hostname = options.hostname ?? "127.0.0.1";
  const token = options.token ?? newToken();
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const closers = new Set<() => void>();
  const abort = new AbortController();

  const authorized = (req: Request, url: URL): boolean => {
    const given = url.searchParams.get("token") ??
      req.headers.get("authorization")?.replace(/^Bearer\s+/i, "") ?? "";
    return sameToken(given, token);
  };

  const events = (req: Request, url: URL): Response => {
    const header = req.headers.get("last-event-id");
    const raw = header ?? url.searchParams.get("after") ?? String(state.seq);
    const after = /^\d{1,15}$/.test(raw) ? Number(raw) : -1;
    const enc = new TextEncoder();
    let unsubscribe = () => {};
    let beat: ReturnType<typeof setInterval> | undefined;
    let close = () => {};
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const send = (u: DashboardUpdate) => {
          try {
            controller.enqueue(enc.encode(`id: ${u.seq}\ndata: ${JSON.stringify(u)}\n\n`));
          } catch {
            close();
          }
        };
        close = () => {
          unsubscribe();
          clearInterval(beat);
          closers.delete(close);
          try {
            controller.close();
          } catch {
            // Already closed by the client.
          }
        };
        closers.add(close);
        controller.enqueue(enc.encode("retry: 1000\n\n"));
        const missed = state.since(after);
        if (missed === undefined) {
          // Too far behind (or a page from before a restart): it reloads the snapshot.
          controller.enqueue(
            enc.encode(`data: ${JSON.stringify({ seq: state.seq, type: "reset" })}\n\n`),
          );
        } else {
          for (const u of missed) send(u);
        }
        unsubscribe = state.subscribe(send);
        beat = setInterval(() => {
          try {
            controller.enqueue(enc.encode(": keep-alive\n\n"));
          } catch {
            close();
          }
        }, heartbeatMs);
      },
      cancel() {
        close();
      },
    });
    return new Response(body, {
      headers: { ...HEADERS, "content-type": "text/event-stream; charset=utf-8" },
    });
  };

  const handler = (req: Request): Response => {
    const url = new URL(req.url);
    if (req.method !== "GET" && req.method !== "HEAD") {
      return new Response("method not allowed\n", { status: 405, headers: HEADERS });
    }
    if (!authorized(req, url)) {
      return new Response("401: this dashboard needs the token printed at start (?token=...)\n", {
        status: 401,
        headers: { ...HEADERS, "content-type": "text/plain; charset=utf-8" },
      });
    }
    switch (url.pathname) {
      case "/":
        return new Response(pageHtml(token), {
          headers: {
            ...HEADERS,
            "content-type": "text/html; charset=utf-8",
            "content-security-policy": PAGE_CSP,
          },
        });
      case "/lightweight-charts.js":
        return new Response(charts.slice(), {
          headers: { ...HEADERS, "content-type": "text/javascript; charset=utf-8" },
        });
      case "/snapshot":
        return new Response(JSON.stringify(state.snapshot()), {
          headers: { ...HEADERS, "content-type": "application/json" },
        });
      case "/events":
        return events(req, url);
      default:
        return new Response("not found\n", { status: 404, headers: HEADERS });
    }
  };

  const listening = Promise.withResolvers<Deno.NetAddr>();
  let server: Deno.HttpServer;
  try {
    server = Deno.serve({
      hostname,
      port: options.port,
      signal: abort.signal,
      onListen: (addr) => listening.resolve(addr as Deno.NetAddr),
      onError: () => new Response("internal error\n", { status: 500, headers: HEADERS }),
    }, handler);
  } catch (e) {
    if (e instanceof Deno.errors.AddrInUse) {
      throw new Deno.errors.AddrInUse(
        `dashboard: ${hostname}:${options.port} is in use; choose another port with ` +
          `--dashboard=PORT (0: any free port)`,
      );
    }
    throw e;
  }
  server.finished.catch(() => {});
  const addr = await listening.promise;
  const flush = setInterval(() => state.flush(), options.flushMs ?? 250);
  const shown = hostname.includes(":") ? `[${hostname}]` : hostname;
  return {
    port: addr.port,
    hostname,
    token,
    url: `http://${shown}:${addr.port}/?token=${token}`,
    dropStreams() {
      for (const c of [...closers]) c();
    },
    async close() {
      clearInterval(flush);
      for (const c of [...closers]) c();
      abort.abort();
      await server.finished.catch(() => {});
    },
  };
}
