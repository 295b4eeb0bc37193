import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { FrameReader, frameMessage } from "../../src/tcp/frame-reader.ts";
import { query, TcpClient, tcpExchange, udpExchange, waitUntil } from "../helpers/dns-client.ts";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream.ts";
import { freePort } from "../helpers/free-port.ts";
import { startTestServer, type TestServer, testConfig } from "../helpers/test-server.ts";

let upstream: FakeUpstream;
let udpot: TestServer;

beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterAll(() => upstream.close());
afterEach(async () => {
  upstream.delayMs = 0;
  upstream.silent = false;
  upstream.received.length = 0;
  await udpot?.stop();
});

const hex = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString("hex") : null);

describe("relay", () => {
  test("the upstream gets the client's bytes under a new ID; the client gets its ID back", async () => {
    udpot = await startTestServer(testConfig(upstream.port));
    const q = query("www.example", "A", { id: 0x1234 });
    const reply = await udpExchange(udpot.server.port, q);
    const sent = upstream.received[0];

    expect(hex(sent?.subarray(2))).toBe(hex(q.subarray(2)));
    expect(reply?.subarray(0, 2)).toEqual(new Uint8Array([0x12, 0x34]));
    // 65536 possible IDs: compare two queries so a 1-in-65536 collision cannot fail the test.
    await udpExchange(udpot.server.port, q, { from: "127.0.0.3" });
    const ids = upstream.received.map((m) => (m[0] ?? 0) * 256 + (m[1] ?? 0));
    expect(ids.some((id) => id !== 0x1234)).toBe(true);
  });

  test("no upstream reply in time: SERVFAIL with the question, action relay-timeout", async () => {
    upstream.silent = true;
    udpot = await startTestServer(testConfig(upstream.port, { upstreamTimeoutMs: 200 }));
    const q = query("www.example", "A", { id: 0x4242 });
    const reply = await udpExchange(udpot.server.port, q, { timeoutMs: 3000 });
    // Header: same ID, QR+RD, RA, RCODE 2, one question copied, no records.
    const question = q.subarray(12);
    expect(hex(reply)).toBe(`424281820001000000000000${hex(question)}`);
    const [event] = await udpot.waitEvents(1);
    expect(event).toMatchObject({
      action: "relay-timeout",
      rcode: "SERVFAIL",
      response_size: 12 + question.length,
    });
    expect(udpot.server.relayCounters.timeouts).toBe(1);
  });

  test("an upstream that is down: SERVFAIL for each query, and udpot stays up", async () => {
    const closed = await freePort();
    // A timeout longer than the clients wait: only the fast path can answer them.
    udpot = await startTestServer(testConfig(closed, { upstreamTimeoutMs: 10_000 }));
    const replies = [];
    for (let i = 0; i < 3; i++) {
      replies.push(
        await udpExchange(udpot.server.port, query(`q${i}.example`), { timeoutMs: 2000 }),
      );
    }
    // ICMP port unreachable comes back as socket errors: counted, not fatal.
    expect(replies.map((r) => (r?.[3] ?? -1) & 0x0f)).toEqual([2, 2, 2]);
    expect(udpot.server.relayCounters.errors).toBeGreaterThan(0);
    // The ICMP error ends them as relay errors, without waiting for the timeout.
    expect((await udpot.waitEvents(3)).map((e) => e.action)).toEqual(Array(3).fill("relay-error"));
  });

  test("TCP: no upstream reply in time: SERVFAIL with the client's own ID", async () => {
    upstream.silent = true;
    udpot = await startTestServer(testConfig(upstream.port, { upstreamTimeoutMs: 200 }));
    const q = query("www.example", "A", { id: 0x1111 });
    const reply = await tcpExchange(udpot.server.port, q, 3000);
    expect(hex(reply)).toBe(`111181820001000000000000${hex(q.subarray(12))}`);
  });

  test("a reply after the timeout is dropped and counted", async () => {
    upstream.delayMs = 400;
    udpot = await startTestServer(testConfig(upstream.port, { upstreamTimeoutMs: 150 }));
    const reply = await udpExchange(udpot.server.port, query("www.example"), { timeoutMs: 3000 });
    expect((reply?.[3] ?? 0) & 0x0f).toBe(2);
    expect(await waitUntil(() => udpot.server.relayCounters.unknownReplies === 1, 3000)).toBe(true);
    expect((await udpot.events()).map((e) => e.action)).toEqual(["relay-timeout"]);
  });

  test("a message with QR set is recorded, never relayed, never answered", async () => {
    udpot = await startTestServer(testConfig(upstream.port));
    const response = query("www.example");
    response[2] = (response[2] ?? 0) | 0x80;
    expect(await udpExchange(udpot.server.port, response, { timeoutMs: 300 })).toBeNull();
    const [event] = await udpot.waitEvents(1);
    expect([event?.action, upstream.received.length]).toEqual(["response-ignored", 0]);
    // The budget was not touched: three relays still follow.
    for (let i = 0; i < 3; i++)
      expect(await udpExchange(udpot.server.port, query("www.example"))).not.toBeNull();
  });

  test("TCP queries go upstream over TCP with the ID restored", async () => {
    udpot = await startTestServer(testConfig(upstream.port));
    const reply = await tcpExchange(udpot.server.port, query("www.example", "A", { id: 0xabcd }));
    expect(reply?.subarray(0, 2)).toEqual(new Uint8Array([0xab, 0xcd]));
    const [event] = await udpot.waitEvents(1);
    expect(event).toMatchObject({
      transport: "TCP",
      action: "relayed",
      rcode: "NOERROR",
      src_ip: "127.0.0.1",
    });
  });
});

describe("budget across transports", () => {
  test("UDP and TCP share one entry per source", async () => {
    udpot = await startTestServer(testConfig(upstream.port, { reqCount: 2 }));
    const port = udpot.server.port;
    const replies = [
      await udpExchange(port, query("a.example")),
      await tcpExchange(port, query("b.example")),
      await udpExchange(port, query("c.example"), { timeoutMs: 300 }),
      await tcpExchange(port, query("d.example"), 300),
    ];
    expect(replies.map((r) => r !== null)).toEqual([true, true, false, false]);
    const events = await udpot.waitEvents(4);
    expect(events.map((e) => [e.transport, e.dns_name, e.action])).toEqual([
      ["UDP", "a.example", "relayed"],
      ["TCP", "b.example", "relayed"],
      ["UDP", "c.example", "sinkholed"],
      ["TCP", "d.example", "sinkholed"],
    ]);
  });
});

describe("TCP framing", () => {
  test("pipelined queries in one write, and a query split into single bytes, are all answered", async () => {
    udpot = await startTestServer(testConfig(upstream.port, { reqCount: 10 }));
    const client = await TcpClient.connect(udpot.server.port);
    const a = query("a.example", "A", { id: 1 });
    const b = query("b.example", "A", { id: 2 });
    const framed = (m: Uint8Array) => [m.length >> 8, m.length & 0xff, ...m];
    client.sendRaw(new Uint8Array([...framed(a), ...framed(b)]));
    for (const byte of framed(query("c.example", "A", { id: 3 }))) {
      client.sendRaw(new Uint8Array([byte]));
      await Bun.sleep(1);
    }
    const replies = await client.waitReplies(3);
    client.close();
    const ids = replies.map((r) => (r[0] ?? 0) * 256 + (r[1] ?? 0)).sort();
    expect(ids).toEqual([1, 2, 3]);
    const names = (await udpot.waitEvents(3)).map((e) => e.dns_name).sort();
    expect(names).toEqual(["a.example", "b.example", "c.example"]);
  });
});

describe("TCP clients that close early", () => {
  test("a client that half-closes after its query still gets the answer", async () => {
    upstream.delayMs = 100;
    udpot = await startTestServer(testConfig(upstream.port));
    const reply = await new Promise<Uint8Array | null>((resolve) => {
      const reader = new FrameReader();
      const sock = connect({ host: "127.0.0.1", port: udpot.server.port });
      const timer = setTimeout(() => resolve(null), 3000);
      sock.on("connect", () => sock.end(frameMessage(query("half.example", "A", { id: 7 }))));
      sock.on("data", (chunk: Buffer) =>
        reader.push(new Uint8Array(chunk), (m) => {
          clearTimeout(timer);
          sock.destroy();
          resolve(m);
        }),
      );
      sock.on("error", () => {});
    });
    expect(reply?.subarray(0, 2)).toEqual(new Uint8Array([0, 7]));
    expect((await udpot.waitEvents(1))[0]).toMatchObject({
      dns_name: "half.example",
      action: "relayed",
    });
  });

  test("queries from clients that reset right after sending are all recorded", async () => {
    upstream.delayMs = 50;
    udpot = await startTestServer(testConfig(upstream.port, { reqCount: 100 }));
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((resolve) => {
        const sock = connect({ host: "127.0.0.1", port: udpot.server.port });
        sock.on("connect", () => {
          sock.write(frameMessage(query(`reset${i}.example`)), () => {
            sock.resetAndDestroy();
            resolve();
          });
        });
        sock.on("error", () => resolve());
      });
    }
    const events = await udpot.waitEvents(20);
    expect(events.map((e) => e.dns_name).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `reset${i}.example`).sort(),
    );
  });
});
