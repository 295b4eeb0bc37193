import type { Config } from "../../src/cli/config.ts";
import { Budget } from "../../src/decide/budget.ts";
import { Handler, type Relay } from "../../src/decide/handler.ts";
import { RelayLimits } from "../../src/decide/relay-limits.ts";
import type { Inbound } from "../../src/event/build-event.ts";
import type { QueryEvent, Transport } from "../../src/event/query-event.ts";
import type { RelayDone } from "../../src/relay/outcome.ts";
import { testConfig } from "./test-server.ts";

/**
 * A relay that answers at once, in this turn, with what `reply` makes of
 * the query; null makes it a timeout. No sockets: the handler can be
 * driven a million times in a test.
 */
export class InstantRelay implements Relay {
  forwarded = 0;
  constructor(public reply: (query: Uint8Array) => Uint8Array | null = echoReply) {}

  forward(query: Uint8Array, done: RelayDone): void {
    this.forwarded++;
    const bytes = this.reply(query);
    done(bytes === null ? { kind: "timeout", ms: 1 } : { kind: "reply", bytes, ms: 0.5 });
  }

  inFlight(): number {
    return 0;
  }
}

/** The query sent back with QR and RA set: the smallest plausible reply. */
export function echoReply(query: Uint8Array): Uint8Array {
  const reply = query.slice();
  reply[2] = (reply[2] ?? 0) | 0x80;
  reply[3] = (reply[3] ?? 0) | 0x80;
  return reply;
}

export interface HandlerRig {
  handler: Handler;
  budget: Budget;
  limits: RelayLimits;
  udp: InstantRelay;
  tcp: InstantRelay;
  /** Every event recorded, in order (unless `keepEvents` was false). */
  events: QueryEvent[];
  /** Events recorded, kept or not. */
  recorded: number;
  /** Replies sent, per source address. */
  repliesTo: Map<string, number>;
  /** Drive the clock the budgets read. */
  clock: { now: number };
  /** One message from `address`; returns the replies it got. */
  send(bytes: Uint8Array, address: string, transport?: Transport, port?: number): Uint8Array[];
}

/** A Handler wired as startServer wires it, with instant relays and a fake clock. */
export function handlerRig(
  overrides: Partial<Config> = {},
  opts: { keepEvents?: boolean } = {},
): HandlerRig {
  const config = testConfig(53, overrides);
  const clock = { now: 1_000_000 };
  const budget = new Budget({
    limit: config.reqCount,
    windowMs: config.reqTimeoutSec * 1000,
    maxSources: config.maxSources,
  });
  const limits = RelayLimits.fromConfig(config, clock.now);
  const rig = {
    budget,
    limits,
    udp: new InstantRelay(),
    tcp: new InstantRelay(),
    events: [] as QueryEvent[],
    recorded: 0,
    repliesTo: new Map<string, number>(),
    clock,
  } as HandlerRig;
  rig.handler = new Handler({
    budget,
    limits,
    maxReplyBytes: config.maxReplyBytes,
    udp: rig.udp,
    tcp: rig.tcp,
    now: () => clock.now,
    record: (event) => {
      rig.recorded++;
      if (opts.keepEvents !== false) rig.events.push(event);
    },
  });
  rig.send = (bytes, address, transport = "UDP", port = 40000) => {
    const replies: Uint8Array[] = [];
    const msg: Inbound = { bytes, transport, address, port, reply: (r) => replies.push(r) };
    rig.handler.handle(msg);
    if (replies.length > 0)
      rig.repliesTo.set(address, (rig.repliesTo.get(address) ?? 0) + replies.length);
    return replies;
  };
  return rig;
}
