import { existsSync, readFileSync } from "node:fs";
import type { QueryEvent } from "../../src/event/query-event.ts";

/** The events of a JSON Lines log, oldest first; none when it does not exist yet. */
export function readJsonl(path: string): QueryEvent[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, "utf8").trim();
  return text === "" ? [] : text.split("\n").map((line) => JSON.parse(line));
}

/**
 * What the database sink stores for an event, as the helpers read a row
 * back. MySQL's BOOLEAN is TINYINT(1): there true and false read 1 and 0.
 */
export function expectedRow(
  e: QueryEvent,
  id: number,
  sensor: string,
  booleans: "boolean" | "number" = "boolean",
): Record<string, unknown> {
  const flag = (value: boolean | null) =>
    value === null || booleans === "boolean" ? value : Number(value);
  return {
    id,
    transport: e.transport,
    src: e.src_ip,
    src_port: e.src_port,
    dns_name: e.dns_name,
    dns_type: e.dns_type,
    dns_cls: e.dns_cls,
    created_at: `${e.timestamp.slice(0, 10)} ${e.timestamp.slice(11, 26)}`,
    action: e.action,
    dns_id: e.id,
    opcode: e.opcode,
    flags: e.flags,
    qdcount: e.qdcount,
    questions: e.questions,
    edns_udp_size: e.edns_udp_size,
    edns_do: flag(e.edns_do),
    edns_ecs: e.edns_ecs,
    edns_cookie: flag(e.edns_cookie),
    query_size: e.query_size,
    rcode: e.rcode,
    response_size: e.response_size,
    upstream_ms: e.upstream_ms,
    error: e.error,
    raw: e.raw === null ? null : Buffer.from(e.raw, "base64"),
    trailing_bytes: e.trailing_bytes,
    limited_by: e.limited_by,
    sensor,
  };
}
