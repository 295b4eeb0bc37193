import { buildEvent, type Inbound } from "../event/build-event.ts";
import type { Action, QueryEvent } from "../event/query-event.ts";
import { formatTimestamp, nowMicros } from "../event/timestamp.ts";
import type { RelayOutcome } from "../relay/outcome.ts";
import { type ParsedMessage, parseMessage } from "../wire/parse-message.ts";
import { rcodeName } from "../wire/rr-types.ts";
import { servfailFor } from "../wire/servfail.ts";
import type { Budget } from "./budget.ts";

/** Anything that can take a query upstream and call back with the outcome. */
export interface Relay {
  forward(query: Uint8Array, done: (outcome: RelayOutcome) => void): void;
  inFlight(): number;
}

export interface HandlerDeps {
  budget: Budget;
  udp: Relay;
  tcp: Relay;
  /** Takes every event; must not do I/O (the recorder buffers). */
  record: (event: QueryEvent) => void;
  /** Wall-clock ms for the budget; injectable for tests. */
  now?: () => number;
}

/** Counters beside the events, for the shutdown summary. */
export interface HandlerCounters {
  received: number;
  tableFull: number;
}

/**
 * The one place every message goes, from UDP and TCP alike: parse once,
 * decide, relay or not, and record exactly one event.
 */
export class Handler {
  readonly counters: HandlerCounters = { received: 0, tableFull: 0 };
  readonly #deps: HandlerDeps;
  readonly #now: () => number;
  #stopping = false;

  constructor(deps: HandlerDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  /** From now on messages are recorded but not relayed. */
  stop(): void {
    this.#stopping = true;
  }

  inFlight(): number {
    return this.#deps.udp.inFlight() + this.#deps.tcp.inFlight();
  }

  handle(msg: Inbound): void {
    this.counters.received++;
    const parsed = parseMessage(msg.bytes);
    const event = buildEvent(msg, parsed, formatTimestamp(nowMicros()));
    const action = this.#decide(parsed, event);
    if (action !== "relayed") {
      event.action = action;
      this.#deps.record(event);
      return;
    }
    const relay = msg.transport === "UDP" ? this.#deps.udp : this.#deps.tcp;
    relay.forward(msg.bytes, (outcome) => this.#relayed(msg, parsed, event, outcome));
  }

  #decide(parsed: ParsedMessage, event: QueryEvent): Action {
    const header = parsed.header;
    if (header === null) return "malformed";
    // Never answer a response: a spoofed source could otherwise bounce
    // two servers off each other, or us off a victim, for ever.
    if (header.qr) return "response-ignored";
    if (this.#stopping) return "shutdown";
    const verdict = this.#deps.budget.admit(event.src_ip, this.#now());
    if (verdict === "relay") return "relayed";
    if (verdict === "table-full") this.counters.tableFull++;
    return "sinkholed";
  }

  #relayed(msg: Inbound, parsed: ParsedMessage, event: QueryEvent, outcome: RelayOutcome): void {
    const reply = outcome.kind === "reply" ? outcome.bytes : servfailFor(msg.bytes, parsed);
    event.action =
      outcome.kind === "reply"
        ? "relayed"
        : outcome.kind === "timeout"
          ? "relay-timeout"
          : "relay-error";
    event.rcode = rcodeName((reply[3] ?? 0) & 0x0f);
    event.response_size = reply.length;
    event.upstream_ms = Math.round(outcome.ms * 1000) / 1000;
    msg.reply(reply);
    this.#deps.record(event);
  }
}
