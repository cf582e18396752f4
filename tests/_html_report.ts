/**
 * A generated journal shared by the HTML report tests (html_report_test.ts,
 * html_report_units_test.ts).
 *
 * @module
 */

/** A journal of `n` trades, 10 minutes apart, written here line by line. */
export function bigJournal(n: number): string {
  const out = [
    "2025-01-06T14:30:00Z | SESSION_START | RunID=big | Version=0.1.0 | Config=abc | " +
    "Source=file:x.csv | Symbol=MES | Multiplier=5 | TickSize=0.25 | Currency=USD",
  ];
  const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
  let t = Date.UTC(2025, 0, 6, 14, 30);
  for (let i = 0; i < n; i++) {
    const id = `big-${i + 1}`;
    const side = i % 3 === 0 ? "SHORT" : "LONG";
    const dir = side === "LONG" ? 1 : -1;
    const entry = 5000 + (i % 40) * 0.25;
    const pts = (((i * 7) % 13) - 6) * 0.25;
    const exit = entry + dir * pts;
    const gross = pts * 5;
    const net = gross - 1.24;
    out.push(
      `${iso(t)} | ENTRY | TradeID=${id} | Side=${side} | Entry=${entry.toFixed(2)} | ` +
        `Stop=${(entry - dir * 2).toFixed(2)} | TP=${(entry + dir * 3).toFixed(2)} | Size=1`,
      `${iso(t + 1000)} | FILL | TradeID=${id} | Price=${
        entry.toFixed(2)
      } | Qty=1 | Filled=1 | Remaining=0`,
      `${iso(t + 240_000)} | EXIT | TradeID=${id} | Side=${side} | Reason=${
        pts > 0 ? "TARGET" : "STOP"
      } | Exit=${exit.toFixed(2)} | Qty=1 | AvgEntry=${entry.toFixed(2)} | EntryTime=${
        iso(t + 1000)
      } | PnLPts=${pts.toFixed(2)} | PnLTicks=${pts / 0.25} | Gross=${gross.toFixed(2)} | ` +
        `Commission=1.24 | Net=${net.toFixed(2)}`,
    );
    t += 600_000;
  }
  out.push(
    `${iso(t)} | SESSION_END | RunID=big | Reason=END_OF_DATA | Ticks=1 | Bars=0 | Trades=${n}`,
  );
  return out.join("\n") + "\n";
}
