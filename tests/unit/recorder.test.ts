import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { LogObject } from "consola";
import type { QueryEvent } from "../../src/event/query-event.ts";
import { tagged } from "../../src/log.ts";
import { logNotice, REPORT_EVERY_MS } from "../../src/sinks/failure-reports.ts";
import { openJsonlSink } from "../../src/sinks/jsonl-sink.ts";
import { MemorySink } from "../../src/sinks/memory-sink.ts";
import type { Recorder } from "../../src/sinks/recorder.ts";
import type { Sink } from "../../src/sinks/sink.ts";
import { recordersClosedAfterEach, sampleEvent, tempDir, waitFor } from "./sink-fixtures.ts";

const events = (n: number) => Array.from({ length: n }, (_, i) => sampleEvent({ src_port: i }));
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** A recorder that collects its notices instead of logging them. */
const recorderFor = recordersClosedAfterEach();

function recordAll(recorder: Recorder, list: QueryEvent[]): void {
  for (const event of list) recorder.record(event);
}

describe("when sinks are flushed", () => {
  test("a full batch is flushed on a later turn, not inside record", async () => {
    const sink = new MemorySink();
    const { recorder } = recorderFor([sink], { batchSize: 3 });
    recordAll(recorder, events(2));
    await nextTurn();
    expect(sink.flushes).toBe(0);

    recorder.record(sampleEvent({ src_port: 2 }));
    expect(sink.flushes).toBe(0);
    await waitFor(() => sink.events.length === 3);
    expect(sink.events).toEqual(events(3));
  });

  test("the timer flushes a batch that never fills", async () => {
    const sink = new MemorySink();
    const { recorder } = recorderFor([sink], { flushMs: 10 });
    recorder.record(sampleEvent());
    await waitFor(() => sink.events.length === 1);
  });

  test("close flushes everything and closes every sink", async () => {
    const sinks = [new MemorySink("a"), new MemorySink("b")];
    const { recorder } = recorderFor(sinks);
    recordAll(recorder, events(5));
    await recorder.close();
    expect(sinks.map((sink) => [sink.events.length, sink.closed])).toEqual([
      [5, true],
      [5, true],
    ]);
    expect(recorder.stats()).toEqual([
      { name: "a", written: 5, pending: 0, dropped: 0, failedFlushes: 0 },
      { name: "b", written: 5, pending: 0, dropped: 0, failedFlushes: 0 },
    ]);
  });

  test("events recorded after close are dropped and counted", async () => {
    const sink = new MemorySink();
    const { recorder } = recorderFor([sink]);
    await recorder.close();
    recorder.record(sampleEvent());
    expect(recorder.stats()).toEqual([
      { name: "memory", written: 0, pending: 0, dropped: 1, failedFlushes: 0 },
    ]);
  });
});

describe("a failing sink", () => {
  test("does not stop the others, is reported once per burst, counted, and recovers", async () => {
    const failing = new MemorySink("bad");
    const healthy = new MemorySink("good");
    const { recorder, notices } = recorderFor([failing, healthy]);
    const disk = new Error("disk full");
    failing.failure = disk;

    for (const event of events(3)) {
      recorder.record(event);
      await recorder.flush();
    }
    expect(healthy.events).toEqual(events(3));
    expect(notices).toEqual([{ sink: "bad", state: "failing", error: disk, suppressed: 0 }]);
    expect(recorder.stats()[0]).toEqual({
      name: "bad",
      written: 0,
      pending: 3,
      dropped: 0,
      failedFlushes: 3,
    });

    failing.failure = null;
    await recorder.flush();
    expect(failing.events).toEqual(events(3));
    expect(notices.slice(1)).toEqual([{ sink: "bad", state: "recovered", failures: 3 }]);

    failing.failure = disk;
    recorder.record(sampleEvent());
    await recorder.flush();
    expect(notices.slice(2)).toEqual([
      { sink: "bad", state: "failing", error: disk, suppressed: 0 },
    ]);
  });

  test("a lasting failure is reported again after a minute, with the count between", async () => {
    let now = 0;
    const sink = new MemorySink();
    const { recorder, notices } = recorderFor([sink], { now: () => now });
    const error = new Error("read-only file system");
    sink.failure = error;
    recorder.record(sampleEvent());
    for (const at of [0, 1000, 30_000, REPORT_EVERY_MS - 1, REPORT_EVERY_MS, REPORT_EVERY_MS + 1]) {
      now = at;
      await recorder.flush();
    }
    expect(notices).toEqual([
      { sink: "memory", state: "failing", error, suppressed: 0 },
      { sink: "memory", state: "failing", error, suppressed: 3 },
    ]);
  });

  test("holds at most maxPending events; the rest are dropped for that sink only", async () => {
    const failing = new MemorySink("bad");
    const healthy = new MemorySink("good");
    const { recorder } = recorderFor([failing, healthy], { maxPending: 2 });
    failing.failure = new Error("no space");
    for (const event of events(5)) {
      recorder.record(event);
      await recorder.flush();
    }
    failing.failure = null;
    await recorder.close();
    expect([failing.events, healthy.events]).toEqual([events(2), events(5)]);
    expect(recorder.stats().map((s) => [s.name, s.written, s.dropped])).toEqual([
      ["bad", 2, 3],
      ["good", 5, 0],
    ]);
  });

  test("a slow sink that never throws is reported once when it starts dropping", async () => {
    const slow = new MemorySink("slow");
    let finishWrite = () => {};
    const stuck = new Promise<void>((resolve) => {
      finishWrite = resolve;
    });
    const realFlush = slow.flush.bind(slow);
    slow.flush = () => stuck.then(realFlush);
    const { recorder, notices } = recorderFor([slow], { maxPending: 2 });

    recordAll(recorder, events(2));
    const flushing = recorder.flush();
    recordAll(recorder, events(3));
    expect(notices).toEqual([
      {
        sink: "slow",
        state: "failing",
        error: new Error("2 events waiting to be written; dropping new ones"),
        suppressed: 0,
      },
    ]);
    finishWrite();
    await flushing;
    expect(notices.slice(1)).toEqual([{ sink: "slow", state: "recovered", failures: 1 }]);
    expect(recorder.stats()).toEqual([
      { name: "slow", written: 2, pending: 0, dropped: 3, failedFlushes: 0 },
    ]);
  });

  test("a sink whose write throws loses that event only", async () => {
    const broken: Sink = {
      name: "broken",
      write() {
        throw new Error("cannot encode");
      },
      pending: () => 0,
      flush() {},
      close() {},
    };
    const healthy = new MemorySink();
    const { recorder, notices } = recorderFor([broken, healthy]);
    recordAll(recorder, events(2));
    await recorder.close();
    expect(healthy.events).toEqual(events(2));
    expect(recorder.stats()[0]).toEqual({
      name: "broken",
      written: 0,
      pending: 0,
      dropped: 2,
      failedFlushes: 0,
    });
    expect(notices.map((notice) => notice.state)).toEqual(["failing", "recovered"]);
  });

  test("what a sink still cannot write at close is reported as lost", async () => {
    const sink = new MemorySink();
    const { recorder, notices } = recorderFor([sink]);
    const error = new Error("disk full");
    sink.failure = error;
    recordAll(recorder, events(4));
    await recorder.close();
    expect(notices).toEqual([{ sink: "memory", state: "lost", error, events: 4 }]);
    expect(recorder.stats()[0]).toEqual({
      name: "memory",
      written: 0,
      pending: 0,
      dropped: 4,
      failedFlushes: 1,
    });
  });
});

describe("a real file sink in a deleted directory", () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir("recorder");
  });
  afterEach(() => dir.remove());

  test("fails alone, keeps its events and catches up once the directory is back", async () => {
    const sub = join(dir.path, "logs");
    mkdirSync(sub);
    const path = join(sub, "log.jsonl");
    const jsonl = openJsonlSink(path, { rotate: false });
    const memory = new MemorySink();
    const { recorder, notices } = recorderFor([jsonl, memory]);

    rmSync(sub, { recursive: true });
    recordAll(recorder, events(2));
    await recorder.flush();
    await recorder.flush();
    expect(memory.events).toEqual(events(2));
    expect(notices).toEqual([
      expect.objectContaining({ sink: "jsonl", state: "failing", suppressed: 0 }),
    ]);

    mkdirSync(sub);
    await recorder.close();
    const written = readFileSync(path, "utf8").trimEnd().split("\n");
    expect(written.map((line) => JSON.parse(line))).toEqual(events(2));
    expect(notices.slice(1)).toEqual([{ sink: "jsonl", state: "recovered", failures: 2 }]);
    expect(recorder.stats()[0]).toEqual({
      name: "jsonl",
      written: 2,
      pending: 0,
      dropped: 0,
      failedFlushes: 2,
    });
  });
});

describe("logNotice", () => {
  test("writes one line per notice on the sink logger", () => {
    const logged: string[] = [];
    const reporter = { log: (entry: LogObject) => logged.push(`${entry.type} ${entry.args[0]}`) };
    tagged("sink").addReporter(reporter);
    try {
      logNotice({ sink: "sqlite", state: "failing", error: new Error("disk full"), suppressed: 0 });
      logNotice({ sink: "sqlite", state: "failing", error: new Error("disk full"), suppressed: 7 });
      logNotice({ sink: "sqlite", state: "recovered", failures: 8 });
      logNotice({ sink: "jsonl", state: "lost", error: "EROFS", events: 12 });
    } finally {
      tagged("sink").removeReporter(reporter);
    }
    expect(logged).toEqual([
      "error sqlite sink failing: disk full",
      "error sqlite sink failing: disk full (7 more failures unreported)",
      "warn sqlite sink recovered after 8 failures",
      "error jsonl sink closed with 12 events unwritten: EROFS",
    ]);
  });
});
