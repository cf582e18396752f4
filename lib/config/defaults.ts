/**
 * The config that the schema gives an empty file: what a run without config.yaml and without
 * `--set` uses, so that it need not load yaml and build the zod schema (about 40 ms of its
 * start-up). Written out from `configSchema.parse({})`; tests/config_test.ts checks that it
 * is still exactly that, so a changed default in lib/config/schema.ts fails until this follows.
 *
 * @module
 */
import type { Config } from "./schema.ts";

const DEFAULTS: Config = {
  "ib": {
    "host": "127.0.0.1",
    "port": 7497,
    "client_id": 17,
    "max_req_per_sec": 40,
    "tick_type": "AllLast",
  },
  "contract": {
    "symbol": "MES",
    "sec_type": "FUT",
    "exchange": "CME",
    "currency": "USD",
    "tick_size": 0.25,
    "multiplier": 5,
  },
  "bars": {
    "seconds": 30,
    "late_ticks": "drop",
  },
  "indicators": {
    "ema_fast": 9,
    "ema_slow": 21,
    "rsi_period": 9,
    "atr_period": 9,
    "rvol_lookback": 20,
    "rvol_threshold": 1.5,
    "vwap": true,
  },
  "strategy": {
    "name": "scalp",
    "params": {},
    "long": true,
    "short": false,
    "rsi_long_min": 50,
    "rsi_short_max": 50,
    "overbought_filter": false,
    "overbought": 70,
    "oversold": 30,
    "trigger": "state",
    "pullback_to": "ema_fast",
    "pullback_bars": 3,
    "calibration_bars": 21,
    "entry_price": "next_tick",
  },
  "risk": {
    "contracts": 1,
    "stop_atr_multiple": 1.5,
    "target_points": 3,
    "stop": {
      "mode": "atr",
      "breakeven_after": 1,
      "breakeven_unit": "r",
      "breakeven_offset_ticks": 1,
      "swing_lookback": 5,
      "swing_max_risk": 4,
    },
    "target": {
      "mode": "points",
      "r_multiple": 2,
      "trail_points": 1,
    },
    "scale_out": {
      "contracts": 0,
      "runner_points": 6,
    },
  },
  "fills": {
    "partial": false,
    "commission_per_contract": 0.62,
    "stop_slippage_ticks": 1,
    "entry_slippage_ticks": 1,
    "target_fill": "through",
    "entry_timeout_bars": 1,
  },
  "session": {
    "timezone": "America/Chicago",
    "starts": [
      "17:00",
    ],
    "liquid_hours": [],
  },
  "journal": {
    "path": "trade_record.text",
  },
  "live": {
    "roll_days": 5,
    "contract_hours": true,
    "grace_ms": 2000,
    "timer_ms": 250,
    "warmup": "ticks",
    "warmup_bars": 30,
    "max_pages": 60,
    "page_interval_ms": 450,
    "reconnect_min_ms": 1000,
    "reconnect_max_ms": 30000,
    "reconnect_jitter": 0.2,
    "watchdog_ms": 60000,
    "request_timeout_ms": 10000,
    "flatten_minutes": 0,
    "on_stop": "close",
  },
  "console": {
    "time_zone": "exchange",
    "log_level": "info",
  },
  "execution": {
    "venue": "paper",
    "entry_type": "market",
    "limit_timeout_bars": 1,
    "allow_live_account": false,
    "unexplained": "adopt",
  },
};

/** A fresh copy of the defaults (callers may build on it without sharing state). */
export function defaultConfig(): Config {
  return structuredClone(DEFAULTS);
}
