/**
 * Contract resolution for a live run: IB's contract details for the configured symbol, the
 * front month picked from them, and the config patched from it (tick size, multiplier,
 * zone, liquid hours).
 *
 * @module
 */
import type { Config } from "../config/schema.ts";
import { type IbAdapter, IbRequestError } from "../ib/adapter.ts";
import {
  parseIbHours,
  patchConfig,
  pickFrontMonth,
  resolveContract,
  type ResolvedContract,
  type SessionSpan,
} from "../ib/contract.ts";
import { LiquidHours } from "../indicators/liquid_hours.ts";

/** A problem no retry can fix (unknown contract, no front month): the run stops. */
export class FatalError extends Error {}

/** What {@linkcode resolveFrontMonth} found. */
export interface FrontMonth {
  contract: ResolvedContract;
  /** `cfg` patched from the contract details. */
  config: Config;
  /** The contract's liquid hours (empty unless `live.contract_hours`). */
  liquidSpans: SessionSpan[];
  /** The session's liquid-hours windows. */
  liquid: LiquidHours;
  /** One line describing the contract, for the log. */
  line: string;
}

/**
 * Asks IB for the configured contract and picks the front month at IB's time
 * (`serverTime`). Throws {@linkcode FatalError} when IB knows no such contract or no
 * expiry fits; other errors (timeouts, drops) are for the caller to retry.
 */
export async function resolveFrontMonth(
  ib: IbAdapter,
  cfg: Config,
  serverTime: () => Promise<number>,
): Promise<FrontMonth> {
  const k = cfg.contract;
  const list = await listContracts(ib, cfg, false);
  const now = await serverTime();
  const c = pickFrontMonth(list, now, { rollDays: cfg.live.roll_days, month: k.month });
  if (c === undefined) {
    throw new FatalError(
      `No ${k.symbol} expiry fits: ${list.length} listed, none more than ` +
        `${cfg.live.roll_days} day(s) from its last trade date`,
    );
  }
  const config = patchConfig(cfg, c);
  return {
    contract: c,
    config,
    liquidSpans: config.live.contract_hours ? parseIbHours(c.liquidHours, c.timeZone) : [],
    liquid: new LiquidHours({
      timeZone: config.session.timezone,
      windows: config.session.liquid_hours,
    }),
    line: `[ib] contract ${c.localSymbol} (conId ${c.conId}), last trade ` +
      `${c.lastTradeDateOrContractMonth}, tick ${c.minTick}, multiplier ${c.multiplier}, ` +
      `zone ${c.timeZone}, liquid ${config.session.liquid_hours.join(",") || "always"}`,
  };
}

/**
 * Every contract IB lists for the configured symbol (and month, when set), resolved;
 * `includeExpired` adds the expired ones (`scalpbot download`). Throws
 * {@linkcode FatalError} when IB knows no such contract (error 200).
 */
export async function listContracts(
  ib: IbAdapter,
  cfg: Config,
  includeExpired: boolean,
): Promise<ResolvedContract[]> {
  const k = cfg.contract;
  const list = await ib.contractDetails({
    symbol: k.symbol,
    secType: k.sec_type,
    exchange: k.exchange,
    currency: k.currency,
    month: k.month,
    includeExpired,
  }, cfg.live.request_timeout_ms).catch((e) => {
    if (e instanceof IbRequestError && e.code === 200) {
      throw new FatalError(
        `IB knows no contract ${k.symbol} ${k.sec_type} on ${k.exchange} in ${k.currency}` +
          (k.month === undefined ? "" : ` for month ${k.month}`) + ` (error 200)`,
      );
    }
    throw e;
  });
  return list.map((d) => resolveContract(d, cfg.session.timezone));
}
