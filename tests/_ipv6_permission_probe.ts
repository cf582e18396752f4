/**
 * Run by tests/ib_framing_test.ts in a child with `--allow-net=127.0.0.1,localhost` (the test
 * process itself has -A, under which every net query is granted without parsing the host).
 * Prints one JSON object with what Deno's permission query and live's check answered.
 *
 * @module
 */
import { hostPort } from "../lib/ib/host.ts";
import { netPermissionProblem } from "../lib/cli/live.ts";

let bareRejected = false;
try {
  await Deno.permissions.query({ name: "net", host: "::1:7497" });
} catch {
  bareRejected = true;
}
const bracketed = (await Deno.permissions.query({ name: "net", host: hostPort("::1", 7497) }))
  .state;
console.log(JSON.stringify({
  bareRejected,
  bracketed,
  ipv6Problem: await netPermissionProblem("::1", 7497),
  loopbackProblem: (await netPermissionProblem("127.0.0.1", 7497)) ?? null,
}));
