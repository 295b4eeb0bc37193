import { Database } from "bun:sqlite";
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sharedCorpus } from "../helpers/corpus.ts";
import { query, udpExchange, waitUntil } from "../helpers/dns-client.ts";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream.ts";
import { freePort } from "../helpers/free-port.ts";
import { FROM_SOURCE, killAllUdpot, startUdpot } from "../helpers/udpot-process.ts";

let upstream: FakeUpstream;
let dir: string;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  dir = mkdtempSync(join(tmpdir(), "udpot-process-"));
});
afterAll(() => {
  upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

function lines(path: string): Record<string, unknown>[] {
  return readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
}

async function baseArgs(name: string) {
  const port = await freePort();
  const db = join(dir, `${name}.sqlite3`);
  const jsonl = join(dir, `${name}.jsonl`);
  const args = [`127.0.0.1:${upstream.port}`, "-p", String(port), "-b", "127.0.0.1"];
  return { port, db, jsonl, args: [...args, "-s", `sqlite:///${db}`, "-j", jsonl] };
}

test("start-up line names version, address, upstream and logs", async () => {
  const { port, db, jsonl, args } = await baseArgs("startline");
  const udpot = await startUdpot(args, { cmd: FROM_SOURCE });
  expect(await udpot.stop()).toBe(0);
  const first = udpot.stderr().split("\n")[0];
  expect(first).toMatch(
    new RegExp(
      `^udpot \\d+\\.\\d+\\.\\d+ \\(\\w+\\) listening on 127\\.0\\.0\\.1:${port} udp\\+tcp, ` +
        `upstream 127\\.0\\.0\\.1:${upstream.port}, logs: sqlite ${db}, jsonl ${jsonl}$`,
    ),
  );
});

test("SIGTERM right after a burst: every event in SQLite and JSONL, exit 0", async () => {
  const { port, db, jsonl, args } = await baseArgs("sigterm");
  const udpot = await startUdpot([...args, "-c", "1"], { cmd: FROM_SOURCE });
  const burst = 1500; // below one batch, so only SIGTERM's flush writes them
  const sock = await Bun.udpSocket({ hostname: "127.0.0.2" });
  const q = query("burst.example");
  for (let i = 0; i < burst; i++) {
    sock.send(q, port, "127.0.0.1");
    if (i % 100 === 99) await Bun.sleep(1);
  }
  sock.close();
  // A query from another source that gets an answer: udpot has read every
  // datagram queued before it, so all of them are recorded (in buffers).
  expect(await udpExchange(port, query("marker.example"), { from: "127.0.0.3" })).not.toBeNull();
  expect(await udpot.stop("SIGTERM")).toBe(0);

  // The kernel may drop datagrams before udpot reads them (a busy test
  // machine, a small receive buffer); what udpot received it must keep.
  const received = Number(/stopped: (\d+) messages/.exec(udpot.stderr())?.[1]);
  const rows = new Database(db, { readonly: true }).query("SELECT count(*) AS n FROM dns").get();
  expect([rows, lines(jsonl).length]).toEqual([{ n: received }, received]);
  expect(received).toBeGreaterThan(burst / 2);
});

test("SIGINT stops cleanly too", async () => {
  const { args } = await baseArgs("sigint");
  const udpot = await startUdpot(args, { cmd: FROM_SOURCE });
  expect(await udpot.stop("SIGINT")).toBe(0);
});

test("SIGHUP reopens the JSONL file after logrotate moved it", async () => {
  const { port, jsonl, args } = await baseArgs("sighup");
  const udpot = await startUdpot([...args, "-c", "10"], { cmd: FROM_SOURCE });
  await udpExchange(port, query("before.example"));
  await waitUntil(() => {
    try {
      return lines(jsonl).length === 1;
    } catch {
      return false;
    }
  });
  renameSync(jsonl, `${jsonl}.1`);
  udpot.proc.kill("SIGHUP");
  await waitUntil(() => Bun.file(jsonl).size > -1 && udpot.stderr().includes("reopening"), 2000);
  await udpExchange(port, query("after.example"));
  expect(await udpot.stop()).toBe(0);
  expect([lines(`${jsonl}.1`).map((e) => e.dns_name), lines(jsonl).map((e) => e.dns_name)]).toEqual(
    [["before.example"], ["after.example"]],
  );
});

test("-v prints one escaped line per event on stdout; diagnostics stay on stderr", async () => {
  const { port, args } = await baseArgs("verbose");
  const udpot = await startUdpot([...args, "-v"], { cmd: FROM_SOURCE });
  const ansi = sharedCorpus().find((c) => c.file.startsWith("10-"));
  await udpExchange(port, ansi?.bytes ?? new Uint8Array(), { from: "127.0.0.4" });
  expect(await udpot.stop()).toBe(0);
  const out = udpot.stdout();
  expect(out.trim().split("\n")).toEqual([expect.stringContaining("127.0.0.4")]);
  expect(out).toContain("\\027[31mred.example");
  expect(out).not.toContain("\x1b");
  expect(udpot.stderr()).not.toContain("red.example");
});

test("a path that cannot be opened stops the start with status 1 and a clear line", async () => {
  const port = await freePort();
  const proc = Bun.spawn(
    [
      process.execPath,
      "src/main.ts",
      "127.0.0.1",
      "-p",
      String(port),
      "-s",
      "",
      "-j",
      "/nonexistent/dir/x.jsonl",
    ],
    { stdout: "pipe", stderr: "pipe" },
  );
  const err = await new Response(proc.stderr).text();
  expect(await proc.exited).toBe(1);
  expect(err).toContain("/nonexistent/dir/x.jsonl");
});

afterEach(async () => {
  // Only processes a failed test left behind; a passing test stopped its own.
  await killAllUdpot();
});
