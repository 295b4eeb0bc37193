import { Database } from "bun:sqlite";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Server, startServer } from "../../src/server/start-server.ts";
import { MemorySink } from "../../src/sinks/memory-sink.ts";
import { Recorder } from "../../src/sinks/recorder.ts";
import { openStateDb } from "../../src/state/state-db.ts";
import { query, udpExchange } from "../helpers/dns-client.ts";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream.ts";
import { testConfig } from "../helpers/test-server.ts";

/** A restart of the in-process server must not hand spent budgets back. */
let upstream: FakeUpstream;
let dir: string;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  dir = mkdtempSync(join(tmpdir(), "udpot-state-restart-"));
});
afterAll(() => {
  upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(path: string): Promise<Server> {
  const config = testConfig(upstream.port, { reqCount: 3, prefixCount: 4 });
  const recorder = new Recorder([new MemorySink()], { batchSize: 100, flushMs: 50 });
  return await startServer(config, { recorder, state: openStateDb(path) });
}

/** Whether each query, from each address in turn, was answered. */
async function answered(server: Server, from: string[]): Promise<boolean[]> {
  const out: boolean[] = [];
  for (const address of from) {
    const reply = await udpExchange(server.port, query("www.example"), {
      from: address,
      timeoutMs: 300,
    });
    out.push(reply !== null);
  }
  return out;
}

test("spent sources and networks stay spent across a restart", async () => {
  const path = join(dir, "udpot.sqlite3");
  const first = await start(path);
  // 127.40.0.1 spends -c; with 127.40.0.2 the /24 spends --prefix-count.
  const before = await answered(first, [
    ...["127.40.0.1", "127.40.0.1", "127.40.0.1", "127.40.0.1"],
    ...["127.40.0.2", "127.40.0.3"],
  ]);
  await first.stop();

  const second = await start(path);
  expect(second.state?.restored).toEqual({ budget_state: 3, prefix_state: 1 });
  const after = await answered(second, ["127.40.0.1", "127.40.0.9", "127.41.0.1"]);
  await second.stop();

  expect(before).toEqual([true, true, true, false, true, false]);
  // The spent source is still sinkholed, its /24 still limited; a new network is answered.
  expect(after).toEqual([false, false, true]);
  const db = new Database(path, { readonly: true });
  expect(db.query("SELECT source, count FROM budget_state ORDER BY source").values()).toEqual([
    ["127.40.0.1", 3],
    ["127.40.0.2", 1],
    ["127.40.0.3", 1],
    ["127.40.0.9", 1],
    ["127.41.0.1", 1],
  ]);
  expect(db.query("SELECT prefix, count FROM prefix_state ORDER BY prefix").values()).toEqual([
    ["127.40.0.0/24", 4],
    ["127.41.0.0/24", 1],
  ]);
  db.close();
});
