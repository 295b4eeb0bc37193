import type { QueryEvent } from "../event/query-event.ts";

/**
 * Where events go. `write` is called from the packet path and must not do
 * I/O: a sink buffers and writes in `flush`, which the recorder calls on a
 * timer and when a batch is full. A sink that throws from `flush` keeps the
 * events it could not write and gets them again on the next call, up to
 * its own bound.
 */
export interface Sink {
  /** Short label for diagnostics: `sqlite`, `jsonl`, `console`. */
  readonly name: string;
  write(event: QueryEvent): void;
  /** Events buffered and not yet written. */
  pending(): number;
  flush(): void | Promise<void>;
  /** Flush and release the file or connection. */
  close(): void | Promise<void>;
}
