import type { Config } from "../cli/config.ts";
import { openConsoleSink } from "../sinks/console-sink.ts";
import { type JsonlSink, openJsonlSink } from "../sinks/jsonl-sink.ts";
import { Recorder } from "../sinks/recorder.ts";
import type { Sink } from "../sinks/sink.ts";
import { openSqlSink, sensorName } from "../sinks/sql-sink.ts";
import { openSqliteThreadSink } from "../sinks/sqlite-thread.ts";

export interface OpenedSinks {
  recorder: Recorder;
  /**
   * For the start-up line: `sqlite db.sqlite3`,
   * `postgres postgresql://u:***@db/x (sensor s1)`, `mysql mysql://…`, …
   */
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
    sinks.push(await openSqliteThreadSink(db.path, config.verbosity));
    labels.push(`sqlite ${db.path}`);
  } else if (db?.kind === "postgres" || db?.kind === "mysql") {
    // The URL's scheme picks PostgreSQL or MySQL/MariaDB; the sink is one code.
    const sink = await openSqlSink(db.url, { sensor: sensorName() });
    sinks.push(sink);
    const waiting = sink.ready ? "" : ", not reached yet";
    labels.push(`${sink.name} ${sink.where} (sensor ${sink.sensor}${waiting})`);
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
