/**
 * Contract resolution for a live run: IB's contract details for the configured symbol, the
 * front month picked from them, and the config patched from it (tick size, multiplier,
 * zone, liquid hours).
 *
 * @module
 */
import type { Config } from "../config/schema.ts";
import type { IbAdapter } from "../ib/adapter.ts";
import { FatalError, listContracts } from "../ib/listing.ts";
import {
  parseIbHours,
  patchConfig,
  pickFrontMonth,
  type ResolvedContract,
  type SessionSpan,
} from "../ib/contract.ts";
import { LiquidHours } from "../indicators/liquid_hours.ts";

/** Re-exported for the live runner. */
export { FatalError };

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
