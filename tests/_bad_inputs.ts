/**
 * The table of the bad-input campaign (tests/bad_input_test.ts runs it): one wrong thing
 * per case, with the exit code and the one error line it must give. Every backtest case
 * passes --overwrite, so a command that empties its journal before checking its inputs is
 * caught. Paths are relative to the case's own folder, which holds the journal `j.text`.
 */

import { bt, type Case, DIR, garbage, HEADER, T, ticks, utf16 } from "./_bad_input_kit.ts";
import { cliCases, demoCases, journalCases } from "./_bad_inputs_cli.ts";

// ---------------------------------------------------------------------------------------
// Config files: one bad thing each, named with the file, the key and the value.

const CONFIG_FILES: Array<[string, string, RegExp]> = [
  ["unclosed list", "bars:\n  seconds: [15\n", /c\.yaml:\d+:\d+: YAML syntax error/],
  ["bad indentation", "bars:\n  seconds: 15\n late_ticks: drop\n", /c\.yaml:\d+:\d+: YAML/],
  ["tab indentation", "bars:\n\tseconds: 15\n", /c\.yaml:\d+:\d+: YAML syntax error/],
  [
    "duplicate key",
    "bars:\n  seconds: 15\n  seconds: 30\n",
    /c\.yaml:3:\d+: YAML.*seconds|c\.yaml:3/,
  ],
  ["unclosed quote", 'contract:\n  symbol: "MES\n', /c\.yaml:\d+:\d+: YAML syntax error/],
  ["top level is a list", "- bars\n- ib\n", /c\.yaml: the top level must be a mapping.*a list/],
  ["top level is text", "hello\n", /c\.yaml: the top level must be a mapping.*"hello"/],
  ["unknown section", "indicatorz:\n  ema_fast: 3\n", /c\.yaml: unknown key "indicatorz"/],
  ["unknown key", "bars:\n  secs: 15\n", /c\.yaml: unknown key "bars\.secs" \(allowed: seconds/],
  ["section is a number", "bars: 30\n", /c\.yaml: bars = 30 is not allowed: expected a mapping/],
  ["bars.seconds 7", "bars:\n  seconds: 7\n", /c\.yaml: bars\.seconds = 7 is not allowed/],
  ["bars.seconds text", "bars:\n  seconds: fast\n", /bars\.seconds = "fast" is not allowed/],
  [
    "bars.seconds 0",
    "bars:\n  seconds: 0\n",
    /bars\.seconds = 0 is not allowed: must be at least 1/,
  ],
  ["bars.seconds 7200", "bars:\n  seconds: 7200\n", /bars\.seconds = 7200 is not allowed/],
  ["bars.seconds 15.5", "bars:\n  seconds: 15.5\n", /bars\.seconds = 15\.5 is not allowed/],
  ["bars.seconds -30", "bars:\n  seconds: -30\n", /bars\.seconds = -30 is not allowed/],
  ["bars.late_ticks", "bars:\n  late_ticks: keep\n", /bars\.late_ticks = "keep".*drop, current/],
  [
    "ema_fast above ema_slow",
    "indicators:\n  ema_fast: 30\n  ema_slow: 21\n",
    /indicators\.ema_fast = 30 is not allowed: must be less than indicators\.ema_slow \(21\)/,
  ],
  ["ema_fast NaN", "indicators:\n  ema_fast: .nan\n", /indicators\.ema_fast = NaN is not allowed/],
  ["rsi_period infinite", "indicators:\n  rsi_period: .inf\n", /rsi_period = Infinity/],
  ["rvol_threshold negative", "indicators:\n  rvol_threshold: -1\n", /rvol_threshold = -1 /],
  ["vwap as text", "indicators:\n  vwap: maybe\n", /indicators\.vwap = "maybe" is not allowed/],
  [
    "neither long nor short",
    "strategy:\n  long: false\n  short: false\n",
    /strategy\.long = false is not allowed: at least one of strategy\.long and strategy\.short/,
  ],
  ["rsi_long_min 150", "strategy:\n  rsi_long_min: 150\n", /rsi_long_min = 150 .*at most 100/],
  [
    "overbought below oversold",
    "strategy:\n  overbought: 20\n",
    /strategy\.overbought = 20 is not allowed: must be greater than strategy\.oversold \(30\)/,
  ],
  ["trigger", "strategy:\n  trigger: sometimes\n", /strategy\.trigger = "sometimes".*state, cross/],
  ["entry_price", "strategy:\n  entry_price: market\n", /entry_price = "market".*bar_close/],
  [
    "contracts 0",
    "risk:\n  contracts: 0\n",
    /risk\.contracts = 0 is not allowed: must be at least 1/,
  ],
  ["contracts 1.5", "risk:\n  contracts: 1.5\n", /risk\.contracts = 1\.5 .*integer/],
  ["stop multiple 0", "risk:\n  stop_atr_multiple: 0\n", /risk\.stop_atr_multiple = 0 /],
  ["target negative", "risk:\n  target_points: -3\n", /risk\.target_points = -3 /],
  ["target 1e400", "risk:\n  target_points: 1e400\n", /risk\.target_points = Infinity .*finite/],
  [
    "commission negative",
    "fills:\n  commission_per_contract: -0.5\n",
    /commission_per_contract = -0\.5/,
  ],
  ["slippage 2.5", "fills:\n  stop_slippage_ticks: 2.5\n", /fills\.stop_slippage_ticks = 2\.5/],
  ["entry timeout 0", "fills:\n  entry_timeout_bars: 0\n", /fills\.entry_timeout_bars = 0/],
  ["tick_size 0", "contract:\n  tick_size: 0\n", /contract\.tick_size = 0 is not allowed/],
  ["tick_size negative", "contract:\n  tick_size: -0.25\n", /contract\.tick_size = -0\.25/],
  ["multiplier text", "contract:\n  multiplier: five\n", /contract\.multiplier = "five" .*number/],
  ["currency 2 letters", "contract:\n  currency: US\n", /contract\.currency = "US" .*exactly 3/],
  ["month 13", 'contract:\n  month: "202513"\n', /contract\.month = "202513" .*01 to 12/],
  ["month with a dash", 'contract:\n  month: "2025-09"\n', /contract\.month = "2025-09"/],
  ["month unquoted", "contract:\n  month: 202509\n", /contract\.month = 202509 .*quote it/],
  ["sec_type", "contract:\n  sec_type: STK\n", /contract\.sec_type = "STK" .*FUT, CONTFUT/],
  [
    "symbol empty",
    'contract:\n  symbol: ""\n',
    /contract\.symbol = "" is not allowed: must not be empty/,
  ],
  ["time zone", "session:\n  timezone: Mars/Olympus\n", /session\.timezone = "Mars\/Olympus"/],
  ["no session start", "session:\n  starts: []\n", /session\.starts = \[\] .*at least 1/],
  ["start 25:00", 'session:\n  starts: ["25:00"]\n', /session\.starts\[0\] = "25:00"/],
  ["liquid hours", 'session:\n  liquid_hours: ["09:00"]\n', /session\.liquid_hours\[0\] = "09:00"/],
  ["starts not a list", 'session:\n  starts: "17:00"\n', /session\.starts = "17:00" .*list/],
  ["journal path empty", 'journal:\n  path: ""\n', /journal\.path = "" is not allowed/],
  [
    "journal as text",
    "journal: j.text\n",
    /journal = "j\.text" is not allowed: expected a mapping/,
  ],
  ["port 70000", "ib:\n  port: 70000\n", /ib\.port = 70000 is not allowed: must be at most 65535/],
  ["port as text", "ib:\n  port: 7497x\n", /ib\.port = "7497x" is not allowed/],
  ["client_id -1", "ib:\n  client_id: -1\n", /ib\.client_id = -1 /],
  ["host empty", 'ib:\n  host: ""\n', /ib\.host = "" is not allowed/],
  ["tick_type", "ib:\n  tick_type: Bid\n", /ib\.tick_type = "Bid" .*AllLast, Last/],
  ["max_req_per_sec 100", "ib:\n  max_req_per_sec: 100\n", /ib\.max_req_per_sec = 100 /],
  [
    "live.warmup bars",
    "live:\n  warmup: bars\n",
    /live\.warmup = "bars" is not allowed: expected one of ticks, off/,
  ],
  ["live.on_stop", "live:\n  on_stop: flatten\n", /live\.on_stop = "flatten".*close, keep/],
  ["live.timer_ms 1", "live:\n  timer_ms: 1\n", /live\.timer_ms = 1 .*at least 5/],
  ["live.reconnect_jitter 2", "live:\n  reconnect_jitter: 2\n", /live\.reconnect_jitter = 2 /],
  ["live.roll_days -1", "live:\n  roll_days: -1\n", /live\.roll_days = -1 /],
  [
    "alias bomb",
    "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n" +
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\n" +
    "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n",
    /c\.yaml: (cannot read YAML|unknown key "a")/,
  ],
  ["__proto__ key", "__proto__:\n  x: 1\n", /c\.yaml: unknown key "__proto__"/],
  [
    "many problems",
    "bars:\n  seconds: 7\nrisk:\n  contracts: 0\nib:\n  port: 0\n",
    /c\.yaml: bars\.seconds = 7 is not allowed.*\(and 2 more\)/,
  ],
];

const configCases: Case[] = [
  ...CONFIG_FILES.map(([name, text, line]): Case => ({
    name: `config: ${name}`,
    args: bt("--config", "c.yaml"),
    files: { "c.yaml": text },
    code: 2,
    line,
  })),
  {
    name: "config: binary garbage",
    args: bt("--config", "c.yaml"),
    files: { "c.yaml": garbage(2048, 7) },
    code: 2,
    line: /c\.yaml/,
  },
  {
    name: "config: a directory",
    args: bt("--config", "cdir"),
    files: { cdir: DIR },
    code: 2,
    line: /cdir: cannot read config: it is a directory, not a file$/,
  },
  {
    name: "config: missing file",
    args: bt("--config", "nope.yaml"),
    code: 2,
    line: /nope\.yaml: cannot read config: file not found/,
  },
  {
    name: "config: empty --config",
    args: bt("--config", ""),
    code: 2,
    line: /--config needs a file name/,
  },
];

const OVERRIDES: Array<[string, RegExp]> = [
  ["bars.seconds=7", /--set bars\.seconds=7: bars\.seconds = 7 is not allowed/],
  ["nokey", /--set nokey: expected key\.path=value/],
  ["=5", /--set =5: expected key\.path=value/],
  ["bars..seconds=1", /--set bars\.\.seconds=1: key path "bars\.\.seconds" is not allowed/],
  ["bars.seconds=[1", /--set bars\.seconds=\[1: cannot parse value "\[1"/],
  ["strategy=1", /--set strategy=1: strategy = 1 is not allowed: expected a mapping/],
  ["live.warmup=bars", /--set live\.warmup=bars: live\.warmup = "bars" .*ticks, off/],
  ["bars.seconds.x=1", /--set bars\.seconds\.x=1: bars\.seconds = \{"x":1\} /],
  ["__proto__.x=1", /--set __proto__\.x=1: unknown key "__proto__"/],
  ["ib.port=-5", /--set ib\.port=-5: ib\.port = -5 is not allowed/],
  ["contract.tick_size=.nan", /--set contract\.tick_size=\.nan: contract\.tick_size = NaN/],
  ["strategy.short=yes please", /--set strategy\.short=yes please: strategy\.short = "yes please"/],
];

const overrideCases: Case[] = OVERRIDES.map(([set, line]) => ({
  name: `override: --set ${set}`,
  args: bt("--set", set),
  code: 2,
  line,
}));

// ---------------------------------------------------------------------------------------
// Tick files: the first data line is the bad one, so no tick reaches the engine.

const TICK_LINES: Array<[string, string, RegExp]> = [
  ["price text", `${T},abc,1`, /t\.csv:2: price is "abc"/],
  ["price negative", `${T},-5000,1`, /t\.csv:2: price is "-5000"/],
  ["price zero", `${T},0,1`, /t\.csv:2: price is "0"/],
  ["price NaN", `${T},NaN,1`, /t\.csv:2: price is "NaN"/],
  ["price Infinity", `${T},Infinity,1`, /t\.csv:2: price is "Infinity"/],
  ["price 1e999", `${T},1e999,1`, /t\.csv:2: price is "1e999"/],
  ["price 1e300", `${T},1e300,1`, /t\.csv:2: price is "1e300" \(must be positive and below 1e9\)/],
  ["price 1e9", `${T},1000000000,1`, /t\.csv:2: price is "1000000000" \(.*below 1e9\)/],
  ["price hex", `${T},0x10,1`, /t\.csv:2: price is "0x10"/],
  ["price empty", `${T},,1`, /t\.csv:2: price is ""/],
  ["size negative", `${T},5000,-1`, /t\.csv:2: size is "-1"/],
  ["size NaN", `${T},5000,NaN`, /t\.csv:2: size is "NaN"/],
  ["size text", `${T},5000,abc`, /t\.csv:2: size is "abc"/],
  ["size 1e300", `${T},5000,1e300`, /t\.csv:2: size is "1e300" \(.*below 1e9\)/],
  ["size Infinity", `${T},5000,Infinity`, /t\.csv:2: size is "Infinity"/],
  ["time text", "not-a-time,5000,1", /t\.csv:2: ts_utc is "not-a-time"/],
  ["time Feb 30", "2025-02-30T15:00:00Z,5000,1", /t\.csv:2: ts_utc is "2025-02-30T15:00:00Z"/],
  ["time year 99999", "99999-01-01T00:00:00Z,5000,1", /t\.csv:2: ts_utc is "99999-01-01/],
  ["time 1e20", "1e20,5000,1", /t\.csv:2: ts_utc is "1e20"/],
  ["time offset +25:00", `2025-02-17T15:00:01+25:00,5000,1`, /t\.csv:2: ts_utc is ".*\+25:00"/],
  ["time empty", ",5000,1", /t\.csv:2: ts_utc is ""/],
  ["time hour 24:30", "2025-02-17T24:30:00Z,5000,1", /t\.csv:2: ts_utc is "2025-02-17T24:30/],
  ["missing field", `${T},5000`, /t\.csv:2/],
  ["NUL in the line", `${T},50\u000000,1`, /t\.csv:2/],
];

const tickCases: Case[] = [
  ...TICK_LINES.map(([name, line, re]): Case => ({
    name: `ticks: ${name}`,
    ...ticks(`${HEADER}${line}\n${T},5000.25,1\n`),
    code: 1,
    line: re,
  })),
  {
    name: "ticks: missing file",
    args: bt("--ticks", "nope.csv"),
    code: 1,
    line: /tick file nope\.csv: no such file/,
  },
  {
    name: "ticks: a folder without tick files",
    args: bt("--ticks", "data"),
    files: { data: DIR },
    code: 1,
    line: /--ticks data: the folder holds no \.csv file/,
  },
  {
    name: "ticks: a folder given with a slash",
    args: bt("--ticks", "data/"),
    files: { data: DIR },
    code: 1,
    line: /--ticks data\/: the folder holds no \.csv file/,
  },
  {
    name: "ticks: a glob matching nothing",
    args: bt("--ticks", "nope_*.csv"),
    code: 1,
    line: /--ticks nope_\*\.csv matches no file/,
  },
  {
    name: "ticks: a wildcard in a folder name (taken literally)",
    args: bt("--ticks", "d*/t.csv"),
    code: 1,
    line: /tick file d\*\/t\.csv: no such file/,
  },
  {
    name: "ticks: two files overlapping in time",
    args: bt("--ticks", "t.csv", "--ticks", "u.csv"),
    files: {
      "t.csv": `${HEADER}${T},5000,1\n2025-02-17T15:10:00Z,5000,1\n`,
      "u.csv": `${HEADER}2025-02-17T15:05:00Z,5000,1\n`,
    },
    code: 1,
    line: /tick files overlap in time: t\.csv \(.*\) and u\.csv \(.*\); give each span once/,
  },
  {
    name: "ticks: a store without complete days in range",
    args: bt("--ticks", "data", "--from", "2030-01-01"),
    files: { data: DIR, "data/manifest.json": '{"format":"scalpbot-ticks/1","days":{}}' },
    code: 1,
    line: /--ticks data: the store holds no complete day from 2030-01-01 to the end/,
  },
  {
    name: "ticks: a store whose manifest is not JSON",
    args: bt("--ticks", "data"),
    files: { data: DIR, "data/manifest.json": "{" },
    code: 1,
    line: /--ticks data: .*manifest\.json is not JSON/,
  },
  {
    name: "--from not a date",
    args: bt("--ticks", "t.csv", "--from", "2025-02-30"),
    code: 2,
    line: /--from must be a date yyyy-mm-dd, got "2025-02-30"/,
  },
  {
    name: "--from after --to",
    args: bt("--ticks", "t.csv", "--from", "2025-03-02", "--to", "2025-03-01"),
    code: 2,
    line: /--from 2025-03-02 is after --to 2025-03-01/,
  },
  {
    name: "--to without --ticks",
    args: bt("--to", "2025-03-01"),
    code: 2,
    line: /--from and --to select days of --ticks; give --ticks/,
  },
  {
    name: "ticks: the trades CSV is a tick file",
    args: bt("--ticks", "t.csv", "--trades-csv", "t.csv"),
    files: { "t.csv": `${HEADER}${T},5000,1\n` },
    code: 2,
    line: /--ticks t\.csv is also an output \(t\.csv\)/,
  },
  {
    name: "ticks: --trades-jsonl is the journal",
    args: bt("--ticks", "t.csv", "--trades-jsonl", "j.text"),
    files: { "t.csv": `${HEADER}${T},5000,1\n` },
    code: 2,
    line: /--trades-jsonl j\.text is the journal/,
  },
  { name: "ticks: empty file", ...ticks(""), code: 1, line: /t\.csv:1.*no header line/ },
  {
    name: "ticks: header only",
    ...ticks(HEADER),
    code: 1,
    line: /tick file t\.csv holds no trades/,
  },
  {
    name: "ticks: only zero sizes",
    ...ticks(`${HEADER}${T},5000,0\n${T},5000.25,0\n`),
    code: 1,
    line: /tick file t\.csv holds no trades/,
  },
  {
    name: "ticks: header without price",
    ...ticks(`ts_utc,size\n${T},1\n`),
    code: 1,
    line: /t\.csv:1.*price/,
  },
  {
    name: "ticks: header of another file",
    ...ticks("name,address\nbob,street\n"),
    code: 1,
    line: /t\.csv:1/,
  },
  { name: "ticks: binary garbage", ...ticks(garbage(4096, 3)), code: 1, line: /t\.csv:\d+/ },
  {
    name: "ticks: UTF-16 file",
    args: bt("--ticks", "t.csv"),
    files: { "t.csv": utf16(`${HEADER}${T},5000,1\n`) },
    code: 1,
    line: /t\.csv:1/,
  },
  {
    name: "ticks: a line of 100 kB",
    ...ticks(`${HEADER}${T},5000,1${"0".repeat(100_000)}\n`),
    code: 1,
    line: /t\.csv:2/,
  },
  {
    name: "ticks: the journal itself",
    args: bt("--ticks", "j.text"),
    code: 2,
    line: /--ticks j\.text is also an output/,
  },
  {
    name: "ticks: a path through a file",
    args: bt("--ticks", "j.text/t.csv"),
    code: 1,
    line: /tick file j\.text\/t\.csv: j\.text is a file, not a folder/,
  },
];

/** Every in-process case. */
export const CASES: Case[] = [
  ...configCases,
  ...overrideCases,
  ...tickCases,
  ...journalCases,
  ...cliCases,
  ...demoCases,
];
