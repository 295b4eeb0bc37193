import { describe, expect, test } from "bun:test";
import { UdpotError } from "../../src/errors.ts";
import { openSinks } from "../../src/server/open-sinks.ts";
import { isUnreachable } from "../../src/sinks/sql-errors.ts";
import { openSqlSink } from "../../src/sinks/sql-sink.ts";
import { mariadbColumns, mariadbRows, onMariaDb } from "../helpers/mariadb.ts";
import { mariadbOrWarn, mariadbSuite } from "../helpers/server-suites.ts";
import { testConfig } from "../helpers/test-server.ts";
import {
  MALFORMED_BYTES,
  MALFORMED_ROW,
  MALFORMED_TCP_EVENT,
  malformedEvent,
  SAMPLE_ROW,
  sampleEvent,
} from "../unit/sink-fixtures.ts";

const TOOLS = mariadbOrWarn("sink-mariadb");

/**
 * The old tool's table on MySQL. SQLAlchemy's `String` has no length and
 * MySQL wants one, so such tables were made with a length given by hand.
 */
const OLD_TABLE = `CREATE TABLE dns (
\tid INTEGER NOT NULL AUTO_INCREMENT,
\ttransport VARCHAR(255),
\tsrc VARCHAR(255),
\tsrc_port INTEGER,
\tdns_name VARCHAR(255),
\tdns_type VARCHAR(255),
\tdns_cls VARCHAR(255),
\tcreated_at DATETIME,
\tPRIMARY KEY (id)
)`;

const varchar = (name: string) => [name, "varchar(255)"];
const int = (name: string) => [name, "int(11)"];
const OLD_COLUMNS = [
  int("id"),
  ...["transport", "src"].map(varchar),
  int("src_port"),
  ...["dns_name", "dns_type", "dns_cls"].map(varchar),
  ["created_at", "datetime"],
];
const NEW_COLUMNS = [
  varchar("action"),
  ...["dns_id", "opcode"].map(int),
  varchar("flags"),
  int("qdcount"),
  ["questions", "longtext"], // MariaDB's JSON
  int("edns_udp_size"),
  ["edns_do", "tinyint(1)"],
  varchar("edns_ecs"),
  ["edns_cookie", "tinyint(1)"],
  ...["query_size"].map(int),
  varchar("rcode"),
  int("response_size"),
  ["upstream_ms", "double"],
  ["error", "text"],
  ["raw", "longblob"],
  int("trailing_bytes"),
  varchar("limited_by"),
  varchar("sensor"),
];

const mysqlError = (errno: number, sqlState: string) => ({
  code: "ERR_MYSQL_SERVER_ERROR",
  errno,
  sqlState,
});

describe("without a server", () => {
  test.each([
    ["connection refused", true, { code: "ERR_MYSQL_CONNECTION_REFUSED" }],
    ["too many connections", true, mysqlError(1040, "08004")],
    ["server shutting down", true, mysqlError(1053, "08S01")],
    ["lock wait timeout", true, mysqlError(1205, "HY000")],
    ["deadlock", true, mysqlError(1213, "40001")],
    ["access denied", false, mysqlError(1045, "28000")],
    ["no such database", false, mysqlError(1049, "42000")],
    ["no right to create the table", false, mysqlError(1142, "42000")],
  ])("%s: unreachable is %p", (_, expected, error) => {
    expect(isUnreachable(error)).toBe(expected);
  });

  test.each([
    ["mysql://honey:pot-secret@127.0.0.1/", "mysql://honey:***@127.0.0.1/", "mysql"],
    ["mariadb://honey:pot-secret@127.0.0.1", "mariadb://honey:***@127.0.0.1", "mariadb"],
  ])("%s names no database: a start-up error, password hidden", async (url, shown, name) => {
    const failure = openSinks(testConfig(53, { database: { kind: "mysql", url } }));
    await expect(failure).rejects.toThrow(UdpotError);
    await expect(failure).rejects.toThrow(
      `cannot use database ${shown}: the URL names no database, as in ${name}://user@host/honeypot`,
    );
  });
});

describe.skipIf(TOOLS === null)("with a MariaDB server", () => {
  // MySQL 5.7's default statement limit, a quarter of MariaDB's.
  const mariadb = mariadbSuite(TOOLS, { maxAllowedPacket: "4M" });
  const { freshDatabase } = mariadb;

  describe("schema", () => {
    test("a new table: the old tool's columns, 64-bit id, then the new ones", async () => {
      const url = await freshDatabase();
      const sink = await openSqlSink(url, { sensor: "s1" });
      await sink.close();
      expect(await mariadbColumns(url)).toEqual([
        ["id", "bigint(20)"],
        ...["transport", "src"].map(varchar),
        int("src_port"),
        ["dns_name", "varchar(1024)"], // the longest name shown with \DDD escapes
        ...["dns_type", "dns_cls"].map(varchar),
        ["created_at", "datetime(6)"],
        ...NEW_COLUMNS,
      ]);
    });

    test("an old tool's table is upgraded in place, no row lost", async () => {
      const url = await freshDatabase();
      const before = await onMariaDb(url, async (sql) => {
        await sql.unsafe(OLD_TABLE);
        await sql.unsafe(`INSERT INTO dns (src, src_port, dns_name, dns_type, dns_cls, created_at)
          VALUES ('198.51.100.1', 1111, 'old.example', 'A', 'IN', '2019-05-01 12:00:00'),
                 ('198.51.100.2', 2222, 'older.example', 'TXT', 'CH', '2019-05-01 12:00:01')`);
        return await sql`SELECT * FROM dns ORDER BY id`;
      });

      const sink = await openSqlSink(url, { sensor: "s1" });
      sink.write(sampleEvent());
      await sink.close();

      expect(await mariadbColumns(url)).toEqual([...OLD_COLUMNS, ...NEW_COLUMNS]);
      const after = await onMariaDb(url, (sql) => sql`SELECT * FROM dns ORDER BY id`);
      const nulls = Object.fromEntries(NEW_COLUMNS.map(([name]) => [name, null]));
      expect(after.slice(0, 2)).toEqual(before.map((row: object) => ({ ...nulls, ...row })));
      // The old DATETIME column keeps whole seconds: MariaDB cuts the rest.
      const added = (await mariadbRows(url)).slice(2);
      expect(added.map((r) => [r.id, r.src, r.created_at, r.sensor])).toEqual([
        [3, "192.0.2.7", "2026-01-06 10:30:45.000000", "s1"],
      ]);
    });

    test("sensors that start together all find the table ready", async () => {
      const url = await freshDatabase();
      const sinks = await Promise.all(
        ["a", "b", "c", "d"].map((sensor) => openSqlSink(url, { sensor })),
      );
      expect(sinks.map((sink) => sink.ready)).toEqual([true, true, true, true]);
      await Promise.all(sinks.map((sink) => sink.close()));
      expect((await mariadbColumns(url)).length).toBe(OLD_COLUMNS.length + NEW_COLUMNS.length);
    });

    test("once the table is complete, a sensor allowed only INSERT writes to it", async () => {
      const url = await freshDatabase();
      await (await openSqlSink(url, { sensor: "owner" })).close();
      const database = url.slice(url.lastIndexOf("/") + 1);
      await onMariaDb(mariadb.server.rootUrl("mysql"), async (sql) => {
        await sql.unsafe(`CREATE USER 'sensor'@'127.0.0.1' IDENTIFIED BY 'insert-only'`);
        await sql.unsafe(`GRANT INSERT ON ${database}.dns TO 'sensor'@'127.0.0.1'`);
      });
      const sensorUrl = `mysql://sensor:insert-only@127.0.0.1:${mariadb.server.port}/${database}`;
      const sink = await openSqlSink(sensorUrl, { sensor: "s1" });
      sink.write(sampleEvent());
      await sink.close();
      expect((await mariadbRows(url)).map((row) => row.sensor)).toEqual(["s1"]);
    });

    test("a table with columns of other types is a start-up error naming them", async () => {
      const url = await freshDatabase();
      await onMariaDb(url, (sql) =>
        sql.unsafe(`${OLD_TABLE.slice(0, -2)},\n\tedns_do VARCHAR(5), upstream_ms FLOAT)`),
      );
      const failure = openSqlSink(url, { sensor: "s1" });
      await expect(failure).rejects.toThrow(UdpotError);
      await expect(failure).rejects.toThrow(
        "table dns has columns udpot cannot write: edns_do is varchar (udpot writes BOOLEAN); " +
          "upstream_ms is float (udpot writes DOUBLE)",
      );
    });
  });

  describe("writing", () => {
    test("whole events read back with every column", async () => {
      const url = await freshDatabase();
      const sink = await openSqlSink(url, { sensor: "edge-1" });
      sink.write(sampleEvent());
      sink.write(malformedEvent(MALFORMED_TCP_EVENT));
      await sink.close();
      const [relayed, malformed] = await mariadbRows(url);
      expect(relayed).toEqual({
        ...SAMPLE_ROW,
        questions: [{ name: "www.example", type: "A", cls: "IN" }],
        edns_do: 1,
        edns_cookie: 0,
        sensor: "edge-1",
      });
      expect(malformed).toEqual({
        ...MALFORMED_ROW,
        questions: [],
        raw: Buffer.from(MALFORMED_BYTES),
        sensor: "edge-1",
      });
    });

    test("a name longer than an old VARCHAR(255) is cut to fit; the batch is written", async () => {
      const url = await freshDatabase();
      await onMariaDb(url, (sql) => sql.unsafe(OLD_TABLE));
      // 248 bytes in 4 labels, each byte shown as \DDD: 995 characters.
      const long = Array.from({ length: 4 }, () => "\\255".repeat(62)).join(".");
      const sink = await openSqlSink(url, { sensor: "s1" });
      sink.write(sampleEvent({ src_port: 1, dns_name: long }));
      sink.write(sampleEvent({ src_port: 2 }));
      await sink.close();
      const rows = await mariadbRows(url);
      expect(rows.map((r) => [r.src_port, r.dns_name])).toEqual([
        [1, long.slice(0, 255)],
        [2, "www.example"],
      ]);
    });

    test("large malformed messages go in INSERTs that fit the server's packet limit", async () => {
      const url = await freshDatabase();
      const sink = await openSqlSink(url, { sensor: "s1" });
      const raw = Buffer.alloc(65_535, 0xab).toString("base64");
      const count = 100; // 6.5 MB of bytes, over the 4 MB limit in one INSERT
      for (let i = 0; i < count; i++) sink.write(malformedEvent({ src_port: i, raw }));
      await sink.close();
      const rows = await onMariaDb(url, (sql) => sql`SELECT src_port, LENGTH(raw) AS n FROM dns`);
      expect(rows.map((r: { src_port: number; n: number }) => [r.src_port, r.n])).toEqual(
        Array.from({ length: count }, (_, i) => [i, 65_535]),
      );
    });
  });
});
