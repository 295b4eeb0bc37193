import { Database } from "bun:sqlite";
import { afterAll, afterEach, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { query, udpExchange } from "../helpers/dns-client.ts";
import { startFakeUpstream } from "../helpers/fake-upstream.ts";
import { freePort } from "../helpers/free-port.ts";
import { BINARY, killAllUdpot, startUdpot } from "../helpers/udpot-process.ts";

// The binary alone, in a folder with no node_modules and no package.json
// anywhere above it that could lend it modules.
const dir = mkdtempSync(join(tmpdir(), "udpot-alone-"));
const binary = join(dir, "udpot");
copyFileSync(BINARY, binary);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("--version runs from an empty folder", () => {
  const run = Bun.spawnSync([binary, "--version"], { cwd: dir, env: { PATH: "/usr/bin:/bin" } });
  expect([run.exitCode, run.stdout.toString()]).toEqual([
    0,
    expect.stringMatching(/^udpot \d+\.\d+\.\d+ \(\w+\)\n$/),
  ]);
});

test("it relays and writes db.sqlite3 beside itself with the defaults", async () => {
  const upstream = await startFakeUpstream();
  const port = await freePort();
  const udpot = await startUdpot([`127.0.0.1:${upstream.port}`, "-p", String(port)], {
    cmd: [binary],
    cwd: dir,
    env: { PATH: "/usr/bin:/bin" },
  });
  const reply = await udpExchange(port, query("alone.example"));
  expect(await udpot.stop()).toBe(0);
  upstream.close();
  expect(reply).not.toBeNull();
  const rows = new Database(join(dir, "db.sqlite3"), { readonly: true })
    .query("SELECT src, dns_name, action FROM dns")
    .all();
  expect(rows).toEqual([{ src: "127.0.0.1", dns_name: "alone.example", action: "relayed" }]);
});

afterEach(async () => {
  // Only processes a failed test left behind; a passing test stopped its own.
  await killAllUdpot();
});
