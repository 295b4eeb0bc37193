import { describe, expect, test } from "bun:test";
import { UdpotError } from "../../src/errors.ts";
import { Recorder, type SinkNotice } from "../../src/sinks/recorder.ts";
import { openSqlSink, type SqlSink } from "../../src/sinks/sql-sink.ts";
import { freePort } from "../helpers/free-port.ts";
import { dnsRows, OLD_TOOL_TABLE, onDatabase } from "../helpers/postgres.ts";
import { postgresOrWarn, postgresSuite } from "../helpers/server-suites.ts";
import { sampleEvent, testClock } from "../unit/sink-fixtures.ts";

const BIN = postgresOrWarn("sink-postgres-failures");

describe.skipIf(BIN === null)("with a PostgreSQL server", () => {
  const postgres = postgresSuite(BIN);
  const { freshDatabase } = postgres;

  describe("failures", () => {
    test.each([
      [
        "a wrong password",
        () => postgres.server.urlWith("wrong-pw"),
        "password authentication failed",
      ],
      [
        "a missing database",
        () => postgres.server.url.replace(/postgres$/, "nope"),
        'database "nope"',
      ],
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
        sql.unsafe(`${OLD_TOOL_TABLE.slice(0, -2)},\n\tquestions TEXT, edns_do INTEGER)`),
      );
      const failure = openSqlSink(url, { sensor: "s1" });
      await expect(failure).rejects.toThrow(UdpotError);
      await expect(failure).rejects.toThrow(
        "table dns has columns udpot cannot write: questions is text (udpot writes JSONB); " +
          "edns_do is integer (udpot writes BOOLEAN)",
      );
    });

    test("the password user logs in, and its password is hidden in messages", async () => {
      const sink = await openSqlSink(postgres.server.urlWith("s3cret-pw"), { sensor: "s1" });
      expect([sink.ready, sink.where]).toEqual([
        true,
        `postgresql://udpot:***@127.0.0.1:${postgres.server.port}/postgres`,
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

        await postgres.server.stop();
        recorder.record(sampleEvent({ src_port: 2 }));
        await recorder.flush(); // fails: the server is down
        recorder.record(sampleEvent({ src_port: 3 }));
        await recorder.flush(); // fails: back-off, not tried
        expect(sink.pending()).toBe(2);

        await postgres.server.start();
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
      await postgres.server.stop();
      let sink: SqlSink;
      try {
        sink = await openSqlSink(url, { sensor: "s1", now: clock.now });
        expect(sink.ready).toBe(false);
        sink.write(sampleEvent());
        await expect(sink.flush()).rejects.toThrow(`cannot write to ${url}`);
      } finally {
        await postgres.server.start();
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
      postgres.server.freeze(true);
      try {
        await expect(sink.flush()).rejects.toThrow("no answer within 300 ms");
        expect(sink.pending()).toBe(1);
      } finally {
        postgres.server.freeze(false);
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
      postgres.server.freeze(true);
      try {
        await expect(sink.close()).rejects.toThrow(`gave up on ${url} after 300 ms`);
        expect(sink.pending()).toBe(1);
      } finally {
        postgres.server.freeze(false);
      }
    });

    test("closed while the server is down: close fails and the events stay pending", async () => {
      const url = await freshDatabase();
      const sink = await openSqlSink(url, { sensor: "s1", closeTimeoutMs: 3000 });
      sink.write(sampleEvent());
      await postgres.server.stop();
      try {
        await expect(sink.close()).rejects.toThrow(`cannot write to ${url}`);
        expect(sink.pending()).toBe(1);
      } finally {
        await postgres.server.start();
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
});
