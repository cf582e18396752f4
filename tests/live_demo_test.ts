/**
 * `scalpbot demo` trades the simulator's MES front month whatever config.yaml says: a
 * `contract.month` (or another symbol) there must neither reach the contract query nor
 * stop the demo.
 */
import assert from "node:assert/strict";
import { parseConfigText } from "../lib/config/load.ts";
import { demoContract } from "../lib/cli/demo.ts";
import { readJournal } from "../lib/journal/reader.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const USER_YAML = `contract:\n  symbol: ES\n  month: "202012"\n  exchange: GLOBEX\n`;

Deno.test("demoContract drops contract.month and forces MES FUT on CME in USD", () => {
  const user = parseConfigText(USER_YAML, { source: "config.yaml" });
  assert.equal(user.contract.month, "202012");
  const c = demoContract(user);
  assert.equal("month" in c.contract, false);
  assert.equal(c.contract.symbol, "MES");
  assert.equal(c.contract.sec_type, "FUT");
  assert.equal(c.contract.exchange, "CME");
  assert.equal(c.contract.currency, "USD");
  // Everything else is the user's.
  assert.deepEqual(c.strategy, user.strategy);
  assert.deepEqual(c.live, user.live);
});

Deno.test("demo: a config.yaml naming another month runs to the report and exits 0", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/config.yaml`, USER_YAML);
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read=config.yaml,demo_trade_record.text",
        "--allow-write=demo_trade_record.text",
        "--allow-env=LOG_TOKENS,LOG_STREAM",
        "--allow-net=127.0.0.1",
        MAIN,
        "demo",
        "--seconds",
        "5",
        "--no-bars",
      ],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    const err = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, `${err}\n${text.slice(-2000)}`);
    assert.ok(text.includes("ignoring contract.month 202012"), "the override is announced");
    assert.match(text, /\[ib\] contract MES[A-Z]\d/);
    assert.ok(text.includes("Net P/L"), "report printed");
    const j = await readJournal(`${dir}/demo_trade_record.text`);
    assert.equal(j.events.at(-1)!.kind, "SESSION_END");
    // Exits by hour count in the exchange's hours (Chicago), as every console line is stamped;
    // the hours are worked out here from the journal's EXIT times with Intl.
    const hourIn = new Intl.DateTimeFormat("en-US", {
      timeZone: "America/Chicago",
      hour: "numeric",
      hourCycle: "h23",
    });
    const byHour = new Map<number, number>();
    for (const e of j.events) {
      if (e.kind !== "EXIT") continue;
      const h = Number(hourIn.format(e.time));
      byHour.set(h, (byHour.get(h) ?? 0) + 1);
    }
    assert.ok(byHour.size > 0, "the demo closed no trade");
    const want = [...byHour].sort((a, b) => a[0] - b[0]).map(([h, n]) => `${h}h ${n}`).join(", ");
    assert.match(text, new RegExp(`^Exits by hour: +${want}$`, "m"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
