import { describe, expect, test } from "bun:test";
import { MemorySink } from "../../src/sinks/memory-sink.ts";
import { estimateEventBytes, PendingBytes } from "../../src/sinks/pending-bytes.ts";
import { malformedEvent, recordersClosedAfterEach, sampleEvent } from "./sink-fixtures.ts";

/** The largest DNS message over TCP, kept whole because it did not parse. */
const bigEvent = (port: number) =>
  malformedEvent({
    src_port: port,
    query_size: 65_535,
    raw: Buffer.alloc(65_535, port).toString("base64"),
  });
const bigEvents = (n: number, first = 0) =>
  Array.from({ length: n }, (_, i) => bigEvent(first + i));
/** 500 for the event, 87,380 base64 characters. */
const BIG_BYTES = 87_880;

/** A recorder that collects its notices instead of logging them. */
const recorderFor = recordersClosedAfterEach();

/** A sink whose flush waits for `finish`: it holds what it has, as a slow database does. */
function slowSink() {
  const sink = new MemorySink("slow");
  const gate = Promise.withResolvers<void>();
  const realFlush = sink.flush.bind(sink);
  sink.flush = () => gate.promise.then(realFlush);
  return { sink, finish: () => gate.resolve() };
}

describe("estimateEventBytes", () => {
  test("counts the event, its names and its raw bytes, not the rest", () => {
    const long = "x".repeat(1000);
    expect([
      estimateEventBytes(sampleEvent()),
      estimateEventBytes(
        sampleEvent({ dns_name: long, questions: [{ name: long, type: "A", cls: "IN" }] }),
      ),
      estimateEventBytes(malformedEvent()),
      estimateEventBytes(bigEvent(1)),
    ]).toEqual([500 + 11 + 64 + 11, 500 + 1000 + 64 + 1000, 500 + 8, BIG_BYTES]);
  });
});

describe("PendingBytes", () => {
  test("keeps the sizes of the newest events a sink still holds", () => {
    const bytes = new PendingBytes();
    const totals: number[] = [];
    for (let i = 1; i <= 10_000; i++) bytes.push(i);
    bytes.trim(3); // the oldest 9,997 were written
    totals.push(bytes.total);
    bytes.push(5);
    bytes.trim(10); // more than it knows of: keeps all
    totals.push(bytes.total);
    bytes.trim(0);
    totals.push(bytes.total);
    expect(totals).toEqual([9998 + 9999 + 10_000, 9998 + 9999 + 10_000 + 5, 0]);
  });
});

describe("the byte bound", () => {
  test("holds at most maxPendingBytes; the rest are dropped, counted, reported once", async () => {
    const { sink, finish } = slowSink();
    const { recorder, notices } = recorderFor([sink], { maxPendingBytes: 2 * BIG_BYTES });
    try {
      for (const event of bigEvents(2)) recorder.record(event);
      const flushing = recorder.flush();
      for (const event of bigEvents(3, 2)) recorder.record(event);
      expect(notices).toEqual([
        {
          sink: "slow",
          state: "failing",
          error: new Error("2 events (about 0.2 MiB) waiting to be written; dropping new ones"),
          suppressed: 0,
        },
      ]);
      finish();
      await flushing;
    } finally {
      finish(); // a failed expectation must not leave close waiting for ever
    }
    await recorder.close();
    expect(sink.events).toEqual(bigEvents(2));
    expect(recorder.stats()).toEqual([
      { name: "slow", written: 2, pending: 0, dropped: 3, failedFlushes: 0 },
    ]);
  });

  test("what a sink writes frees its room for new events", async () => {
    const sink = new MemorySink();
    const { recorder } = recorderFor([sink], { maxPendingBytes: 2 * BIG_BYTES });
    for (const round of [0, 2, 4]) {
      for (const event of bigEvents(2, round)) recorder.record(event);
      await recorder.flush();
    }
    await recorder.close();
    expect(recorder.stats()).toEqual([
      { name: "memory", written: 6, pending: 0, dropped: 0, failedFlushes: 0 },
    ]);
  });

  test("by default a sink holds 100,000 ordinary events, or 256 MiB of large ones", () => {
    const ordinary = new MemorySink();
    const large = new MemorySink();
    const first = recorderFor([ordinary]).recorder;
    const second = recorderFor([large]).recorder;
    // One object each: the test itself must not take 256 MiB.
    const [small, big] = [sampleEvent(), bigEvent(1)];
    for (let i = 0; i < 100_001; i++) first.record(small);
    for (let i = 0; i < 3100; i++) second.record(big);
    const held = [first, second].map((r) => r.stats().map((s) => [s.pending, s.dropped]));
    // 256 MiB / 87,880 bytes: 3,054 large events.
    expect(held).toEqual([[[100_000, 1]], [[3054, 46]]]);
  });
});
