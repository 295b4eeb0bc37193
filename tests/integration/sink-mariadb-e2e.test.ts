import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { sharedCorpus } from "../helpers/corpus.ts";
import { query, tcpExchange, udpExchange } from "../helpers/dns-client.ts";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream.ts";
import { freePort } from "../helpers/free-port.ts";
import {
  MARIADB_USER,
  type MariaDb,
  mariadbRows,
  mariadbTools,
  startMariaDb,
} from "../helpers/mariadb.ts";
import { expectedRow, readJsonl } from "../helpers/sql-rows.ts";
import { REPO, startUdpot, type UdpotProcess } from "../helpers/udpot-process.ts";
import { tempDir } from "../unit/sink-fixtures.ts";

const TOOLS = mariadbTools();
if (TOOLS === null) {
  console.warn("sink-mariadb-e2e: skipped, no mariadbd (Debian: apt-get install mariadb-server)");
}

/** Runs udpot from source with the bun running these tests: no build needed. */
const FROM_SOURCE = [process.execPath, "src/main.ts"];

/** A query answered within `ANSWER_MS`, from another source: all before it was read. */
const ANSWER_MS = 10_000;

describe.skipIf(TOOLS === null)("udpot from source with -s mysql://", () => {
  let db: MariaDb;
  let upstream: FakeUpstream;
  let dir: ReturnType<typeof tempDir>;
  /** Every udpot started, so one left running by a failed test is stopped. */
  const started: UdpotProcess[] = [];

  beforeAll(async () => {
    db = await startMariaDb(TOOLS as NonNullable<typeof TOOLS>);
    upstream = await startFakeUpstream();
    dir = tempDir("mariadb-process");
  });
  afterEach(async () => {
    for (const udpot of started.splice(0)) {
      if (udpot.proc.exitCode === null) await udpot.stop("SIGKILL");
    }
  });
  afterAll(async () => {
    upstream?.close();
    dir?.remove();
    await db?.destroy();
  });

  test("every message lands in MariaDB as in the JSON log, with the sensor", async () => {
    await db.createDatabase("honeypot");
    const url = db.userUrl("honeypot");
    const port = await freePort();
    const jsonl = join(dir.path, "corpus.jsonl");
    const args = [`127.0.0.1:${upstream.port}`, "-p", String(port), "-b", "127.0.0.1"];
    // No abuse caps: the corpus comes from one prefix, faster than 100 relays a second.
    args.push("--prefix-count", "0", "--max-relay-qps", "0", "-c", "100");
    const udpot = await startUdpot([...args, "-s", url, "-j", jsonl], {
      cmd: FROM_SOURCE,
      env: { UDPOT_SENSOR: "edge-9" },
    });
    started.push(udpot);

    const sock = await Bun.udpSocket({ hostname: "127.0.0.5" });
    for (const item of sharedCorpus()) sock.send(item.bytes, port, "127.0.0.1");
    sock.close();
    const marker = udpExchange(port, query("marker.example"), {
      from: "127.0.0.6",
      timeoutMs: ANSWER_MS,
    });
    expect(await marker).not.toBeNull();
    expect(await tcpExchange(port, query("tcp.example"), ANSWER_MS)).not.toBeNull();
    expect(await udpot.stop()).toBe(0);

    const logged = readJsonl(jsonl);
    expect(logged.length).toBe(sharedCorpus().length + 2);
    expect(await mariadbRows(url)).toEqual(
      logged.map((e, i) => expectedRow(e, i + 1, "edge-9", "number")),
    );
    const startLine = udpot
      .stderr()
      .split("\n")
      .find((line) => line.includes(" listening on "));
    expect(startLine).toContain(
      `logs: mysql ${url.replace(`:${MARIADB_USER.password}@`, ":***@")} (sensor edge-9)`,
    );
    expect(udpot.stderr()).not.toContain(MARIADB_USER.password);
  });

  test("a refused login stops the start: status 1, URL shown with the password hidden", async () => {
    await db.createDatabase("refused");
    const port = await freePort();
    const url = db.userUrl("refused", "not-the-pw");
    const proc = Bun.spawn(
      [...FROM_SOURCE, `127.0.0.1:${upstream.port}`, "-p", String(port), "-s", url],
      { stdout: "pipe", stderr: "pipe", cwd: REPO },
    );
    const [err, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
    expect([code, err]).toEqual([
      1,
      `udpot: cannot use database mysql://udpot:***@127.0.0.1:${db.port}/refused: ` +
        "Access denied for user 'udpot'@'127.0.0.1' (using password: YES) (1045)\n",
    ]);
  });
});
