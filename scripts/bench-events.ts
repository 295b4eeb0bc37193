/**
 * The synthetic query events the sink benchmarks write: a realistic mix
 * of names, sources, transports and outcomes, the same for every run.
 */
import type { QueryEvent } from "../src/event/query-event.ts";
import { formatTimestamp } from "../src/event/timestamp.ts";

/**
 * Event number `i`, 10 µs after event `i - 1`: 5,000 names, one in three
 * AAAA, one in fifty over TCP, one in four sinkholed.
 */
export function syntheticEvent(i: number, startMicros: number): QueryEvent {
  const name = `host${i % 5000}.example${i % 7}`;
  const type = i % 3 === 0 ? "AAAA" : "A";
  const relayed = i % 4 !== 0;
  return {
    timestamp: formatTimestamp(startMicros + i * 10),
    transport: i % 50 === 0 ? "TCP" : "UDP",
    src_ip: `198.51.${(i >> 8) & 255}.${i & 255}`,
    src_port: 1024 + (i % 60000),
    dns_name: name,
    dns_type: type,
    dns_cls: "IN",
    action: relayed ? "relayed" : "sinkholed",
    id: i & 0xffff,
    opcode: 0,
    flags: "rd",
    qdcount: 1,
    questions: [{ name, type, cls: "IN" }],
    edns_udp_size: 1232,
    edns_do: false,
    edns_ecs: null,
    edns_cookie: true,
    query_size: 40 + name.length,
    rcode: relayed ? "NOERROR" : null,
    response_size: relayed ? 90 : null,
    upstream_ms: relayed ? 3.5 + (i % 40) : null,
    error: null,
    raw: null,
    trailing_bytes: 0,
    limited_by: null,
  };
}
