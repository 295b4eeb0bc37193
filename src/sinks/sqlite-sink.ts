import { Database, type Statement } from "bun:sqlite";
import { statSync } from "node:fs";
import { messageOf, UdpotError } from "../errors.ts";
import type { QueryEvent } from "../event/query-event.ts";
import { sinkLog } from "./failure-reports.ts";
import type { Sink } from "./sink.ts";
import { eventRow, INSERT_EVENT, upgradeSchema } from "./sqlite-schema.ts";

/**
 * How long a flush waits for another process's write lock. The flush runs
 * on the event loop, so a long wait would stall the listeners; a short one
 * fails the flush instead, and the batch is kept for the next one.
 */
const BUSY_TIMEOUT_MS = 200;

/** Events to the old tool's `dns` table, upgraded in place when needed. */
export interface SqliteSink extends Sink {
  readonly path: string;
}

/**
 * Opens (creating or upgrading) the database at `path`; `:memory:` for a
 * private in-memory one. Throws `UdpotError` "startup" when it cannot.
 */
export function openSqliteSink(path: string): SqliteSink {
  try {
    return new SqliteFileSink(path, openConnection(path));
  } catch (error) {
    throw new UdpotError("startup", `cannot open SQLite database ${path}: ${messageOf(error)}`);
  }
}

interface Connection {
  db: Database;
  insert: Statement;
  insertAll: (events: QueryEvent[]) => void;
  /** Inode of the file when opened; null for an in-memory database. */
  inode: number | null;
}

class SqliteFileSink implements SqliteSink {
  readonly name = "sqlite";
  #events: QueryEvent[] = [];
  #connection: Connection | null;

  constructor(
    readonly path: string,
    connection: Connection,
  ) {
    this.#connection = connection;
  }

  write(event: QueryEvent): void {
    this.#events.push(event);
  }

  pending(): number {
    return this.#events.length;
  }

  /** One transaction for the whole batch: all of it is written or none. */
  flush(): void {
    if (this.#events.length === 0) return;
    const connection = this.#usableConnection();
    try {
      connection.insertAll(this.#events);
    } catch (error) {
      throw new Error(`cannot write to ${this.path}: ${messageOf(error)}`, { cause: error });
    }
    this.#events = [];
  }

  close(): void {
    try {
      this.flush();
    } finally {
      this.#release();
    }
  }

  /**
   * The open connection, or a new one when the file was removed: SQLite
   * would go on writing into the unlinked file and every row would be lost
   * without an error. Throws while the file cannot be created again.
   */
  #usableConnection(): Connection {
    const current = this.#connection;
    if (current !== null && (current.inode === null || fileInode(this.path) === current.inode)) {
      return current;
    }
    if (current !== null) {
      this.#release();
      sinkLog().warn(`SQLite database ${this.path} was removed or replaced; opening it again`);
    }
    try {
      this.#connection = openConnection(this.path);
    } catch (error) {
      throw new Error(`cannot reopen ${this.path}: ${messageOf(error)}`, { cause: error });
    }
    return this.#connection;
  }

  /**
   * Closes the connection. A statement left unfinalized keeps SQLite's
   * file descriptors open after `close` (measured), so it goes first.
   */
  #release(): void {
    this.#connection?.insert.finalize();
    this.#connection?.db.close();
    this.#connection = null;
  }
}

function openConnection(path: string): Connection {
  const db = new Database(path, { create: true });
  try {
    db.run("PRAGMA journal_mode = WAL");
    db.run("PRAGMA synchronous = NORMAL");
    db.run(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    upgradeSchema(db);
    const insert = db.prepare(INSERT_EVENT);
    const insertAll = db.transaction((events: QueryEvent[]) => {
      for (const event of events) insert.run(...eventRow(event));
    });
    return { db, insert, insertAll, inode: fileInode(path) };
  } catch (error) {
    db.close();
    throw error;
  }
}

/** The file's inode now; null when it is gone or the database is in memory. */
function fileInode(path: string): number | null {
  if (path === ":memory:" || path === "") return null;
  return statSync(path, { throwIfNoEntry: false })?.ino ?? null;
}
