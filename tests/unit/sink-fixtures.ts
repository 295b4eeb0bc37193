import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { QueryEvent } from "../../src/event/query-event.ts";

/** A relayed A query with every field set, as the handler would build it. */
export function sampleEvent(overrides: Partial<QueryEvent> = {}): QueryEvent {
  return {
    timestamp: "2026-01-06T10:30:45.123456+00:00",
    transport: "UDP",
    src_ip: "192.0.2.7",
    src_port: 54321,
    dns_name: "www.example",
    dns_type: "A",
    dns_cls: "IN",
    action: "relayed",
    id: 4660,
    opcode: 0,
    flags: "rd ad",
    qdcount: 1,
    questions: [{ name: "www.example", type: "A", cls: "IN" }],
    edns_udp_size: 1232,
    edns_do: true,
    edns_ecs: "198.51.100.0/24",
    edns_cookie: false,
    query_size: 52,
    rcode: "NOERROR",
    response_size: 68,
    upstream_ms: 12.25,
    error: null,
    raw: null,
    trailing_bytes: 0,
    limited_by: null,
    ...overrides,
  };
}

/** A message that could not be parsed: no question, reason and raw bytes set. */
export function malformedEvent(overrides: Partial<QueryEvent> = {}): QueryEvent {
  return sampleEvent({
    dns_name: null,
    dns_type: null,
    dns_cls: null,
    action: "malformed",
    id: null,
    opcode: null,
    flags: null,
    qdcount: null,
    questions: [],
    edns_udp_size: null,
    edns_do: null,
    edns_ecs: null,
    edns_cookie: null,
    query_size: 5,
    rcode: null,
    response_size: null,
    upstream_ms: null,
    error: "shorter than a DNS header",
    raw: Buffer.from([0x12, 0x34, 0x01, 0x00, 0xff]).toString("base64"),
    ...overrides,
  });
}

/** A fresh temporary directory and its removal, for `beforeEach`/`afterEach`. */
export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `udpot-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Resolves once `condition` holds; fails the test after `limitMs`. */
export async function waitFor(condition: () => boolean, limitMs = 5000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
