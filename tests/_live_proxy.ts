/**
 * A loopback TCP proxy between the live runner and the simulator that can rewrite the
 * simulator's frames, to make it behave like a TWS the simulator does not imitate (for
 * example a server clock ahead of its history service). Private to tests/live_*.
 *
 * @module
 */
import { encodeFrame, splitFields } from "../lib/sim/wire.ts";

/** A running proxy. */
export interface LiveProxy {
  /** Port the runner connects to. */
  readonly port: number;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** Rewrites one frame of the simulator's: fields in, fields out, or null to swallow it. */
export type FrameRewrite = (fields: string[]) => string[] | null;

/**
 * Listens on a free loopback port and forwards each connection to `targetPort`. Frames from
 * the simulator pass through `rewrite`; the client's bytes pass as they are.
 */
export function startProxy(targetPort: number, rewrite: FrameRewrite): LiveProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const pipes: Promise<void>[] = [];
  const accept = (async () => {
    for await (const client of listener) {
      let server: Deno.Conn;
      try {
        server = await Deno.connect({ hostname: "127.0.0.1", port: targetPort });
      } catch {
        client.close();
        continue;
      }
      conns.add(client);
      conns.add(server);
      const end = () => {
        for (const c of [client, server]) {
          if (conns.delete(c)) {
            try {
              c.close();
            } catch {
              // already closed
            }
          }
        }
      };
      pipes.push(
        client.readable.pipeTo(server.writable, { preventClose: true }).catch(() => {}).finally(
          end,
        ),
        pumpFrames(server, client, rewrite).catch(() => {}).finally(end),
      );
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    async close() {
      listener.close();
      for (const c of [...conns]) {
        conns.delete(c);
        try {
          c.close();
        } catch {
          // already closed
        }
      }
      await accept;
      await Promise.all(pipes);
    },
  };
}

/** Copies length-prefixed frames from `from` to `to`, rewritten. */
async function pumpFrames(from: Deno.Conn, to: Deno.Conn, rewrite: FrameRewrite): Promise<void> {
  const writer = to.writable.getWriter();
  let pending = new Uint8Array(0);
  for await (const chunk of from.readable) {
    const joined = new Uint8Array(pending.length + chunk.length);
    joined.set(pending);
    joined.set(chunk, pending.length);
    let at = 0;
    while (joined.length - at >= 4) {
      const size = new DataView(joined.buffer, at, 4).getUint32(0);
      if (joined.length - at - 4 < size) break;
      const out = rewrite(splitFields(joined.subarray(at + 4, at + 4 + size)));
      if (out !== null) await writer.write(encodeFrame(out));
      at += 4 + size;
    }
    pending = joined.slice(at);
  }
}
