import { describe, expect, test } from "bun:test";
import { UdpotError } from "../../src/errors.ts";
import { Recorder, type SinkNotice } from "../../src/sinks/recorder.ts";
import { openSqlSink, type SqlSink } from "../../src/sinks/sql-sink.ts";
import { MARIADB_USER, mariadbRows } from "../helpers/mariadb.ts";
import { mariadbOrWarn, mariadbSuite } from "../helpers/server-suites.ts";
import { sampleEvent, testClock } from "../unit/sink-fixtures.ts";

const TOOLS = mariadbOrWarn("sink-mariadb-failures");

describe.skipIf(TOOLS === null)("with a MariaDB server", () => {
  const mariadb = mariadbSuite(TOOLS);
  const { freshDatabase } = mariadb;

  describe("failures", () => {
    test("a wrong password is a start-up error naming the URL, password hidden", async () => {
      await mariadb.server.createDatabase("pw");
      const failure = openSqlSink(mariadb.server.userUrl("pw", "wrong-pw"), { sensor: "s1" });
      await expect(failure).rejects.toThrow(UdpotError);
      await expect(failure).rejects.toThrow(
        `cannot use database mysql://udpot:***@127.0.0.1:${mariadb.server.port}/pw: ` +
          "Access denied for user 'udpot'@'127.0.0.1' (using password: YES) (1045)",
      );
    });

    test.each([
      ["mysql", "MYSQL_PASSWORD"],
      ["mariadb", "MARIADB_PASSWORD"],
    ])("%s:// takes its password from %s, off the command line", async (scheme, variable) => {
      await mariadb.server.createDatabase(`env_${scheme}`);
      const url = `${scheme}://udpot@127.0.0.1:${mariadb.server.port}/env_${scheme}`;
      process.env[variable] = MARIADB_USER.password;
      try {
        const sink = await openSqlSink(url, { sensor: "s1" });
        await sink.close();
        expect(sink.ready).toBe(true);
      } finally {
        delete process.env[variable];
      }
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
        await mariadb.server.stop();
        recorder.record(sampleEvent({ src_port: 2 }));
        await recorder.flush(); // fails: the server is down
        recorder.record(sampleEvent({ src_port: 3 }));
        expect(sink.pending()).toBe(2);
        await mariadb.server.start();
        clock.ms += 60_000;
        await recorder.flush();
        expect(notices.map((n) => n.state)).toEqual(["failing", "recovered"]);
        expect(recorder.stats()).toEqual([
          { name: "mysql", written: 3, pending: 0, dropped: 0, failedFlushes: 1 },
        ]);
      } finally {
        await recorder.close();
      }
      expect((await mariadbRows(url)).map((row) => row.src_port)).toEqual([1, 2, 3]);
    });

    test("not reachable at start: it opens, waits, and makes the table once it can", async () => {
      const url = (await freshDatabase()).replace("mysql://", "mariadb://");
      const clock = testClock();
      await mariadb.server.stop();
      let sink: SqlSink;
      try {
        sink = await openSqlSink(url, { sensor: "s1", now: clock.now });
        expect([sink.ready, sink.name]).toEqual([false, "mariadb"]);
        sink.write(sampleEvent());
        await expect(sink.flush()).rejects.toThrow(
          `cannot write to ${url.replace(":s3cret-pw@", ":***@")}: connection refused`,
        );
      } finally {
        await mariadb.server.start();
      }
      clock.ms += 60_000;
      await sink.flush();
      await sink.close();
      expect([sink.ready, (await mariadbRows(url)).length]).toEqual([true, 1]);
    });
  });
});
