import { buildEvent, type Inbound } from "../event/build-event.ts";
import type { Action, QueryEvent } from "../event/query-event.ts";
import { formatTimestamp, nowMicros } from "../event/timestamp.ts";
import type { RelayOutcome } from "../relay/outcome.ts";
import { capReply } from "../relay/reply-cap.ts";
import { messageId } from "../wire/message-id.ts";
import { type ParsedMessage, parseMessage } from "../wire/parse-message.ts";
import { rcodeName } from "../wire/rr-types.ts";
import { servfailFor } from "../wire/servfail.ts";
import type { Budget } from "./budget.ts";
import type { RelayLimits } from "./relay-limits.ts";

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
  /** Per-network budget and global rate cap, checked after `budget`; none when absent. */
  limits?: RelayLimits;
  /** Largest UDP reply sent whole (`--max-reply-bytes`); 0 or absent: no cap. */
  maxReplyBytes?: number;
  /** Wall-clock ms for the budget; injectable for tests. */
  now?: () => number;
}

/** Counters beside the events, for the shutdown summary. */
export interface HandlerCounters {
  received: number;
  /** Sinkholed because the source table was full. */
  tableFull: number;
  /** Held back (`limited`) by the network budget. */
  prefixLimited: number;
  /** Held back because the network table was full. */
  prefixTableFull: number;
  /** Held back by the global relay rate cap. */
  rateLimited: number;
  /** UDP replies sent truncated (TC) because of the byte cap. */
  truncated: number;
}

const OUTCOME_ACTIONS = {
  reply: "relayed",
  timeout: "relay-timeout",
  error: "relay-error",
} as const satisfies Record<RelayOutcome["kind"], Action>;

/**
 * The one place every message goes, from UDP and TCP alike: parse once,
 * decide, relay or not, and record exactly one event.
 */
export class Handler {
  readonly counters: HandlerCounters = {
    received: 0,
    tableFull: 0,
    prefixLimited: 0,
    prefixTableFull: 0,
    rateLimited: 0,
    truncated: 0,
  };
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
    const event = buildEvent(msg, parsed, timestampNow());
    const action = this.#decide(parsed, event);
    if (action !== "relayed") {
      event.action = action;
      this.#deps.record(event);
      return;
    }
    const relay = msg.transport === "UDP" ? this.#deps.udp : this.#deps.tcp;
    relay.forward(msg.bytes, (outcome) => this.#relayed(msg, parsed, event, outcome));
  }

  /**
   * A TCP peer left inside a frame (`msg.bytes` are what it sent of it,
   * length bytes first). Not a message, but what an attacker sends is the
   * point of a honeypot: recorded as malformed with the bytes, never
   * relayed. Whatever of a DNS header the partial frame holds is read.
   */
  recordFragment(msg: Inbound): void {
    this.counters.received++;
    const body = msg.bytes.subarray(Math.min(2, msg.bytes.length));
    const event = buildEvent({ ...msg, bytes: body }, parseMessage(body), timestampNow());
    event.action = "malformed";
    event.error =
      msg.bytes.length < 2
        ? "tcp: connection closed after 1 of 2 length bytes"
        : `tcp: connection closed after ${body.length} of ${messageId(msg.bytes)} frame bytes`;
    event.query_size = msg.bytes.length;
    event.raw = Buffer.from(msg.bytes).toString("base64");
    event.trailing_bytes = 0;
    this.#deps.record(event);
  }

  #decide(parsed: ParsedMessage, event: QueryEvent): Action {
    const header = parsed.header;
    if (header === null) return "malformed";
    // Never answer a response: a spoofed source could otherwise bounce
    // two servers off each other, or us off a victim, for ever.
    if (header.qr) return "response-ignored";
    if (this.#stopping) return "shutdown";
    const now = this.#now();
    const verdict = this.#deps.budget.admit(event.src_ip, now);
    if (verdict === "table-full") {
      this.counters.tableFull++;
      event.limited_by = "source-table-full";
    }
    if (verdict !== "relay") return "sinkholed";
    const limit = this.#deps.limits?.admit(event.src_ip, now) ?? "relay";
    if (limit === "relay") return "relayed";
    if (limit === "prefix") this.counters.prefixLimited++;
    else if (limit === "prefix-table-full") this.counters.prefixTableFull++;
    else this.counters.rateLimited++;
    event.limited_by = limit;
    return "limited";
  }

  #relayed(msg: Inbound, parsed: ParsedMessage, event: QueryEvent, outcome: RelayOutcome): void {
    const whole = outcome.kind === "reply" ? outcome.bytes : servfailFor(msg.bytes, parsed);
    // TCP replies are never capped: a TCP source completed a handshake, so
    // it is the real sender and not a spoofed victim.
    const cap = msg.transport === "UDP" ? (this.#deps.maxReplyBytes ?? 0) : 0;
    const reply = capReply(whole, msg.bytes, parsed, cap);
    if (reply !== whole) this.counters.truncated++;
    event.action = reply !== whole ? "limited" : OUTCOME_ACTIONS[outcome.kind];
    if (reply !== whole) event.limited_by = "reply-size";
    event.rcode = rcodeName((reply[3] ?? 0) & 0x0f);
    event.response_size = reply.length;
    event.upstream_ms = Math.round(outcome.ms * 1000) / 1000;
    msg.reply(reply);
    this.#deps.record(event);
  }
}

function timestampNow(): string {
  return formatTimestamp(nowMicros());
}
