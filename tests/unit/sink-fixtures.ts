import { afterEach } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { QueryEvent } from "../../src/event/query-event.ts";
import { Recorder, type RecorderOptions, type SinkNotice } from "../../src/sinks/recorder.ts";
import type { Sink } from "../../src/sinks/sink.ts";

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
    raw: Buffer.from(MALFORMED_BYTES).toString("base64"),
    ...overrides,
  });
}

/**
 * `sampleEvent()` as a database row with id 1. Every database stores these
 * columns alike; each test adds `questions`, `edns_do` and `edns_cookie`
 * in its database's types (JSON text or JSON, 1/0 or true/false).
 */
export const SAMPLE_ROW = {
  id: 1,
  transport: "UDP",
  src: "192.0.2.7",
  src_port: 54321,
  dns_name: "www.example",
  dns_type: "A",
  dns_cls: "IN",
  created_at: "2026-01-06 10:30:45.123456",
  action: "relayed",
  dns_id: 4660,
  opcode: 0,
  flags: "rd ad",
  qdcount: 1,
  edns_udp_size: 1232,
  edns_ecs: "198.51.100.0/24",
  query_size: 52,
  rcode: "NOERROR",
  response_size: 68,
  upstream_ms: 12.25,
  error: null,
  raw: null,
  trailing_bytes: 0,
  limited_by: null,
};

/** `malformedEvent` over TCP from 2001:db8::1, 3 trailing bytes: its row, less `questions`, `raw`. */
export const MALFORMED_TCP_EVENT = {
  transport: "TCP",
  src_ip: "2001:db8::1",
  trailing_bytes: 3,
} as const;

/** `malformedEvent(MALFORMED_TCP_EVENT)` as row 2; each test adds `questions` and `raw`. */
export const MALFORMED_ROW = {
  id: 2,
  transport: "TCP",
  src: "2001:db8::1",
  src_port: 54321,
  dns_name: null,
  dns_type: null,
  dns_cls: null,
  created_at: "2026-01-06 10:30:45.123456",
  action: "malformed",
  dns_id: null,
  opcode: null,
  flags: null,
  qdcount: null,
  edns_udp_size: null,
  edns_do: null,
  edns_ecs: null,
  edns_cookie: null,
  query_size: 5,
  rcode: null,
  response_size: null,
  upstream_ms: null,
  error: "shorter than a DNS header",
  trailing_bytes: 3,
  limited_by: null,
};

/** The bytes `malformedEvent` carries in `raw`. */
export const MALFORMED_BYTES = [0x12, 0x34, 0x01, 0x00, 0xff];

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

/** A clock the test moves, so a retry back-off passes without waiting. */
export function testClock(): { ms: number; now: () => number } {
  const clock = { ms: 0, now: () => clock.ms };
  return clock;
}

/** Makes recorders that collect their notices, closed after each test. */
export type RecorderFor = (
  sinks: Sink[],
  opts?: Partial<RecorderOptions>,
) => { recorder: Recorder; notices: SinkNotice[] };

/**
 * Registers an `afterEach` that closes every recorder made since; call at
 * the top of a test file. Recorders flush only when asked (batch 1000,
 * one hour) unless `opts` say otherwise.
 */
export function recordersClosedAfterEach(): RecorderFor {
  let recorders: Recorder[] = [];
  afterEach(async () => {
    await Promise.all(recorders.map((recorder) => recorder.close()));
    recorders = [];
  });
  return (sinks, opts = {}) => {
    const notices: SinkNotice[] = [];
    const recorder = new Recorder(sinks, {
      batchSize: 1000,
      flushMs: 3_600_000,
      onFailure: (notice) => notices.push(notice),
      ...opts,
    });
    recorders.push(recorder);
    return { recorder, notices };
  };
}
