import type { ParsedMessage } from "../wire/parse-message.ts";
import type { QueryEvent, Transport } from "./query-event.ts";

/** What a listener knows about one message. */
export interface Inbound {
  bytes: Uint8Array;
  transport: Transport;
  /** Peer address as the socket reported it (may be IPv4-mapped IPv6). */
  address: string;
  port: number;
  /** Send a reply to the peer, framed for its transport. */
  reply(bytes: Uint8Array): void;
}

/** The event for a message as received; the handler fills in its fate. */
export function buildEvent(msg: Inbound, parsed: ParsedMessage, timestamp: string): QueryEvent {
  const header = parsed.header;
  const first = parsed.questions[0];
  const edns = parsed.edns;
  return {
    timestamp,
    transport: msg.transport,
    src_ip: plainAddress(msg.address),
    src_port: msg.port,
    dns_name: first?.name ?? null,
    dns_type: first?.type ?? null,
    dns_cls: first?.cls ?? null,
    action: "relayed",
    id: header?.id ?? null,
    opcode: header?.opcode ?? null,
    flags: parsed.flags,
    qdcount: header?.qdcount ?? null,
    questions: parsed.questions,
    edns_udp_size: edns?.udpSize ?? null,
    edns_do: edns?.do ?? null,
    edns_ecs: edns?.ecs ?? null,
    edns_cookie: edns?.cookie ?? null,
    query_size: msg.bytes.length,
    rcode: null,
    response_size: null,
    upstream_ms: null,
    error: parsed.error,
    raw: parsed.error === null ? null : Buffer.from(msg.bytes).toString("base64"),
    trailing_bytes: parsed.trailingBytes,
    limited_by: null,
  };
}

/** `::ffff:192.0.2.7` -> `192.0.2.7`: one source, whichever socket family it came in on. */
export function plainAddress(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}
