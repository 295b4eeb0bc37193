/**
 * How fast the write path takes events: pushes synthetic events through the
 * Recorder into SQLite, JSON Lines, and both, in a temporary directory, and
 * prints events per second for each. udpot needs 100k events/s to keep up.
 *
 *   bun scripts/bench-sinks.ts [events]        (default 1,000,000)
 *
 * Events are fed in slices of SLICE with a turn of the event loop between
 * slices, as packets arrive, so the recorder's batch flushes run in between
 * as they would in udpot. The longest stall is the longest time between two
 * slices: the worst pause a flush caused the packet path.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openJsonlSink } from "../src/sinks/jsonl-sink.ts";
import { Recorder } from "../src/sinks/recorder.ts";
import type { Sink } from "../src/sinks/sink.ts";
import { openSqliteSink } from "../src/sinks/sqlite-sink.ts";
import { syntheticEvent } from "./bench-events.ts";

/** The values udpot itself uses (src/server/open-sinks.ts). */
const BATCH_SIZE = 2000;
const FLUSH_MS = 200;
const SLICE = 500;

const total = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), "udpot-bench-"));

interface Result {
  label: string;
  perSecond: number;
  stallMs: number;
  dropped: number;
}

async function run(label: string, sinks: Sink[]): Promise<Result> {
  const recorder = new Recorder(sinks, {
    batchSize: BATCH_SIZE,
    flushMs: FLUSH_MS,
    onFailure: (notice) => console.error(label, notice),
  });
  const startMicros = Date.parse("2026-01-06T10:00:00Z") * 1000;
  let stallMs = 0;
  const started = performance.now();
  for (let i = 0; i < total; i += SLICE) {
    const sliceStart = performance.now();
    for (let j = i; j < Math.min(i + SLICE, total); j++) {
      recorder.record(syntheticEvent(j, startMicros));
    }
    await new Promise((resolve) => setImmediate(resolve));
    stallMs = Math.max(stallMs, performance.now() - sliceStart);
  }
  await recorder.close();
  const seconds = (performance.now() - started) / 1000;
  const dropped = recorder.stats().reduce((sum, s) => sum + s.dropped, 0);
  return { label, perSecond: total / seconds, stallMs, dropped };
}

function size(path: string): string {
  return `${(statSync(path).size / 1e6).toFixed(0)} MB`;
}

const results: Result[] = [];
results.push(await run("no sink (event building only)", []));
const db = join(dir, "db.sqlite3");
results.push(await run(`sqlite`, [openSqliteSink(db)]));
const log = join(dir, "log.jsonl");
results.push(await run(`jsonl`, [openJsonlSink(log, { rotate: false })]));
const both = [
  openSqliteSink(join(dir, "both.sqlite3")),
  openJsonlSink(join(dir, "both.jsonl"), { rotate: false }),
];
results.push(await run("sqlite + jsonl", both));

console.log(`${total.toLocaleString("en")} events, batch ${BATCH_SIZE}, timer ${FLUSH_MS} ms`);
for (const r of results) {
  const rate = Math.round(r.perSecond).toLocaleString("en").padStart(10);
  const stall = r.stallMs.toFixed(1).padStart(6);
  console.log(
    `${r.label.padEnd(30)} ${rate} events/s  longest stall ${stall} ms  dropped ${r.dropped}`,
  );
}
console.log(`sizes: sqlite ${size(db)}, jsonl ${size(log)}`);
rmSync(dir, { recursive: true, force: true });
