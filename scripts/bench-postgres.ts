/**
 * How fast events go into PostgreSQL: starts a throw-away server on
 * 127.0.0.1 (fsync on, as in production), then times ways of inserting
 * the same synthetic events and prints rows per second for each:
 *
 * - `sql(rows)`: Bun.SQL's bulk helper, one INSERT per batch (the sink's way)
 * - `VALUES $n`: the same INSERT written out by hand, through `sql.unsafe`
 * - `unnest`: one array parameter per column, one statement text for every
 *   batch size (PostgreSQL only)
 * - `sink`: the real path, Recorder -> SqlSink, fed as packets arrive
 *
 *   bun scripts/bench-postgres.ts [events] [batch]   (default 200,000 and 2,000)
 *
 * Needs the PostgreSQL server binaries (Debian: apt-get install postgresql).
 */
import { SQL } from "bun";
import type { QueryEvent } from "../src/event/query-event.ts";
import { Recorder } from "../src/sinks/recorder.ts";
import { eventRow, SQL_COLUMNS, type SqlRow } from "../src/sinks/sql-columns.ts";
import { POSTGRES } from "../src/sinks/sql-dialect.ts";
import { prepareTable } from "../src/sinks/sql-schema.ts";
import { openSqlSink } from "../src/sinks/sql-sink.ts";
import { postgresBinDir, startPostgres } from "../tests/helpers/postgres.ts";
import { syntheticEvent } from "./bench-events.ts";

const total = Number(process.argv[2] ?? 200_000);
const batchSize = Number(process.argv[3] ?? 2000);
const SENSOR = "bench";

type Insert = (sql: SQL, rows: SqlRow[]) => Promise<unknown>;

const NAMES = SQL_COLUMNS.map((c) => c.name);

const bulkHelper: Insert = (sql, rows) => sql`INSERT INTO dns ${sql(rows)}`;

const handValues: Insert = (sql, rows) => {
  const params: unknown[] = [];
  const tuples = rows.map((row) => {
    const marks = NAMES.map((name) => {
      const value = row[name];
      params.push(name === "questions" ? JSON.stringify(value) : value);
      return `$${params.length}`;
    });
    return `(${marks.join(",")})`;
  });
  return sql.unsafe(`INSERT INTO dns (${NAMES.join(",")}) VALUES ${tuples.join(",")}`, params);
};

const unnestArrays: Insert = (sql, rows) => {
  const arrays = SQL_COLUMNS.map((c) =>
    rows.map((row) => {
      const value = row[c.name];
      return c.name === "questions" ? JSON.stringify(value) : value;
    }),
  );
  const casts = SQL_COLUMNS.map((c, i) => `$${i + 1}::${arrayType(POSTGRES.types[c.kind])}[]`).join(
    ",",
  );
  const picks = NAMES.map((name) => (name === "questions" ? "questions::jsonb" : name));
  return sql.unsafe(
    `INSERT INTO dns (${NAMES.join(",")}) SELECT ${picks.join(",")} ` +
      `FROM unnest(${casts}) AS u(${NAMES.join(",")})`,
    arrays,
  );
};

/** The array element type to bind a column as; JSON goes as text and is cast after. */
function arrayType(type: string): string {
  return type === "JSONB" ? "text" : type.toLowerCase();
}

async function timeInsert(sql: SQL, events: QueryEvent[], insert: Insert): Promise<number> {
  await sql`TRUNCATE dns`;
  const start = performance.now();
  for (let i = 0; i < events.length; i += batchSize) {
    const rows = events.slice(i, i + batchSize).map((e) => eventRow(e, SENSOR));
    await insert(sql, rows);
  }
  return events.length / ((performance.now() - start) / 1000);
}

/** Events fed in slices with a turn of the event loop between, as packets arrive. */
async function timeSink(url: string, events: QueryEvent[]): Promise<number> {
  const sink = await openSqlSink(url, { sensor: SENSOR });
  // Room for every event: this measures how fast the sink drains, not what it drops.
  const recorder = new Recorder([sink], { batchSize, flushMs: 200, maxPending: events.length });
  const start = performance.now();
  for (let i = 0; i < events.length; i += 500) {
    for (const event of events.slice(i, i + 500)) recorder.record(event);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await recorder.close();
  const rate = events.length / ((performance.now() - start) / 1000);
  const [stats] = recorder.stats();
  if (stats?.written !== events.length) throw new Error(`sink wrote ${JSON.stringify(stats)}`);
  return rate;
}

const ROUNDS = 3;
const WAYS: [string, Insert][] = [
  ["sql(rows)", bulkHelper],
  ["VALUES $n", handValues],
  ["unnest", unnestArrays],
];

const bin = postgresBinDir();
if (bin === null) {
  console.error("no PostgreSQL server binaries under /usr/lib/postgresql");
  process.exit(1);
}
const pg = await startPostgres(bin, { durable: true });
try {
  const events = Array.from({ length: total }, (_, i) => syntheticEvent(i, Date.now() * 1000));
  const sql = new SQL(pg.url, { max: 1 });
  await prepareTable(sql, POSTGRES);
  // Best of ROUNDS, interleaved, so no way gains from a warmer server or JIT.
  const best = new Map<string, number>();
  const keep = (name: string, rate: number) => best.set(name, Math.max(rate, best.get(name) ?? 0));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, insert] of WAYS) keep(name, await timeInsert(sql, events, insert));
    await sql`TRUNCATE dns`;
    keep("sink", await timeSink(pg.url, events));
  }
  await sql.close();
  console.log(`${total} events, ${batchSize} rows per INSERT, PostgreSQL on 127.0.0.1, fsync on`);
  console.log(`best of ${ROUNDS} rounds:`);
  for (const [name, rate] of best) {
    console.log(`${name.padEnd(10)} ${Math.round(rate).toLocaleString("en-US")} rows/s`);
  }
} finally {
  await pg.destroy();
}
