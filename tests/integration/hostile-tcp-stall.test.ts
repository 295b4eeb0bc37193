import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Config } from "../../src/cli/config.ts";
import { query, TcpClient, waitUntil } from "../helpers/dns-client.ts";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream.ts";
import { type RawPeer, rawPeer } from "../helpers/hostile-tcp-peer.ts";
import { tcpExchangeFrom } from "../helpers/tcp-from.ts";
import { startTestServer, type TestServer, testConfig } from "../helpers/test-server.ts";

/** Longer than bun's default 5 s: this file does a lot of work on purpose. */
const LONG_TEST_MS = 60_000;

/**
 * 2,000 TCP connections that send one byte and stall, from 500 loopback
 * addresses (4 each, under the per-source cap), while a normal client
 * from another address keeps asking. The stalled ones must be closed by
 * the idle rule, and the normal client answered all along.
 */
const STALLERS = 2000;
let upstream: FakeUpstream;

beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterAll(() => upstream.close());

/** Open the stallers, 100 at a time; each sends a lone length byte. */
async function stall(port: number): Promise<RawPeer[]> {
  const peers: RawPeer[] = [];
  for (let i = 0; i < STALLERS; i += 100) {
    const batch = Array.from({ length: 100 }, (_, k) => {
      const n = (i + k) >> 2;
      return rawPeer(port, `127.10.${n >> 7}.${(n & 127) + 1}`);
    });
    for (const peer of await Promise.all(batch)) {
      peer.write([0x00]);
      peers.push(peer);
    }
  }
  return peers;
}

/** Repeats `ask` every 100 ms until `done()`; returns whether each was answered. */
async function keepAsking(ask: () => Promise<boolean>, done: () => boolean): Promise<boolean[]> {
  const answered: boolean[] = [];
  const until = performance.now() + 30_000;
  while (!done() && performance.now() < until) {
    answered.push(await ask());
    await Bun.sleep(100);
  }
  return answered;
}

async function run(overrides: Partial<Config>, ask: (udpot: TestServer) => Promise<boolean>) {
  const config = testConfig(upstream.port, { reqCount: 1_000_000, tcpIdleMs: 2000, ...overrides });
  const udpot = await startTestServer(config);
  const peers: RawPeer[] = [];
  let stop = false;
  const asking = keepAsking(
    () => ask(udpot),
    () => stop,
  );
  try {
    peers.push(...(await stall(udpot.server.port)));
    const allClosed = await waitUntil(() => peers.every((p) => p.closed), 30_000);
    stop = true;
    const answered = await asking;
    const fragments = (await udpot.events()).filter((e) => e.action === "malformed").length;
    return { allClosed, answered, counters: { ...udpot.server.tcp.counters }, fragments };
  } finally {
    stop = true;
    await asking;
    for (const p of peers) p.destroy();
    await udpot.stop();
  }
}

test(
  "room for all: every stalled connection is closed by the idle rule",
  async () => {
    const ask = async (udpot: TestServer) =>
      (await tcpExchangeFrom(udpot.server.port, query("www.example"), "127.0.0.2")) !== null;
    const { allClosed, answered, counters, fragments } = await run(
      { tcpMaxConnections: 4096 },
      ask,
    );
    expect(allClosed).toBe(true);
    // Asked every 100 ms or so while 2,000 stallers held on for about 2 s.
    expect(answered.length).toBeGreaterThanOrEqual(5);
    expect(answered.filter((a) => !a)).toEqual([]);
    expect({ ...counters, accepted: counters.accepted - answered.length }).toEqual({
      accepted: STALLERS,
      refused: 0,
      idleClosed: STALLERS,
      evicted: 0,
      unreadClosed: 0,
    });
    // What each stalled peer sent is on record.
    expect(fragments).toBe(STALLERS);
  },
  LONG_TEST_MS,
);

test(
  "the default cap of 512: stallers are refused or pushed out, a client keeps its turn",
  async () => {
    let client: TcpClient | undefined;
    let asked = 0;
    const ask = async (udpot: TestServer) => {
      client ??= await TcpClient.connect(udpot.server.port, "127.0.0.1");
      client.send(query("www.example", "A", { id: ++asked }));
      await client.waitReplies(asked, 2000);
      return client.replies.length === asked && !client.closed;
    };
    const { allClosed, answered, counters } = await run({ tcpMaxConnections: 512 }, ask);
    client?.close();
    expect(allClosed).toBe(true);
    expect(answered.filter((a) => !a)).toEqual([]);
    // The client's connection plus 2,000 stallers, each let in or refused;
    // those let in were closed by the idle rule or to make room.
    expect(counters.accepted + counters.refused).toBe(STALLERS + 1);
    expect(counters.idleClosed + counters.evicted).toBe(counters.accepted - 1);
    expect(counters.refused).toBeGreaterThan(0);
  },
  LONG_TEST_MS,
);
