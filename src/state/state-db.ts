import { Database, type Statement } from "bun:sqlite";
import { statSync } from "node:fs";
import { UdpotError } from "../errors.ts";

/** One saved budget entry: `[source or prefix, count, lastSeen ms]`. */
export type StateRow = [key: string, count: number, lastSeen: number];

/** The two budgets that are saved, by table name. */
export type StateTable = "budget_state" | "prefix_state";

/** Where budget state is kept between runs; tests use a fake. */
export interface StateStore {
  /** Rows of `table` still in their window at `now`. */
  load(table: StateTable, windowMs: number, now: number): StateRow[];
  /** Inserts or replaces `rows` in one transaction. */
  write(table: StateTable, rows: readonly StateRow[]): void;
  /** Deletes rows whose window has passed. */
  prune(windowMs: number, now: number): void;
  /**
   * Opens the file again when it was removed or replaced since it was
   * opened (the event sink does the same); true when it did, and the new
   * file then needs every entry, not only the changed ones.
   */
  reopenIfReplaced(): boolean;
  close(): void;
}

/**
 * The tables live in the events database, beside `dns`, so a restart finds
 * them wherever the operator keeps that file. WITHOUT ROWID: the key is
 * the only index, and lookups and upserts go through it.
 */
const CREATE_TABLES = ["budget_state", "prefix_state"].map(
  (table) => `CREATE TABLE IF NOT EXISTS ${table} (
  ${table === "budget_state" ? "source" : "prefix"} TEXT PRIMARY KEY,
  count INTEGER NOT NULL,
  last_seen INTEGER NOT NULL
) WITHOUT ROWID`,
);

/**
 * Opens the state tables in the SQLite file at `path` (its own connection;
 * WAL lets it share the file with the event sink). Throws UdpotError
 * "startup" when it cannot.
 */
export function openStateDb(path: string): StateStore {
  try {
    return new SqliteStateStore(path);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new UdpotError("startup", `cannot open the budget state in ${path}: ${why}`);
  }
}

class SqliteStateStore implements StateStore {
  readonly #path: string;
  #db!: Database;
  #upserts!: Record<StateTable, Statement>;
  #inode: number | null = null;

  constructor(path: string) {
    this.#path = path;
    this.#open();
  }

  reopenIfReplaced(): boolean {
    if (fileInode(this.#path) === this.#inode) return false;
    this.close();
    // Throws while the folder is missing: the save fails, is reported, and
    // the next one tries again.
    this.#open();
    return true;
  }

  #open(): void {
    const db = new Database(this.#path, { create: true });
    this.#db = db;
    try {
      db.run("PRAGMA journal_mode = WAL");
      db.run("PRAGMA synchronous = NORMAL");
      db.run("PRAGMA busy_timeout = 200");
      for (const sql of CREATE_TABLES) db.run(sql);
      this.#upserts = {
        budget_state: upsert(db, "budget_state"),
        prefix_state: upsert(db, "prefix_state"),
      };
    } catch (error) {
      db.close();
      throw error;
    }
    this.#inode = fileInode(this.#path);
  }

  load(table: StateTable, windowMs: number, now: number): StateRow[] {
    return this.#db
      .query<StateRow, [number]>(`SELECT * FROM ${table} WHERE last_seen > ?`)
      .values(now - windowMs) as StateRow[];
  }

  write(table: StateTable, rows: readonly StateRow[]): void {
    const statement = this.#upserts[table];
    this.#db.transaction(() => {
      for (const row of rows) statement.run(row[0], row[1], Math.round(row[2]));
    })();
  }

  prune(windowMs: number, now: number): void {
    for (const table of ["budget_state", "prefix_state"]) {
      this.#db.run(`DELETE FROM ${table} WHERE last_seen <= ?`, [now - windowMs]);
    }
  }

  close(): void {
    // Unfinalized statements keep SQLite's descriptors open after close.
    for (const statement of Object.values(this.#upserts)) statement.finalize();
    this.#db.close();
  }
}

function upsert(db: Database, table: StateTable): Statement {
  return db.prepare(`INSERT OR REPLACE INTO ${table} VALUES (?, ?, ?)`);
}

/** The file's inode now; null when it is gone. */
function fileInode(path: string): number | null {
  return statSync(path, { throwIfNoEntry: false })?.ino ?? null;
}
