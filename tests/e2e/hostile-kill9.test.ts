import { Database } from "bun:sqlite";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { query } from "../helpers/dns-client.ts";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream.ts";
import { freePort } from "../helpers/free-port.ts";
import { startUdpot } from "../helpers/udpot-process.ts";

/** Longer than bun's default 5 s: this file does a lot of work on purpose. */
const LONG_TEST_MS = 60_000;

/**
 * `kill -9` in the middle of a flood, SQLite on. The database must open
 * and pass `PRAGMA integrity_check`, and what is missing must be no more
 * than the last flush interval.
 *
 * Fairly asserted: every query is relayed (no budget or cap holds one
 * back), so a reply proves that udpot recorded the event — the handler
 * records it as it sends the reply. An event recorded is written within
 * one flush interval (200 ms, or sooner at 2,000 events). So every query
 * answered more than GRACE_MS before the kill must be in the file; what
 * was answered later may be lost, and nothing may be there twice.
 */
const GRACE_MS = 500;
const SOCKETS = 8;
const RATE_PER_MS = 5;
let upstream: FakeUpstream;
let dir: string;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  dir = mkdtempSync(join(tmpdir(), "udpot-e2e-kill9-"));
});
afterAll(() => {
  upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Query `n`; after the kill, ICMP errors make sends throw, which is expected. */
function send(socket: Bun.udp.Socket<"uint8array"> | undefined, n: number, port: number): void {
  try {
    socket?.send(query(`q${n}.flood`, "A", { id: Math.floor(n / SOCKETS) }), port, "127.0.0.1");
  } catch {
    // Nobody listens any more.
  }
}

test(
  "kill -9 during a flood: the file is sound and at most the last flush is missing",
  async () => {
    const port = await freePort();
    const db = join(dir, "udpot.sqlite3");
    const udpot = await startUdpot([
      `127.0.0.1:${upstream.port}`,
      ...["-p", String(port), "-b", "127.0.0.1", "-s", `sqlite:///${db}`],
      ...["-c", "1000000", "--prefix-count", "0", "--max-relay-qps", "0"],
    ]);

    // Query n goes from socket n % SOCKETS with ID n / SOCKETS, named q<n>.
    const answeredAt: number[] = [];
    const sockets = await Promise.all(
      Array.from({ length: SOCKETS }, (_, k) =>
        Bun.udpSocket({
          hostname: `127.70.0.${k + 1}`,
          binaryType: "uint8array",
          socket: {
            data: (_s, reply) => {
              answeredAt[(((reply[0] ?? 0) << 8) | (reply[1] ?? 0)) * SOCKETS + k] =
                performance.now();
            },
            error: () => {},
          },
        }),
      ),
    );
    let sent = 0;
    const started = performance.now();
    let killedAt = 0;
    // About 5,000 queries a second for at most 10 s; the kill comes after 1.5 s.
    while (sent < SOCKETS * 65_536 && performance.now() - started < 10_000) {
      const due = Math.floor((performance.now() - started) * RATE_PER_MS);
      for (; sent < due; sent++) send(sockets[sent % SOCKETS], sent, port);
      if (killedAt === 0 && performance.now() - started > 1500) {
        killedAt = performance.now();
        udpot.proc.kill("SIGKILL");
      }
      if (killedAt > 0 && performance.now() - killedAt > 200) break;
      await Bun.sleep(1);
    }
    expect(await udpot.proc.exited).toBe(137);
    for (const s of sockets) s.close();

    const file = new Database(db);
    expect(file.query("PRAGMA integrity_check").values()).toEqual([["ok"]]);
    const names = file
      .query("SELECT dns_name FROM dns")
      .values()
      .map(([name]) => String(name));
    file.close();
    const stored = new Set(names.map((name) => Number(/^q(\d+)\.flood$/.exec(name)?.[1])));
    const mustHave = answeredAt.flatMap((at, n) => (at < killedAt - GRACE_MS ? [n] : []));
    const missing = mustHave.filter((n) => !stored.has(n));

    expect(mustHave.length).toBeGreaterThan(2000);
    expect(missing).toEqual([]);
    expect([names.length === stored.size, names.length <= sent]).toEqual([true, true]);
  },
  LONG_TEST_MS,
);
