import type { QueryEvent } from "../event/query-event.ts";
import type { Sink } from "./sink.ts";

/**
 * A sink that keeps events in memory, for tests. Like the file sinks it
 * buffers on `write` and moves the buffer to `events` on `flush`; set
 * `failure` to make flushes throw (the buffer is kept, as a real sink does).
 */
export class MemorySink implements Sink {
  /** Flushed events, oldest first. */
  readonly events: QueryEvent[] = [];
  /** Thrown by `flush` while set. */
  failure: Error | null = null;
  flushes = 0;
  closed = false;
  #buffer: QueryEvent[] = [];

  constructor(readonly name = "memory") {}

  write(event: QueryEvent): void {
    this.#buffer.push(event);
  }

  pending(): number {
    return this.#buffer.length;
  }

  flush(): void {
    this.flushes++;
    if (this.failure !== null) throw this.failure;
    for (const event of this.#buffer) this.events.push(event);
    this.#buffer = [];
  }

  close(): void {
    this.flush();
    this.closed = true;
  }
}
