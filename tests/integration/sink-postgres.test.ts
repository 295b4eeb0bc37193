import { describe, expect, test } from "bun:test";
import { hostname } from "node:os";
import { isUnreachable } from "../../src/sinks/sql-errors.ts";
import { openSqlSink, sensorName } from "../../src/sinks/sql-sink.ts";
import { dnsColumns, dnsRows, OLD_TOOL_TABLE, onDatabase } from "../helpers/postgres.ts";
import { postgresOrWarn, postgresSuite } from "../helpers/server-suites.ts";
import {
  MALFORMED_BYTES,
  MALFORMED_ROW,
  MALFORMED_TCP_EVENT,
  malformedEvent,
  SAMPLE_ROW,
  sampleEvent,
} from "../unit/sink-fixtures.ts";

const BIN = postgresOrWarn("sink-postgres");

const OLDEST_TABLE = OLD_TOOL_TABLE.replace("\ttransport VARCHAR,\n", "");

const OLD_COLUMNS = [
  ["id", "integer"],
  ["transport", "character varying"],
  ["src", "character varying"],
  ["src_port", "integer"],
  ["dns_name", "character varying"],
  ["dns_type", "character varying"],
  ["dns_cls", "character varying"],
  ["created_at", "timestamp without time zone"],
];
const NEW_COLUMNS = [
  ["action", "text"],
  ["dns_id", "integer"],
  ["opcode", "integer"],
  ["flags", "text"],
  ["qdcount", "integer"],
  ["questions", "jsonb"],
  ["edns_udp_size", "integer"],
  ["edns_do", "boolean"],
  ["edns_ecs", "text"],
  ["edns_cookie", "boolean"],
  ["query_size", "integer"],
  ["rcode", "text"],
  ["response_size", "integer"],
  ["upstream_ms", "double precision"],
  ["error", "text"],
  ["raw", "bytea"],
  ["trailing_bytes", "integer"],
  ["limited_by", "text"],
  ["sensor", "text"],
];

/** A table udpot creates: the same columns, with a 64-bit id. */
const NEW_TABLE = [["id", "bigint"], ...OLD_COLUMNS.slice(1), ...NEW_COLUMNS];

const serverError = (errno: string) => ({ code: "ERR_POSTGRES_SERVER_ERROR", errno });

describe("without a server", () => {
  test.each([
    ["connection refused", true, { code: "ERR_POSTGRES_CONNECTION_REFUSED" }],
    ["connection timeout", true, { code: "ERR_POSTGRES_CONNECTION_TIMEOUT" }],
    ["connection reset", true, { code: "ECONNRESET" }],
    ["server starting up", true, serverError("57P03")],
    ["too many connections", true, serverError("53300")],
    ["wrong password", false, serverError("28P01")],
    ["no such database", false, serverError("3D000")],
    ["no right to create the table", false, serverError("42501")],
    ["certificate not trusted", false, { code: "DEPTH_ZERO_SELF_SIGNED_CERT" }],
    ["bad option", false, new TypeError("bad option")],
  ])("%s: unreachable is %p", (_, expected, error) => {
    expect(isUnreachable(error)).toBe(expected);
  });

  test("the sensor is UDPOT_SENSOR when set, else the host name", () => {
    expect([
      sensorName({ UDPOT_SENSOR: "edge-7" }),
      sensorName({ UDPOT_SENSOR: " " }),
      sensorName({}),
    ]).toEqual(["edge-7", hostname(), hostname()]);
  });
});

describe.skipIf(BIN === null)("with a PostgreSQL server", () => {
  const postgres = postgresSuite(BIN);
  const { freshDatabase } = postgres;

  describe("schema", () => {
    test("a new table has the old tool's columns, then the new ones and sensor", async () => {
      const url = await freshDatabase();
      const sink = await openSqlSink(url, { sensor: "s1" });
      await sink.close();
      expect(await dnsColumns(url)).toEqual(NEW_TABLE);
    });

    test("a new table's id is 64 bits: numbers past 2^31 are written", async () => {
      const url = await freshDatabase();
      const sink = await openSqlSink(url, { sensor: "s1" });
      await onDatabase(url, (sql) => sql`ALTER SEQUENCE dns_id_seq RESTART WITH 3000000000`);
      sink.write(sampleEvent());
      await sink.close();
      const [row] = await onDatabase(url, (sql) => sql`SELECT id::text AS id FROM dns`);
      expect(row).toEqual({ id: "3000000000" });
    });

    test.each([
      ["with transport", OLD_TOOL_TABLE, OLD_COLUMNS],
      ["without transport", OLDEST_TABLE, OLD_COLUMNS.filter(([name]) => name !== "transport")],
    ])("an old tool's table %s is upgraded in place, no row lost", async (_, create, old) => {
      const url = await freshDatabase();
      const before = await onDatabase(url, async (sql) => {
        await sql.unsafe(create);
        await sql.unsafe(`INSERT INTO dns (src, src_port, dns_name, dns_type, dns_cls, created_at)
          VALUES ('198.51.100.1', 1111, 'old.example', 'A', 'IN', '2019-05-01 12:00:00.000001'),
                 ('198.51.100.2', 2222, 'older.example', 'TXT', 'CH', '2019-05-01 12:00:01.5')`);
        return await sql`SELECT * FROM dns ORDER BY id`;
      });

      const sink = await openSqlSink(url, { sensor: "s1" });
      sink.write(sampleEvent());
      await sink.close();

      const added = old.length === OLD_COLUMNS.length ? [] : [["transport", "character varying"]];
      expect(await dnsColumns(url)).toEqual([...old, ...added, ...NEW_COLUMNS]);
      const after = await onDatabase(url, (sql) => sql`SELECT * FROM dns ORDER BY id`);
      const nulls = Object.fromEntries([...added, ...NEW_COLUMNS].map(([name]) => [name, null]));
      expect(after.slice(0, 2)).toEqual(before.map((row: object) => ({ ...nulls, ...row })));
      expect(after.slice(2).map((r: Record<string, unknown>) => [r.id, r.src, r.sensor])).toEqual([
        [3, "192.0.2.7", "s1"],
      ]);
    });

    test("sensors that start together all find the table ready", async () => {
      const url = await freshDatabase();
      const sinks = await Promise.all(
        ["a", "b", "c", "d"].map((sensor) => openSqlSink(url, { sensor })),
      );
      expect(sinks.map((sink) => sink.ready)).toEqual([true, true, true, true]);
      await Promise.all(sinks.map((sink) => sink.close()));
      expect(await dnsColumns(url)).toEqual(NEW_TABLE);
    });
  });

  describe("writing", () => {
    test("whole events read back with every column", async () => {
      const url = await freshDatabase();
      const sink = await openSqlSink(url, { sensor: "edge-1" });
      sink.write(sampleEvent());
      sink.write(malformedEvent(MALFORMED_TCP_EVENT));
      expect(await dnsRows(url)).toEqual([]);
      await sink.flush();
      expect(sink.pending()).toBe(0);
      await sink.close();

      expect(await dnsRows(url)).toEqual([
        {
          ...SAMPLE_ROW,
          questions: [{ name: "www.example", type: "A", cls: "IN" }],
          edns_do: true,
          edns_cookie: false,
          sensor: "edge-1",
        },
        { ...MALFORMED_ROW, questions: [], raw: Buffer.from(MALFORMED_BYTES), sensor: "edge-1" },
      ]);
    });

    test("the URL's database wins over PGDATABASE in the environment", async () => {
      const url = await freshDatabase();
      process.env.PGDATABASE = "postgres";
      try {
        const sink = await openSqlSink(url, { sensor: "s1" });
        sink.write(sampleEvent());
        await sink.close();
      } finally {
        delete process.env.PGDATABASE;
      }
      expect((await dnsRows(url)).length).toBe(1);
    });

    test("a backlog larger than one INSERT takes is written whole", async () => {
      const url = await freshDatabase();
      const sink = await openSqlSink(url, { sensor: "s1" });
      const count = 5003;
      for (let i = 0; i < count; i++) sink.write(sampleEvent({ src_port: i }));
      await sink.flush();
      await sink.close();
      const ports = await onDatabase(url, (sql) => sql`SELECT src_port FROM dns ORDER BY id`);
      expect(ports.map((r: { src_port: number }) => r.src_port)).toEqual(
        Array.from({ length: count }, (_, i) => i),
      );
    });
  });
});
