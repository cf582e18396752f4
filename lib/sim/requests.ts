/**
 * The simulator's request dispatcher: every client frame after the handshake, START_API,
 * ids, accounts, contract details and tick-by-tick subscriptions; history requests are
 * handed to the history module.
 *
 * @module
 */

import type { ContractQuery } from "./contracts.ts";
import { matchContracts } from "./contracts.ts";
import {
  type ClientRequest,
  contractData,
  contractDataEnd,
  currentTime,
  decodeRequest,
  errorMsg,
  managedAccounts,
  nextValidId,
} from "./messages.ts";
import { feedFor, NO_SECDEF_TEXT, resolveContract, type SimCore } from "./core.ts";
import { reqHistoricalData, reqHistoricalTicks } from "./history.ts";
import { decodeOrderRequest } from "./order_messages.ts";
import type { Session } from "./session.ts";

const TBT_LIMIT_TEXT = "Max number of tick-by-tick requests has been reached.";

/** Acts on one client frame (fields split) of a handshaken session. */
export function onFrame(sim: SimCore, s: Session, fields: string[]): void {
  const orderReq = decodeOrderRequest(fields, s.version);
  const req: ClientRequest = orderReq === undefined
    ? decodeRequest(fields, s.version)
    : { kind: "unknown", msgId: Number(fields[0]) };
  if (!s.started && req.kind !== "startApi") {
    // TWS ignores requests before START_API; so do we, with a log line.
    sim.log.warn("Client {id} sent message {m} before START_API; ignored", {
      id: s.id,
      m: fields[0],
    });
    return;
  }
  // A frozen TWS (socket open, nothing sent) answers nothing, not even the watchdog's ping.
  if (req.kind !== "startApi" && sim.clock.now() < sim.frozenUntil) {
    sim.log.debug("Client {id}: message {m} unanswered (frozen)", { id: s.id, m: fields[0] });
    return;
  }
  if (orderReq !== undefined) return sim.orders.handle(s, orderReq);
  switch (req.kind) {
    case "startApi":
      return startApi(sim, s, req.clientId);
    case "currentTime":
      return s.send(currentTime(Math.floor(sim.now() / 1000)));
    case "reqIds":
      // Each answer is above the last, so two callers never get the same id.
      return s.send(nextValidId(sim.nextOrderId++));
    case "managedAccounts":
      return s.send(managedAccounts(sim.account));
    case "contractDetails":
      return contractDetails(sim, s, req.reqId, req.contract);
    case "tickByTick":
      return reqTickByTick(sim, s, req.reqId, req.contract, req.tickType);
    case "cancelTickByTick":
      if (!s.tbt.delete(req.reqId)) {
        sim.log.debug("Client {id} cancelled unknown tick-by-tick {r}", {
          id: s.id,
          r: req.reqId,
        });
      }
      return;
    case "historicalData":
      return reqHistoricalData(sim, s, req);
    case "cancelHistoricalData":
      if (!s.bars.delete(req.reqId)) {
        s.send(
          errorMsg(
            s.version,
            req.reqId,
            366,
            `No historical data query found for ticker id:${req.reqId}`,
          ),
        );
      }
      return;
    case "historicalTicks":
      return reqHistoricalTicks(sim, s, req);
    case "unknown":
      sim.stats.unknownMessages++;
      sim.log.info("Client {id} sent unsupported message {m} ({n} fields); ignored", {
        id: s.id,
        m: req.msgId,
        n: fields.length,
      });
      return;
  }
}

/** START_API: refuses a client id in use (326), else sends accounts, ids and farm status. */
function startApi(sim: SimCore, s: Session, clientId: number): void {
  if (s.started) return;
  for (const o of sim.sessions) {
    if (o !== s && o.started && !o.closed && o.clientId === clientId) {
      s.send(
        errorMsg(
          s.version,
          -1,
          326,
          `Unable to connect as the client id is already in use. Retry with a unique client id.`,
        ),
      );
      s.flush();
      sim.log.warn("Client {id}: client id {c} in use; dropping", { id: s.id, c: clientId });
      // Let the error frame leave before closing, as TWS does.
      sim.setTimer(() => s.close(), 20);
      s.started = false;
      return;
    }
  }
  s.started = true;
  s.clientId = clientId;
  if (s.handshakeTimer !== undefined) clearTimeout(s.handshakeTimer);
  s.handshakeTimer = undefined;
  s.send(managedAccounts(sim.account));
  s.send(nextValidId(sim.nextOrderId));
  for (
    const [code, text] of [
      [2104, "Market data farm connection is OK:usfarm"],
      [2106, "HMDS data farm connection is OK:ushmds"],
      [2158, "Sec-def data farm connection is OK:secdefil"],
    ] as const
  ) s.send(errorMsg(s.version, -1, code, text));
  sim.log.info("Client {id} started API with client id {c} at version {v}", {
    id: s.id,
    c: clientId,
    v: s.version,
  });
}

/** REQ_CONTRACT_DATA: every matching contract, or 200. */
function contractDetails(sim: SimCore, s: Session, reqId: number, q: ContractQuery): void {
  const found = matchContracts(q, sim.now());
  if (found.length === 0) {
    s.send(errorMsg(s.version, reqId, 200, NO_SECDEF_TEXT));
    return;
  }
  for (const c of found) s.send(contractData(s.version, reqId, c));
  s.send(contractDataEnd(reqId));
}

/** REQ_TICK_BY_TICK_DATA within the account-wide cap (10190). */
function reqTickByTick(
  sim: SimCore,
  s: Session,
  reqId: number,
  q: ContractQuery,
  tickType: string,
): void {
  const contract = resolveContract(sim, s, reqId, q);
  if (contract === undefined) return;
  let total = 0;
  for (const o of sim.sessions) total += o.tbt.size;
  if (total >= sim.tbtLimit) {
    s.send(errorMsg(s.version, reqId, 10190, TBT_LIMIT_TEXT));
    return;
  }
  const types: Record<string, 1 | 2 | 3 | 4> = { Last: 1, AllLast: 2, BidAsk: 3, MidPoint: 4 };
  const t = types[tickType];
  if (t === undefined) {
    s.send(errorMsg(s.version, reqId, 10187, `Unsupported tick-by-tick type: ${tickType}`));
    return;
  }
  const feed = feedFor(sim, contract);
  if (feed === undefined) {
    sim.log.info("Client {id} subscribed to {c}, which has no feed: no trades will follow", {
      id: s.id,
      c: contract.localSymbol,
    });
  }
  // Subscriptions without a feed stay counted against the cap, as at IB.
  s.tbt.set(reqId, { feed, contract, tickType: t });
  sim.kick(0);
}
