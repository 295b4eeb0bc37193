import { Database } from "bun:sqlite";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { query, udpExchange } from "../helpers/dns-client.ts";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream.ts";
import { freePort } from "../helpers/free-port.ts";
import { startUdpot } from "../helpers/udpot-process.ts";

/** The compiled binary, stopped and started again on the same database. */
let upstream: FakeUpstream;
let dir: string;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  dir = mkdtempSync(join(tmpdir(), "udpot-e2e-state-"));
});
afterAll(() => {
  upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(sql: string, from: string[]): Promise<{ answered: boolean[]; stderr: string }> {
  const port = await freePort();
  const udpot = await startUdpot([
    `127.0.0.1:${upstream.port}`,
    ...["-p", String(port), "-b", "127.0.0.1", "-s", sql, "-j", join(dir, "log.jsonl")],
  ]);
  const answered: boolean[] = [];
  for (const address of from) {
    const reply = await udpExchange(port, query("www.example"), { from: address, timeoutMs: 500 });
    answered.push(reply !== null);
  }
  expect(await udpot.stop()).toBe(0);
  return { answered, stderr: udpot.stderr() };
}

test("a restart keeps spent budgets spent (SQLite)", async () => {
  const db = join(dir, "udpot.sqlite3");
  const spend = ["127.50.0.1", "127.50.0.1", "127.50.0.1", "127.50.0.1"];
  const first = await run(`sqlite:///${db}`, spend);
  const second = await run(`sqlite:///${db}`, ["127.50.0.1", "127.50.0.2"]);

  expect(first.answered).toEqual([true, true, true, false]);
  expect(second.answered).toEqual([false, true]);
  const rows = new Database(db, { readonly: true });
  expect(rows.query("SELECT source, count FROM budget_state ORDER BY source").values()).toEqual([
    ["127.50.0.1", 3],
    ["127.50.0.2", 1],
  ]);
  // Three relays from the first run, one from the second: the /24 has spent 4 of 10.
  expect(rows.query("SELECT prefix, count FROM prefix_state").values()).toEqual([
    ["127.50.0.0/24", 4],
  ]);
  rows.close();
  expect(second.stderr).toContain("limited: prefix 0, prefix table full 0, rate 0, truncated 0");
});

test('with -s "" nothing is kept: a restart starts every budget afresh', async () => {
  const spend = ["127.51.0.1", "127.51.0.1", "127.51.0.1", "127.51.0.1"];
  const first = await run("", spend);
  const second = await run("", ["127.51.0.1"]);
  expect([first.answered, second.answered]).toEqual([[true, true, true, false], [true]]);
});
