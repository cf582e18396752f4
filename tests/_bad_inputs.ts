/**
 * The table of the bad-input campaign (tests/bad_input_test.ts runs it): one wrong thing
 * per case, with the exit code and the one error line it must give. Every backtest case
 * passes --overwrite, so a command that empties its journal before checking its inputs is
 * caught. Paths are relative to the case's own folder, which holds the journal `j.text`.
 */

/** Marks a folder in a case's files. */
export const DIR = Symbol("directory");
/** Files a case puts in its folder: text, bytes or a folder. */
export type Files = Record<string, string | Uint8Array | typeof DIR>;

/** One bad input. */
export interface Case {
  /** Group and what is wrong. */
  name: string;
  args: string[];
  files?: Files;
  code: 1 | 2;
  /** The one error line must match this: it names the place and the value. */
  line: RegExp;
}

const T = "2025-02-17T15:00:01Z";
const HEADER = "ts_utc,price,size\n";
/** Options every backtest case ends with: the existing journal, to be replaced. */
const OUT = ["--journal", "j.text", "--overwrite", "--quiet"];
const bt = (...args: string[]) => ["backtest", ...args, ...OUT];
const ticks = (text: string, ...more: string[]): Pick<Case, "args" | "files"> => ({
  args: bt("--ticks", "t.csv", ...more),
  files: { "t.csv": text },
});

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

// ---------------------------------------------------------------------------------------
// Journals and other outputs.

const journalCases: Case[] = [
  {
    name: "journal: a directory",
    args: ["backtest", "--journal", "jdir", "--quiet"],
    files: { jdir: DIR },
    code: 1,
    line: /journal jdir is a directory, not a file/,
  },
  {
    name: "journal: a directory with --overwrite",
    args: ["backtest", "--journal", "jdir", "--overwrite", "--quiet"],
    files: { jdir: DIR },
    code: 1,
    line: /journal jdir is a directory, not a file/,
  },
  {
    name: "journal: under a file",
    args: ["backtest", "--journal", "j.text/x.text", "--quiet"],
    code: 1,
    line: /journal j\.text\/x\.text: j\.text is a file, not a folder/,
  },
  {
    name: "journal: holds another run",
    args: ["backtest", "--journal", "j.text", "--quiet"],
    code: 2,
    line: /Journal j\.text already holds 1 run\(s\).*--append/,
  },
  {
    name: "journal: not a journal",
    args: ["backtest", "--journal", "notes.txt", "--quiet"],
    files: { "notes.txt": "buy low\nsell high\n" },
    code: 2,
    line: /notes\.txt is not a scalpbot journal/,
  },
  {
    name: "journal: binary garbage",
    args: ["backtest", "--journal", "g.bin", "--quiet"],
    files: { "g.bin": garbage(1000, 5) },
    code: 2,
    line: /g\.bin is not a scalpbot journal/,
  },
  {
    name: "journal: --append and --overwrite",
    args: ["backtest", "--journal", "j.text", "--append", "--overwrite"],
    code: 2,
    line: /--append and --overwrite cannot be used together/,
  },
  {
    name: "bars-out: a directory",
    args: bt("--bars-out", "bdir"),
    files: { bdir: DIR },
    code: 1,
    line: /--bars-out bdir is a directory, not a file/,
  },
  {
    name: "bars-out: the journal",
    args: bt("--bars-out", "j.text"),
    code: 2,
    line: /--bars-out j\.text is the journal/,
  },
  {
    name: "bars-out: under a file",
    args: bt("--bars-out", "j.text/bars.csv"),
    code: 1,
    line: /--bars-out j\.text\/bars\.csv: j\.text is a file, not a folder/,
  },
  {
    name: "bars-out: the tick file",
    args: bt("--ticks", "t.csv", "--bars-out", "t.csv"),
    files: { "t.csv": `${HEADER}${T},5000,1\n` },
    code: 2,
    line: /--ticks t\.csv is also an output \(t\.csv\)/,
  },
  {
    name: "report: a directory",
    args: ["report", "jdir"],
    files: { jdir: DIR },
    code: 1,
    line: /journal jdir is a directory, not a file/,
  },
  { name: "report: missing", args: ["report", "nope.text"], code: 1, line: /nope\.text: no such/ },
  {
    name: "report: binary garbage",
    args: ["report", "g.bin"],
    files: { "g.bin": garbage(1000, 11) + "\n" },
    code: 1,
    line: /g\.bin:1/,
  },
  {
    name: "report: a tick file",
    args: ["report", "t.csv"],
    files: { "t.csv": `${HEADER}${T},5000,1\n` },
    code: 1,
    line: /t\.csv:1/,
  },
  {
    name: "report: a torn line inside",
    args: ["report", "torn.text"],
    files: { "torn.text": "" }, // filled from the journal in the test
    code: 1,
    line: /torn\.text:3/,
  },
  {
    name: "report: a garbage line at the end",
    args: ["report", "tail.text"],
    files: { "tail.text": "" },
    code: 1,
    line: /tail\.text:\d+.*not a journal line|tail\.text:\d+/,
  },
  {
    name: "report: unknown run",
    args: ["report", "j.text", "--run", "20990101T000000-zzzz"],
    code: 2,
    line: /No run with RunID 20990101T000000-zzzz/,
  },
  {
    name: "report: two files",
    args: ["report", "j.text", "j.text"],
    code: 2,
    line: /report takes one journal file, got 2: "j\.text", "j\.text"/,
  },
  {
    name: "report: a path through a file",
    args: ["report", "j.text/x"],
    code: 1,
    line: /journal j\.text\/x: j\.text is a file, not a folder/,
  },
];

// ---------------------------------------------------------------------------------------
// Command lines.

const CLI: Array<[string, string[], 1 | 2, RegExp]> = [
  ["unknown command", ["frobnicate"], 2, /unknown command "frobnicate"/],
  ["backtest unknown option", bt("--frobnicate"), 2, /backtest: unknown option --frobnicate/],
  ["report unknown option", ["report", "--frob"], 2, /report: unknown option --frob/],
  ["sim unknown option", ["sim", "--frob"], 2, /sim: unknown option --frob/],
  ["demo unknown option", ["demo", "--frob"], 2, /demo: unknown option --frob/],
  ["backtest short option", bt("-q"), 2, /backtest: unknown option -q/],
  ["backtest positional", ["backtest", "ticks.csv", ...OUT], 2, /unexpected argument "ticks\.csv"/],
  ["sim positional", ["sim", "7497"], 2, /sim: unexpected argument "7497"/],
  ["flag with a value", bt("--print-bars=yes"), 2, /backtest: --print-bars takes no value/],
  [
    "--journal twice",
    ["backtest", "--journal", "j.text", "--journal", "k.text"],
    2,
    /--journal is given twice/,
  ],
  ["--seed twice", bt("--seed", "1", "--seed", "2"), 2, /--seed is given twice/],
  ["--config twice", bt("--config", "a.yaml", "--config", "b.yaml"), 2, /--config is given twice/],
  [
    "--bars-out twice",
    bt("--bars-out", "a.csv", "--bars-out", "b.csv"),
    2,
    /--bars-out is given twice/,
  ],
  ["--quiet twice", bt("--quiet"), 2, /--quiet is given twice/],
  ["--from twice", bt("--from", "2025-01-02", "--from", "2025-01-03"), 2, /--from is given twice/],
  [
    "report --run twice",
    ["report", "j.text", "--run", "a", "--run", "b"],
    2,
    /--run is given twice/,
  ],
  ["report --json twice", ["report", "j.text", "--json", "--json"], 2, /--json is given twice/],
  ["sim --port twice", ["sim", "--port", "1", "--port", "2"], 2, /sim: --port is given twice/],
  ["sim --ticks twice", ["sim", "--ticks", "a", "--ticks", "b"], 2, /sim: --ticks is given twice/],
  ["demo --seed twice", ["demo", "--seed", "1", "--seed", "2"], 2, /demo: --seed is given twice/],
  [
    "demo --journal twice",
    ["demo", "--journal", "a", "--journal", "b"],
    2,
    /demo: --journal is given twice/,
  ],
  [
    "--ticks without a value",
    ["backtest", ...OUT, "--ticks"],
    2,
    /backtest: --ticks needs a value/,
  ],
  [
    "--journal then an option",
    ["backtest", "--journal", "--quiet"],
    2,
    /--journal needs a value, got the option "--quiet"/,
  ],
  ["--seed without a value", ["backtest", ...OUT, "--seed"], 2, /--seed needs a value/],
  ["--config without a value", ["backtest", ...OUT, "--config"], 2, /--config needs a value/],
  ["--set without a value", ["backtest", ...OUT, "--set"], 2, /--set needs a value/],
  ["report --run without a value", ["report", "j.text", "--run"], 2, /--run needs a value/],
  ["sim --port without a value", ["sim", "--port"], 2, /sim: --port needs a value/],
  // An empty output name used to fail only after the run had replaced the journal.
  ["--html empty", bt("--html", ""), 2, /^scalpbot: --html: the file name is empty \(""\)$/],
  ["--log-file empty", bt("--log-file", ""), 2, /^scalpbot: --log-file: the file name is empty/],
  ["--bars-out empty", bt("--bars-out", ""), 2, /^scalpbot: --bars-out: the file name is empty/],
  ["--journal empty", ["backtest", "--journal", "", "--quiet"], 2, /^scalpbot: journal: the file/],
  ["report --html empty", ["report", "j.text", "--html", ""], 2, /^scalpbot: --html: the file/],
  ["report of an empty name", ["report", ""], 2, /^scalpbot: journal: the file name is empty/],
  ["--seed text", bt("--seed", "abc"), 2, /--seed must be an integer, got "abc"/],
  ["--seed 1.5", bt("--seed", "1.5"), 2, /--seed must be an integer, got "1\.5"/],
  ["--seed empty", bt("--seed", ""), 2, /--seed must be an integer, got ""/],
  ["--seed 1e30", bt("--seed", "1e30"), 2, /--seed must be an integer, got "1e30"/],
  ["--days 0", bt("--days", "0"), 2, /--days must be an integer in 1\.\.3650, got "0"/],
  ["--days text", bt("--days", "many"), 2, /--days must be an integer in 1\.\.3650, got "many"/],
  [
    "--days with --ticks",
    bt("--days", "2", "--ticks", "x.csv"),
    2,
    /--days .*cannot go with --ticks/,
  ],
  [
    "sim --port 70000",
    ["sim", "--port", "70000"],
    2,
    /--port must be an integer in 0\.\.65535, got "70000"/,
  ],
  [
    "sim --port text",
    ["sim", "--port", "tws"],
    2,
    /--port must be an integer in 0\.\.65535, got "tws"/,
  ],
  [
    "sim --port negative",
    ["sim", "--port=-1"],
    2,
    /--port must be an integer in 0\.\.65535, got "-1"/,
  ],
  [
    "sim --speed 0",
    ["sim", "--speed", "0"],
    2,
    /--speed must be a positive number or "max", got "0"/,
  ],
  ["sim --speed text", ["sim", "--speed", "fast"], 2, /--speed must be .*"fast"/],
  ["sim --history", ["sim", "--history", "3x"], 2, /--history: .*3x/],
  [
    "sim --max-version",
    ["sim", "--max-version", "1"],
    2,
    /--max-version must be an integer in \d+\.\.\d+, got "1"/,
  ],
  [
    "sim --tbt-limit 0",
    ["sim", "--tbt-limit", "0"],
    2,
    /--tbt-limit must be an integer in 1\.\.1000, got "0"/,
  ],
  ["sim --symbol", ["sim", "--symbol", "NQ"], 2, /--symbol must be one of .*"NQ"/],
  ["sim --fault", ["sim", "--fault", "boom@+1s"], 2, /boom/],
  ["sim --tz", ["sim", "--tz", "Mars/Base"], 2, /--tz must be an IANA time zone .*"Mars\/Base"/],
  ["sim --host empty", ["sim", "--host", ""], 2, /--host must be an address, got ""/],
  ["sim --ticks missing", ["sim", "--ticks", "nope.csv"], 1, /tick file nope\.csv: no such file/],
  [
    "demo --seconds 1",
    ["demo", "--seconds", "1"],
    2,
    /--seconds must be between 5 and 3600, got "1"/,
  ],
  ["demo --seconds text", ["demo", "--seconds", "abc"], 2, /--seconds must be .*"abc"/],
  ["demo --seed text", ["demo", "--seed", "x"], 2, /--seed must be an integer, got "x"/],
  ["demo journal a directory", ["demo", "--journal", "jdir"], 1, /journal jdir is a directory/],
  [
    "demo journal not a journal",
    ["demo", "--journal", "notes.txt"],
    2,
    /notes\.txt is not a scalpbot journal/,
  ],
  [
    "demo journal a trade record",
    ["demo", "--journal", "j.text"],
    2,
    /j\.text holds 1 run\(s\) and the demo replaces its journal; choose another --journal/,
  ],
];

const cliCases: Case[] = CLI.map(([name, args, code, line]) => ({
  name: `cli: ${name}`,
  args: name === "--quiet twice" ? [...args, "--quiet"] : args,
  files: name.startsWith("demo journal")
    ? { jdir: DIR, "notes.txt": "my notes\n" }
    : name === "sim --ticks twice"
    ? { a: `${HEADER}${T},5000,1\n`, b: `${HEADER}${T},5000,1\n` }
    : {},
  code,
  line,
}));

// The demo replaces its own journal, but only once its inputs are checked (issue 12 point 4).
const demoCases: Case[] = [{
  name: "demo: a bad config.yaml leaves the demo's own journal in place",
  args: ["demo"],
  files: { "config.yaml": "bars:\n  seconds: 7\n", "demo_trade_record.text": "kept\n" },
  code: 2,
  line: /config\.yaml: bars\.seconds = 7 is not allowed/,
}];

/** Every in-process case. */
export const CASES: Case[] = [
  ...configCases,
  ...overrideCases,
  ...tickCases,
  ...journalCases,
  ...cliCases,
  ...demoCases,
];

// ---------------------------------------------------------------------------------------
// Helpers

/** Deterministic bytes that are no text format (a xorshift stream). */
function garbage(n: number, seed: number): string {
  const bytes = new Uint8Array(n);
  let x = seed * 2654435761 >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return new TextDecoder("latin1").decode(bytes);
}

function utf16(text: string): Uint8Array {
  const out = new Uint8Array(2 + text.length * 2);
  out[0] = 0xff;
  out[1] = 0xfe;
  for (let i = 0; i < text.length; i++) out[2 + 2 * i] = text.charCodeAt(i);
  return out;
}
