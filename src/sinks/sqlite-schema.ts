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
}

/**
 * Every column udpot writes, in table order after `id` (the row key). This
 * list drives the upgrade and the INSERT; `eventRow` gives the values in
 * the same order (a test reads every column back by name).
 */
export const COLUMNS: readonly Column[] = [
  { name: "transport", type: "VARCHAR" },
  { name: "src", type: "VARCHAR" },
  { name: "src_port", type: "INTEGER" },
  { name: "dns_name", type: "VARCHAR" },
  { name: "dns_type", type: "VARCHAR" },
  { name: "dns_cls", type: "VARCHAR" },
  { name: "created_at", type: "DATETIME" },
  { name: "action", type: "TEXT" },
  { name: "dns_id", type: "INTEGER" },
  { name: "opcode", type: "INTEGER" },
  { name: "flags", type: "TEXT" },
  { name: "qdcount", type: "INTEGER" },
  { name: "questions", type: "TEXT" },
  { name: "edns_udp_size", type: "INTEGER" },
  { name: "edns_do", type: "INTEGER" },
  { name: "edns_ecs", type: "TEXT" },
  { name: "edns_cookie", type: "INTEGER" },
  { name: "query_size", type: "INTEGER" },
  { name: "rcode", type: "TEXT" },
  { name: "response_size", type: "INTEGER" },
  { name: "upstream_ms", type: "REAL" },
  { name: "error", type: "TEXT" },
  { name: "raw", type: "BLOB" },
  { name: "trailing_bytes", type: "INTEGER" },
  { name: "limited_by", type: "TEXT" },
];

/** `INSERT` for one event; bind it with `eventRow`. */
export const INSERT_EVENT = `INSERT INTO dns (${COLUMNS.map((c) => c.name).join(", ")})
VALUES (${COLUMNS.map(() => "?").join(", ")})`;

/**
 * The values of `INSERT_EVENT` for one event, in `COLUMNS` order. Written
 * out rather than mapped over per-column functions: this runs for every
 * row, and one call site for 24 different functions was the sink's
 * largest cost after SQLite itself (BENCHMARKS.md).
 */
export function eventRow(e: QueryEvent): SQLQueryBindings[] {
  return [
    e.transport,
    e.src_ip,
    e.src_port,
    e.dns_name,
    e.dns_type,
    e.dns_cls,
    createdAt(e.timestamp),
    e.action,
    e.id,
    e.opcode,
    e.flags,
    e.qdcount,
    questionsToJson(e.questions),
    e.edns_udp_size,
    e.edns_do,
    e.edns_ecs,
    e.edns_cookie,
    e.query_size,
    e.rcode,
    e.response_size,
    e.upstream_ms,
    e.error,
    e.raw === null ? null : Buffer.from(e.raw, "base64"),
    e.trailing_bytes,
    e.limited_by,
  ];
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
