/**
 * Scheduled and programmatic faults of the simulator: IB's connectivity messages (1100,
 * 1101, 1102, 2110), silences, drops, refusals and nightly resets. Dropping and refusing
 * connections belong to the server; this module decides when.
 *
 * @module
 */

import { localParts } from "../time/zone.ts";
import type { SimCore } from "./core.ts";
import {
  DEFAULT_FAULT_MS,
  type FaultSpec,
  type OrderFaultEvent,
  parseFaultSpec,
} from "./fault_spec.ts";
import { errorMsg } from "./messages.ts";
import type { SimFaults } from "./sim_types.ts";

/** The fault schedule and triggers of one simulator. */
export class FaultScheduler {
  #sim: SimCore;
  #scheduled: Array<{ spec: FaultSpec; nextAt: number; lastDay: string }> = [];

  /** Faults acting on `sim`. */
  constructor(sim: SimCore) {
    this.#sim = sim;
  }

  /** The programmatic triggers handed to tests. */
  triggers(): SimFaults {
    return {
      dropAll: () => this.#sim.dropAll("fault drop"),
      refuseFor: (ms) => this.#sim.refuseFor(ms),
      connectivityLost: () => this.connectivityLost(),
      restoredDataLost: () => this.restored(false),
      restoredDataKept: () => this.restored(true),
      send2110: () =>
        this.broadcastInfo(
          2110,
          "Connectivity between Trader Workstation and server is broken. It will be restored automatically.",
        ),
      goSilent: (ms) => {
        this.#sim.silentUntil = ms === undefined ? Infinity : this.#sim.clock.now() + ms;
        this.#sim.log.info("Fault: silent for {ms} ms", { ms: ms ?? "ever" });
      },
      freeze: (ms) => {
        const until = ms === undefined ? Infinity : this.#sim.clock.now() + ms;
        this.#sim.frozenUntil = until;
        this.#sim.silentUntil = until;
        this.#sim.log.info("Fault: frozen for {ms} ms", { ms: ms ?? "ever" });
      },
      resume: () => {
        this.#sim.frozenUntil = 0;
        this.#sim.silentUntil = 0;
        this.#sim.kick(0);
      },
      schedule: (spec) => this.schedule(typeof spec === "string" ? parseFaultSpec(spec) : spec),
      nightlyResetAt: (hhmm, o = {}) => {
        const spec = parseFaultSpec(`reset@${hhmm}`);
        this.schedule({ ...spec, durationMs: o.downMs ?? DEFAULT_FAULT_MS.reset });
      },
    };
  }

  /** Sends the info message `code` (id -1) to every started session. */
  broadcastInfo(code: number, text: string): void {
    this.#sim.log.info("Fault: sending {code} to every client", { code });
    for (const s of this.#sim.sessions) if (s.started) s.send(errorMsg(s.version, -1, code, text));
  }

  /** Connectivity lost (1100): every session stops getting data until restored. */
  connectivityLost(): void {
    this.broadcastInfo(1100, "Connectivity between IB and Trader Workstation has been lost.");
    for (const s of this.#sim.sessions) s.lost = true;
  }

  /** Connectivity back: 1102 with `kept` (subscriptions kept), else 1101 (the clients must subscribe again). */
  restored(kept: boolean): void {
    if (kept) {
      this.broadcastInfo(
        1102,
        "Connectivity between IB and Trader Workstation has been restored - data maintained. All data farms are connected: usfarm; ushmds; secdefil.",
      );
    } else {
      this.broadcastInfo(
        1101,
        "Connectivity between IB and Trader Workstation has been restored - data lost.",
      );
    }
    for (const s of this.#sim.sessions) {
      s.lost = false;
      if (!kept) this.#sim.forget(s);
    }
    this.#sim.kick(0);
  }

  /** Adds a fault to the schedule (an order-event fault waits for its event). */
  schedule(spec: FaultSpec): void {
    const nextAt = "afterMs" in spec.when ? this.#sim.startWall + spec.when.afterMs : Infinity;
    this.#scheduled.push({ spec, nextAt, lastDay: "" });
  }

  /** Fires the scheduled faults that are due (called on the simulator's timer). */
  checkFaults(): void {
    const wall = this.#sim.clock.now();
    const sim = this.#sim.now();
    if (
      wall >= this.#sim.silentUntil && this.#sim.silentUntil !== 0 &&
      this.#sim.silentUntil !== Infinity
    ) {
      this.#sim.silentUntil = 0;
      this.#sim.kick(0);
    }
    for (const item of this.#scheduled) {
      const { spec } = item;
      if ("event" in spec.when) continue; // fired by orderEvent
      if ("afterMs" in spec.when) {
        if (wall < item.nextAt) continue;
        item.nextAt = Infinity;
      } else {
        const p = localParts(sim, this.#sim.zone);
        const day = `${p.y}-${p.m}-${p.d}`;
        if (p.minuteOfDay !== spec.when.minuteOfDay || item.lastDay === day) continue;
        item.lastDay = day;
      }
      this.#fire(spec);
    }
  }

  /**
   * Fires, once each, the faults scheduled at order event `event`. A drop or refusal lets
   * what was queued before the event leave first, so the client sees exactly up to it.
   */
  orderEvent(event: OrderFaultEvent): void {
    for (const item of this.#scheduled) {
      const w = item.spec.when;
      if (!("event" in w) || w.event !== event || item.nextAt === -1) continue;
      item.nextAt = -1; // fired
      this.#sim.log.info("Fault: {kind} at order event {event}", { kind: item.spec.kind, event });
      this.#fire(item.spec, true);
    }
  }

  #fire(spec: FaultSpec, graceful = false): void {
    const d = spec.durationMs ?? 0;
    switch (spec.kind) {
      case "drop":
        return this.#sim.dropAll("scheduled drop", graceful);
      case "refuse":
      case "reset":
        this.#sim.refuseFor(d, graceful).catch((e) => {
          this.#sim.log.warn("Scheduled refusal failed: {error}", { error: String(e) });
        });
        return;
      case "1101":
      case "1102":
        this.connectivityLost();
        this.#sim.setTimer(() => this.restored(spec.kind === "1102"), d);
        return;
      case "2110":
        return this.broadcastInfo(
          2110,
          "Connectivity between Trader Workstation and server is broken. It will be restored automatically.",
        );
      case "freeze":
        this.#sim.frozenUntil = this.#sim.clock.now() + d;
        this.#sim.silentUntil = this.#sim.frozenUntil;
        this.#sim.log.info("Fault: frozen for {ms} ms", { ms: d });
        return;
      case "silent":
        this.#sim.silentUntil = this.#sim.clock.now() + d;
        this.#sim.log.info("Fault: silent for {ms} ms", { ms: d });
        return;
    }
  }
}
