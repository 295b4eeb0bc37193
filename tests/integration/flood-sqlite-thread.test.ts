import { Database } from "bun:sqlite";
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { UdpotError } from "../../src/errors.ts";
import { Recorder, type SinkNotice } from "../../src/sinks/recorder.ts";
import type { Sink } from "../../src/sinks/sink.ts";
import { openSqliteThreadSink } from "../../src/sinks/sqlite-thread.ts";
import { waitUntil } from "../helpers/dns-client.ts";
import { malformedEvent, sampleEvent, tempDir } from "../unit/sink-fixtures.ts";

const HOUR = 3_600_000;
let dir: ReturnType<typeof tempDir>;
let sinks: Sink[] = [];

beforeEach(() => {
  dir = tempDir("sqlite-thread");
});
afterEach(async () => {
  await Promise.allSettled(sinks.map((sink) => sink.close()));
  sinks = [];
  dir.remove();
});

async function open(path: string): Promise<Sink> {
  const sink = await openSqliteThreadSink(path);
  sinks.push(sink);
  return sink;
}

function rowCount(path: string): number {
  const db = new Database(path, { readonly: true });
  const n = db.query<{ n: number }, []>("SELECT count(*) AS n FROM dns").get()?.n ?? 0;
  db.close();
  return n;
}

function readBack(path: string): Record<string, unknown>[] {
  const db = new Database(path, { readonly: true });
  const rows = db.query<Record<string, unknown>, []>("SELECT * FROM dns ORDER BY id").all();
  db.close();
  return rows;
}

describe("the SQLite sink on its own thread", () => {
  test("writes what the plain sink writes, row for row", async () => {
    const path = join(dir.path, "db.sqlite3");
    const sink = await open(path);
    const events = [
      sampleEvent(),
      malformedEvent(),
      sampleEvent({ dns_name: "caf\u00e9.example" }),
    ];
    for (const event of events) sink.write(event);
    expect(sink.pending()).toBe(3);
    await sink.flush();
    const rows = readBack(path);
    expect([sink.pending(), rows.length, rows.map((r) => r.dns_name)]).toEqual([
      0,
      3,
      ["www.example", null, "caf\u00e9.example"],
    ]);
    expect(rows[1]?.raw).toEqual(new Uint8Array([0x12, 0x34, 0x01, 0x00, 0xff]));
  });

  test("close writes what is still waiting", async () => {
    const path = join(dir.path, "db.sqlite3");
    const sink = await openSqliteThreadSink(path);
    sink.write(sampleEvent());
    await sink.close();
    expect(rowCount(path)).toBe(1);
  });

  test("a database that cannot be opened is a startup error", async () => {
    const path = join(dir.path, "missing", "db.sqlite3");
    const error = await openSqliteThreadSink(path).catch((e: unknown) => e);
    expect([error instanceof UdpotError, (error as UdpotError).code]).toEqual([true, "startup"]);
    expect((error as Error).message).toContain(`cannot open SQLite database ${path}`);
  });

  test("a failed write keeps the events in the thread and writes them once it can", async () => {
    const logs = join(dir.path, "logs");
    mkdirSync(logs);
    const path = join(logs, "db.sqlite3");
    const sink = await open(path);
    rmSync(logs, { recursive: true });
    sink.write(sampleEvent());
    const failure = await Promise.resolve(sink.flush()).catch((e: unknown) => e);
    expect([(failure as Error).message.includes(path), sink.pending()]).toEqual([true, 1]);
    mkdirSync(logs);
    await sink.flush();
    expect([sink.pending(), rowCount(path)]).toEqual([0, 1]);
  });
});

describe("with the recorder", () => {
  function recorder(sink: Sink, batchSize: number, flushMs: number) {
    const notices: SinkNotice[] = [];
    const r = new Recorder([sink], { batchSize, flushMs, onFailure: (n) => notices.push(n) });
    return { recorder: r, notices };
  }

  test("a full batch is written without a flush call", async () => {
    const path = join(dir.path, "db.sqlite3");
    const { recorder: r } = recorder(await open(path), 100, HOUR);
    for (let i = 0; i < 250; i++) r.record(sampleEvent({ src_port: i }));
    expect(await waitUntil(() => rowCount(path) >= 200)).toBe(true);
    await r.close();
    expect(r.stats()).toEqual([
      { name: "sqlite", written: 250, pending: 0, dropped: 0, failedFlushes: 0 },
    ]);
  });

  test("the timer writes a batch that never fills", async () => {
    const path = join(dir.path, "db.sqlite3");
    const { recorder: r } = recorder(await open(path), 1000, 20);
    r.record(sampleEvent());
    expect(await waitUntil(() => rowCount(path) === 1)).toBe(true);
    await r.close();
  });

  test("events arriving while the thread writes are counted once, and all written", async () => {
    const path = join(dir.path, "db.sqlite3");
    const { recorder: r } = recorder(await open(path), 50, 5);
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 100; i++) r.record(sampleEvent({ src_port: round * 100 + i }));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await r.close();
    expect([r.stats()[0]?.written, rowCount(path)]).toEqual([2000, 2000]);
  });

  test("a thread that dies fails its flushes, and its events are reported lost", async () => {
    const path = join(dir.path, "db.sqlite3");
    const sink = await openSqliteThreadSink(path);
    const { recorder: r, notices } = recorder(sink, 1000, HOUR);
    r.record(sampleEvent());
    (sink as unknown as { worker: Worker }).worker.terminate();
    await r.close();
    expect(r.stats()[0]).toEqual({
      name: "sqlite",
      written: 0,
      pending: 0,
      dropped: 1,
      failedFlushes: 1,
    });
    expect(notices.map((n) => n.state)).toEqual(["lost"]);
  });
});
