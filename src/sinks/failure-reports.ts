import { messageOf } from "../errors.ts";
import { tagged } from "../log.ts";

/** A report repeats at most this often while a sink keeps failing. */
export const REPORT_EVERY_MS = 60_000;

/**
 * What the recorder tells about a sink's health:
 * - failing: a flush failed; `suppressed` failures since the previous report
 *   were not reported one by one.
 * - recovered: a flush succeeded after `failures` failures (failed flushes,
 *   or events dropped because too many were waiting).
 * - lost: the sink was closed with `events` it could not write.
 */
export type SinkNotice =
  | { sink: string; state: "failing"; error: unknown; suppressed: number }
  | { sink: string; state: "recovered"; failures: number }
  | { sink: string; state: "lost"; error: unknown; events: number };

/**
 * Turns a sink's flush results into notices, once per burst: the first
 * failure is reported, then silence until the sink recovers or
 * `REPORT_EVERY_MS` has passed, so a full disk at 100k events a second
 * writes a handful of lines, not millions.
 */
export class FailureBursts {
  /** Failed flushes in the current burst; 0 when healthy. */
  #failures = 0;
  #suppressed = 0;
  #reportedAt = 0;

  constructor(
    readonly sink: string,
    readonly notify: (notice: SinkNotice) => void,
    readonly now: () => number,
  ) {}

  /** Inside a burst: a failure was reported and no success came since. */
  get failing(): boolean {
    return this.#failures > 0;
  }

  failed(error: unknown): void {
    this.#failures++;
    const now = this.now();
    if (this.#failures > 1 && now - this.#reportedAt < REPORT_EVERY_MS) {
      this.#suppressed++;
      return;
    }
    this.notify({ sink: this.sink, state: "failing", error, suppressed: this.#suppressed });
    this.#suppressed = 0;
    this.#reportedAt = now;
  }

  succeeded(): void {
    if (this.#failures === 0) return;
    this.notify({ sink: this.sink, state: "recovered", failures: this.#failures });
    this.#failures = 0;
    this.#suppressed = 0;
  }
}

/** The `sink` diagnostics logger (stderr); `setVerbosity` keeps its level. */
export function sinkLog(): ReturnType<typeof tagged> {
  return tagged("sink");
}

/** The default notice handler: one diagnostic line on the `sink` logger. */
export function logNotice(notice: SinkNotice): void {
  const out = sinkLog();
  switch (notice.state) {
    case "failing": {
      const more = notice.suppressed > 0 ? ` (${notice.suppressed} more failures unreported)` : "";
      out.error(`${notice.sink} sink failing: ${messageOf(notice.error)}${more}`);
      return;
    }
    case "recovered":
      out.warn(`${notice.sink} sink recovered after ${notice.failures} failures`);
      return;
    case "lost": {
      const reason = messageOf(notice.error);
      out.error(`${notice.sink} sink closed with ${notice.events} events unwritten: ${reason}`);
      return;
    }
  }
}
