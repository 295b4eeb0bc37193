import { Database } from "bun:sqlite";
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import { join } from "node:path";
import { UdpotError } from "../../src/errors.ts";
import { openSqliteSink } from "../../src/sinks/sqlite-sink.ts";
import {
  MALFORMED_BYTES,
  MALFORMED_ROW,
  MALFORMED_TCP_EVENT,
  malformedEvent,
  SAMPLE_ROW,
  sampleEvent,
  tempDir,
} from "./sink-fixtures.ts";

/** The old tool's table, as SQLAlchemy created it. */
const OLD_TABLE = `CREATE TABLE dns (
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
const OLDEST_TABLE = OLD_TABLE.replace("\ttransport VARCHAR,\n", "");

const OLD_COLUMNS = [
  ["id", "INTEGER"],
  ["transport", "VARCHAR"],
  ["src", "VARCHAR"],
  ["src_port", "INTEGER"],
  ["dns_name", "VARCHAR"],
  ["dns_type", "VARCHAR"],
  ["dns_cls", "VARCHAR"],
  ["created_at", "DATETIME"],
];
const NEW_COLUMNS = [
  ["action", "TEXT"],
  ["dns_id", "INTEGER"],
  ["opcode", "INTEGER"],
  ["flags", "TEXT"],
  ["qdcount", "INTEGER"],
  ["questions", "TEXT"],
  ["edns_udp_size", "INTEGER"],
  ["edns_do", "INTEGER"],
  ["edns_ecs", "TEXT"],
  ["edns_cookie", "INTEGER"],
  ["query_size", "INTEGER"],
  ["rcode", "TEXT"],
  ["response_size", "INTEGER"],
  ["upstream_ms", "REAL"],
  ["error", "TEXT"],
  ["raw", "BLOB"],
  ["trailing_bytes", "INTEGER"],
  ["limited_by", "TEXT"],
];

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir("sqlite");
});
afterEach(() => dir.remove());

function columns(path: string): string[][] {
  const db = new Database(path, { readonly: true });
  const rows = db.query<{ name: string; type: string }, []>("PRAGMA table_info(dns)").all();
  db.close();
  return rows.map((row) => [row.name, row.type]);
}

/** Paths this process holds open below `dir` (Linux /proc). */
function openFilesUnder(dir: string): string[] {
  const targets: string[] = [];
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`, "utf8");
      if (target.startsWith(dir)) targets.push(target);
    } catch {
      // The descriptor readdir itself used is closed by now.
    }
  }
  return targets;
}

function rows(path: string): Record<string, unknown>[] {
  const db = new Database(path, { readonly: true });
  const all = db.query<Record<string, unknown>, []>("SELECT * FROM dns ORDER BY id").all();
  db.close();
  return all;
}

describe("schema", () => {
  test("a new database has the old columns, then the new ones, in order", () => {
    const path = join(dir.path, "db.sqlite3");
    openSqliteSink(path).close();
    expect(columns(path)).toEqual([...OLD_COLUMNS, ...NEW_COLUMNS]);
  });

  test("the journal is WAL", () => {
    const path = join(dir.path, "db.sqlite3");
    openSqliteSink(path).close();
    const db = new Database(path, { readonly: true });
    expect(db.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    db.close();
  });

  test.each([
    ["with transport", OLD_TABLE, OLD_COLUMNS],
    ["without transport", OLDEST_TABLE, OLD_COLUMNS.filter(([name]) => name !== "transport")],
  ])("an old database %s is upgraded in place, no row lost", (_, create, oldColumns) => {
    const path = join(dir.path, "old.sqlite3");
    const old = new Database(path);
    old.run(create);
    const insert = old.prepare(
      "INSERT INTO dns (src, src_port, dns_name, dns_type, dns_cls, created_at)" +
        " VALUES (?, ?, ?, ?, ?, ?)",
    );
    insert.run("198.51.100.1", 1111, "old.example", "A", "IN", "2019-05-01 12:00:00.000001");
    insert.run("198.51.100.2", 2222, "older.example", "TXT", "CH", "2019-05-01 12:00:01.5");
    const before = old.query("SELECT * FROM dns ORDER BY id").all();
    old.close();

    const sink = openSqliteSink(path);
    sink.write(sampleEvent());
    sink.close();

    const added = oldColumns.length === OLD_COLUMNS.length ? [] : [["transport", "VARCHAR"]];
    expect(columns(path)).toEqual([...oldColumns, ...added, ...NEW_COLUMNS]);
    const after = rows(path);
    const nulls = Object.fromEntries([...added, ...NEW_COLUMNS].map(([name]) => [name, null]));
    expect(after.slice(0, 2)).toEqual(
      before.map((row) => ({ ...nulls, ...(row as Record<string, unknown>) })),
    );
    expect(after.slice(2).map((row) => [row.id, row.src, row.action])).toEqual([
      [3, "192.0.2.7", "relayed"],
    ]);
  });
});

describe("writing", () => {
  test("a whole event reads back with every column", () => {
    const path = join(dir.path, "db.sqlite3");
    const sink = openSqliteSink(path);
    sink.write(sampleEvent());
    sink.write(malformedEvent(MALFORMED_TCP_EVENT));
    expect(sink.pending()).toBe(2);
    sink.flush();
    expect(sink.pending()).toBe(0);
    sink.close();

    expect(rows(path)).toEqual([
      {
        ...SAMPLE_ROW,
        questions: '[{"name":"www.example","type":"A","cls":"IN"}]',
        edns_do: 1,
        edns_cookie: 0,
      },
      { ...MALFORMED_ROW, questions: "[]", raw: new Uint8Array(MALFORMED_BYTES) },
    ]);
  });

  test("nothing is written before flush", () => {
    const path = join(dir.path, "db.sqlite3");
    const sink = openSqliteSink(path);
    sink.write(sampleEvent());
    expect(rows(path)).toEqual([]);
    sink.close();
    expect(rows(path)).toHaveLength(1);
  });

  test("close releases every file of the database", () => {
    const path = join(dir.path, "db.sqlite3");
    const sink = openSqliteSink(path);
    sink.write(sampleEvent());
    sink.close();
    expect(openFilesUnder(dir.path)).toEqual([]);
  });

  test("an in-memory database works", () => {
    const sink = openSqliteSink(":memory:");
    sink.write(sampleEvent());
    sink.flush();
    expect(sink.pending()).toBe(0);
    sink.close();
  });
});

describe("failures", () => {
  test("a database that cannot be opened is a startup error", () => {
    const path = join(dir.path, "missing", "db.sqlite3");
    expect(() => openSqliteSink(path)).toThrow(UdpotError);
    expect(() => openSqliteSink(path)).toThrow(`cannot open SQLite database ${path}`);
  });

  test("a deleted directory fails the flush, keeps the batch, and recovers", () => {
    const sub = join(dir.path, "data");
    mkdirSync(sub);
    const path = join(sub, "db.sqlite3");
    const sink = openSqliteSink(path);
    sink.write(sampleEvent({ src_port: 1 }));
    sink.flush();

    rmSync(sub, { recursive: true });
    sink.write(sampleEvent({ src_port: 2 }));
    expect(() => sink.flush()).toThrow(`cannot reopen ${path}`);
    expect(() => sink.flush()).toThrow(`cannot reopen ${path}`);
    expect(sink.pending()).toBe(1);

    mkdirSync(sub);
    sink.write(sampleEvent({ src_port: 3 }));
    sink.flush();
    expect(sink.pending()).toBe(0);
    sink.close();
    // The first event went down with the old file; the kept ones are in the new one.
    expect(rows(path).map((row) => row.src_port)).toEqual([2, 3]);
  });
});
