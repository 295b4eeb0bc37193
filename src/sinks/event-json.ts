import type { QueryEvent, Question } from "../event/query-event.ts";

/**
 * An event as one JSON object with its keys in the order of `QueryEvent`,
 * whatever order the producer built it in, so every line of a log reads the
 * same and diffs cleanly. JSON string escaping keeps quotes, newlines and
 * control bytes inside the string: the result never contains a raw newline.
 */
export function eventToJson(e: QueryEvent): string {
  return JSON.stringify({
    timestamp: e.timestamp,
    transport: e.transport,
    src_ip: e.src_ip,
    src_port: e.src_port,
    dns_name: e.dns_name,
    dns_type: e.dns_type,
    dns_cls: e.dns_cls,
    action: e.action,
    id: e.id,
    opcode: e.opcode,
    flags: e.flags,
    qdcount: e.qdcount,
    questions: e.questions.map(orderedQuestion),
    edns_udp_size: e.edns_udp_size,
    edns_do: e.edns_do,
    edns_ecs: e.edns_ecs,
    edns_cookie: e.edns_cookie,
    query_size: e.query_size,
    rcode: e.rcode,
    response_size: e.response_size,
    upstream_ms: e.upstream_ms,
    error: e.error,
    raw: e.raw,
    trailing_bytes: e.trailing_bytes,
    limited_by: e.limited_by,
  });
}

let lastEvent: QueryEvent | null = null;
let lastJson = "";

/**
 * `eventToJson`, remembering the last event encoded: the recorder hands an
 * event to each sink in turn, and the JSON Lines sink and the SQLite
 * worker both want this text, so it is made once. Events are final when
 * they are recorded and never change afterwards.
 */
export function eventJsonOnce(e: QueryEvent): string {
  if (e !== lastEvent) {
    lastJson = eventToJson(e);
    lastEvent = e;
  }
  return lastJson;
}

/**
 * The questions as a JSON array, keys `name`, `type`, `cls` in that order:
 * the same text as `JSON.stringify` of the ordered objects, built without
 * making them (one per SQLite row).
 */
export function questionsToJson(questions: readonly Question[]): string {
  let json = "[";
  for (const q of questions) {
    if (json.length > 1) json += ",";
    json += `{"name":${JSON.stringify(q.name)},"type":${JSON.stringify(q.type)},"cls":${JSON.stringify(q.cls)}}`;
  }
  return `${json}]`;
}

function orderedQuestion(q: Question): Question {
  return { name: q.name, type: q.type, cls: q.cls };
}
