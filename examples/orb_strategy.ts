import type { Bar, EntryIntent, StrategyApi } from "../lib/strategy/api.ts";

/**
 * Opening-range breakout: the high and low of the first `range_minutes` after `open`
 * (exchange time, session.timezone) make the range. The first bar after it that closes
 * above the high goes long, below the low short (strategy.long / strategy.short), once a
 * day. Stop: the other side of the range; target: `target_r` times that risk. A range wider
 * than `max_range_points` is not traded, nor a breakout after `last_entry`.
 */
export default function ({ z, defineStrategy }: StrategyApi) {
  const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a time as HH:MM");
  const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
  return defineStrategy({
    name: "orb",
    schema: z.strictObject({
      open: hhmm.default("08:30"),
      range_minutes: z.int().min(1).max(600).default(15),
      last_entry: hhmm.default("11:00"),
      target_r: z.number().positive().max(20).default(1.5),
      max_range_points: z.number().positive().default(20),
    }),
    create(p, config) {
      const local = new Intl.DateTimeFormat("en-CA", {
        timeZone: config.session.timezone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
      });
      const open = minutes(p.open);
      const rangeEnd = open + p.range_minutes;
      const last = minutes(p.last_entry);
      let day = "";
      let high = -Infinity;
      let low = Infinity;
      let done = false;
      const enter = (side: "LONG" | "SHORT", risk: number): EntryIntent => {
        done = true;
        return {
          side,
          stop: { kind: "points", points: risk },
          target: { kind: "points", points: p.target_r * risk },
        };
      };
      return {
        indicators: [],
        onBar(ctx) {
          const bar: Bar = ctx.bar;
          // "2025-02-17, 08:30" in the exchange's time zone.
          const [date, time] = local.format(bar.start).split(", ") as [string, string];
          if (date !== day) [day, high, low, done] = [date, -Infinity, Infinity, false];
          const at = minutes(time);
          if (at >= open && at < rangeEnd) {
            // Only bars wholly inside the range build it.
            if (at + bar.lengthMs / 60_000 <= rangeEnd) {
              high = Math.max(high, bar.high);
              low = Math.min(low, bar.low);
            }
            return undefined;
          }
          if (!ctx.canEnter || done || at < rangeEnd || at >= last) return undefined;
          if (!(high - low <= p.max_range_points)) return undefined;
          if (bar.close > high && config.strategy.long) return enter("LONG", bar.close - low);
          if (bar.close < low && config.strategy.short) return enter("SHORT", high - bar.close);
          return undefined;
        },
      };
    },
  });
}
