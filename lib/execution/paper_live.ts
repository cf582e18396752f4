/**
 * The kill switch of a paper live run (`execution.venue: paper`, live and demo): SIGUSR1 or
 * `execution.kill_file` closes the open trade (EXIT MANUAL; a working entry is cancelled
 * with `HALT`) and refuses every later entry of the run, as it does with real orders
 * (ib_live.ts). Without it SIGUSR1, which the launcher forwards, would end the bot with no
 * SESSION_END.
 *
 * @module
 */
import type { Config } from "../config/schema.ts";
import { patchConfig, type ResolvedContract } from "../ib/contract.ts";
import { watchKillSwitch } from "../ib/orders_guards.ts";
import { type PaperVenue, paperVenueFrom } from "./paper_venue.ts";

/** What {@linkcode paperKillSwitch} needs. */
export interface PaperKillSwitchSetup {
  config: Config;
  /** The run's clock, epoch ms (the time of a halt's journal lines). */
  clock: () => number;
  log: (line: string) => void;
  /** Watch SIGUSR1 (default true; tests running several bots in one process say false). */
  signal?: boolean;
  /** How often the kill file is looked for, ms (default 1000). */
  pollMs?: number;
}

/** The paper run's side of the kill switch. */
export interface PaperKillSwitch {
  /** The runner's `venue` option: the paper venue on the resolved contract. */
  venue: (contract: ResolvedContract) => PaperVenue;
  /** Why the switch tripped, if it did. */
  readonly tripped: string | undefined;
  /** Stops watching (the run ends). */
  stop(): void;
}

/** Watches the kill switch from now on; a trip before the venue exists halts it when built. */
export function paperKillSwitch(s: PaperKillSwitchSetup): PaperKillSwitch {
  let venue: PaperVenue | undefined;
  let tripped: string | undefined;
  const stop = watchKillSwitch(
    {
      file: s.config.execution.kill_file,
      signal: s.signal !== false,
      ...(s.pollMs === undefined ? {} : { pollMs: s.pollMs }),
    },
    (why) => {
      tripped = why;
      s.log(`[paper] HALT (${why}): closing the open trade; no more entries this run`);
      venue?.halt(why, s.clock());
    },
  );
  return {
    venue(contract) {
      // The engine's config is patched from contract details (tick size): the venue's too.
      venue = paperVenueFrom(patchConfig(s.config, contract), s.log);
      if (tripped !== undefined) venue.halt(tripped, s.clock());
      return venue;
    },
    get tripped() {
      return tripped;
    },
    stop,
  };
}
