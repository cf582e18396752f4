/**
 * The hooks an order client takes from the live runner's connection (lib/ib/connection.ts),
 * against the simulator with the real @stoqey/ib client: `onSynced` after every completed
 * sync, `onState` with the state left, the managed accounts, and `claimErrors`.
 */
import assert from "node:assert/strict";
import type { ConnState } from "../lib/ib/connection.ts";
import { generatedTicks, startLiveRun, until } from "./_live_harness.ts";

const TICKS = generatedTicks(3, 7);

Deno.test("IbConnection: onSynced hears 'connect' after the first connect and after a reconnect; onState names the state left", async () => {
  const run = await startLiveRun({ ticks: TICKS });
  const conn = run.runner.connection;
  const synced: string[] = [];
  const moves: Array<[ConnState, ConnState]> = [];
  // startLiveRun has started connecting (state `connecting`); nothing came back yet.
  conn.onSynced((why) => synced.push(why));
  conn.onState((state, from) => moves.push([from, state]));
  try {
    await until("first sync", () => synced.length === 1);
    assert.deepEqual(synced, ["connect"]);
    assert.equal(conn.state, "connected");
    // The simulator's paper account, as TWS sends it (unmasked for a guard to check).
    assert.deepEqual(conn.accounts, ["DU1234567"]);
    // A contract is resolved before the first onSynced.
    assert.ok(run.runner.contract !== undefined);
    run.sim.faults.dropAll();
    await until("second sync", () => synced.length === 2);
    assert.deepEqual(synced, ["connect", "connect"]);
  } finally {
    await run.finish();
  }
  // Each move starts where the previous one ended: connecting -> syncing -> connected ->
  // disconnected -> connecting -> syncing -> connected -> stopped.
  assert.deepEqual(moves.map(([, to]) => to), [
    "syncing",
    "connected",
    "disconnected",
    "connecting",
    "syncing",
    "connected",
    "stopped",
  ]);
  assert.equal(moves[0]![0], "connecting");
  for (let i = 1; i < moves.length; i++) assert.equal(moves[i]![0], moves[i - 1]![1]);
});

Deno.test("IbConnection: a claimed error is the claimer's alone; an unclaimed one is logged", async () => {
  const run = await startLiveRun({ ticks: TICKS });
  const conn = run.runner.connection;
  const claimed: Array<[number, number]> = [];
  conn.claimErrors((code, _message, reqId) => {
    if (reqId !== 90_001) return false;
    claimed.push([code, reqId]);
    return true;
  });
  try {
    await run.runner.whenSynced();
    const c = { conId: run.runner.contract!.conId, exchange: "CME" };
    // An unknown tick type: the simulator refuses it with 10187 on the request's id.
    const api = conn.adapter.api as unknown as {
      reqTickByTickData(id: number, c: object, type: string, n: number, ignore: boolean): void;
    };
    api.reqTickByTickData(90_001, c, "Claimed", 0, false);
    api.reqTickByTickData(90_002, c, "Unclaimed", 0, false);
    await until("the unclaimed error logged", () => run.lines.some((l) => l.includes("Unclaimed")));
    await until("the claimed error seen", () => claimed.length === 1);
    assert.deepEqual(claimed, [[10187, 90_001]]);
    assert.deepEqual(run.lines.filter((l) => l.includes("10187")), [
      "[ib] error 10187: Unsupported tick-by-tick type: Unclaimed",
    ]);
    // Neither touched the connection.
    assert.equal(conn.state, "connected");
    assert.equal(run.runner.stats.connects, 1);
  } finally {
    await run.finish();
  }
});
