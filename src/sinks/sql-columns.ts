import type { QueryEvent } from "../event/query-event.ts";

/** A row as Bun.SQL binds it: column name -> value. */
export type SqlRow = Record<string, string | number | boolean | Buffer | null | object>;

/**
 * What a column holds; each dialect names the type for it.
 * - string: the old tool's `String` columns.
 * - name: `dns_name`, up to 1,003 characters (255 wire bytes, `\DDD` escapes).
 * - word: a new short text (action, flags, subnet, rcode, sensor).
 * - text: a message of any length.
 */
export type ColumnKind =
  | "string"
  | "name"
  | "word"
  | "text"
  | "integer"
  | "timestamp"
  | "json"
  | "boolean"
  | "double"
  | "bytes";

interface Column {
  name: string;
  kind: ColumnKind;
  value: (e: QueryEvent, sensor: string) => SqlRow[string];
}

/**
 * Every column udpot writes, in table order after `id`: the old tool's,
 * then the SQLite sink's new ones (same names), then `sensor`. One list
 * drives the new table, the upgrade and the rows, so they cannot drift apart.
 */
export const SQL_COLUMNS: readonly Column[] = [
  { name: "transport", kind: "string", value: (e) => e.transport },
  { name: "src", kind: "string", value: (e) => e.src_ip },
  { name: "src_port", kind: "integer", value: (e) => e.src_port },
  { name: "dns_name", kind: "name", value: (e) => e.dns_name },
  { name: "dns_type", kind: "string", value: (e) => e.dns_type },
  { name: "dns_cls", kind: "string", value: (e) => e.dns_cls },
  // Text, not a Date: the server keeps the microseconds a Date would drop.
  { name: "created_at", kind: "timestamp", value: (e) => createdAt(e) },
  { name: "action", kind: "word", value: (e) => e.action },
  { name: "dns_id", kind: "integer", value: (e) => e.id },
  { name: "opcode", kind: "integer", value: (e) => e.opcode },
  { name: "flags", kind: "word", value: (e) => e.flags },
  { name: "qdcount", kind: "integer", value: (e) => e.qdcount },
  { name: "questions", kind: "json", value: (e) => e.questions.map(orderedQuestion) },
  { name: "edns_udp_size", kind: "integer", value: (e) => e.edns_udp_size },
  { name: "edns_do", kind: "boolean", value: (e) => e.edns_do },
  { name: "edns_ecs", kind: "word", value: (e) => e.edns_ecs },
  { name: "edns_cookie", kind: "boolean", value: (e) => e.edns_cookie },
  { name: "query_size", kind: "integer", value: (e) => e.query_size },
  { name: "rcode", kind: "word", value: (e) => e.rcode },
  { name: "response_size", kind: "integer", value: (e) => e.response_size },
  { name: "upstream_ms", kind: "double", value: (e) => e.upstream_ms },
  { name: "error", kind: "text", value: (e) => e.error },
  {
    name: "raw",
    kind: "bytes",
    value: (e) => (e.raw === null ? null : Buffer.from(e.raw, "base64")),
  },
  { name: "trailing_bytes", kind: "integer", value: (e) => e.trailing_bytes },
  { name: "limited_by", kind: "word", value: (e) => e.limited_by },
  { name: "sensor", kind: "word", value: (_, sensor) => sensor },
];

/**
 * The most rows one INSERT takes: the 65,535 parameters a statement may
 * have on PostgreSQL and MySQL, divided by the columns, rounded down.
 */
export const MAX_ROWS_PER_INSERT = 2000;

/**
 * The most estimated bytes one INSERT takes. MySQL refuses a statement
 * larger than `max_allowed_packet` (4 MiB by default on MySQL 5.7, 16 MiB
 * on MariaDB), and 2,000 rows of large malformed messages would be over
 * 100 MiB. Ordinary rows stay under it at 2,000.
 */
export const MAX_BYTES_PER_INSERT = 2 * 1024 * 1024;

/**
 * One event as a row for `sql(rows)`, keys in column order. A text longer
 * than its column's `limits` (say a long name in an old `VARCHAR(255)`) is
 * cut to fit: a strict server would refuse the whole INSERT, and retrying
 * it would hold up every row behind it for good.
 */
export function eventRow(e: QueryEvent, sensor: string, limits: TextLimits = NO_LIMITS): SqlRow {
  const row: SqlRow = {};
  for (const column of SQL_COLUMNS) {
    let value = column.value(e, sensor);
    if (typeof value === "string") {
      const limit = limits.get(column.name);
      if (limit !== undefined && value.length > limit) value = value.slice(0, limit);
    }
    row[column.name] = value;
  }
  return row;
}

/** Column name -> the most characters it takes, for the text columns that have a limit. */
export type TextLimits = ReadonlyMap<string, number>;

const NO_LIMITS: TextLimits = new Map();

/** `2026-01-06T10:30:45.123456+00:00` -> `2026-01-06 10:30:45.123456`, the stored form. */
function createdAt(e: QueryEvent): string {
  return `${e.timestamp.slice(0, 10)} ${e.timestamp.slice(11, 26)}`;
}

/** Keys in the order of the JSON Lines log: `name`, `type`, `cls`. */
function orderedQuestion(q: QueryEvent["questions"][number]): object {
  return { name: q.name, type: q.type, cls: q.cls };
}
