/**
 * The bad-input cases of journals and other outputs, of command lines and of the demo (the
 * file inputs are in _bad_inputs.ts, which lists every case in CASES).
 *
 * @module
 */
import { bt, type Case, DIR, garbage, HEADER, OUT, T } from "./_bad_input_kit.ts";

// ---------------------------------------------------------------------------------------
// Journals and other outputs.

/** Journals and other outputs. */
export const journalCases: Case[] = [
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

/** Command lines. */
export const cliCases: Case[] = CLI.map(([name, args, code, line]) => ({
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
/** The demo's own journal. */
export const demoCases: Case[] = [{
  name: "demo: a bad config.yaml leaves the demo's own journal in place",
  args: ["demo"],
  files: { "config.yaml": "bars:\n  seconds: 7\n", "demo_trade_record.text": "kept\n" },
  code: 2,
  line: /config\.yaml: bars\.seconds = 7 is not allowed/,
}];
