import { expect, test } from "bun:test";
import type { QueryEvent } from "../../src/event/query-event.ts";
import { Recorder } from "../../src/sinks/recorder.ts";
import type { Sink } from "../../src/sinks/sink.ts";
import { sampleEvent } from "./sink-fixtures.ts";

/**
 * A sink that writes on another thread, as the SQLite sink does: events
 * handed over stay pending until the write completes a few turns later.
 */
class ThreadLikeSink implements Sink {
  readonly name = "thread";
  readonly written: QueryEvent[] = [];
  /** What the sink was asked to do, in order. */
  readonly calls: string[] = [];
  #waiting: QueryEvent[] = [];
  #handedOver: QueryEvent[] = [];

  write(event: QueryEvent): void {
    this.#waiting.push(event);
  }

  pending(): number {
    return this.#waiting.length + this.#handedOver.length;
  }

  async flush(): Promise<void> {
    this.calls.push("flush");
    await this.#handOver();
  }

  async close(): Promise<void> {
    this.calls.push("close");
    await this.#handOver();
    this.calls.push("closed");
  }

  async #handOver(): Promise<void> {
    this.#handedOver.push(...this.#waiting);
    this.#waiting = [];
    await new Promise((resolve) => setTimeout(resolve, 5));
    this.written.push(...this.#handedOver);
    this.#handedOver = [];
  }
}

test("a batch flush scheduled just before close does not run beside it", async () => {
  const sink = new ThreadLikeSink();
  const recorder = new Recorder([sink], { batchSize: 10, flushMs: 3_600_000 });
  // The tenth event schedules a flush for a later turn; close comes first.
  for (let i = 0; i < 10; i++) recorder.record(sampleEvent({ src_port: i }));
  await recorder.close();
  expect([sink.calls, sink.written.length]).toEqual([["close", "closed"], 10]);
  expect(recorder.stats()).toEqual([
    { name: "thread", written: 10, pending: 0, dropped: 0, failedFlushes: 0 },
  ]);
});

test("a flush asked for while closing waits for the close", async () => {
  const sink = new ThreadLikeSink();
  const recorder = new Recorder([sink], { batchSize: 1000, flushMs: 3_600_000 });
  recorder.record(sampleEvent());
  const closing = recorder.close();
  await recorder.flush();
  expect(sink.calls).toEqual(["close", "closed"]);
  await closing;
});
