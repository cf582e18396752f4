/**
 * `--dashboard[=PORT]` and `--dashboard-host ADDR` of `live` and `demo`: parsed here (before
 * the command's own options, since parseArgs has no flag with an optional value), planned
 * into the launcher's permissions, and started as a subscriber of the run's event stream.
 *
 * @module
 */
import type { Config } from "../config/schema.ts";
import type { EventStream } from "../events/stream.ts";
import { hostPort } from "../ib/host.ts";
import type { DashboardServer } from "../dashboard/server.ts";
import type { LiveRunner } from "../live/runner.ts";
import { chartLibraryPath } from "../report/html/assets.ts";
import { UsageError } from "./usage_error.ts";

/** Default port of `--dashboard`. */
export const DASHBOARD_PORT = 8787;

/** The options' lines in `live --help` and `demo --help`. */
export const DASHBOARD_HELP =
  `  --dashboard[=PORT]   serve a live dashboard (chart, trades, report) on 127.0.0.1:PORT
                       (default ${DASHBOARD_PORT}; 0: any free port); its address with a random
                       token is printed at start
  --dashboard-host ADDR  listen on ADDR instead of 127.0.0.1 (prints a warning; prefer an
                       SSH tunnel: ssh -N -L ${DASHBOARD_PORT}:127.0.0.1:${DASHBOARD_PORT} you@host)
`;

/** Where the dashboard listens. */
export interface DashboardRequest {
  /** Address (127.0.0.1 unless `--dashboard-host`). */
  hostname: string;
  /** Port; 0 for any free port. */
  port: number;
}

/** True for an address only this machine can reach. */
export function isLoopback(host: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === "::1" ||
    host === "localhost";
}

/**
 * Takes `--dashboard`, `--dashboard=PORT` and `--dashboard-host ADDR` (or `=ADDR`) out of
 * `args`: the rest goes to the command's parser. A bad value is one {@linkcode UsageError}.
 *
 * @example
 * ```ts
 * takeDashboardArgs("live", ["--dashboard=9000", "--no-bars"]);
 * // { rest: ["--no-bars"], dashboard: { hostname: "127.0.0.1", port: 9000 } }
 * ```
 */
export function takeDashboardArgs(
  command: string,
  args: readonly string[],
): { rest: string[]; dashboard: DashboardRequest | undefined } {
  const rest: string[] = [];
  let port: string | undefined;
  let host: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") {
      rest.push(...args.slice(i));
      break;
    }
    if (a === "--dashboard" || a.startsWith("--dashboard=")) {
      if (port !== undefined) throw new UsageError(`${command}: --dashboard is given twice`);
      port = a === "--dashboard" ? String(DASHBOARD_PORT) : a.slice("--dashboard=".length);
    } else if (a === "--dashboard-host" || a.startsWith("--dashboard-host=")) {
      if (host !== undefined) throw new UsageError(`${command}: --dashboard-host is given twice`);
      host = a === "--dashboard-host" ? args[++i] : a.slice("--dashboard-host=".length);
      if (host === undefined || host === "" || host.startsWith("-")) {
        throw new UsageError(`${command}: --dashboard-host needs an address, e.g. 0.0.0.0`);
      }
    } else {
      rest.push(a);
    }
  }
  if (port === undefined) {
    if (host !== undefined) {
      throw new UsageError(`${command}: --dashboard-host ${host} needs --dashboard as well`);
    }
    return { rest, dashboard: undefined };
  }
  const n = Number(port);
  if (!/^\d{1,5}$/.test(port) || n > 65535) {
    throw new UsageError(
      `${command}: --dashboard=${port}: the port must be a whole number from 0 to 65535`,
    );
  }
  const hostname = host?.replace(/^\[(.*)\]$/, "$1") ?? "127.0.0.1";
  return { rest, dashboard: { hostname, port: n } };
}

/**
 * The `--allow-net` entry the dashboard needs to listen: `host:port`, or the host alone for
 * port 0 (any free port).
 */
export function dashboardNet(d: DashboardRequest): string {
  return d.port === 0 ? (d.hostname.includes(":") ? `[${d.hostname}]` : d.hostname) : hostPort(
    d.hostname,
    d.port,
  );
}

/**
 * Adds what `--dashboard` in `args` needs to a permission plan: listening on its address,
 * and reading the chart library from the npm package. Bad flags add nothing (the command
 * itself names them).
 */
export function planDashboard(
  plan: { read: string[]; net: string[] },
  command: string,
  args: readonly string[],
): void {
  let request: DashboardRequest | undefined;
  try {
    request = takeDashboardArgs(command, args).dashboard;
  } catch {
    return;
  }
  if (request === undefined) return;
  plan.net.push(dashboardNet(request));
  const library = chartLibraryPath();
  if (library !== undefined) plan.read.push(library);
}

/** A run's dashboard. */
export interface RunDashboard {
  /** The server (its address, token and port). */
  readonly server: DashboardServer;
  /**
   * Watches the runner: a trade it resumed from the journal (no ENTRY in this run) shows as
   * the open position once the first sync is done.
   */
  follow(runner: LiveRunner): void;
  /** Stops serving. */
  close(): Promise<void>;
}

/**
 * Starts the dashboard for a run publishing on `events`: subscribes its state (ticks
 * included), serves it, prints its address with the token (and a warning off loopback).
 * A failing dashboard never stops trading: its subscriber catches its own errors.
 */
export async function openDashboard(
  config: Config,
  events: EventStream,
  request: DashboardRequest,
  print: (line: string) => void,
): Promise<RunDashboard> {
  // Loaded only when asked for: runs without --dashboard never read these modules.
  const { DashboardState } = await import("../dashboard/state.ts");
  const { startDashboard } = await import("../dashboard/server.ts");
  const state = new DashboardState({ config });
  const server = await startDashboard(state, request);
  let failed = false;
  events.subscribe((e) => {
    if (failed) return;
    try {
      state.apply(e);
    } catch (error) {
      failed = true;
      print(`[dashboard] stopped following the run: ${(error as Error).message}`);
    }
  }, { ticks: true });
  print(`[dashboard] ${server.url}`);
  if (!isLoopback(request.hostname)) {
    print(
      `[dashboard] WARNING: listening on ${request.hostname}, not loopback: anyone who can ` +
        `reach this address and sees the token can watch the run (plain HTTP, no TLS); ` +
        `prefer an SSH tunnel to 127.0.0.1`,
    );
  } else if (request.port !== 0) {
    print(
      `[dashboard] from another machine: ssh -N -L ${server.port}:127.0.0.1:${server.port} ` +
        `you@this-host, then open the address above there`,
    );
  }
  return {
    server,
    follow(runner) {
      runner.onState((s) => {
        const open = s === "connected" ? runner.engine?.openTrade : undefined;
        if (open !== undefined) state.seedTrade(open);
      });
    },
    close: () => server.close(),
  };
}
