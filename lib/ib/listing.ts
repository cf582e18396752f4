/**
 * The contracts IB lists for the configured symbol, for live mode's front month and for
 * `scalpbot download` (expired ones too).
 *
 * @module
 */
import type { Config } from "../config/schema.ts";
import { type IbAdapter, IbRequestError } from "./adapter.ts";
import { resolveContract, type ResolvedContract } from "./contract.ts";

/** A problem no retry can fix (unknown contract, no front month): the run stops. */
export class FatalError extends Error {}

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
