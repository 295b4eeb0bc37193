import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { SQL } from "bun";
import { sharedCorpus } from "../helpers/corpus.ts";
import { query, tcpExchange, udpExchange, waitUntil } from "../helpers/dns-client.ts";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream.ts";
import { freePort } from "../helpers/free-port.ts";
import {
  dnsRows,
  onDatabase,
  PASSWORD_USER,
  type Postgres,
  postgresBinDir,
  startPostgres,
} from "../helpers/postgres.ts";
import { expectedRow, readJsonl } from "../helpers/sql-rows.ts";
import { REPO, startUdpot, type UdpotProcess } from "../helpers/udpot-process.ts";
import { tempDir } from "../unit/sink-fixtures.ts";

const BIN = postgresBinDir();
if (BIN === null) {
  console.warn(
    "sink-postgres-e2e: skipped, no PostgreSQL server binaries under /usr/lib/postgresql",
  );
}

/** Runs udpot from source with the bun running these tests: no build needed. */
const FROM_SOURCE = { cmd: [process.execPath, "src/main.ts"] };

describe.skipIf(BIN === null)("udpot from source with -s postgresql://", () => {
  let pg: Postgres;
  let admin: SQL;
  let databases = 0;
  let upstream: FakeUpstream;
  let dir: ReturnType<typeof tempDir>;
  /** Every udpot started, so one left running by a failed test is stopped. */
  const started: UdpotProcess[] = [];

  beforeAll(async () => {
    pg = await startPostgres(BIN as string);
    admin = new SQL(pg.url, { max: 1 });
    upstream = await startFakeUpstream();
    dir = tempDir("pg-process");
  });
  afterEach(async () => {
    for (const udpot of started.splice(0)) {
      if (udpot.proc.exitCode === null) await udpot.stop("SIGKILL");
    }
  });
  afterAll(async () => {
    upstream?.close();
    dir?.remove();
    await admin?.close();
    await pg?.destroy();
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
