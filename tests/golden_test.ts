/**
 * Golden outputs: the journal and the bars CSV of `scalpbot backtest`, run through the CLI's
 * own code path (`main`, in-process), for seeded generated sessions and for the real shared
 * tick files, under several configs. A change to either output fails here with the case, the
 * first differing line and the trade figures before and after.
 *
 * Generated sessions are stored whole under tests/golden/gen/. The real shared data is not
 * ours to copy: tests/golden/shared_data.json keeps only sha256 digests of the masked outputs,
 * their line counts, and the trade count and net P/L. Those cases skip, with a message, when
 * ../shared/data is absent.
 *
 * Masked before comparison: the run id (it carries the wall-clock start), the version, the
 * config digest (new config keys change it without changing behaviour) and the folder of a
 * tick file. Every other byte counts.
 *
 * Regenerate, only for an intended change and in its own commit:
 *   UPDATE_GOLDEN=1 deno test --allow-read --allow-write --allow-env tests/golden_test.ts
 * To see what changed on the real data, run once before and once after the change with
 * GOLDEN_DUMP=DIR (a folder outside the project): it keeps the masked outputs there to diff.
 */
import assert from "node:assert/strict";
import { basename } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import { createHash } from "node:crypto";
import { main } from "../main.ts";

const UPDATE = Deno.env.get("UPDATE_GOLDEN") === "1";
const DUMP = Deno.env.get("GOLDEN_DUMP");
const GOLDEN = new URL("./golden/", import.meta.url);
const GEN_DIR = new URL("gen/", GOLDEN);
const SHARED_JSON = new URL("shared_data.json", GOLDEN);
const BASE_CONFIG = fromFileUrl(new URL("config.yaml", GOLDEN));
const DATA = new URL("../../shared/data/ticks/", import.meta.url);

/** The configs every source runs under: --set overrides on tests/golden/config.yaml. */
const CONFIGS: Record<string, string[]> = {
  long: [],
  shorts: ["strategy.short=true"],
  cross: ["strategy.short=true", "strategy.trigger=cross"],
  partial10: [
    "strategy.short=true",
    "fills.partial=true",
    "risk.contracts=10",
    "fills.stop_slippage_ticks=1",
    "fills.entry_timeout_bars=2",
  ],
  next_tick: ["strategy.short=true", "strategy.entry_price=next_tick"],
  bars15: ["strategy.short=true", "bars.seconds=15"],
  bars60: ["strategy.short=true", "bars.seconds=60"],
  // Stops a fraction of a tick from the entry: on the real files, rounding put 127 of them
  // on the entry price before issue 12's point 10.
  tight_stop: ["strategy.short=true", "risk.stop_atr_multiple=0.25"],
  // Issue 7's honest fills (the built-in defaults since; the base config pins the old ones):
  // next-tick entries and stops a tick worse, targets only on a print through them.
  honest: [
    "strategy.short=true",
    "strategy.entry_price=next_tick",
    "fills.entry_slippage_ticks=1",
    "fills.stop_slippage_ticks=1",
    "fills.target_fill=through",
  ],
  // ...with a live session: entries 09:00-11:20 Chicago, trades flattened from 11:20.
  honest_flatten: [
    "strategy.short=true",
    "strategy.entry_price=next_tick",
    "fills.entry_slippage_ticks=1",
    "fills.stop_slippage_ticks=1",
    "fills.target_fill=through",
    'session.liquid_hours=["09:00-11:30"]',
    "live.flatten_minutes=10",
  ],
};

/** Generated sessions (3.5 h each, about 100k ticks), chosen so that every case trades. */
const SEEDS = [1, 2, 4];

interface Outputs {
  journal: string;
  bars: string;
}

/** Runs `scalpbot backtest` in-process into a temporary folder; returns the masked outputs. */
async function backtest(source: string[], sets: string[]): Promise<Outputs> {
  const dir = await Deno.makeTempDir({ prefix: "golden_" });
  const args = [
    "backtest",
    ...source,
    "--config",
    BASE_CONFIG,
    "--journal",
    `${dir}/j.text`,
    "--bars-out",
    `${dir}/b.csv`,
    "--json",
  ];
  for (const s of sets) args.push("--set", s);
  const saved = { log: console.log, warn: console.warn, error: console.error };
  let said = "";
  const say = (...a: unknown[]) => void (said += a.join(" ") + "\n");
  console.log = console.warn = console.error = say;
  try {
    const code = await main(args);
    assert.equal(code, 0, `backtest ${args.join(" ")} exited ${code}:\n${said}`);
    return {
      journal: maskJournal(await Deno.readTextFile(`${dir}/j.text`)),
      bars: await Deno.readTextFile(`${dir}/b.csv`),
    };
  } finally {
    Object.assign(console, saved);
    await Deno.remove(dir, { recursive: true });
  }
}

/** Masks what differs between two runs of the same inputs (see the module comment). */
function maskJournal(text: string): string {
  const runId = /RunID=(\S+)/.exec(text)?.[1];
  assert.ok(runId, "the journal has a SESSION_START with a RunID");
  return text.replaceAll(runId, "RUN")
    .replace(/\| Version=\S+/g, "| Version=X")
    .replace(/\| Config=\S+/g, "| Config=X")
    .replace(/\| Source=file:(\S+)/g, (_, p: string) => `| Source=file:${basename(p)}`);
}

/** Trade figures of a journal text, read independently of the report code. */
interface Figures {
  lines: number;
  trades: number;
  netPnl: number;
}

function figures(journal: string): Figures {
  const exits = journal.split("\n").filter((l) => l.includes(" | EXIT | "));
  const net = exits.reduce((s, l) => s + Number(/\| Net=(-?[\d.]+)/.exec(l)![1]), 0);
  return { lines: lineCount(journal), trades: exits.length, netPnl: Math.round(net * 100) / 100 };
}

function lineCount(text: string): number {
  return text === "" ? 0 : text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Where two texts first differ, and how many lines differ, for a readable failure. */
function firstDifference(want: string, got: string): string {
  const a = want.split("\n");
  const b = got.split("\n");
  let differing = 0;
  let first = -1;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      differing++;
      if (first < 0) first = i;
    }
  }
  return `${differing} line(s) differ (${a.length - 1} -> ${b.length - 1} lines); first at line ` +
    `${first + 1}:\n  golden: ${a[first] ?? "<none>"}\n  now:    ${b[first] ?? "<none>"}`;
}

function describe(f: Figures): string {
  return `${f.trades} trades, net ${f.netPnl.toFixed(2)}, ${f.lines} lines`;
}

async function readOrEmpty(url: URL): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(url);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

for (const seed of SEEDS) {
  Deno.test(`golden: generated session seed ${seed}, journal and bars CSV unchanged under every config`, async (t) => {
    for (const [name, sets] of Object.entries(CONFIGS)) {
      await t.step(name, async () => {
        const got = await backtest(["--seed", String(seed)], sets);
        const stem = `seed${seed}_${name}`;
        const jUrl = new URL(`${stem}.journal.text`, GEN_DIR);
        const bUrl = new URL(`${stem}.bars.csv`, GEN_DIR);
        if (UPDATE) {
          await Deno.mkdir(GEN_DIR, { recursive: true });
          await Deno.writeTextFile(jUrl, got.journal);
          await Deno.writeTextFile(bUrl, got.bars);
          return;
        }
        const journal = await readOrEmpty(jUrl);
        const bars = await readOrEmpty(bUrl);
        assert.ok(journal !== undefined && bars !== undefined, `no golden for ${stem}`);
        // A session that trades nothing would freeze little: each case must hold trades.
        assert.ok(figures(journal).trades > 0, `${stem}: the golden holds no trade`);
        if (got.journal !== journal) {
          assert.fail(
            `${stem} journal changed: ${describe(figures(journal))} -> ` +
              `${describe(figures(got.journal))}; ${firstDifference(journal, got.journal)}`,
          );
        }
        if (got.bars !== bars) {
          assert.fail(`${stem} bars CSV changed: ${firstDifference(bars, got.bars)}`);
        }
      });
    }
  });
}

/** Digests and figures of one real-data case, as stored in shared_data.json. */
interface SharedGolden extends Figures {
  journalSha256: string;
  barsLines: number;
  barsSha256: string;
}

let sharedFiles: string[] = [];
try {
  sharedFiles = [...Deno.readDirSync(DATA)].map((e) => e.name).filter((n) => n.endsWith(".csv"))
    .sort();
} catch {
  console.warn(`skipping the shared-data goldens: ${fromFileUrl(DATA)} is absent`);
}

/** Contract settings that match each real file's instrument. */
function contractFor(file: string): string[] {
  return file.startsWith("GC_")
    ? ["contract.symbol=GC", "contract.tick_size=0.1", "contract.multiplier=100"]
    : ["contract.symbol=ES", "contract.tick_size=0.25", "contract.multiplier=50"];
}

Deno.test({
  name: "golden: real shared tick files, journal and bars CSV digests unchanged under every config",
  ignore: sharedFiles.length === 0,
  async fn(t) {
    const stored: Record<string, SharedGolden> = JSON.parse(
      (await readOrEmpty(SHARED_JSON)) ?? "{}",
    );
    const fresh: Record<string, SharedGolden> = {};
    for (const file of sharedFiles) {
      for (const [name, sets] of Object.entries(CONFIGS)) {
        const key = `${file} ${name}`;
        await t.step(key, async () => {
          const path = fromFileUrl(new URL(file, DATA));
          const got = await backtest(["--ticks", path], [...contractFor(file), ...sets]);
          const now: SharedGolden = {
            ...figures(got.journal),
            journalSha256: sha256(got.journal),
            barsLines: lineCount(got.bars),
            barsSha256: sha256(got.bars),
          };
          fresh[key] = now;
          if (DUMP !== undefined) {
            await Deno.mkdir(DUMP, { recursive: true });
            await Deno.writeTextFile(`${DUMP}/${file}.${name}.journal.text`, got.journal);
            await Deno.writeTextFile(`${DUMP}/${file}.${name}.bars.csv`, got.bars);
          }
          if (UPDATE) return;
          const want = stored[key];
          assert.ok(want, `no golden for ${key}: regenerate with UPDATE_GOLDEN=1`);
          if (now.journalSha256 !== want.journalSha256) {
            assert.fail(`${key} journal changed: ${describe(want)} -> ${describe(now)}`);
          }
          if (now.barsSha256 !== want.barsSha256) {
            assert.fail(`${key} bars CSV changed: ${want.barsLines} -> ${now.barsLines} lines`);
          }
        });
      }
    }
    if (UPDATE) {
      await Deno.writeTextFile(SHARED_JSON, JSON.stringify(fresh, null, 2) + "\n");
    } else {
      // A new shared file without a golden is flagged above; a golden without its file too.
      const missing = Object.keys(stored).filter((k) => !(k in fresh));
      assert.deepEqual(missing, [], "golden cases whose shared file is gone");
    }
  },
});
