import { messageOf, UdpotError } from "../errors.ts";
import type { QueryEvent } from "../event/query-event.ts";
import { eventJsonOnce } from "./event-json.ts";
import { LineBuffer } from "./line-buffer.ts";
import type { Sink } from "./sink.ts";

/** What the main thread asks of the SQLite worker (`sqlite-worker.ts`). */
export type SqliteRequest =
  | { kind: "open"; path: string; verbosity: 0 | 1 | 2 | 3 }
  /** JSON Lines, UTF-8, each ending in "\n" (none: a retry); written in one transaction. */
  | { kind: "write"; lines: Uint8Array }
  /** The last lines; then the database is closed. */
  | { kind: "close"; lines: Uint8Array };

/** The worker's answer to each request, in order. */
export type SqliteReply =
  | { kind: "opened"; error: string | null }
  /** `pending`: events the worker still holds after a failed write. */
  | { kind: "written" | "closed"; error: string | null; pending: number };

/**
 * The SQLite sink on a worker thread. At 100k queries a second SQLite's
 * inserts alone take most of a core; on the packet thread they starve the
 * socket, here they run beside it. Each event crosses as its JSON line
 * (made once, for this sink and the JSON Lines sink alike), encoded as it
 * arrives; a batch crosses as one byte buffer, transferred, not copied.
 *
 * Throws `UdpotError` "startup" when the database cannot be opened or the
 * thread cannot start.
 */
export async function openSqliteThreadSink(
  path: string,
  verbosity: 0 | 1 | 2 | 3 = 0,
): Promise<Sink> {
  let sink: SqliteThreadSink;
  try {
    sink = new SqliteThreadSink(new Worker(workerUrl()));
  } catch (error) {
    throw new UdpotError("startup", `cannot start the SQLite writer thread: ${messageOf(error)}`);
  }
  let opened: SqliteReply;
  try {
    opened = await sink.request({ kind: "open", path, verbosity });
  } catch (error) {
    sink.stop();
    throw new UdpotError("startup", `cannot start the SQLite writer thread: ${messageOf(error)}`);
  }
  if (opened.error !== null) {
    sink.stop();
    throw new UdpotError("startup", opened.error);
  }
  return sink;
}

/**
 * Where the worker's module is: beside this one when run from source. In a
 * compiled binary every module's `import.meta.url` is the binary's own,
 * under /$bunfs/root/, and scripts/build lays each `*-worker.ts` entry point
 * flat beside it (`--entry-naming=[name].[ext]`), so the same relative URL
 * holds there too.
 */
function workerUrl(): string {
  return new URL("./sqlite-worker.ts", import.meta.url).href;
}

interface Waiter {
  resolve(reply: SqliteReply): void;
  reject(error: Error): void;
}

class SqliteThreadSink implements Sink {
  readonly name = "sqlite";
  readonly #lines = new LineBuffer();
  /** Events handed to the worker and not written yet. */
  #inWorker = 0;
  readonly #waiters: Waiter[] = [];
  /** Why the worker is gone; every request fails with it from then on. */
  #failure: Error | null = null;
  #stopped = false;

  constructor(readonly worker: Worker) {
    worker.onmessage = (message: MessageEvent<SqliteReply>) => {
      this.#waiters.shift()?.resolve(message.data);
      if (this.#waiters.length === 0) worker.unref();
    };
    worker.onerror = (event: ErrorEvent) => {
      this.#fail(new Error(`SQLite writer thread failed: ${event.message}`));
    };
    worker.addEventListener("close", () => {
      if (!this.#stopped) this.#fail(new Error("SQLite writer thread exited"));
    });
    // The listeners keep udpot alive, not an idle writer; but one with a
    // request outstanding does, or the last flush at exit would be lost
    // once the sockets are closed.
    worker.unref();
  }

  write(event: QueryEvent): void {
    this.#lines.add(eventJsonOnce(event));
  }

  pending(): number {
    return this.#lines.lines + this.#inWorker;
  }

  /** Hands the waiting lines over and resolves once they are in the database. */
  async flush(): Promise<void> {
    if (this.pending() === 0) return;
    this.#settle(await this.request({ kind: "write", lines: this.#takeLines() }));
  }

  async close(): Promise<void> {
    if (this.#stopped) return;
    try {
      this.#settle(await this.request({ kind: "close", lines: this.#takeLines() }));
    } finally {
      this.stop();
    }
  }

  /** Sends one request; its reply is the next message not yet claimed. */
  request(request: SqliteRequest): Promise<SqliteReply> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
      this.worker.ref();
      // LineBuffer.take() gives up its bytes: they move, not copy.
      const moved = request.kind === "open" ? [] : [request.lines.buffer as ArrayBuffer];
      this.worker.postMessage(request, moved);
    });
  }

  /** Ends the thread; whatever it still held is lost (and stays in `pending`). */
  stop(): void {
    this.#stopped = true;
    this.#fail(new Error("the SQLite writer thread is stopped"));
    this.worker.terminate();
  }

  #takeLines(): Uint8Array {
    this.#inWorker += this.#lines.lines;
    return this.#lines.take();
  }

  #settle(reply: SqliteReply): void {
    if (reply.kind !== "opened") this.#inWorker = reply.pending;
    if (reply.error !== null) throw new Error(reply.error);
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
  }
}
