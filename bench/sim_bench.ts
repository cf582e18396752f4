/**
 * Sustained tick-by-tick rate from the TWS simulator to one real @stoqey/ib client over
 * loopback: the figure that says whether the simulator could limit a live-mode benchmark.
 *
 * @module
 */
import { EventName, IBApi, SecType, type TickByTickDataType } from "@stoqey/ib";
import type { Tick } from "../lib/types.ts";
import { arraySource } from "../lib/sim/feed.ts";
import { startSimulator } from "../lib/sim/server.ts";

/** Options of {@linkcode benchSim}. */
export interface BenchSimOptions {
  /** Ticks replayed (default 400,000). */
  ticks?: number;
}

/** Replays `ticks` trades at speed max to one IBApi AllLast subscription; rate from first to last tick. */
export async function benchSim(
  options: BenchSimOptions = {},
): Promise<{ ticksPerSec: number; ticks: number }> {
  const n = options.ticks ?? 400_000;
  const now = Date.UTC(2025, 5, 10, 14);
  const ticks: Tick[] = Array.from({ length: n }, (_, i) => ({
    ts: now + 1000 + i * 10,
    price: 5000 + ((i * 7) % 41) * 0.25,
    size: 1 + (i % 5),
  }));
  const quiet = { info() {}, warn() {}, debug() {} };
  const sim = await startSimulator({
    port: 0,
    source: arraySource(ticks),
    speed: "max",
    clock: { now: () => now },
    logger: quiet,
  });
  const ib = new IBApi({ host: "127.0.0.1", port: sim.port, clientId: 1, maxReqPerSec: 1000 });
  try {
    let got = 0;
    let first = 0;
    let last = 0;
    const done = Promise.withResolvers<void>();
    ib.on(EventName.tickByTickAllLast, () => {
      if (got === 0) first = performance.now();
      if (++got === n) {
        last = performance.now();
        done.resolve();
      }
    });
    const ready = Promise.withResolvers<void>();
    ib.once(EventName.nextValidId, () => ready.resolve());
    ib.connect();
    await ready.promise;
    ib.reqTickByTickData(
      1,
      {
        symbol: "MES",
        secType: SecType.FUT,
        exchange: "CME",
        lastTradeDateOrContractMonth: "202506",
      },
      "AllLast" as TickByTickDataType,
      0,
      false,
    );
    await done.promise;
    return { ticksPerSec: (n - 1) / ((last - first) / 1000), ticks: n };
  } finally {
    ib.disconnect();
    await new Promise((r) => setTimeout(r, 20));
    await sim.close();
  }
}

if (import.meta.main) {
  const r = await benchSim();
  console.log(
    `sim -> IBApi tick-by-tick: ${Math.round(r.ticksPerSec).toLocaleString("en-US")} ticks/s over ${
      r.ticks.toLocaleString("en-US")
    } ticks`,
  );
}
