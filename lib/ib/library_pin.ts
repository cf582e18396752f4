/**
 * The few internals of `@stoqey/ib` that the adapter reaches into, checked once, in one
 * place. They exist because the library's socket framing can be driven into a synchronous
 * endless loop (see `framing.ts`); the guard must see the bytes first.
 *
 * Pinned to {@linkcode PINNED_IB_VERSION}: `tests/ib_framing_test.ts` fails when deno.json
 * names another version, so an upgrade re-checks `Socket.onData` (is the loop fixed?) and
 * these accessors before it lands. At run time a changed shape throws at construction,
 * rather than leaving the guard silently out of the path.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { IBApi } from "@stoqey/ib";

/** The library version whose internals these accessors were written against. */
export const PINNED_IB_VERSION = "1.6.10";

/** Receives each socket chunk; `deliver` passes bytes on to the library's framing. */
export type DataInterceptor = (data: Uint8Array, deliver: (bytes: Uint8Array) => void) => void;

/** Handles on the library internals the adapter uses. */
export interface LibraryInternals {
  /** Routes every socket chunk through `fn` instead of straight into the library. */
  interceptData(fn: DataInterceptor): void;
  /** Empties the decoder's token queue (a message cut by a dropped connection). */
  clearDecoderQueue(): void;
  /** Calls `fn` when the current connection's TCP socket opens. */
  onTcpConnect(fn: () => void): void;
}

interface SocketShape {
  onData(data: Uint8Array): void;
  client?: { once(event: string, fn: () => void): unknown; connecting?: boolean };
}

interface ControllerShape {
  socket: SocketShape;
  decoder: { dataQueue: unknown[] };
}

/**
 * Returns the handles for `ib`. Throws a TypeError naming the pinned version when the
 * library's shape is not the one they were written for.
 */
export function libraryInternals(ib: IBApi): LibraryInternals {
  const controller = (ib as unknown as { controller?: ControllerShape }).controller;
  const socket = controller?.socket;
  if (
    controller === undefined || socket === undefined ||
    typeof socket.onData !== "function" || !Array.isArray(controller.decoder?.dataQueue)
  ) {
    throw new TypeError(
      `@stoqey/ib internals differ from version ${PINNED_IB_VERSION}: ` +
        `lib/ib/library_pin.ts must be checked against the new version`,
    );
  }
  return {
    interceptData(fn) {
      const original = socket.onData.bind(socket);
      // The library's 'data' listener calls this.onData(data) at each event: an own property
      // on the instance takes its place.
      socket.onData = (data: Uint8Array) =>
        fn(data, (bytes) => original(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)));
    },
    clearDecoderQueue() {
      controller.decoder.dataQueue = [];
    },
    onTcpConnect(fn) {
      const client = socket.client;
      if (client === undefined) return;
      if (client.connecting === false) fn();
      else client.once("connect", fn);
    },
  };
}
