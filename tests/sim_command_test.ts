import { deepStrictEqual, equal, ok, rejects } from "node:assert/strict";
import { EventName, SecType, type TickByTickDataType } from "@stoqey/ib";
import { runSimCommand } from "../lib/sim/command.ts";
import type { SimulatorHandle } from "../lib/sim/server.ts";
import { UsageError } from "../lib/cli/usage_error.ts";
import { connectClient } from "./_sim_client.ts";

Deno.test("runSimCommand serves generated trades until aborted, then returns 0", async () => {
  const ac = new AbortController();
  let sim: SimulatorHandle | undefined;
  const log = console.log;
  console.log = () => {};
  const run = runSimCommand([
    "--port",
    "0",
    "--seed",
    "7",
    "--speed",
    "max",
    "--max-version",
    "176",
  ], {
    signal: ac.signal,
    onReady: (s) => (sim = s),
  });
  try {
    while (sim === undefined) await new Promise((r) => setTimeout(r, 5));
    const c = await connectClient(sim.port);
    equal(c.ib.serverVersion, 176);
    // The front month depends on the real date: take it from contract details.
    c.ib.reqContractDetails(2, { symbol: "MES", secType: SecType.FUT, exchange: "CME" });
    await c.waitFor("details", () => c.named(EventName.contractDetailsEnd).length === 1);
    const front = (c.named(EventName.contractDetails)[0]![1] as { contract: { conId: number } })
      .contract;
    c.ib.reqTickByTickData(
      3,
      { conId: front.conId, exchange: "CME" },
      "AllLast" as TickByTickDataType,
      0,
      false,
    );
    await c.waitFor("ticks", () => c.named(EventName.tickByTickAllLast).length >= 100, 10_000);
    const prices = c.named(EventName.tickByTickAllLast).map((a) => a[3] as number);
    // Generated MES prices lie on the 0.25 grid.
    ok(prices.every((p) => Math.abs(p * 4 - Math.round(p * 4)) < 1e-9));
    deepStrictEqual(c.decodeErrors(), []);
    await c.close();
  } finally {
    ac.abort();
    equal(await run, 0);
    console.log = log;
  }
});

Deno.test("runSimCommand rejects bad flags and fault specs with UsageError", async () => {
  await rejects(runSimCommand(["--speed", "fast"]), UsageError);
  await rejects(runSimCommand(["--fault", "boom@+1s"]), UsageError);
  await rejects(runSimCommand(["--max-version", "120"]), UsageError);
  await rejects(runSimCommand(["--symbol", "NQ"]), UsageError);
  await rejects(runSimCommand(["--bogus"]), UsageError);
  await rejects(runSimCommand(["--port", "1", "--port", "2"]), /--port is given twice/);
  await rejects(runSimCommand(["--tz", "Mars/Base"]), /--tz .*"Mars\/Base"/);
});

/** Runs `sim --ticks FILE --symbol SYM` until ready, then stops it; returns its stderr lines. */
async function simWarnings(file: string, symbol: string): Promise<string[]> {
  const ac = new AbortController();
  const errors: string[] = [];
  const [log, error] = [console.log, console.error];
  console.log = () => {};
  console.error = (line: string) => errors.push(line);
  try {
    const run = runSimCommand(["--port", "0", "--ticks", file, "--symbol", symbol], {
      signal: ac.signal,
      onReady: () => ac.abort(),
    });
    equal(await run, 0);
  } finally {
    [console.log, console.error] = [log, error];
  }
  return errors;
}

Deno.test("sim replaying a tick file off the symbol's grid warns once and names the symbol that fits", async () => {
  // 2,000 gold prints on the 0.1 grid: 4 in 5 are off MES's 0.25 grid, none off GC's 0.1.
  const dir = await Deno.makeTempDir();
  const file = `${dir}/gc.csv`;
  const t0 = Date.UTC(2025, 5, 10, 14);
  const lines = Array.from(
    { length: 2000 },
    (_, i) => `${t0 + i * 1000},${2300 + (i % 50) / 10},1`,
  );
  await Deno.writeTextFile(file, `ts,price,size\n${lines.join("\n")}\n`);
  try {
    const asMes = await simWarnings(file, "MES");
    deepStrictEqual(asMes, [
      `warning: 1,600 of the first 2,000 prices in ${file} are off the 0.25 tick grid of MES ` +
      "(multiplier 5), so stops, targets and P/L will be wrong; they lie on a 0.1 grid: " +
      "the bot drops off-grid prints; replay the file as --symbol GC " +
      "(0.1-tick contracts: RTY 50, M2K 5, GC 100, MGC 10)",
    ]);
    deepStrictEqual(await simWarnings(file, "GC"), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
