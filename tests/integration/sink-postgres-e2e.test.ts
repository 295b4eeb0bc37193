import { describe, expect, test } from "bun:test";
import { sharedCorpus } from "../helpers/corpus.ts";
import { waitUntil } from "../helpers/dns-client.ts";
import { freePort } from "../helpers/free-port.ts";
import { dnsRows, onDatabase, PASSWORD_USER } from "../helpers/postgres.ts";
import { postgresOrWarn, postgresSuite } from "../helpers/server-suites.ts";
import { answered, runToExit, sendCorpus, sinkE2eSuite, startLine } from "../helpers/sink-e2e.ts";
import { expectedRow, readJsonl } from "../helpers/sql-rows.ts";
import { FROM_SOURCE, startUdpot, type UdpotProcess } from "../helpers/udpot-process.ts";

const BIN = postgresOrWarn("sink-postgres-e2e");

describe.skipIf(BIN === null)("udpot from source with -s postgresql://", () => {
  const postgres = postgresSuite(BIN);
  const e2e = sinkE2eSuite("pg-process");

  /** A database the password user owns, its URL, and udpot's arguments for it. */
  async function setUp(name: string) {
    const database = await postgres.createDatabase(PASSWORD_USER.name);
    const url = postgres.server
      .urlWith(PASSWORD_USER.password)
      .replace(/\/postgres$/, `/${database}`);
    const { port, jsonl } = await e2e.listener(name);
    return { url, port, jsonl, args: e2e.args(port, url, jsonl) };
  }

  const start = (args: string[], env: Record<string, string> = {}) =>
    startUdpot(args, { cmd: FROM_SOURCE, env });

  const countRows = (url: string) =>
    onDatabase(url, async (sql) => {
      const [row] = await sql`SELECT count(*)::int AS n FROM dns`;
      return (row as { n: number }).n;
    }).catch(() => -1); // no table yet, or the server is down

  test("every message lands in PostgreSQL as in the JSON log, with the sensor", async () => {
    const { url, port, jsonl, args } = await setUp("corpus");
    const udpot = await start(args, { UDPOT_SENSOR: "edge-9" });
    const [udpAnswer, tcpAnswer] = await sendCorpus(port);
    expect(udpAnswer).not.toBeNull();
    expect(tcpAnswer).not.toBeNull();
    expect(await udpot.stop()).toBe(0);

    const logged = readJsonl(jsonl);
    expect(logged.length).toBe(sharedCorpus().length + 2);
    expect(await dnsRows(url)).toEqual(logged.map((e, i) => expectedRow(e, i + 1, "edge-9")));
    expect(startLine(udpot.stderr())).toContain(
      `logs: postgres ${url.replace(":s3cret-pw@", ":***@")} (sensor edge-9)`,
    );
    expect(udpot.stderr()).not.toContain(PASSWORD_USER.password);
  });

  test("a refused login stops the start: status 1, URL shown with the password hidden", async () => {
    const port = await freePort();
    const url = postgres.server.urlWith("not-the-pw");
    const upstream = `127.0.0.1:${e2e.upstream.port}`;
    expect(await runToExit([upstream, "-p", String(port), "-s", url])).toEqual([
      1,
      `udpot: cannot use database postgresql://udpot:***@127.0.0.1:${postgres.server.port}/postgres: ` +
        'password authentication failed for user "udpot" (28P01)\n',
    ]);
  });

  test("started while the database is down: JSONL records, rows follow when it is up", async () => {
    const { url, port, jsonl, args } = await setUp("late");
    await postgres.server.stop();
    let udpot: UdpotProcess;
    try {
      udpot = await start(args);
      expect(udpot.stderr()).toContain("cannot reach database");
      expect(udpot.stderr()).toContain(", not reached yet)");
      expect(await answered(port, "one.example")).not.toBeNull();
      expect(await answered(port, "two.example")).not.toBeNull();
      expect(await waitUntil(() => readJsonl(jsonl).length === 2)).toBe(true);
    } finally {
      await postgres.server.start();
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
