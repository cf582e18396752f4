/**
 * The config schema: one zod schema for `config.yaml`, with every default, and the
 * `Config` type inferred from it. YAML keys are snake_case.
 *
 * @module
 */
import { z } from "zod";
import { isTimeZone } from "../time/zone.ts";

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a time as HH:MM (00:00 to 23:59)");
const window = z.string().regex(
  /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/,
  "a window as HH:MM-HH:MM (may wrap midnight)",
);

/** IB connection settings. No secrets: TWS authenticates the user itself. */
export const ibSchema = z.strictObject({
  host: z.string().min(1).default("127.0.0.1"),
  port: z.int().min(1).max(65535).default(7497),
  client_id: z.int().min(0).max(2_147_483_647).default(17),
  max_req_per_sec: z.int().min(1).max(50).default(40),
  tick_type: z.enum(["AllLast", "Last"]).default("AllLast"),
});

/** The futures contract traded. */
export const contractSchema = z.strictObject({
  symbol: z.string().min(1).default("MES"),
  sec_type: z.enum(["FUT", "CONTFUT"]).default("FUT"),
  exchange: z.string().min(1).default("CME"),
  currency: z.string().length(3).default("USD"),
  /** Contract month YYYYMM; empty means the front month. */
  month: z.string().regex(/^\d{6}$/, "a contract month as YYYYMM")
    // Only judge the month once the shape is right, so a bad value yields one issue.
    .refine((m) => !/^\d{6}$/.test(m) || (Number(m.slice(4)) >= 1 && Number(m.slice(4)) <= 12), {
      message: "expected a contract month as YYYYMM with MM from 01 to 12",
    })
    .optional(),
  tick_size: z.number().positive().default(0.25),
  multiplier: z.number().positive().default(5),
});

/** Bar aggregation. */
export const barsSchema = z.strictObject({
  /** Bar length; must divide 3600 so that bars align to the hour (and so to the day). */
  seconds: z.int().min(1).max(3600)
    .refine((s) => s > 3600 || 3600 % s === 0, {
      message: "must divide 3600 (e.g. 15, 30, 60)",
    })
    .default(30),
  /** What to do with a tick stamped inside an already closed bar. */
  late_ticks: z.enum(["drop", "current"]).default("drop"),
});

/** Indicator periods. */
export const indicatorsSchema = z.strictObject({
  ema_fast: z.int().min(1).max(500).default(9),
  ema_slow: z.int().min(2).max(1000).default(21),
  rsi_period: z.int().min(1).max(500).default(9),
  atr_period: z.int().min(1).max(500).default(9),
  rvol_lookback: z.int().min(1).max(1000).default(20),
  rvol_threshold: z.number().min(0).default(1.5),
  vwap: z.boolean().default(true),
}).superRefine((v, ctx) => {
  if (v.ema_fast >= v.ema_slow) {
    ctx.addIssue({
      code: "custom",
      path: ["ema_fast"],
      input: v.ema_fast,
      params: { also: "indicators.ema_slow" },
      message: `must be less than indicators.ema_slow (${v.ema_slow})`,
    });
  }
});

/**
 * The strategy: `name` picks a registered strategy (lib/strategy/registry.ts), `params` is
 * its own section, validated by its own schema when the engine builds it. The other keys
 * are the built-in `scalp` strategy's entry rules, kept where they always were.
 */
export const strategySchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, "a strategy name such as scalp").default("scalp"),
  params: z.record(z.string(), z.unknown()).default({}),
  /**
   * A user strategy module (lib/strategy/loader.ts), relative to the config file's folder;
   * when set, it trades instead of `name`.
   */
  module: z.string().regex(
    /\.[cm]?[jt]s$/,
    "a TypeScript or JavaScript file such as ./my_strategy.ts",
  )
    .optional(),
  long: z.boolean().default(true),
  short: z.boolean().default(false),
  rsi_long_min: z.number().min(0).max(100).default(50),
  rsi_short_max: z.number().min(0).max(100).default(50),
  overbought_filter: z.boolean().default(false),
  overbought: z.number().min(0).max(100).default(70),
  oversold: z.number().min(0).max(100).default(30),
  trigger: z.enum(["state", "cross", "pullback"]).default("state"),
  /** Pullback trigger: after the cross, a limit entry at this level... */
  pullback_to: z.enum(["ema_fast", "vwap"]).default("ema_fast"),
  /** ...that waits this many bar closes for a print at its price. */
  pullback_bars: z.int().min(1).max(1000).default(3),
  calibration_bars: z.int().min(1).max(10_000).default(21),
  /**
   * `next_tick`: a signal enters at the first print after its bar; `bar_close`: at the bar's
   * close, a price already gone (optimistic, backtrader's "cheat-on-close").
   */
  entry_price: z.enum(["bar_close", "next_tick"]).default("next_tick"),
}).superRefine((v, ctx) => {
  if (!v.long && !v.short) {
    ctx.addIssue({
      code: "custom",
      path: ["long"],
      input: v.long,
      params: { also: "strategy.short" },
      message: "at least one of strategy.long and strategy.short must be true",
    });
  }
  if (v.overbought <= v.oversold) {
    ctx.addIssue({
      code: "custom",
      path: ["overbought"],
      input: v.overbought,
      params: { also: "strategy.oversold" },
      message: `must be greater than strategy.oversold (${v.oversold})`,
    });
  }
});

/** Stop-loss manager (lib/engine/managers/stops.ts); `atr` is the fixed ATR stop. */
export const stopManagerSchema = z.strictObject({
  mode: z.enum(["atr", "trailing_atr", "breakeven", "swing"]).default("atr"),
  /** Breakeven: the move happens this far in the trade's favour... */
  breakeven_after: z.number().positive().max(1000).default(1),
  /** ...counted in R (the initial stop's distance) or in points. */
  breakeven_unit: z.enum(["r", "points"]).default("r"),
  /** Breakeven: the stop moves this many ticks past the average fill (never onto it). */
  breakeven_offset_ticks: z.int().min(1).max(1000).default(1),
  /** Swing: bars whose lowest low (highest high) the stop goes one tick beyond. */
  swing_lookback: z.int().min(1).max(500).default(5),
  /** Swing: a swing stop further than this from the entry falls back to the ATR stop. */
  swing_max_risk: z.number().positive().default(4),
});

/** Take-profit manager (lib/engine/managers/targets.ts); `points` is the fixed target. */
export const targetManagerSchema = z.strictObject({
  mode: z.enum(["points", "r_multiple", "trailing"]).default("points"),
  /** R multiple: the target is this many times the initial stop's distance. */
  r_multiple: z.number().positive().max(100).default(2),
  /** Trailing: past `risk.target_points`, exit on a give-back of this many points. */
  trail_points: z.number().positive().default(1),
});

/** Scale-out: part of the position exits at the first target, the rest runs. */
export const scaleOutSchema = z.strictObject({
  /** Contracts closed at the first target; 0 = off. Less than risk.contracts. */
  contracts: z.int().min(0).max(9_999).default(0),
  /** The rest's target, in points from the entry. */
  runner_points: z.number().positive().default(6),
});

/** Position sizing and exits. */
export const riskSchema = z.strictObject({
  contracts: z.int().min(1).max(10_000).default(1),
  stop_atr_multiple: z.number().positive().max(100).default(1.5),
  target_points: z.number().positive().default(3),
  stop: stopManagerSchema.prefault({}),
  target: targetManagerSchema.prefault({}),
  scale_out: scaleOutSchema.prefault({}),
}).superRefine((v, ctx) => {
  if (v.scale_out.contracts > 0 && v.scale_out.contracts >= v.contracts) {
    ctx.addIssue({
      code: "custom",
      path: ["scale_out", "contracts"],
      input: v.scale_out.contracts,
      params: { also: "risk.contracts" },
      message: `must be less than risk.contracts (${v.contracts}) to leave a runner`,
    });
  }
});

/** Paper fill model. */
export const fillsSchema = z.strictObject({
  /** Entry fills only against volume that trades at the entry price or better. */
  partial: z.boolean().default(false),
  commission_per_contract: z.number().min(0).default(0.62),
  /** Ticks a stop exit (and a flatten) fills worse than its triggering print. */
  stop_slippage_ticks: z.int().min(0).max(1000).default(1),
  /** Ticks a market entry fills worse than its reference price (not with `partial`). */
  entry_slippage_ticks: z.int().min(0).max(1000).default(1),
  /** `through`: a target fills only on a print beyond it; `touch`: on a print at it. */
  target_fill: z.enum(["touch", "through"]).default("through"),
  /** Bar closes after which an incomplete entry order is cancelled. */
  entry_timeout_bars: z.int().min(1).max(1000).default(1),
});

/** Trading session: VWAP resets and liquid hours, in the exchange time zone. */
export const sessionSchema = z.strictObject({
  timezone: z.string().min(1)
    .refine((tz) => tz === "" || isTimeZone(tz), {
      message: "expected an IANA time zone such as America/Chicago or Asia/Singapore",
    })
    .default("America/Chicago"),
  /** Local times at which a new session (and VWAP) starts. */
  starts: z.array(hhmm).min(1).default(["17:00"]),
  /** Windows in which new entries are allowed; empty = any time there is data. */
  liquid_hours: z.array(window).default([]),
});

/** The append-only trade journal. */
export const journalSchema = z.strictObject({
  path: z.string().min(1).default("trade_record.text"),
});

/** What scalpbot prints for people (lib/cli/console.ts). */
export const consoleSchema = z.strictObject({
  /**
   * Zone of every time on screen and in `--log-file`: `exchange` (session.timezone, or the
   * contract's zone live), `local` (this machine's) or an IANA zone such as `Europe/Berlin`.
   */
  time_zone: z.string().min(1)
    .refine((tz) => tz === "exchange" || tz === "local" || isTimeZone(tz), {
      message: "expected exchange, local or an IANA time zone such as Europe/Berlin",
    })
    .default("exchange"),
  /** Lowest level shown: `debug`, `info` (bars, trades, connection), `warning`, `error`. */
  log_level: z.enum(["debug", "info", "warning", "error"]).default("info"),
});

/** Live trading against TWS / IB Gateway (`scalpbot live`, `demo`). */
export const liveSchema = z.strictObject({
  /** Front-month roll: skip an expiry whose last trade date is within this many days. */
  roll_days: z.int().min(0).max(90).default(5),
  /** Take tick size, multiplier, time zone and liquid hours from contract details. */
  contract_hours: z.boolean().default(true),
  /** A bar closes when the exchange clock passes its end plus this grace. */
  grace_ms: z.int().min(0).max(60_000).default(2000),
  /** How often the bar timer runs, in local ms. */
  timer_ms: z.int().min(5).max(10_000).default(250),
  /**
   * History before the first live tick: `ticks` or `off`. (There is no `bars`: a warm-up
   * from bars would be inexact, and restart recovery needs the ticks themselves.)
   */
  warmup: z.enum(["ticks", "off"]).default("ticks"),
  /** Bars of history asked for by the warm-up. */
  warmup_bars: z.int().min(0).max(10_000).default(30),
  /** Historical-tick pages (1000 ticks each) at most, per warm-up or backfill. */
  max_pages: z.int().min(1).max(10_000).default(60),
  /** Spacing of historical requests in ms (IB: at most 5 per contract in 2 s). */
  page_interval_ms: z.int().min(0).max(60_000).default(450),
  /** Reconnect backoff: first delay, cap, and jitter fraction. */
  reconnect_min_ms: z.int().min(10).max(600_000).default(1000),
  reconnect_max_ms: z.int().min(10).max(3_600_000).default(30_000),
  reconnect_jitter: z.number().min(0).max(1).default(0.2),
  /** Watchdog: no tick for this long during liquid hours -> check the connection (0 = off). */
  watchdog_ms: z.int().min(0).max(3_600_000).default(60_000),
  /** How long to wait for IB's answer to a request (current time, details, history). */
  request_timeout_ms: z.int().min(100).max(600_000).default(10_000),
  /**
   * Close the open trade this many minutes before a liquid-hours window ends, and enter nothing
   * then (0 = never). The engine's session policy: backtests alike.
   */
  flatten_minutes: z.int().min(0).max(600).default(0),
  /** On Ctrl+C / SIGTERM: `close` the open trade as MANUAL, or `keep` it for the next start. */
  on_stop: z.enum(["close", "keep"]).default("close"),
});

/** Where orders go and the guards around real ones (issue 8). */
export const executionSchema = z.strictObject({
  /** `paper`: simulated fills on the engine's ticks (the `fills` model); `ib`: real IB orders. */
  venue: z.enum(["paper", "ib"]).default("paper"),
  /** `market`, or `limit` at the signal price (cancelled after the limit timeout). */
  entry_type: z.enum(["market", "limit"]).default("market"),
  /** `limit` entries: bar closes after which one that is not complete is cancelled. */
  limit_timeout_bars: z.int().min(1).max(1000).default(1),
  /** `limit` entries: seconds after which one that is not complete is cancelled (instead of bars). */
  limit_timeout_seconds: z.number().positive().max(86_400).optional(),
  /** `ib`: also trade a live (non-paper) account; needs `--live-account` on the command line too. */
  allow_live_account: z.boolean().default(false),
  /** Contracts the position may reach at most; empty: `risk.contracts`. */
  max_position: z.int().min(1).max(10_000).optional(),
  /** Loss in the contract's currency after which the day's trading stops (flatten, no entries). */
  daily_loss_limit: z.number().positive().optional(),
  /** A file whose existence flattens, cancels everything and stops new entries (kill switch). */
  kill_file: z.string().min(1).optional(),
  /**
   * `ib`: a position or order at IB that no journal trade explains is reported and `adopt`ed
   * (left alone, booked as MANUAL) or `flatten`ed (cancelled and closed).
   */
  unexplained: z.enum(["adopt", "flatten"]).default("adopt"),
});

/** Whole config file. Every section and key is optional; defaults are MES on CME. */
export const configSchema = z.strictObject({
  ib: ibSchema.prefault({}),
  contract: contractSchema.prefault({}),
  bars: barsSchema.prefault({}),
  indicators: indicatorsSchema.prefault({}),
  strategy: strategySchema.prefault({}),
  risk: riskSchema.prefault({}),
  fills: fillsSchema.prefault({}),
  session: sessionSchema.prefault({}),
  journal: journalSchema.prefault({}),
  live: liveSchema.prefault({}),
  console: consoleSchema.prefault({}),
  execution: executionSchema.prefault({}),
}).superRefine((v, ctx) => {
  // A pullback to VWAP needs the VWAP: without it the strategy could never enter.
  const s = v.strategy;
  if (s.trigger === "pullback" && s.pullback_to === "vwap" && !v.indicators.vwap) {
    ctx.addIssue({
      code: "custom",
      path: ["strategy", "pullback_to"],
      input: s.pullback_to,
      params: { also: "indicators.vwap" },
      message: "vwap needs indicators.vwap: true (or pullback_to: ema_fast)",
    });
  }
  // A maximum below the order size would refuse every entry.
  const max = v.execution.max_position;
  if (max !== undefined && max < v.risk.contracts) {
    ctx.addIssue({
      code: "custom",
      path: ["execution", "max_position"],
      input: max,
      params: { also: "risk.contracts" },
      message: `must be at least risk.contracts (${v.risk.contracts}): every entry would exceed it`,
    });
  }
});

/** Validated config, with defaults applied. */
export type Config = z.infer<typeof configSchema>;
