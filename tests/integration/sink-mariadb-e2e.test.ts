import { describe, expect, test } from "bun:test";
import { sharedCorpus } from "../helpers/corpus.ts";
import { freePort } from "../helpers/free-port.ts";
import { MARIADB_USER, mariadbRows } from "../helpers/mariadb.ts";
import { mariadbOrWarn, mariadbSuite } from "../helpers/server-suites.ts";
import { runToExit, sendCorpus, sinkE2eSuite, startLine } from "../helpers/sink-e2e.ts";
import { expectedRow, readJsonl } from "../helpers/sql-rows.ts";
import { FROM_SOURCE, startUdpot } from "../helpers/udpot-process.ts";

const TOOLS = mariadbOrWarn("sink-mariadb-e2e");

describe.skipIf(TOOLS === null)("udpot from source with -s mysql://", () => {
  const mariadb = mariadbSuite(TOOLS);
  const e2e = sinkE2eSuite("mariadb-process");

  test("every message lands in MariaDB as in the JSON log, with the sensor", async () => {
    await mariadb.server.createDatabase("honeypot");
    const url = mariadb.server.userUrl("honeypot");
    const { port, jsonl } = await e2e.listener("corpus");
    const udpot = await startUdpot(e2e.args(port, url, jsonl), {
      cmd: FROM_SOURCE,
      env: { UDPOT_SENSOR: "edge-9" },
    });

    const [udpAnswer, tcpAnswer] = await sendCorpus(port);
    expect(udpAnswer).not.toBeNull();
    expect(tcpAnswer).not.toBeNull();
    expect(await udpot.stop()).toBe(0);

    const logged = readJsonl(jsonl);
    expect(logged.length).toBe(sharedCorpus().length + 2);
    expect(await mariadbRows(url)).toEqual(
      logged.map((e, i) => expectedRow(e, i + 1, "edge-9", "number")),
    );
    expect(startLine(udpot.stderr())).toContain(
      `logs: mysql ${url.replace(`:${MARIADB_USER.password}@`, ":***@")} (sensor edge-9)`,
    );
    expect(udpot.stderr()).not.toContain(MARIADB_USER.password);
  });

  test("a refused login stops the start: status 1, URL shown with the password hidden", async () => {
    await mariadb.server.createDatabase("refused");
    const port = await freePort();
    const url = mariadb.server.userUrl("refused", "not-the-pw");
    const upstream = `127.0.0.1:${e2e.upstream.port}`;
    expect(await runToExit([upstream, "-p", String(port), "-s", url])).toEqual([
      1,
      `udpot: cannot use database mysql://udpot:***@127.0.0.1:${mariadb.server.port}/refused: ` +
        "Access denied for user 'udpot'@'127.0.0.1' (using password: YES) (1045)\n",
    ]);
  });
});
