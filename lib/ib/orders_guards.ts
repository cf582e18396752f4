/**
 * Safety guards around real orders: only a paper account unless explicitly allowed twice, a
 * daily loss limit, and a kill switch (SIGUSR1 or a file). Each guard decides; the venue acts
 * (`IbVenue.halt`).
 *
 * @module
 */

/** What allows orders on a live (non-paper) account: both must be set. */
export interface AccountPermission {
  /** `execution.allow_live_account` in the config. */
  allowLiveAccount: boolean;
  /** `--live-account` on the command line. */
  liveAccountFlag: boolean;
}

/** IB paper account ids start with `DU` (live ones with `U`, advisors' with `F`/`I`). */
export function isPaperAccount(id: string): boolean {
  return /^DU\d+$/.test(id.trim());
}

/**
 * Why orders may not be sent to the accounts TWS manages (its comma-separated list), or
 * undefined when they may: every account is a paper one, or both permissions are given.
 * Account ids in the message are masked but the prefix (`DU...`, `U...`).
 *
 * @example
 * ```ts
 * accountRefusal("DU1234567", { allowLiveAccount: false, liveAccountFlag: false }); // undefined
 * accountRefusal("U7654321", { allowLiveAccount: false, liveAccountFlag: false }); // "... live account U... ..."
 * ```
 */
export function accountRefusal(accounts: string, p: AccountPermission): string | undefined {
  const ids = accounts.split(",").map((a) => a.trim()).filter((a) => a !== "");
  if (ids.length === 0) return "TWS named no account: no orders are sent";
  const live = ids.filter((a) => !isPaperAccount(a));
  if (live.length === 0) return undefined;
  if (p.allowLiveAccount && p.liveAccountFlag) return undefined;
  const masked = live.map((a) => `${a.replace(/\d.*$/, "")}...`).join(", ");
  const missing = [
    p.allowLiveAccount ? "" : "execution.allow_live_account: true in the config",
    p.liveAccountFlag ? "" : "--live-account on the command line",
  ].filter((x) => x !== "").join(" and ");
  return `TWS is logged in to a live account (${masked}), not a paper one (DU...): ` +
    `real orders there need ${missing}`;
}

/** Where trading days change: the session's (lib/execution/ib_live.ts builds it from config.session). */
export interface TradingDayClock {
  /** The trading day of `ms` (any label; equal labels: the same day). */
  dayOf(ms: number): string;
  /** When the trading day holding `ms` ends (the next day change after `ms`), epoch ms. */
  dayEnd(ms: number): number;
}

/**
 * Realized P/L of the current trading day against a limit. Feed it every exit's net P/L
 * (after a restart, first the journal's exits of the day); it says when the day's loss
 * reaches the limit. Days change where `days` says (the session's day change).
 */
export class DailyLoss {
  #limit: number;
  #days: TradingDayClock;
  #day = "";
  #end = NaN;
  #pnl = 0;

  /** `limit`: a positive currency amount. */
  constructor(limit: number, days: TradingDayClock) {
    if (!(limit > 0)) throw new RangeError(`daily loss limit must be positive, got ${limit}`);
    this.#limit = limit;
    this.#days = days;
  }

  /** When the trading day of the last exit ends, epoch ms; NaN before any exit. */
  get dayEnd(): number {
    return this.#end;
  }

  /** Net P/L of the current day so far. */
  get pnl(): number {
    return this.#pnl;
  }

  /** True when the day's loss has reached the limit and `now` is still in that day. */
  trippedAt(now: number): boolean {
    return this.#pnl <= -this.#limit && now < this.#end;
  }

  /** Books one exit's net P/L at `time` (epoch ms); true when the day's loss reached the limit. */
  add(time: number, netPnl: number): boolean {
    const day = this.#days.dayOf(time);
    if (day !== this.#day) {
      this.#day = day;
      this.#end = this.#days.dayEnd(time);
      this.#pnl = 0;
    }
    this.#pnl += netPnl;
    return this.#pnl <= -this.#limit;
  }
}

/** Settings of {@linkcode watchKillSwitch}. */
export interface KillSwitchOptions {
  /** A file whose appearance trips the switch. */
  file?: string | undefined;
  /** Also trip on SIGUSR1 (not on Windows). Default true. */
  signal?: boolean;
  /** How often the file is looked for, ms. Default 1000. */
  pollMs?: number;
}

/**
 * Calls `trip` once, with why, when SIGUSR1 arrives or the kill file exists (checked at
 * once and then every `pollMs`). Returns the function that stops watching.
 */
export function watchKillSwitch(
  options: KillSwitchOptions,
  trip: (why: string) => void,
): () => void {
  let tripped = false;
  const fire = (why: string) => {
    if (tripped) return;
    tripped = true;
    trip(why);
  };
  const stops: Array<() => void> = [];
  if (options.signal !== false && Deno.build.os !== "windows") {
    const h = () => fire("kill switch: SIGUSR1");
    Deno.addSignalListener("SIGUSR1", h);
    stops.push(() => Deno.removeSignalListener("SIGUSR1", h));
  }
  const file = options.file;
  if (file !== undefined) {
    const look = () => {
      try {
        Deno.statSync(file);
        fire(`kill switch: ${file} exists`);
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) fire(`kill switch: cannot check ${file} (${e})`);
      }
    };
    look();
    const timer = setInterval(look, options.pollMs ?? 1000);
    stops.push(() => clearInterval(timer));
  }
  return () => {
    for (const s of stops) s();
  };
}
