import type { SQL } from "bun";
import type { ColumnKind } from "./sql-columns.ts";
import { NoAnswerError } from "./sql-errors.ts";

/**
 * What differs between PostgreSQL and MySQL/MariaDB for the `dns` table.
 * Everything else (the rows, the batching, the retries) is the same code.
 */
export interface Dialect {
  /** The sink's name in messages and stats: `postgres`, `mysql`, `mariadb`. */
  readonly name: string;
  /** The type udpot gives each kind of column in a table it creates or extends. */
  readonly types: Readonly<Record<ColumnKind, string>>;
  /**
   * The types, as information_schema's `data_type` names them, that a
   * column may have in a table made by hand or by another tool: the same
   * values go in.
   */
  readonly accepted: Readonly<Record<ColumnKind, readonly string[]>>;
  /** The `id` column of a new table: 64 bits, numbered by the server. */
  readonly idColumn: string;
  /** After the column list of CREATE TABLE. */
  readonly tableOptions: string;
  /** The schema (PostgreSQL) or database (MySQL) the connection writes to. */
  readonly currentSchema: string;
  /** Options for the client beyond the ones every dialect gets. */
  readonly clientOptions: Record<string, unknown>;
  /**
   * Runs `work` on one connection while holding a lock that every sensor
   * takes before it creates or alters the table, so two sensors that start
   * together take turns.
   */
  underSchemaLock(sql: SQL, work: (one: SQL) => Promise<void>): Promise<void>;
}

/**
 * Ends a statement on the server side, shorter than the sink's answer
 * timeout: a flush stuck behind a lock fails cleanly and is retried
 * instead of holding the sink's one connection. PostgreSQL only: MySQL
 * takes no session settings at connection time.
 */
const STATEMENT_TIMEOUT = "20s";

/** Any constant all sensors agree on (PostgreSQL's advisory locks are per database). */
const ADVISORY_LOCK = 0x75_64_70_6f; // "udpo"

/** Seconds to wait for MySQL's named lock before trying again later. */
const NAMED_LOCK_WAIT_S = 20;

/**
 * MySQL's named locks are per server, not per database: the name carries
 * the database so fleets in two databases do not wait on each other.
 * Names may be 64 characters long.
 */
const NAMED_LOCK = "LEFT(CONCAT('udpot.dns.', DATABASE()), 64)";

const TEXT_TYPES = ["character varying", "text"];

export const POSTGRES: Dialect = {
  name: "postgres",
  types: {
    string: "VARCHAR",
    name: "VARCHAR",
    word: "TEXT",
    text: "TEXT",
    integer: "INTEGER",
    timestamp: "TIMESTAMP WITHOUT TIME ZONE",
    json: "JSONB",
    boolean: "BOOLEAN",
    double: "DOUBLE PRECISION",
    bytes: "BYTEA",
  },
  accepted: {
    string: TEXT_TYPES,
    name: TEXT_TYPES,
    word: TEXT_TYPES,
    text: TEXT_TYPES,
    integer: ["integer", "bigint"],
    // Not `with time zone`: the UTC text would be read in the server's zone.
    timestamp: ["timestamp without time zone"],
    json: ["jsonb", "json"],
    boolean: ["boolean"],
    double: ["double precision"],
    bytes: ["bytea"],
  },
  // The old tool's SERIAL is 32 bits: 10,000 messages a second fill it in under 3 days.
  idColumn: "id BIGSERIAL NOT NULL",
  tableOptions: "",
  currentSchema: "current_schema()",
  clientOptions: {
    connection: { statement_timeout: STATEMENT_TIMEOUT, application_name: "udpot" },
  },
  underSchemaLock: (sql, work) =>
    sql.begin(async (tx) => {
      // Released at the end of the transaction, whatever happens in it.
      await tx`SELECT pg_advisory_xact_lock(${ADVISORY_LOCK})`;
      await work(tx);
    }),
};

const MYSQL_TEXT_TYPES = ["varchar", "text", "mediumtext", "longtext"];
/** Ports and sizes go up to 65,535: SMALLINT would refuse them. */
const MYSQL_INTEGER_TYPES = ["int", "bigint", "mediumint"];

export const MYSQL: Dialect = {
  name: "mysql",
  types: {
    // MySQL wants a length; 255 is what SQLAlchemy users gave `String`.
    string: "VARCHAR(255)",
    name: "VARCHAR(1024)",
    word: "VARCHAR(255)",
    text: "TEXT",
    integer: "INTEGER",
    timestamp: "DATETIME(6)",
    json: "JSON",
    boolean: "BOOLEAN",
    double: "DOUBLE",
    bytes: "LONGBLOB",
  },
  accepted: {
    string: MYSQL_TEXT_TYPES,
    name: MYSQL_TEXT_TYPES,
    word: MYSQL_TEXT_TYPES,
    text: MYSQL_TEXT_TYPES,
    integer: MYSQL_INTEGER_TYPES,
    // Not TIMESTAMP: it is read in the session's time zone and ends in 2038.
    timestamp: ["datetime"],
    // MariaDB's JSON is LONGTEXT with a check; any text takes the JSON text.
    json: ["json", ...MYSQL_TEXT_TYPES],
    // BOOLEAN is TINYINT(1): true and false arrive as 1 and 0.
    boolean: ["tinyint", ...MYSQL_INTEGER_TYPES],
    double: ["double"],
    // BLOB takes 65,535 bytes, the largest DNS message over TCP.
    bytes: ["longblob", "mediumblob", "blob"],
  },
  idColumn: "id BIGINT NOT NULL AUTO_INCREMENT",
  // The sensor's name may be any text; MySQL 5.7 and MariaDB default to latin1.
  tableOptions: " DEFAULT CHARSET=utf8mb4",
  currentSchema: "DATABASE()",
  clientOptions: {},
  async underSchemaLock(sql, work) {
    // A named lock belongs to a connection, not a transaction (DDL commits
    // on its own in MySQL): take it, and free it, on one reserved connection.
    const one = await sql.reserve();
    try {
      const [row] = await one.unsafe(`SELECT GET_LOCK(${NAMED_LOCK}, ${NAMED_LOCK_WAIT_S}) AS got`);
      if ((row as { got: unknown } | undefined)?.got !== 1) {
        throw new NoAnswerError(`another sensor held the table lock for ${NAMED_LOCK_WAIT_S} s`);
      }
      try {
        await work(one);
      } finally {
        // When this fails the connection is gone, and the lock with it.
        await one.unsafe(`SELECT RELEASE_LOCK(${NAMED_LOCK})`).catch(() => {});
      }
    } finally {
      one.release();
    }
  },
};

export const MARIADB: Dialect = { ...MYSQL, name: "mariadb" };

/** The dialect of a `postgresql://`, `postgres://`, `mysql://` or `mariadb://` URL. */
export function dialectOf(url: string): Dialect {
  const scheme = url.slice(0, Math.max(0, url.indexOf(":"))).toLowerCase();
  if (scheme === "mysql" || scheme === "mysql2") return MYSQL;
  if (scheme === "mariadb") return MARIADB;
  return POSTGRES;
}
