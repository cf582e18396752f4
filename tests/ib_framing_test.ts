/**
 * The frame guard in front of @stoqey/ib's socket framing, its pin to the library version,
 * and the small IB helpers (account masking, `host:port`).
 *
 * @module
 */
import assert from "node:assert/strict";
import { IBApi } from "@stoqey/ib";
import { FrameGuard, FramingError, MAX_FRAME_BYTES } from "../lib/ib/framing.ts";
import { libraryInternals, PINNED_IB_VERSION } from "../lib/ib/library_pin.ts";
import { maskAccount, maskAccounts } from "../lib/ib/mask.ts";
import { bareHost, hostPort } from "../lib/ib/host.ts";
import { concat } from "./_hostile_peer.ts";

const enc = new TextEncoder();

/** A frame as TWS sends it: 4-byte big-endian length, then the text. */
function frame(text: string): Uint8Array {
  const body = enc.encode(text);
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(body, 4);
  return out;
}

const HELLO = frame("176\0" + "20261207 11:00:00 GMT\0");
const NEXT_ID = frame("9\0" + "1\0" + "1\0");

Deno.test("FrameGuard gives whole frames back whatever the chunking, header included", () => {
  const stream = concat(HELLO, NEXT_ID, frame("49\0" + "1\0" + "1765105200\0"));
  const whole = [HELLO, NEXT_ID, frame("49\0" + "1\0" + "1765105200\0")];
  for (const size of [1, 2, 3, 5, 7, 64, stream.length]) {
    const g = new FrameGuard();
    const got: Uint8Array[] = [];
    for (let i = 0; i < stream.length; i += size) got.push(...g.push(stream.subarray(i, i + size)));
    assert.deepEqual(got, whole, `chunks of ${size}`);
    assert.equal(g.buffered, 0);
    assert.equal(g.frames, 3);
  }
});

Deno.test("FrameGuard refuses a negative, zero or over-cap length before buffering its body", () => {
  const cases: Array<[number[], RegExp]> = [
    [[0x80, 0, 0, 0], /negative message length -2147483648 \(0x80000000\)/],
    [[0x80, 0, 0, 0x41], /negative message length -2147483583 \(0x80000041\)/],
    [[0xff, 0xff, 0xff, 0xff], /negative message length -1 \(0xffffffff\)/],
    [[0, 0, 0, 0], /empty message \(length 0\)/],
    [[0x7f, 0xff, 0xff, 0xff], /length 2147483647 \(0x7fffffff\) above the 4194304-byte cap/],
    [[0, 0x40, 0, 1], /length 4194305 \(0x00400001\) above the 4194304-byte cap/],
  ];
  for (const [header, re] of cases) {
    const g = new FrameGuard();
    g.push(HELLO);
    assert.throws(() => g.push(new Uint8Array([...header, 0x41, 0x42])), re);
    assert.equal(g.buffered, 0);
    assert.equal(g.allocated, 0);
    // Sticky until reset: nothing more reaches the library from this connection.
    assert.throws(() => g.push(NEXT_ID), FramingError);
    g.reset();
    assert.equal(g.push(HELLO).length, 1);
  }
  assert.equal(MAX_FRAME_BYTES, 4 * 1024 * 1024);
});

Deno.test("FrameGuard takes a message at the cap, growing its buffer no further than the length", () => {
  const g = new FrameGuard({ maxFrameBytes: 1 << 20 });
  g.push(HELLO);
  const len = 1 << 20;
  const h = new Uint8Array(4);
  new DataView(h.buffer).setInt32(0, len);
  assert.deepEqual(g.push(h), []);
  let maxAlloc = 0;
  const chunk = new Uint8Array(1000).fill(0x31);
  let sent = 0;
  while (sent + chunk.length < len) {
    assert.deepEqual(g.push(chunk), []);
    sent += chunk.length;
    maxAlloc = Math.max(maxAlloc, g.allocated);
  }
  assert.equal(g.buffered, 4 + sent);
  const out = g.push(new Uint8Array(len - sent).fill(0x32));
  assert.equal(out.length, 1);
  assert.equal(out[0]!.length, 4 + len);
  assert.ok(maxAlloc <= 4 + len, `allocated ${maxAlloc}`);
  assert.equal(g.buffered, 0);
  // One byte more than the cap is refused at the header.
  new DataView(h.buffer).setInt32(0, len + 1);
  assert.throws(() => g.push(h), /above the 1048576-byte cap/);
});

Deno.test("FrameGuard checks that the first frame is a server version", () => {
  for (const text of ["abc\0def\0", "\0", "176", "1234567\0x\0", " 176\0x\0"]) {
    const g = new FrameGuard();
    assert.throws(() => g.push(frame(text)), /handshake answer is not a server version/, text);
  }
  const g = new FrameGuard();
  assert.equal(g.push(frame("176\0t\0")).length, 1);
  // Later frames are not handshakes: any text goes to the library's decoder.
  assert.equal(g.push(frame("abc\0")).length, 1);
});

Deno.test(`the frame guard is pinned to @stoqey/ib ${PINNED_IB_VERSION}: deno.json and the lock agree`, async () => {
  // An upgrade must re-check lib/ib/library_pin.ts and the library's Socket.onData.
  const deno = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  assert.equal(deno.imports["@stoqey/ib"], `npm:@stoqey/ib@${PINNED_IB_VERSION}`);
  const lock = JSON.parse(await Deno.readTextFile(new URL("../deno.lock", import.meta.url)));
  const resolved = lock.specifiers[`npm:@stoqey/ib@${PINNED_IB_VERSION}`];
  assert.ok(
    typeof resolved === "string" && resolved.startsWith(PINNED_IB_VERSION),
    `lock has ${resolved}`,
  );
});

Deno.test("libraryInternals finds the socket of a real IBApi and refuses another shape", () => {
  const ib = new IBApi({ host: "127.0.0.1", port: 1, clientId: 1, maxReqPerSec: 10 });
  const seen: number[] = [];
  const lib = libraryInternals(ib);
  lib.interceptData((data) => seen.push(data.length));
  const socket = (ib as unknown as { controller: { socket: { onData(d: Uint8Array): void } } })
    .controller.socket;
  socket.onData(new Uint8Array([0x80, 0, 0, 0, 0x41]));
  assert.deepEqual(seen, [5]);
  assert.throws(
    () => libraryInternals({} as IBApi),
    /internals differ from version 1\.6\.10/,
  );
});

Deno.test("maskAccount shows at most 3 characters of an id", () => {
  assert.equal(maskAccount("DU1234567"), "DU******7");
  assert.equal(maskAccount("U1234567"), "U*****67");
  assert.equal(maskAccount("U123456"), "U****56");
  assert.equal(maskAccount("DF123456"), "DF*****6");
  assert.equal(maskAccount("1234567"), "****567");
  assert.equal(maskAccount("U1234"), "****4");
  assert.equal(maskAccount("U12"), "***");
  for (const id of ["U123456", "DU1234567", "U1234567", "DF1234567", "I1234567"]) {
    const visible = [...maskAccount(id)].filter((c) => c !== "*").length;
    assert.ok(visible <= 3, `${id}: ${maskAccount(id)}`);
    assert.equal(maskAccount(id).length, id.length);
  }
});

Deno.test("maskAccounts masks every id in a text and leaves codes, dates and symbols", () => {
  assert.equal(
    maskAccounts("Accounts DU1234567,U7654321; advisor DF123456 and F1234567X."),
    "Accounts DU******7,U*****21; advisor DF*****6 and F******7X.",
  );
  const plain = "2104: Market data farm OK:usfarm; MESZ6 conId 730283094 at 20261207 11:00:00";
  assert.equal(maskAccounts(plain), plain);
  // Idempotent: a masked text is left as it is.
  const once = maskAccounts("account DU1234567");
  assert.equal(maskAccounts(once), once);
});

/** What the probe answers under the narrow flags the CLI itself gets for a loopback TWS. */
async function probeNarrow(): Promise<{
  bareRejected: boolean;
  bracketed: string;
  ipv6Problem: string | null;
  loopbackProblem: string | null;
}> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-env",
      "--allow-net=127.0.0.1,localhost",
      new URL("./_ipv6_permission_probe.ts", import.meta.url).pathname,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

Deno.test("hostPort brackets IPv6 literals; Deno's permission query accepts the result", async () => {
  assert.equal(hostPort("127.0.0.1", 7497), "127.0.0.1:7497");
  assert.equal(hostPort("localhost", 4002), "localhost:4002");
  assert.equal(hostPort("::1", 7497), "[::1]:7497");
  assert.equal(hostPort("[::1]", 7497), "[::1]:7497");
  assert.equal(hostPort("fe80::1", 4001), "[fe80::1]:4001");
  assert.equal(bareHost("[::1]"), "::1");
  assert.equal(bareHost("127.0.0.1"), "127.0.0.1");
  const probe = await probeNarrow();
  // `${host}:${port}` for ::1 made this query throw a URIError.
  assert.equal(probe.bareRejected, true);
  assert.ok(["granted", "prompt", "denied"].includes(probe.bracketed));
});

Deno.test("live's permission check names an IPv6 TWS address instead of throwing a URIError", async () => {
  // The probe runs with --allow-net=127.0.0.1,localhost: [::1]:7497 is not granted.
  const probe = await probeNarrow();
  assert.match(probe.ipv6Problem ?? "", /\[::1\]:7497/);
  assert.equal(probe.loopbackProblem, null);
});
