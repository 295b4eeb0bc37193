/**
 * The SQLite sink on its own thread (started by `openSqliteThreadSink`).
 *
 * It gets batches of JSON Lines as UTF-8 bytes, the same text the JSON
 * Lines sink writes, turns each line back into an event and writes the
 * batch with the plain SQLite sink: one transaction, one prepared
 * statement. Every request gets exactly one reply, in order.
 */

import { messageOf } from "../errors.ts";
import { setVerbosity } from "../log.ts";
import { openSqliteSink, type SqliteSink } from "./sqlite-sink.ts";
import type { SqliteReply, SqliteRequest } from "./sqlite-thread.ts";

declare const self: Worker;

let sink: SqliteSink | null = null;

self.onmessage = (message: MessageEvent<SqliteRequest>) => {
  self.postMessage(answer(message.data));
};

function answer(request: SqliteRequest): SqliteReply {
  switch (request.kind) {
    case "open":
      setVerbosity(request.verbosity);
      try {
        sink = openSqliteSink(request.path);
        return { kind: "opened", error: null };
      } catch (error) {
        return { kind: "opened", error: messageOf(error) };
      }
    case "write":
      return outcome("written", () => {
        addLines(request.lines);
        sink?.flush();
      });
    case "close":
      return outcome("closed", () => {
        addLines(request.lines);
        sink?.close();
      });
  }
}

/** Runs a step of the sink and reports its error and what it still holds. */
function outcome(kind: "written" | "closed", step: () => void): SqliteReply {
  try {
    step();
    return { kind, error: null, pending: sink?.pending() ?? 0 };
  } catch (error) {
    return { kind, error: messageOf(error), pending: sink?.pending() ?? 0 };
  }
}

const utf8 = new TextDecoder();

/** Lines of one batch, none for a retry of what an earlier write kept. */
function addLines(lines: Uint8Array): void {
  if (sink === null) throw new Error("the SQLite database is not open");
  const text = utf8.decode(lines);
  let start = 0;
  for (let end = text.indexOf("\n"); end >= 0; end = text.indexOf("\n", start)) {
    sink.write(JSON.parse(text.slice(start, end)));
    start = end + 1;
  }
}
