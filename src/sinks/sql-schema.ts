import type { SQL } from "bun";
import type { QueryEvent } from "../event/query-event.ts";

/**
 * The table as the old tool's SQLAlchemy model created it on PostgreSQL,
 * so SQL and dashboards written against it keep working. Versions before
 * `transport` existed lack that column; `prepareTable` adds it.
 */
const OLD_CREATE_TABLE = `CREATE TABLE IF NOT EXISTS dns (
\tid SERIAL NOT NULL,
\ttransport VARCHAR,
\tsrc VARCHAR,
\tsrc_port INTEGER,
\tdns_name VARCHAR,
\tdns_type VARCHAR,
\tdns_cls VARCHAR,
\tcreated_at TIMESTAMP WITHOUT TIME ZONE,
\tPRIMARY KEY (id)
)`;

/**
 * Any constant both sides agree on: sensors that start together take this
 * lock in turn, so two of them never create or alter the table at once
 * (concurrent CREATE TABLE IF NOT EXISTS can fail on PostgreSQL's catalog).
 */
const SCHEMA_LOCK = 0x75_64_70_6f; // "udpo"

/** A row as Bun.SQL binds it: column name -> value. */
export type SqlRow = Record<string, string | number | boolean | Buffer | null | object>;

interface Column {
  name: string;
  /** PostgreSQL type for ADD COLUMN. */
  type: string;
  value: (e: QueryEvent, sensor: string) => SqlRow[string];
}

/**
 * Every column udpot writes, in table order after `id`: the old tool's,
 * then the SQLite sink's new ones (same names), then `sensor`. One list
 * drives the upgrade and the rows, so they cannot drift apart.
 */
export const SQL_COLUMNS: readonly Column[] = [
  { name: "transport", type: "VARCHAR", value: (e) => e.transport },
  { name: "src", type: "VARCHAR", value: (e) => e.src_ip },
  { name: "src_port", type: "INTEGER", value: (e) => e.src_port },
  { name: "dns_name", type: "VARCHAR", value: (e) => e.dns_name },
  { name: "dns_type", type: "VARCHAR", value: (e) => e.dns_type },
  { name: "dns_cls", type: "VARCHAR", value: (e) => e.dns_cls },
  // Text, not a Date: PostgreSQL keeps the microseconds a Date would drop.
  { name: "created_at", type: "TIMESTAMP WITHOUT TIME ZONE", value: (e) => createdAt(e) },
  { name: "action", type: "TEXT", value: (e) => e.action },
  { name: "dns_id", type: "INTEGER", value: (e) => e.id },
  { name: "opcode", type: "INTEGER", value: (e) => e.opcode },
  { name: "flags", type: "TEXT", value: (e) => e.flags },
  { name: "qdcount", type: "INTEGER", value: (e) => e.qdcount },
  { name: "questions", type: "JSONB", value: (e) => e.questions.map(orderedQuestion) },
  { name: "edns_udp_size", type: "INTEGER", value: (e) => e.edns_udp_size },
  { name: "edns_do", type: "BOOLEAN", value: (e) => e.edns_do },
  { name: "edns_ecs", type: "TEXT", value: (e) => e.edns_ecs },
  { name: "edns_cookie", type: "BOOLEAN", value: (e) => e.edns_cookie },
  { name: "query_size", type: "INTEGER", value: (e) => e.query_size },
  { name: "rcode", type: "TEXT", value: (e) => e.rcode },
  { name: "response_size", type: "INTEGER", value: (e) => e.response_size },
  { name: "upstream_ms", type: "DOUBLE PRECISION", value: (e) => e.upstream_ms },
  { name: "error", type: "TEXT", value: (e) => e.error },
  {
    name: "raw",
    type: "BYTEA",
    value: (e) => (e.raw === null ? null : Buffer.from(e.raw, "base64")),
  },
  { name: "trailing_bytes", type: "INTEGER", value: (e) => e.trailing_bytes },
  { name: "sensor", type: "TEXT", value: (_, sensor) => sensor },
];

/**
 * PostgreSQL's limit of 65,535 parameters per statement, divided by the
 * columns, rounded down to a round number: the most rows one INSERT takes.
 */
export const MAX_ROWS_PER_INSERT = 2000;

/** One event as a row for `sql(rows)`, keys in column order. */
export function eventRow(e: QueryEvent, sensor: string): SqlRow {
  const row: SqlRow = {};
  for (const column of SQL_COLUMNS) row[column.name] = column.value(e, sensor);
  return row;
}

/**
 * Creates the table if there is none, then adds every column it lacks, in
 * one transaction under an advisory lock. ADD COLUMN without a default
 * rewrites no row, so an old tool's table keeps all its rows; their new
 * columns read NULL. A table that is complete is left alone: ALTER TABLE
 * would lock out the other sensors' inserts, even with nothing to add.
 * Throws when a column exists with a type udpot cannot write.
 */
export async function prepareTable(sql: SQL): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${SCHEMA_LOCK})`;
    let present = await columnsOf(tx);
    if (present.size === 0) {
      await tx.unsafe(OLD_CREATE_TABLE);
      present = await columnsOf(tx);
    }
    const wrong = wrongTypes(present);
    if (wrong.length > 0) {
      throw new Error(`table dns has columns udpot cannot write: ${wrong.join("; ")}`);
    }
    for (const column of SQL_COLUMNS) {
      if (present.has(column.name)) continue;
      await tx.unsafe(`ALTER TABLE dns ADD COLUMN IF NOT EXISTS ${column.name} ${column.type}`);
    }
  });
}

/**
 * The types, as information_schema names them, that a column may have
 * in a table made by hand or by another tool: the same values go in.
 */
const ACCEPTED_TYPES: Record<string, readonly string[]> = {
  VARCHAR: ["character varying", "text"],
  TEXT: ["text", "character varying"],
  INTEGER: ["integer", "bigint"],
  // Not `with time zone`: the UTC text would be read in the server's zone.
  "TIMESTAMP WITHOUT TIME ZONE": ["timestamp without time zone"],
  JSONB: ["jsonb", "json"],
  BOOLEAN: ["boolean"],
  "DOUBLE PRECISION": ["double precision"],
  BYTEA: ["bytea"],
};

/** `questions is text (udpot writes JSONB)` for each present column of another type. */
function wrongTypes(present: Map<string, string>): string[] {
  const wrong: string[] = [];
  for (const column of SQL_COLUMNS) {
    const type = present.get(column.name);
    if (type === undefined || ACCEPTED_TYPES[column.type]?.includes(type)) continue;
    wrong.push(`${column.name} is ${type} (udpot writes ${column.type})`);
  }
  return wrong;
}

/** Column name -> data type of `dns` in the connection's schema; empty when there is none. */
async function columnsOf(sql: SQL): Promise<Map<string, string>> {
  const rows: { column_name: string; data_type: string }[] = await sql`
    SELECT column_name, data_type FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = 'dns'`;
  return new Map(rows.map((row) => [row.column_name, row.data_type]));
}

/** `2026-01-06T10:30:45.123456+00:00` -> `2026-01-06 10:30:45.123456`, the stored form. */
function createdAt(e: QueryEvent): string {
  return `${e.timestamp.slice(0, 10)} ${e.timestamp.slice(11, 26)}`;
}

/** Keys in the order of the JSON Lines log: `name`, `type`, `cls`. */
function orderedQuestion(q: QueryEvent["questions"][number]): object {
  return { name: q.name, type: q.type, cls: q.cls };
}
