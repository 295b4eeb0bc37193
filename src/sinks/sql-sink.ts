import { hostname } from "node:os";
import { SQL } from "bun";
import { redactDatabaseUrl } from "../cli/database-url.ts";
import { UdpotError } from "../errors.ts";
import type { QueryEvent } from "../event/query-event.ts";
import { sinkLog } from "./failure-reports.ts";
import { estimateEventBytes } from "./pending-bytes.ts";
import type { Sink } from "./sink.ts";
import {
  eventRow,
  MAX_BYTES_PER_INSERT,
  MAX_ROWS_PER_INSERT,
  type SqlRow,
  type TextLimits,
} from "./sql-columns.ts";
import { type Dialect, dialectOf, POSTGRES } from "./sql-dialect.ts";
import { describeSqlError, isUnreachable, NoAnswerError } from "./sql-errors.ts";
import { prepareTable } from "./sql-schema.ts";

export interface SqlSinkOptions {
  /** Stored in every row's `sensor` column, so a fleet's rows can be told apart. */
  sensor: string;
  /** Seconds one connection attempt may take (default 5). */
  connectTimeoutSec?: number;
  /**
   * Longest wait for the server to answer one statement (default 30,000).
   * Past it the connection is dropped and a new one made on the next try:
   * a server that froze, or a network that silently lost the connection,
   * would otherwise hold the sink until TCP gave up, many minutes later.
   */
  answerTimeoutMs?: number;
  /** Longest wait of `close` for the last rows (default 5,000). */
  closeTimeoutMs?: number;
  /** Milliseconds clock for the retry back-off; tests replace it. */
  now?: () => number;
}

/** Events to the `dns` table of a PostgreSQL, MySQL or MariaDB server, shared by a fleet. */
export interface SqlSink extends Sink {
  /** The URL with its password hidden, for messages. */
  readonly where: string;
  readonly sensor: string;
  /** The table was found or made: false while the server was never reached. */
  readonly ready: boolean;
}

/** After a failed flush the next try waits this long, doubling up to the maximum. */
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 15_000;

/**
 * Connects, then creates or upgrades the `dns` table. A server that cannot
 * be reached yet (down, restarting, no route) is not an error: udpot starts,
 * warns, and the first flush that reaches it makes the table. A server that
 * answers no (wrong password, no such database, no right to create the
 * table) throws `UdpotError` "startup", as retrying would not help.
 */
export async function openSqlSink(url: string, opts: SqlSinkOptions): Promise<SqlSink> {
  const where = redactDatabaseUrl(url);
  const dialect = dialectOf(url);
  const connect = clientMaker(url, dialect, opts);
  let sink: ServerSink;
  try {
    sink = new ServerSink(connect, dialect, where, opts);
  } catch (error) {
    throw new UdpotError("startup", `cannot use database ${where}: ${describeSqlError(error)}`);
  }
  try {
    await sink.prepare();
  } catch (error) {
    if (!isUnreachable(error)) {
      await sink.disconnect();
      throw new UdpotError("startup", `cannot use database ${where}: ${describeSqlError(error)}`);
    }
    sinkLog().warn(
      `cannot reach database ${where}: ${describeSqlError(error)}; starting anyway, ` +
        "events wait in memory until it can be reached",
    );
  }
  return sink;
}

/** Makes the sink's clients; throws `UdpotError` for a MySQL URL without a database. */
function clientMaker(url: string, dialect: Dialect, opts: SqlSinkOptions): () => SQL {
  const database = databaseOf(url);
  if (database === "" && dialect !== POSTGRES) {
    // Bun would pick MySQL's own `mysql` database, or none on MariaDB.
    const example = `${dialect.name}://user@host/honeypot`;
    const where = redactDatabaseUrl(url);
    throw new UdpotError(
      "startup",
      `cannot use database ${where}: the URL names no database, as in ${example}`,
    );
  }
  return () =>
    new SQL(url, {
      // One connection per sensor: a fleet of them must not exhaust the
      // server's connection slots, and the sink writes one batch at a time.
      max: 1,
      // Bun lets PGDATABASE or MYSQL_DATABASE override the URL's database;
      // the option wins over both.
      ...(database ? { database } : {}),
      connectionTimeout: opts.connectTimeoutSec ?? 5,
      ...dialect.clientOptions,
    });
}

/**
 * The sensor's name for the `sensor` column: `UDPOT_SENSOR` when set, else
 * the machine's host name.
 */
export function sensorName(env: Record<string, string | undefined> = process.env): string {
  const named = env.UDPOT_SENSOR?.trim();
  return named ? named : hostname();
}

/** The database named in the URL's path, or "" when it names none. */
function databaseOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname.slice(1));
  } catch {
    return "";
  }
}

class ServerSink implements SqlSink {
  readonly name: string;
  readonly sensor: string;
  #events: QueryEvent[] = [];
  #ready = false;
  /** Text columns' lengths, known once the table is prepared. */
  #limits: TextLimits = new Map();
  /** The client in use; replaced by a new one from `#connect` when one hangs. */
  #sql: SQL;
  readonly #connect: () => SQL;
  readonly #dialect: Dialect;
  #flushing: Promise<void> | null = null;
  #retryAt = 0;
  #retryDelay = 0;
  readonly #answerTimeoutMs: number;
  readonly #closeTimeoutMs: number;
  readonly #now: () => number;

  constructor(
    connect: () => SQL,
    dialect: Dialect,
    readonly where: string,
    opts: SqlSinkOptions,
  ) {
    this.name = dialect.name;
    this.#dialect = dialect;
    this.#connect = connect;
    this.#sql = connect();
    this.sensor = opts.sensor;
    this.#answerTimeoutMs = opts.answerTimeoutMs ?? 30_000;
    this.#closeTimeoutMs = opts.closeTimeoutMs ?? 5000;
    this.#now = opts.now ?? Date.now;
  }

  get ready(): boolean {
    return this.#ready;
  }

  write(event: QueryEvent): void {
    this.#events.push(event);
  }

  pending(): number {
    return this.#events.length;
  }

  /** Creates or upgrades the table; throws the driver's error. */
  async prepare(): Promise<void> {
    this.#limits = await this.#answered(prepareTable(this.#sql, this.#dialect));
    this.#ready = true;
  }

  /**
   * Writes what is buffered, in INSERTs of at most `MAX_ROWS_PER_INSERT`
   * rows and about `MAX_BYTES_PER_INSERT` bytes. Each INSERT commits on its
   * own and its rows leave the buffer only then: a failure keeps every row
   * not yet committed for the next flush.
   * After a failure, flushes throw without trying until the back-off ends.
   */
  flush(): Promise<void> {
    return this.#serialized(() => this.#writeBuffered(false));
  }

  /** One last try (back-off or not), bounded in time; then the connection closes. */
  async close(): Promise<void> {
    const last = this.#serialized(() => this.#writeBuffered(true));
    last.catch(() => {}); // the race below reports it
    const limit = Promise.withResolvers<never>();
    const timer = setTimeout(() => {
      limit.reject(new Error(`gave up on ${this.where} after ${this.#closeTimeoutMs} ms`));
    }, this.#closeTimeoutMs);
    try {
      await Promise.race([last, limit.promise]);
    } finally {
      clearTimeout(timer);
      await this.disconnect();
    }
  }

  /** Closes the connection at once; a statement still running fails. */
  async disconnect(): Promise<void> {
    await this.#sql.close({ timeout: 0 });
  }

  /** One write at a time: a caller during a write waits for it, then runs. */
  #serialized(run: () => Promise<void>): Promise<void> {
    const previous = this.#flushing ?? Promise.resolve();
    const next = previous.catch(() => {}).then(run);
    const tracked = next.finally(() => {
      if (this.#flushing === tracked) this.#flushing = null;
    });
    this.#flushing = tracked;
    return tracked;
  }

  async #writeBuffered(ignoreBackoff: boolean): Promise<void> {
    if (this.#events.length === 0) return;
    const now = this.#now();
    if (!ignoreBackoff && now < this.#retryAt) {
      throw new Error(`${this.where}: waiting ${this.#retryAt - now} ms before trying again`);
    }
    try {
      if (!this.#ready) await this.prepare();
      // Only what is here now: events that arrive meanwhile wait for the next flush.
      let left = this.#events.length;
      while (left > 0) {
        const rows = this.#nextRows(left);
        await this.#answered(this.#sql`INSERT INTO dns ${this.#sql(rows)}`);
        this.#events.splice(0, rows.length);
        left -= rows.length;
      }
    } catch (error) {
      this.#retryDelay = Math.min(RETRY_MAX_MS, Math.max(RETRY_FIRST_MS, this.#retryDelay * 2));
      this.#retryAt = this.#now() + this.#retryDelay;
      throw new Error(`cannot write to ${this.where}: ${describeSqlError(error)}`, {
        cause: error,
      });
    }
    this.#retryDelay = 0;
    this.#retryAt = 0;
  }

  /** Rows for the oldest events, at most `count`, within one INSERT's bounds; at least one. */
  #nextRows(count: number): SqlRow[] {
    const rows: SqlRow[] = [];
    let bytes = 0;
    for (const event of this.#events) {
      if (rows.length === Math.min(count, MAX_ROWS_PER_INSERT)) break;
      bytes += estimateEventBytes(event);
      if (rows.length > 0 && bytes > MAX_BYTES_PER_INSERT) break;
      rows.push(eventRow(event, this.sensor, this.#limits));
    }
    return rows;
  }

  /**
   * `work`'s result, or a `NoAnswerError` once the answer timeout passes.
   * Then the connection is dropped (failing `work`) and the next statement
   * gets a new one. Whether a dropped INSERT committed cannot be known: it
   * is written again, so a row may be stored twice but is never lost.
   */
  async #answered<T>(work: PromiseLike<T>): Promise<T> {
    const late = Promise.withResolvers<never>();
    const timer = setTimeout(() => {
      const stuck = this.#sql;
      this.#sql = this.#connect();
      stuck.close({ timeout: 0 }).catch(() => {});
      late.reject(new NoAnswerError(`no answer within ${this.#answerTimeoutMs} ms`));
    }, this.#answerTimeoutMs);
    const running = Promise.resolve(work);
    running.catch(() => {}); // after a timeout its failure is expected and unread
    try {
      return await Promise.race([running, late.promise]);
    } finally {
      clearTimeout(timer);
    }
  }
}
