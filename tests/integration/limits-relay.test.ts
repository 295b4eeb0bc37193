import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import type { Config } from "../../src/cli/config.ts";
import { query, tcpExchange, udpExchange, waitUntil } from "../helpers/dns-client.ts";
import { type SlowUpstream, startSlowUpstream } from "../helpers/hostile-upstream.ts";
import { startTestServer, type TestServer, testConfig } from "../helpers/test-server.ts";

/**
 * The amplifier caps with real sockets from many loopback addresses, the
 * nearest a test can come to spoofed sources: each address is a victim
 * whose name was forged, and every reply it gets is one a victim would.
 */
let upstream: SlowUpstream;
let udpot: TestServer | undefined;

beforeAll(async () => {
  upstream = await startSlowUpstream();
});
afterAll(() => upstream.close());
afterEach(async () => {
  await udpot?.stop();
  udpot = undefined;
});

async function start(overrides: Partial<Config>): Promise<TestServer> {
  udpot = await startTestServer(testConfig(upstream.port, overrides));
  return udpot;
}

/**
 * `perAddress` queries from each address, one socket per address, sent
 * paced so none is lost; returns the replies each address got.
 */
async function askFrom(port: number, addresses: string[], perAddress: number): Promise<number[]> {
  const counts = addresses.map(() => 0);
  const sockets = await Promise.all(
    addresses.map((hostname, i) =>
      Bun.udpSocket({
        hostname,
        socket: {
          data: () => {
            counts[i] = (counts[i] ?? 0) + 1;
          },
          error: () => {},
        },
      }),
    ),
  );
  const received = () => udpot?.server.handler.counters.received ?? 0;
  let sent = received();
  // 100 at a time, each slice in before the next: the default receive
  // queue holds a few hundred datagrams, and a lost one would skew the counts.
  for (let round = 0; round < perAddress; round++) {
    for (let from = 0; from < sockets.length; from += 100) {
      sockets.slice(from, from + 100).forEach((s, k) => {
        s.send(query("www.example", "A", { id: round * 4096 + from + k }), port, "127.0.0.1");
      });
      sent += Math.min(100, sockets.length - from);
      const target = sent;
      await waitUntil(() => received() >= target, 5000);
    }
  }
  await waitUntil(() => udpot?.server.handler.inFlight() === 0, 5000);
  // Wait for the last replies on their way over loopback: one per event with a size.
  const replied = ((await udpot?.events()) ?? []).filter((e) => e.response_size !== null).length;
  await waitUntil(() => counts.reduce((a, b) => a + b, 0) >= replied, 2000);
  for (const s of sockets) s.close();
  return counts;
}

test("1,026 addresses, 4 queries each: at most -c each, --prefix-count per /24", async () => {
  const { server, events } = await start({ reqCount: 3, prefixCount: 10 });
  // Four full /24s, where the network budget binds, and a fifth with two
  // addresses, where -c does.
  const addresses = Array.from({ length: 1024 }, (_, i) => `127.30.${i >> 8}.${i & 255}`);
  addresses.push("127.30.4.1", "127.30.4.2");
  const counts = await askFrom(server.port, addresses, 4);
  const perNetwork = [0, 1, 2, 3, 4].map((n) =>
    counts.slice(n * 256, (n + 1) * 256).reduce((a, b) => a + b, 0),
  );
  expect({ mostPerAddress: Math.max(...counts), perNetwork }).toEqual({
    mostPerAddress: 3,
    perNetwork: [10, 10, 10, 10, 6],
  });
  const actions = new Map<string, number>();
  for (const e of await events()) actions.set(e.action, (actions.get(e.action) ?? 0) + 1);
  expect(Object.fromEntries(actions)).toEqual({
    relayed: 46,
    sinkholed: 1026,
    limited: 1026 * 4 - 46 - 1026,
  });
});

test("the global cap: a burst from 300 networks gets about one second's worth", async () => {
  const { server } = await start({ reqCount: 3, prefixCount: 10, maxRelayQps: 50 });
  const addresses = Array.from({ length: 300 }, (_, i) => `127.${31 + (i >> 8)}.${i & 255}.1`);
  const started = performance.now();
  const counts = await askFrom(server.port, addresses, 1);
  const seconds = (performance.now() - started) / 1000;
  const answered = counts.reduce((a, b) => a + b, 0);
  // The full bucket (50), plus what refilled while the burst went in.
  expect(answered).toBeGreaterThanOrEqual(50);
  expect(answered).toBeLessThanOrEqual(50 + Math.ceil(seconds * 50));
  expect(server.handler.counters.rateLimited).toBe(300 - answered);
});

test("a big reply goes to UDP truncated with TC and to TCP whole", async () => {
  const { server, events } = await start({ maxReplyBytes: 512 });
  const ask = query("big3000.example", "A", { id: 0x5151 });
  const viaUdp = await udpExchange(server.port, ask, { from: "127.32.0.1" });
  const viaTcp = await tcpExchange(server.port, ask);
  expect({
    udpLength: viaUdp?.length,
    udpTc: ((viaUdp?.[2] ?? 0) & 0x02) !== 0,
    udpId: viaUdp?.subarray(0, 2),
    tcpLength: viaTcp?.length,
  }).toEqual({
    udpLength: ask.length,
    udpTc: true,
    udpId: new Uint8Array([0x51, 0x51]),
    tcpLength: expect.any(Number),
  });
  expect(viaTcp?.length).toBeGreaterThan(3000);
  const recorded = (await events()).map((e) => [e.transport, e.action, e.response_size]);
  expect(recorded).toEqual([
    ["UDP", "limited", ask.length],
    ["TCP", "relayed", viaTcp?.length ?? -1],
  ]);
});
