import { Database } from "bun:sqlite";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { query } from "../helpers/dns-client.ts";
import { freePort } from "../helpers/free-port.ts";
import { FROM_SOURCE, startUdpot } from "../helpers/udpot-process.ts";

const RMEM_MAX = Number(readFileSync("/proc/sys/net/core/rmem_max", "utf8"));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "udpot-flood-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function sinkhole(name: string, extra: string[] = []) {
  const port = await freePort();
  const db = join(dir, `${name}.sqlite3`);
  const jsonl = join(dir, `${name}.jsonl`);
  const args = ["127.0.0.1:9", "-p", String(port), "-b", "127.0.0.1", "-c", "0"];
  const udpot = await startUdpot([...args, "-s", `sqlite:///${db}`, "-j", jsonl, ...extra], {
    cmd: FROM_SOURCE,
  });
  return { udpot, port, db, jsonl };
}

function rows(db: string): number {
  const handle = new Database(db, { readonly: true });
  const n = handle.query<{ n: number }, []>("SELECT count(*) AS n FROM dns").get()?.n ?? 0;
  handle.close();
  return n;
}

test("SIGTERM right after a burst of several batches: every message received is in both logs", async () => {
  const { udpot, port, db, jsonl } = await sinkhole("burst");
  const sock = await Bun.udpSocket({ hostname: "127.0.0.2" });
  const q = query("flood.example");
  // 9,000 datagrams: four batches of 2,000 go while they arrive, the rest
  // only with the flush that SIGTERM makes.
  for (let i = 0; i < 9000; i++) {
    sock.send(q, port, "127.0.0.1");
    if (i % 500 === 499) await Bun.sleep(1);
  }
  sock.close();
  expect(await udpot.stop("SIGTERM")).toBe(0);

  // Datagrams still queued in the socket when it closed were never received;
  // what udpot received it must have written, to both logs.
  const received = Number(/stopped: (\d+) messages/.exec(udpot.stderr())?.[1]);
  const lines = readFileSync(jsonl, "utf8").split("\n").length - 1;
  expect([rows(db), lines]).toEqual([received, received]);
  expect(received).toBeGreaterThan(4000);
  expect(udpot.stderr()).toContain(`sqlite ${received} written/0 failed/0 dropped`);
});

test("the receive buffer is told at start after the start-up line, with a warning when capped", async () => {
  const asked = Math.min(RMEM_MAX * 2, 2 ** 31 - 1);
  const { udpot } = await sinkhole("capped", ["--verbosity", "1", "--recv-buffer", String(asked)]);
  expect(await udpot.stop()).toBe(0);
  const lines = udpot.stderr().split("\n");
  expect(lines[0]).toContain(" listening on ");
  expect(lines.filter((line) => line.includes(" [udp] "))).toEqual([
    `info [udp] UDP receive buffer: ${RMEM_MAX} bytes granted of ${asked} asked ` +
      `(the kernel reports ${RMEM_MAX * 2})`,
    `warn [udp] UDP receive buffer capped at ${RMEM_MAX} bytes by net.core.rmem_max ` +
      `(asked ${asked}); a flood will overflow it sooner. ` +
      `Raise it: sysctl -w net.core.rmem_max=${asked} (see docs/flood.md)`,
  ]);
});

test("a buffer within net.core.rmem_max draws no warning", async () => {
  const asked = Math.min(1_048_576, RMEM_MAX);
  const { udpot } = await sinkhole("granted", ["--recv-buffer", String(asked)]);
  expect(await udpot.stop()).toBe(0);
  expect(udpot.stderr()).not.toContain("warn [udp]");
});
