/**
 * `scalpbot sim`: runs the TWS simulator from the command line until SIGINT/SIGTERM.
 * Trades come from a tick file (`--ticks`) or the built-in generator (`--seed`).
 *
 * @module
 */

import { parseCommandArgs } from "../cli/args.ts";
import { checkInputFile } from "../cli/fs.ts";
import { RunError, UsageError } from "../cli/usage_error.ts";
import { hostPort } from "../ib/host.ts";
import { isTimeZone } from "../time/zone.ts";
import { demoSession, TickGenerator, type TickGeneratorOptions } from "../gen/generator.ts";
import { readTickFile } from "../ticks/csv_reader.ts";
import { GridWatch } from "../ticks/grid_check.ts";
import { listedContracts, SIM_SYMBOLS } from "./contracts.ts";
import { columnSource, type Speed, type TickSource } from "./feed.ts";
import { parseDuration, parseFaultSpec } from "./fault_spec.ts";
import { MAX_SIM_VERSION, MIN_SIM_VERSION } from "./messages.ts";
import { type SimulatorHandle, startSimulator } from "./server.ts";
import { generateArchive, type GeneratedArchive, recentArchiveOptions } from "./history_store.ts";

const HELP = `scalpbot sim: a TWS simulator on loopback for IB API clients

Usage: scalpbot sim [options]

  --port N          TCP port (default 7497; 0 = any free port)
  --host ADDR       listen address (default 127.0.0.1, loopback only)
  --ticks FILE      replay this tick CSV (ts_utc,price,size)
  --seed N          generate trades with this seed (default 1; used without --ticks)
  --endless         generate from the clock onward for ever (default: the demo session)
  --symbol SYM      contract the trades belong to: ${SIM_SYMBOLS.join(", ")} (default MES)
  --speed N|max     replay speed factor (default 1 = real time)
  --history DUR     part of the data already in the past at start, e.g. 30m (default 0)
  --max-version N   highest server version to negotiate, ${MIN_SIM_VERSION}..${MAX_SIM_VERSION} (default ${MAX_SIM_VERSION})
  --tbt-limit N     simultaneous tick-by-tick subscriptions (default 5)
  --tz ZONE         zone of IB dates without a zone and of daily fault times (default UTC)
  --no-pacing       do not enforce historical-data pacing (error 162)
  --account ID      account id of MANAGED_ACCTS and of orders (default DU1234567, a paper id)
  --commission X    commission per contract of simulated executions (default 0.62)
  --archive DAYS    serve a generated history of the last DAYS days (MES or ES, several
                    contracts, expired ones too) for scalpbot download; no live trades
  --fault SPEC      schedule a fault (repeatable), e.g. drop@+30s, refuse@+60s:20s,
                    1101@+90s, 1102@+2m:5s, 2110@+3m, silent@+4m:30s, freeze@+5m:20s, reset@23:45
  -h, --help        show this help
`;

/** Options of {@linkcode runSimCommand}, for tests and embedding. */
export interface RunSimOptions {
  /** Stops the simulator when aborted (in addition to SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** Called once listening. */
  onReady?: (sim: SimulatorHandle) => void;
}

/** Generator settings per symbol: the demo session's shape on the contract's grid. */
const GEN: Record<string, Partial<TickGeneratorOptions>> = {
  ES: {},
  MES: {},
  GC: {
    tickSize: 0.1,
    startPrice: 2000,
    timeZone: "America/New_York",
    sessionBreak: { start: "17:00", end: "18:00" },
    liquidHours: { start: "08:20", end: "13:30" },
  },
  XINA50: {
    tickSize: 1, // SGX: 1 index point since October 2020
    startPrice: 13000,
    timeZone: "Asia/Singapore",
    sessionBreak: { start: "16:35", end: "17:15" },
    liquidHours: { start: "09:00", end: "16:35" },
  },
};

function int(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer in ${min}..${max}, got "${text}"`);
  }
  return n;
}

/**
 * A watch of a replayed file's prices against `symbol`'s tick grid: prices off the grid the
 * simulator announces are dropped by the bot (as by IB's rules), so it warns once, naming the
 * simulated symbol whose tick fits.
 */
function simGridWatch(symbol: string, path: string, now: number): GridWatch {
  const spec = (s: string) => listedContracts(s, now)[0];
  const own = spec(symbol)!;
  return new GridWatch(
    { symbol, multiplier: own.multiplier, tick_size: own.minTick },
    path,
    (line) => console.error(line),
    (tick) => {
      const fit = SIM_SYMBOLS.filter((s) => tick !== undefined && spec(s)?.minTick === tick);
      return `the bot drops off-grid prints; ` +
        (fit.length > 0
          ? `replay the file as --symbol ${fit.join(" or ")}`
          : `no simulated contract (${SIM_SYMBOLS.join(", ")}) has that tick`);
    },
  );
}

async function loadTickFile(path: string, grid: GridWatch): Promise<TickSource> {
  let ts = new Float64Array(1 << 16);
  let price = new Float64Array(1 << 16);
  let size = new Float64Array(1 << 16);
  let n = 0;
  await readTickFile(path, {
    onBatch: (b) => {
      grid.onBatch(b);
      if (n + b.count > ts.length) {
        const cap = Math.max(ts.length * 2, n + b.count);
        const grow = (a: Float64Array) => {
          const next = new Float64Array(cap);
          next.set(a.subarray(0, n));
          return next;
        };
        ts = grow(ts);
        price = grow(price);
        size = grow(size);
      }
      ts.set(b.ts.subarray(0, b.count), n);
      price.set(b.price.subarray(0, b.count), n);
      size.set(b.size.subarray(0, b.count), n);
      n += b.count;
    },
  });
  grid.finish();
  return columnSource(ts.subarray(0, n), price.subarray(0, n), size.subarray(0, n));
}

/** A failure to listen on `host:port` as one line naming the address (NotCapable passes). */
function listenError(e: unknown, host: string, port: number): unknown {
  if (e instanceof Deno.errors.NotCapable || !(e instanceof Error)) return e;
  const address = hostPort(host, port);
  if (e instanceof Deno.errors.AddrInUse) {
    return new RunError(
      `sim: cannot listen on ${address}: the port is already in use (another simulator, ` +
        `TWS or IB Gateway?); choose another --port`,
    );
  }
  const why = e.message.split(/\r?\n/, 1)[0];
  return new RunError(`sim: cannot listen on ${address}: ${why}`, { cause: e });
}

/**
 * Runs `scalpbot sim` with `args`; resolves to the exit code once stopped by a signal.
 * Throws UsageError for bad flags and SyntaxError for a bad fault spec or tick file.
 */
export async function runSimCommand(args: string[], options: RunSimOptions = {}): Promise<number> {
  const { values } = parseCommandArgs("sim", args, {
    port: { type: "string" },
    host: { type: "string" },
    ticks: { type: "string" },
    seed: { type: "string" },
    endless: { type: "boolean" },
    symbol: { type: "string" },
    speed: { type: "string" },
    history: { type: "string" },
    "max-version": { type: "string" },
    "tbt-limit": { type: "string" },
    tz: { type: "string" },
    "no-pacing": { type: "boolean" },
    account: { type: "string" },
    commission: { type: "string" },
    archive: { type: "string" },
    fault: { type: "string", multiple: true },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const symbol = (values.symbol ?? "MES").toUpperCase();
  if (!SIM_SYMBOLS.includes(symbol)) {
    throw new UsageError(
      `--symbol must be one of ${SIM_SYMBOLS.join(", ")}, got "${values.symbol}"`,
    );
  }
  let speed: Speed = 1;
  if (values.speed !== undefined && values.speed !== "max") {
    speed = Number(values.speed);
    if (!(speed > 0 && Number.isFinite(speed))) {
      throw new UsageError(`--speed must be a positive number or "max", got "${values.speed}"`);
    }
  } else if (values.speed === "max") speed = "max";
  const faults = (values.fault ?? []).map((f) => {
    try {
      return parseFaultSpec(f);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  });
  let historyMs = 0;
  if (values.history !== undefined) {
    try {
      historyMs = parseDuration(values.history);
    } catch (e) {
      throw new UsageError(`--history: ${(e as Error).message}`);
    }
  }
  const port = int("port", values.port, 0, 65535) ?? 7497;
  const seed = int("seed", values.seed, 0, Number.MAX_SAFE_INTEGER) ?? 1;
  const maxVersion = int("max-version", values["max-version"], MIN_SIM_VERSION, MAX_SIM_VERSION) ??
    MAX_SIM_VERSION;
  const tbtLimit = int("tbt-limit", values["tbt-limit"], 1, 1000) ?? 5;
  const timeZone = values.tz ?? "UTC";
  if (!isTimeZone(timeZone)) {
    throw new UsageError(
      `--tz must be an IANA time zone such as UTC or America/Chicago, got "${timeZone}"`,
    );
  }
  const account = values.account ?? "DU1234567";
  if (!/^[A-Za-z0-9]{1,32}$/.test(account)) {
    throw new UsageError(`--account must be letters and digits, e.g. DU1234567, got "${account}"`);
  }
  const commission = values.commission === undefined ? 0.62 : Number(values.commission);
  if (!(commission >= 0) || !Number.isFinite(commission) || values.commission?.trim() === "") {
    throw new UsageError(`--commission must be a number >= 0, got "${values.commission}"`);
  }
  const host = values.host ?? "127.0.0.1";
  if (host.trim() === "") throw new UsageError(`--host must be an address, got ""`);
  let source: TickSource | undefined;
  let sourceName: string;
  const archiveDays = int("archive", values.archive, 1, 730);
  let archive: GeneratedArchive | undefined;
  if (archiveDays !== undefined) {
    if (values.ticks !== undefined || (symbol !== "MES" && symbol !== "ES")) {
      throw new UsageError(`--archive serves MES or ES history only, without --ticks`);
    }
    const o = recentArchiveOptions(Date.now(), archiveDays, symbol);
    archive = generateArchive(o);
    sourceName = `a generated history of ${o.from}..${o.to} (${archive.total} trades, ` +
      `${archive.contracts.map((c) => c.localSymbol).join(", ")})`;
  } else if (values.ticks !== undefined) {
    await checkInputFile(values.ticks, "tick file");
    source = await loadTickFile(values.ticks, simGridWatch(symbol, values.ticks, Date.now()));
    sourceName = `file:${values.ticks}`;
  } else {
    const base: TickGeneratorOptions = { ...demoSession(seed), ...GEN[symbol] };
    if (values.endless) {
      base.startMs = Date.now();
      base.endMs = undefined;
    }
    source = new TickGenerator(base);
    sourceName = `generated:seed=${seed}${values.endless ? ",endless" : ""}`;
  }
  let sim: SimulatorHandle;
  try {
    sim = await startSimulator({
      port,
      hostname: host,
      maxServerVersion: maxVersion,
      ...(source === undefined ? {} : { source }),
      ...(archive === undefined ? {} : { archive }),
      symbol,
      speed,
      historyMs,
      faults,
      tbtLimit,
      timeZone,
      pacing: !values["no-pacing"],
      account,
      commissionPerContract: commission,
    });
  } catch (e) {
    throw listenError(e, host, port);
  }
  // Listening for signals before saying it is ready: a Ctrl+C right after the line stops it
  // cleanly (exit 0), not by the default action (130).
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const unix = Deno.build.os !== "windows";
  Deno.addSignalListener("SIGINT", stop);
  if (unix) Deno.addSignalListener("SIGTERM", stop);
  console.log(
    `TWS simulator on ${sim.hostname}:${sim.port}: ${symbol} from ${sourceName}, speed ${speed}` +
      `${faults.length > 0 ? `, ${faults.length} fault(s) scheduled` : ""} (Ctrl-C to stop)`,
  );
  options.onReady?.(sim);
  options.signal?.addEventListener("abort", stop, { once: true });
  if (options.signal?.aborted) stop();
  try {
    await stopped;
  } finally {
    Deno.removeSignalListener("SIGINT", stop);
    if (unix) Deno.removeSignalListener("SIGTERM", stop);
  }
  await sim.close();
  return 0;
}
