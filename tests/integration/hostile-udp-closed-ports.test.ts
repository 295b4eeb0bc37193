import { afterAll, beforeAll, expect, test } from "bun:test";
import { query, udpExchange, waitUntil } from "../helpers/dns-client.ts";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream.ts";
import { startTestServer, type TestServer, testConfig } from "../helpers/test-server.ts";

/** Longer than bun's default 5 s: this file does a lot of work on purpose. */
const LONG_TEST_MS = 60_000;

/**
 * 10,000 queries from sockets that close right after sending, from 1,000
 * loopback addresses: every reply meets a closed port, and the kernel
 * answers each with ICMP port unreachable. The socket keeps that error
 * and fails the next send with it (ECONNREFUSED, measured with both
 * Bun.udpSocket and node:dgram), whoever that send is for. A normal
 * client keeps asking meanwhile; udpot must answer it every time, and
 * still at the end.
 */
const QUERIES = 10_000;
const BATCH = 50;
let upstream: FakeUpstream;
let udpot: TestServer;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  // Every query relayed: no budget or limit may hold one back.
  udpot = await startTestServer(
    testConfig(upstream.port, { reqCount: 1_000_000, prefixCount: 0, maxRelayQps: 0 }),
  );
});
afterAll(async () => {
  await udpot.stop();
  upstream.close();
});

/** Send one query from a fresh socket on `from` and close it at once. */
async function sendAndVanish(port: number, from: string, id: number): Promise<void> {
  const sock = await Bun.udpSocket({ hostname: from, socket: { error: () => {} } });
  sock.send(query(`q${id}.example`, "A", { id: id & 0xffff }), port, "127.0.0.1");
  sock.close();
}

test(
  "replies into 10,000 closed ports leave udpot up and answering",
  async () => {
    const { server } = udpot;
    const normal: boolean[] = [];
    let flooding = true;
    const asking = (async () => {
      for (let i = 0; flooding && i < 600; i++) {
        const reply = await udpExchange(server.port, query("www.example"), { from: "127.0.0.2" });
        normal.push(reply !== null);
        await Bun.sleep(20);
      }
    })();

    for (let sent = 0; sent < QUERIES; sent += BATCH) {
      const batch = [];
      for (let k = 0; k < BATCH; k++) {
        const n = (sent + k) % 1000;
        batch.push(sendAndVanish(server.port, `127.20.${n >> 7}.${(n & 127) + 1}`, sent + k));
      }
      await Promise.all(batch);
      // Paced: the next batch waits until udpot has this one, so no datagram
      // is lost to a full receive queue and every one is counted below.
      const target = sent + BATCH;
      await waitUntil(() => server.handler.counters.received - normal.length >= target, 5000);
    }
    await waitUntil(() => server.handler.inFlight() === 0, 5000);
    flooding = false;
    await asking;
    const last = await udpExchange(server.port, query("www.example"), { from: "127.0.0.3" });

    expect(last).not.toBeNull();
    expect(normal.length).toBeGreaterThan(5);
    expect(normal.filter((answered) => !answered)).toEqual([]);
    const events = await udpot.events();
    const relayed = events.filter((e) => e.action === "relayed" && e.src_ip.startsWith("127.20."));
    expect(relayed.length).toBe(QUERIES);
  },
  LONG_TEST_MS,
);
