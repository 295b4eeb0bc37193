import type { Database, SQLQueryBindings } from "bun:sqlite";
import type { QueryEvent } from "../event/query-event.ts";
import { questionsToJson } from "./event-json.ts";

/**
 * The table exactly as the old tool's SQLAlchemy model created it, so SQL
 * written against the old database keeps working. Versions before
 * `transport` existed lack that column; `upgradeSchema` adds it.
 */
const OLD_CREATE_TABLE = `CREATE TABLE IF NOT EXISTS dns (
\tid INTEGER NOT NULL,
\ttransport VARCHAR,
\tsrc VARCHAR,
\tsrc_port INTEGER,
\tdns_name VARCHAR,
\tdns_type VARCHAR,
\tdns_cls VARCHAR,
\tcreated_at DATETIME,
\tPRIMARY KEY (id)
)`;

interface Column {
  name: string;
  type: string;
  value: (e: QueryEvent) => SQLQueryBindings;
}

/**
 * Every column udpot writes, in table order after `id` (the row key). One
 * list drives the upgrade, the INSERT and the row values, so they cannot
 * drift apart.
 */
export const COLUMNS: readonly Column[] = [
  { name: "transport", type: "VARCHAR", value: (e) => e.transport },
  { name: "src", type: "VARCHAR", value: (e) => e.src_ip },
  { name: "src_port", type: "INTEGER", value: (e) => e.src_port },
  { name: "dns_name", type: "VARCHAR", value: (e) => e.dns_name },
  { name: "dns_type", type: "VARCHAR", value: (e) => e.dns_type },
  { name: "dns_cls", type: "VARCHAR", value: (e) => e.dns_cls },
  { name: "created_at", type: "DATETIME", value: (e) => createdAt(e.timestamp) },
  { name: "action", type: "TEXT", value: (e) => e.action },
  { name: "dns_id", type: "INTEGER", value: (e) => e.id },
  { name: "opcode", type: "INTEGER", value: (e) => e.opcode },
  { name: "flags", type: "TEXT", value: (e) => e.flags },
  { name: "qdcount", type: "INTEGER", value: (e) => e.qdcount },
  { name: "questions", type: "TEXT", value: (e) => questionsToJson(e.questions) },
  { name: "edns_udp_size", type: "INTEGER", value: (e) => e.edns_udp_size },
  { name: "edns_do", type: "INTEGER", value: (e) => e.edns_do },
  { name: "edns_ecs", type: "TEXT", value: (e) => e.edns_ecs },
  { name: "edns_cookie", type: "INTEGER", value: (e) => e.edns_cookie },
  { name: "query_size", type: "INTEGER", value: (e) => e.query_size },
  { name: "rcode", type: "TEXT", value: (e) => e.rcode },
  { name: "response_size", type: "INTEGER", value: (e) => e.response_size },
  { name: "upstream_ms", type: "REAL", value: (e) => e.upstream_ms },
  { name: "error", type: "TEXT", value: (e) => e.error },
  {
    name: "raw",
    type: "BLOB",
    value: (e) => (e.raw === null ? null : Buffer.from(e.raw, "base64")),
  },
  { name: "trailing_bytes", type: "INTEGER", value: (e) => e.trailing_bytes },
];

/** `INSERT` for one event; bind it with `eventRow`. */
export const INSERT_EVENT = `INSERT INTO dns (${COLUMNS.map((c) => c.name).join(", ")})
VALUES (${COLUMNS.map(() => "?").join(", ")})`;

/** The values of `INSERT_EVENT` for one event. */
export function eventRow(e: QueryEvent): SQLQueryBindings[] {
  return COLUMNS.map((c) => c.value(e));
}

/**
 * Creates the table if there is none, then adds every column the table
 * lacks. ALTER TABLE ADD COLUMN rewrites no row, so an old tool's database
 * keeps all its rows; their new columns read NULL.
 */
export function upgradeSchema(db: Database): void {
  db.transaction(() => {
    db.run(OLD_CREATE_TABLE);
    const present = new Set(
      db
        .query<{ name: string }, []>("SELECT name FROM pragma_table_info('dns')")
        .all()
        .map((row) => row.name),
    );
    for (const column of COLUMNS) {
      if (!present.has(column.name)) {
        db.run(`ALTER TABLE dns ADD COLUMN ${column.name} ${column.type}`);
      }
    }
  })();
}

/** `2026-01-06T10:30:45.123456+00:00` -> `2026-01-06 10:30:45.123456`, the SQLAlchemy form. */
function createdAt(timestamp: string): string {
  return `${timestamp.slice(0, 10)} ${timestamp.slice(11, 26)}`;
}
