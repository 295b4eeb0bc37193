import type { Config } from "../cli/config.ts";
import { redactDatabaseUrl } from "../cli/database-url.ts";
import { UdpotError } from "../errors.ts";
import { openConsoleSink } from "../sinks/console-sink.ts";
import { type JsonlSink, openJsonlSink } from "../sinks/jsonl-sink.ts";
import { Recorder } from "../sinks/recorder.ts";
import type { Sink } from "../sinks/sink.ts";
import { openSqliteSink } from "../sinks/sqlite-sink.ts";

export interface OpenedSinks {
  recorder: Recorder;
  /** For the start-up line: `sqlite db.sqlite3`, `jsonl log.jsonl`, … */
  labels: string[];
  /** Reopen log files by name (SIGHUP). */
  reopen(): void;
}

/** Batches big enough for fast SQLite transactions, small enough to flush often. */
const BATCH_SIZE = 2000;
const FLUSH_MS = 200;

/** Open every sink the configuration asks for; a sink that cannot open stops the start. */
export async function openSinks(config: Config): Promise<OpenedSinks> {
  const sinks: Sink[] = [];
  const labels: string[] = [];
  const jsonl: JsonlSink[] = [];
  const db = config.database;
  if (db?.kind === "sqlite") {
    sinks.push(openSqliteSink(db.path));
    labels.push(`sqlite ${db.path}`);
  } else if (db !== null) {
    // TODO(#6): a Bun.SQL sink for PostgreSQL and MySQL fleets.
    throw new UdpotError(
      "startup",
      `${redactDatabaseUrl(db.url)}: only sqlite:// databases are supported in this version; ` +
        'use -s sqlite:///PATH, or -s "" with -j for JSON Lines',
    );
  }
  if (config.jsonLog !== null) {
    const sink = openJsonlSink(config.jsonLog, { rotate: config.jsonRotate });
    sinks.push(sink);
    jsonl.push(sink);
    labels.push(`jsonl ${config.jsonLog}${config.jsonRotate ? " (daily)" : ""}`);
  }
  if (config.verbose) {
    sinks.push(openConsoleSink());
    labels.push("stdout");
  }
  const recorder = new Recorder(sinks, { batchSize: BATCH_SIZE, flushMs: FLUSH_MS });
  return {
    recorder,
    labels,
    reopen: () => {
      for (const s of jsonl) s.reopen();
    },
  };
}
