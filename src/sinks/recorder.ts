import type { QueryEvent } from "../event/query-event.ts";
import { FailureBursts, logNotice, type SinkNotice } from "./failure-reports.ts";
import { estimateEventBytes, PendingBytes } from "./pending-bytes.ts";
import type { Sink } from "./sink.ts";

export type { SinkNotice } from "./failure-reports.ts";

export interface RecorderOptions {
  /** A sink is flushed as soon as this many events wait in it. */
  batchSize: number;
  /** Every sink is flushed at least this often. */
  flushMs: number;
  /**
   * Events a sink may hold while it cannot write (default 100,000); beyond
   * that new events are dropped for that sink only, and counted.
   */
  maxPending?: number;
  /**
   * Estimated bytes of the events a sink may hold (default 256 MiB), the
   * same way: a long outage during a flood of large malformed messages,
   * which keep their bytes, must not take gigabytes.
   */
  maxPendingBytes?: number;
  /** Told once per burst of failures; by default a line on the `sink` logger. */
  onFailure?: (notice: SinkNotice) => void;
  /** Milliseconds clock for spacing repeated reports; tests replace it. */
  now?: () => number;
}

/** Counters for one sink, in events unless named otherwise. */
export interface SinkStats {
  name: string;
  written: number;
  pending: number;
  dropped: number;
  failedFlushes: number;
}

interface SinkState {
  sink: Sink;
  bursts: FailureBursts;
  stats: SinkStats;
  /** Estimated sizes of the events the sink holds. */
  bytes: PendingBytes;
  /** Events handed to the sink's `write`. */
  accepted: number;
  flushScheduled: boolean;
  flushing: Promise<void> | null;
  /** Closed: what is still pending was lost and is counted as dropped. */
  closed: boolean;
}

const DEFAULT_MAX_PENDING = 100_000;
const DEFAULT_MAX_PENDING_BYTES = 256 * 1024 * 1024;

/**
 * Hands every event to every sink and decides when they write. `record`
 * only buffers, so the packet path does no I/O; flushes run on a later
 * turn of the event loop. A sink that fails keeps its events (up to
 * `maxPending` of them and `maxPendingBytes`) and never holds up the others.
 */
export class Recorder {
  readonly #states: SinkState[];
  readonly #batchSize: number;
  readonly #maxPending: number;
  readonly #maxPendingBytes: number;
  readonly #timer: ReturnType<typeof setInterval>;
  #closing: Promise<void> | null = null;

  constructor(sinks: Sink[], opts: RecorderOptions) {
    this.#batchSize = opts.batchSize;
    this.#maxPending = opts.maxPending ?? DEFAULT_MAX_PENDING;
    this.#maxPendingBytes = opts.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
    const notify = opts.onFailure ?? logNotice;
    const now = opts.now ?? Date.now;
    this.#states = sinks.map((sink) => ({
      sink,
      bursts: new FailureBursts(sink.name, notify, now),
      stats: { name: sink.name, written: 0, pending: 0, dropped: 0, failedFlushes: 0 },
      bytes: new PendingBytes(),
      accepted: 0,
      flushScheduled: false,
      flushing: null,
      closed: false,
    }));
    // Unreferenced: the listeners keep the process alive, not the timer.
    this.#timer = setInterval(() => void this.flush(), opts.flushMs);
    this.#timer.unref();
  }

  /** Buffers `event` in every sink; no I/O happens here. */
  record(event: QueryEvent): void {
    const size = estimateEventBytes(event);
    for (const state of this.#states) {
      if (this.#closing !== null) {
        state.stats.dropped++;
        continue;
      }
      if (this.#full(state, size)) continue;
      try {
        state.sink.write(event);
      } catch (error) {
        state.stats.dropped++;
        state.bursts.failed(error);
        continue;
      }
      state.accepted++;
      state.bytes.push(size);
      if (!state.flushScheduled && state.sink.pending() >= this.#batchSize) {
        state.flushScheduled = true;
        setImmediate(() => {
          state.flushScheduled = false;
          void this.#flushSink(state);
        });
      }
    }
  }

  /** Flushes every sink now; resolves when all are done. Never rejects. */
  async flush(): Promise<void> {
    await Promise.all(this.#states.map((state) => this.#flushSink(state)));
  }

  /**
   * Stops the timer, flushes and closes every sink. Events recorded after
   * this are dropped. What a sink still cannot write is reported as lost.
   */
  close(): Promise<void> {
    if (this.#closing === null) {
      clearInterval(this.#timer);
      this.#closing = Promise.all(this.#states.map((state) => this.#closeSink(state))).then(
        () => {},
      );
    }
    return this.#closing;
  }

  /**
   * Counters per sink, in the order the sinks were given. Every event
   * recorded is in exactly one of written, pending and dropped.
   */
  stats(): SinkStats[] {
    return this.#states.map((state) => ({
      ...state.stats,
      pending: state.closed ? 0 : state.sink.pending(),
    }));
  }

  /**
   * A sink that cannot keep up (failing, or just slow) loses the newest
   * events: true when the one of `size` bytes would take it past a bound,
   * and then it is dropped. Once per burst this is a failure of its own,
   * so a slow sink that never throws is reported too.
   */
  #full(state: SinkState, size: number): boolean {
    const waiting = state.sink.pending();
    state.bytes.trim(waiting);
    const tooMany = waiting >= this.#maxPending;
    if (!tooMany && state.bytes.total + size <= this.#maxPendingBytes) return false;
    state.stats.dropped++;
    if (state.bursts.failing) return true;
    const held = tooMany ? "" : ` (about ${mebibytes(state.bytes.total)} MiB)`;
    const why = `${waiting} events${held} waiting to be written; dropping new ones`;
    state.bursts.failed(new Error(why));
    return true;
  }

  /** One flush per sink at a time: a caller during a flush shares it. */
  #flushSink(state: SinkState): Promise<void> {
    // Once closing, a flush scheduled earlier must not run beside the
    // sink's close: close writes everything itself.
    if (this.#closing !== null) return this.#closing;
    if (state.flushing === null) {
      state.flushing = this.#counted(state, () => state.sink.flush())
        .then((error) => {
          if (error === undefined) state.bursts.succeeded();
          else state.bursts.failed(error);
        })
        .finally(() => {
          state.flushing = null;
        });
    }
    return state.flushing;
  }

  async #closeSink(state: SinkState): Promise<void> {
    await state.flushing;
    const error = await this.#counted(state, () => state.sink.close());
    state.closed = true;
    if (error === undefined) {
      state.bursts.succeeded();
      return;
    }
    const events = state.sink.pending();
    state.stats.dropped += events;
    state.bursts.notify({ sink: state.sink.name, state: "lost", error, events });
  }

  /**
   * Runs a flush or close and counts what it wrote: the drop in `pending`
   * plus what arrived meanwhile (an async sink accepts events while it
   * writes). Resolves to the error, undefined on success.
   */
  async #counted(state: SinkState, run: () => void | Promise<void>): Promise<unknown> {
    const pendingBefore = state.sink.pending();
    const acceptedBefore = state.accepted;
    let failure: unknown;
    try {
      await run();
    } catch (error) {
      failure = error ?? new Error("sink failed without a reason");
      state.stats.failedFlushes++;
    }
    const arrived = state.accepted - acceptedBefore;
    state.stats.written += pendingBefore + arrived - state.sink.pending();
    return failure;
  }
}

/** `bytes` in MiB with one decimal: `0.3`, `256.0`. */
function mebibytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}
