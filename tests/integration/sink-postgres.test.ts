import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { SQL } from "bun";
import { UdpotError } from "../../src/errors.ts";
import type { QueryEvent } from "../../src/event/query-event.ts";
import { openSinks } from "../../src/server/open-sinks.ts";
import { Recorder, type SinkNotice } from "../../src/sinks/recorder.ts";
import { isUnreachable } from "../../src/sinks/sql-errors.ts";
import { openSqlSink, type SqlSink, sensorName } from "../../src/sinks/sql-sink.ts";
import { sharedCorpus } from "../helpers/corpus.ts";
import { query, tcpExchange, udpExchange, waitUntil } from "../helpers/dns-client.ts";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream.ts";
import { freePort } from "../helpers/free-port.ts";
import {
  dnsColumns,
  dnsRows,
  onDatabase,
  PASSWORD_USER,
  type Postgres,
  postgresBinDir,
  startPostgres,
} from "../helpers/postgres.ts";
import { testConfig } from "../helpers/test-server.ts";
import { REPO, startUdpot, type UdpotProcess } from "../helpers/udpot-process.ts";
import { malformedEvent, sampleEvent, tempDir } from "../unit/sink-fixtures.ts";

const BIN = postgresBinDir();
if (BIN === null) {
  console.warn("sink-postgres: skipped, no PostgreSQL server binaries under /usr/lib/postgresql");
}

/** The old tool's table on PostgreSQL, as SQLAlchemy created it. */
const OLD_TABLE = `CREATE TABLE dns (
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
const OLDEST_TABLE = OLD_TABLE.replace("\ttransport VARCHAR,\n", "");

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
  ["sensor", "text"],
];

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

  test("a mysql:// URL is refused at start, password hidden", async () => {
    const config = testConfig(53, {
      database: { kind: "mysql", url: "mysql://honey:pot-secret@127.0.0.1/dns" },
    });
    const failure = openSinks(config);
    await expect(failure).rejects.toThrow(UdpotError);
    await expect(failure).rejects.toThrow(
      "mysql://honey:***@127.0.0.1/dns: only postgresql:// servers are supported yet",
    );
  });
});

describe.skipIf(BIN === null)("with a PostgreSQL server", () => {
  let pg: Postgres;
  let admin: SQL;
  let databases = 0;

  beforeAll(async () => {
    pg = await startPostgres(BIN as string);
    admin = new SQL(pg.url, { max: 1 });
  });
  afterAll(async () => {
    await admin?.close();
    await pg?.destroy();
  });

  /** A new empty database; its URL for the superuser. */
  async function freshDatabase(): Promise<string> {
    const name = `t${++databases}`;
    await admin.unsafe(`CREATE DATABASE ${name}`);
    return pg.url.replace(/\/postgres$/, `/${name}`);
  }

  /** A clock the test moves, so the retry back-off passes without waiting. */
  function testClock() {
    const clock = { ms: 0, now: () => clock.ms };
    return clock;
  }

  describe("schema", () => {
    test("a new table has the old tool's columns, then the new ones and sensor", async () => {
      const url = await freshDatabase();
      const sink = await openSqlSink(url, { sensor: "s1" });
      await sink.close();
      expect(await dnsColumns(url)).toEqual([...OLD_COLUMNS, ...NEW_COLUMNS]);
    });

    test.each([
      ["with transport", OLD_TABLE, OLD_COLUMNS],
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
      expect(await dnsColumns(url)).toEqual([...OLD_COLUMNS, ...NEW_COLUMNS]);
    });
  });

  describe("writing", () => {
    test("whole events read back with every column", async () => {
      const url = await freshDatabase();
      const sink = await openSqlSink(url, { sensor: "edge-1" });
      sink.write(sampleEvent());
      sink.write(malformedEvent({ transport: "TCP", src_ip: "2001:db8::1", trailing_bytes: 3 }));
      expect(await dnsRows(url)).toEqual([]);
      await sink.flush();
      expect(sink.pending()).toBe(0);
      await sink.close();

      expect(await dnsRows(url)).toEqual([
        {
          id: 1,
          transport: "UDP",
          src: "192.0.2.7",
          src_port: 54321,
          dns_name: "www.example",
          dns_type: "A",
          dns_cls: "IN",
          created_at: "2026-01-06 10:30:45.123456",
          action: "relayed",
          dns_id: 4660,
          opcode: 0,
          flags: "rd ad",
          qdcount: 1,
          questions: [{ name: "www.example", type: "A", cls: "IN" }],
          edns_udp_size: 1232,
          edns_do: true,
          edns_ecs: "198.51.100.0/24",
          edns_cookie: false,
          query_size: 52,
          rcode: "NOERROR",
          response_size: 68,
          upstream_ms: 12.25,
          error: null,
          raw: null,
          trailing_bytes: 0,
          sensor: "edge-1",
        },
        {
          id: 2,
          transport: "TCP",
          src: "2001:db8::1",
          src_port: 54321,
          dns_name: null,
          dns_type: null,
          dns_cls: null,
          created_at: "2026-01-06 10:30:45.123456",
          action: "malformed",
          dns_id: null,
          opcode: null,
          flags: null,
          qdcount: null,
          questions: [],
          edns_udp_size: null,
          edns_do: null,
          edns_ecs: null,
          edns_cookie: null,
          query_size: 5,
          rcode: null,
          response_size: null,
          upstream_ms: null,
          error: "shorter than a DNS header",
          raw: Buffer.from([0x12, 0x34, 0x01, 0x00, 0xff]),
          trailing_bytes: 3,
          sensor: "edge-1",
        },
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

  describe("failures", () => {
    test.each([
      ["a wrong password", () => pg.urlWith("wrong-pw"), "password authentication failed"],
      ["a missing database", () => pg.url.replace(/postgres$/, "nope"), 'database "nope"'],
    ])("%s is a start-up error naming the URL, password hidden", async (_, url, reason) => {
      const failure = openSqlSink(url(), { sensor: "s1" });
      await expect(failure).rejects.toThrow(UdpotError);
      const message = await failure.catch((error: Error) => error.message);
      expect(message).toContain(reason);
      expect(message).toContain(`cannot use database postgresql://`);
      expect(message).not.toContain("wrong-pw");
    });

    test("a table with columns of other types is a start-up error naming them", async () => {
      const url = await freshDatabase();
      await onDatabase(url, (sql) =>
        sql.unsafe(`${OLD_TABLE.slice(0, -2)},\n\tquestions TEXT, edns_do INTEGER)`),
      );
      const failure = openSqlSink(url, { sensor: "s1" });
      await expect(failure).rejects.toThrow(UdpotError);
      await expect(failure).rejects.toThrow(
        "table dns has columns udpot cannot write: questions is text (udpot writes JSONB); " +
          "edns_do is integer (udpot writes BOOLEAN)",
      );
    });

    test("the password user logs in, and its password is hidden in messages", async () => {
      const sink = await openSqlSink(pg.urlWith("s3cret-pw"), { sensor: "s1" });
      expect([sink.ready, sink.where]).toEqual([
        true,
        `postgresql://udpot:***@127.0.0.1:${pg.port}/postgres`,
      ]);
      await sink.close();
    });

    test("stopped mid-run: flushes fail and keep the events; restarted: they arrive", async () => {
      const url = await freshDatabase();
      const clock = testClock();
      const sink = await openSqlSink(url, { sensor: "s1", now: clock.now });
      const notices: SinkNotice[] = [];
      const recorder = new Recorder([sink], {
        batchSize: 1_000_000,
        flushMs: 3_600_000,
        onFailure: (notice) => notices.push(notice),
      });
      try {
        recorder.record(sampleEvent({ src_port: 1 }));
        await recorder.flush();

        await pg.stop();
        recorder.record(sampleEvent({ src_port: 2 }));
        await recorder.flush(); // fails: the server is down
        recorder.record(sampleEvent({ src_port: 3 }));
        await recorder.flush(); // fails: back-off, not tried
        expect(sink.pending()).toBe(2);

        await pg.start();
        clock.ms += 60_000;
        await recorder.flush();
        expect(notices.map((n) => n.state)).toEqual(["failing", "recovered"]);
        expect(recorder.stats()).toEqual([
          { name: "postgres", written: 3, pending: 0, dropped: 0, failedFlushes: 2 },
        ]);
      } finally {
        await recorder.close();
      }
      const first = notices[0] as { error: Error };
      expect(first.error.message).toStartWith(`cannot write to ${url}: `);
      expect((await dnsRows(url)).map((row) => row.src_port)).toEqual([1, 2, 3]);
    });

    test("not reachable at start: it opens, waits, and makes the table once it can", async () => {
      const url = await freshDatabase();
      const clock = testClock();
      await pg.stop();
      let sink: SqlSink;
      try {
        sink = await openSqlSink(url, { sensor: "s1", now: clock.now });
        expect(sink.ready).toBe(false);
        sink.write(sampleEvent());
        await expect(sink.flush()).rejects.toThrow(`cannot write to ${url}`);
      } finally {
        await pg.start();
      }
      clock.ms += 60_000;
      await sink.flush();
      await sink.close();
      expect([sink.ready, (await dnsRows(url)).length]).toEqual([true, 1]);
    });

    test("a frozen server: the flush gives up, the next one writes on a new connection", async () => {
      const url = await freshDatabase();
      const clock = testClock();
      const opts = { sensor: "s1", answerTimeoutMs: 300, now: clock.now };
      const sink = await openSqlSink(url, opts);
      sink.write(sampleEvent({ src_port: 1 }));
      pg.freeze(true);
      try {
        await expect(sink.flush()).rejects.toThrow("no answer within 300 ms");
        expect(sink.pending()).toBe(1);
      } finally {
        pg.freeze(false);
      }
      clock.ms += 60_000;
      await sink.flush();
      await sink.close();
      // The INSERT the frozen server had received may have committed when it woke.
      const ports = (await dnsRows(url)).map((row) => row.src_port);
      expect([[1], [1, 1]] as unknown[][]).toContainEqual(ports);
    });

    test("closed while the server is frozen: close gives up in time", async () => {
      const url = await freshDatabase();
      const sink = await openSqlSink(url, { sensor: "s1", closeTimeoutMs: 300 });
      sink.write(sampleEvent());
      pg.freeze(true);
      try {
        await expect(sink.close()).rejects.toThrow(`gave up on ${url} after 300 ms`);
        expect(sink.pending()).toBe(1);
      } finally {
        pg.freeze(false);
      }
    });

    test("closed while the server is down: close fails and the events stay pending", async () => {
      const url = await freshDatabase();
      const sink = await openSqlSink(url, { sensor: "s1", closeTimeoutMs: 3000 });
      sink.write(sampleEvent());
      await pg.stop();
      try {
        await expect(sink.close()).rejects.toThrow(`cannot write to ${url}`);
        expect(sink.pending()).toBe(1);
      } finally {
        await pg.start();
      }
    });

    test("a port nothing listens on is unreachable, not a start-up error", async () => {
      const port = await freePort();
      const sink = await openSqlSink(`postgresql://postgres@127.0.0.1:${port}/postgres`, {
        sensor: "s1",
      });
      expect(sink.ready).toBe(false);
      await sink.close();
    });
  });

  describe("udpot from source with -s postgresql://", () => {
    let upstream: FakeUpstream;
    let dir: ReturnType<typeof tempDir>;
    /** Every udpot started, so one left running by a failed test is stopped. */
    const started: UdpotProcess[] = [];
    beforeAll(async () => {
      upstream = await startFakeUpstream();
      dir = tempDir("pg-process");
    });
    afterEach(async () => {
      for (const udpot of started.splice(0)) {
        if (udpot.proc.exitCode === null) await udpot.stop("SIGKILL");
      }
    });
    afterAll(() => {
      upstream?.close();
      dir?.remove();
    });

    /** A database the password user owns, its URL, and udpot's arguments for it. */
    async function setUp(name: string) {
      const database = `p${++databases}`;
      await admin.unsafe(`CREATE DATABASE ${database} OWNER ${PASSWORD_USER.name}`);
      const url = pg.urlWith(PASSWORD_USER.password).replace(/\/postgres$/, `/${database}`);
      const port = await freePort();
      const jsonl = join(dir.path, `${name}.jsonl`);
      const args = [`127.0.0.1:${upstream.port}`, "-p", String(port), "-b", "127.0.0.1"];
      // No abuse caps: the corpus comes from one prefix, faster than 100 relays a second.
      args.push("--prefix-count", "0", "--max-relay-qps", "0");
      return { url, port, jsonl, args: [...args, "-c", "100", "-s", url, "-j", jsonl] };
    }

    async function start(args: string[], env: Record<string, string> = {}) {
      const udpot = await startUdpot(args, { ...FROM_SOURCE, env });
      started.push(udpot);
      return udpot;
    }

    /** A query answered within `ANSWER_MS`, from another source: all before it was read. */
    const ANSWER_MS = 10_000;
    const answered = (port: number, name: string) =>
      udpExchange(port, query(name), { from: "127.0.0.6", timeoutMs: ANSWER_MS });

    const countRows = (url: string) =>
      onDatabase(url, async (sql) => {
        const [row] = await sql`SELECT count(*)::int AS n FROM dns`;
        return (row as { n: number }).n;
      }).catch(() => -1); // no table yet, or the server is down

    test("every message lands in PostgreSQL as in the JSON log, with the sensor", async () => {
      const { url, port, jsonl, args } = await setUp("corpus");
      const udpot = await start(args, { UDPOT_SENSOR: "edge-9" });
      const sock = await Bun.udpSocket({ hostname: "127.0.0.5" });
      for (const item of sharedCorpus()) sock.send(item.bytes, port, "127.0.0.1");
      sock.close();
      expect(await answered(port, "marker.example")).not.toBeNull();
      expect(await tcpExchange(port, query("tcp.example"), ANSWER_MS)).not.toBeNull();
      expect(await udpot.stop()).toBe(0);

      const logged = readJsonl(jsonl);
      expect(logged.length).toBe(sharedCorpus().length + 2);
      expect(await dnsRows(url)).toEqual(logged.map((e, i) => expectedRow(e, i + 1, "edge-9")));
      const startLine = udpot
        .stderr()
        .split("\n")
        .find((line) => line.includes(" listening on "));
      expect(startLine).toContain(
        `logs: postgres ${url.replace(":s3cret-pw@", ":***@")} (sensor edge-9)`,
      );
      expect(udpot.stderr()).not.toContain(PASSWORD_USER.password);
    });

    test("a refused login stops the start: status 1, URL shown with the password hidden", async () => {
      const port = await freePort();
      const url = pg.urlWith("not-the-pw");
      const proc = Bun.spawn(
        [...FROM_SOURCE.cmd, `127.0.0.1:${upstream.port}`, "-p", String(port), "-s", url],
        { stdout: "pipe", stderr: "pipe", cwd: REPO },
      );
      const [err, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
      expect([code, err]).toEqual([
        1,
        `udpot: cannot use database postgresql://udpot:***@127.0.0.1:${pg.port}/postgres: ` +
          'password authentication failed for user "udpot" (28P01)\n',
      ]);
    });

    test("started while the database is down: JSONL records, rows follow when it is up", async () => {
      const { url, port, jsonl, args } = await setUp("late");
      await pg.stop();
      let udpot: UdpotProcess;
      try {
        udpot = await start(args);
        expect(udpot.stderr()).toContain("cannot reach database");
        expect(udpot.stderr()).toContain(", not reached yet)");
        expect(await answered(port, "one.example")).not.toBeNull();
        expect(await answered(port, "two.example")).not.toBeNull();
        expect(await waitUntil(() => readJsonl(jsonl).length === 2)).toBe(true);
      } finally {
        await pg.start();
      }
      let count = -1;
      const deadline = performance.now() + 30_000;
      while (count !== 2 && performance.now() < deadline) {
        count = await countRows(url);
        if (count !== 2) await Bun.sleep(100);
      }
      expect(count).toBe(2);
      expect(await answered(port, "three.example")).not.toBeNull();
      expect(await udpot.stop()).toBe(0);
      expect((await dnsRows(url)).map((row) => row.dns_name)).toEqual([
        "one.example",
        "two.example",
        "three.example",
      ]);
      expect(udpot.stderr()).toContain("postgres sink recovered");
    });
  });
});

/** Runs udpot from source with the bun running these tests: no build needed. */
const FROM_SOURCE = { cmd: [process.execPath, "src/main.ts"] };

function readJsonl(path: string): QueryEvent[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, "utf8").trim();
  return text === "" ? [] : text.split("\n").map((line) => JSON.parse(line));
}

/** What the sink stores for an event, as `rows` reads it back. */
function expectedRow(e: QueryEvent, id: number, sensor: string): Record<string, unknown> {
  return {
    id,
    transport: e.transport,
    src: e.src_ip,
    src_port: e.src_port,
    dns_name: e.dns_name,
    dns_type: e.dns_type,
    dns_cls: e.dns_cls,
    created_at: `${e.timestamp.slice(0, 10)} ${e.timestamp.slice(11, 26)}`,
    action: e.action,
    dns_id: e.id,
    opcode: e.opcode,
    flags: e.flags,
    qdcount: e.qdcount,
    questions: e.questions,
    edns_udp_size: e.edns_udp_size,
    edns_do: e.edns_do,
    edns_ecs: e.edns_ecs,
    edns_cookie: e.edns_cookie,
    query_size: e.query_size,
    rcode: e.rcode,
    response_size: e.response_size,
    upstream_ms: e.upstream_ms,
    error: e.error,
    raw: e.raw === null ? null : Buffer.from(e.raw, "base64"),
    trailing_bytes: e.trailing_bytes,
    sensor,
  };
}
