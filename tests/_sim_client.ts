/**
 * Test harness for the simulator tests: a real @stoqey/ib `IBApi` client connected over
 * loopback, recording every event, with a `waitFor` helper. Private to tests/sim_*.
 *
 * @module
 */

import { EventName, IBApi } from "@stoqey/ib";

/** One recorded client event. */
export interface Recorded {
  name: string;
  args: unknown[];
}

/** A connected test client. */
export interface TestClient {
  ib: IBApi;
  events: Recorded[];
  /** Error events (`error`), with code and reqId. */
  errors: Array<{ message: string; code: number; reqId: number }>;
  /** Info events (`info`: errors sent with id -1). */
  infos: Array<{ message: string; code: number }>;
  /** Resolves when `pred` holds, checked on every event; rejects after `ms`. */
  waitFor(what: string, pred: () => boolean, ms?: number): Promise<void>;
  /** Events named `name`, their argument lists. */
  named(name: string): unknown[][];
  /** Decode errors reported by the client itself (505 & co): must stay empty. */
  decodeErrors(): Array<{ message: string; code: number }>;
  disconnected: boolean;
  close(): Promise<void>;
}

/** Options of {@linkcode connectClient}. */
export interface ConnectOptions {
  clientId?: number;
  /** Wait for nextValidId (default true). */
  waitReady?: boolean;
}

/** Connects an IBApi to `127.0.0.1:port` and records its events. */
export async function connectClient(
  port: number,
  options: ConnectOptions = {},
): Promise<TestClient> {
  const ib = new IBApi({
    host: "127.0.0.1",
    port,
    clientId: options.clientId ?? 1,
    maxReqPerSec: 10_000,
  });
  const events: Recorded[] = [];
  const errors: TestClient["errors"] = [];
  const infos: TestClient["infos"] = [];
  const waiters = new Set<() => void>();
  const byName = new Map<string, unknown[][]>();
  const client: TestClient = {
    ib,
    events,
    errors,
    infos,
    disconnected: false,
    waitFor(what, pred, ms = 5000) {
      if (pred()) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pred()) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve();
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`Timed out waiting for ${what}`));
        }, ms);
        waiters.add(check);
      });
    },
    named: (name) => byName.get(name) ?? [],
    decodeErrors: () =>
      errors.filter((e) =>
        e.code === 505 || /decod|underrun|unprocessed|No parser/i.test(e.message)
      ),
    async close() {
      if (!client.disconnected) {
        ib.disconnect();
        await client.waitFor("disconnect", () => client.disconnected, 2000).catch(() => {});
      }
      // Let the socket's close callbacks run before the sanitizers look.
      await new Promise((r) => setTimeout(r, 10));
    },
  };
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  ib.on(EventName.all, (name: string, args: unknown[]) => {
    // Raw frames are not recorded: a tick stream would double the memory for nothing.
    if (name === EventName.received || name === EventName.sent) return;
    events.push({ name, args });
    let list = byName.get(name);
    if (list === undefined) byName.set(name, list = []);
    list.push(args);
    notify();
  });
  ib.on(EventName.error, (err: Error, code: number, reqId: number) => {
    errors.push({ message: err.message, code, reqId });
    notify();
  });
  ib.on(EventName.info, (message: string, code: number) => {
    infos.push({ message, code });
    notify();
  });
  ib.on(EventName.disconnected, () => {
    client.disconnected = true;
    notify();
  });
  ib.connect();
  if (options.waitReady !== false) {
    await client.waitFor("nextValidId", () => byName.has(EventName.nextValidId));
  }
  return client;
}
