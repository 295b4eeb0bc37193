import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import type { Config } from "../../src/cli/config.ts";
import { frameMessage } from "../../src/tcp/frame-reader.ts";
import { query, TcpClient, waitUntil } from "../helpers/dns-client.ts";
import { rawPeer } from "../helpers/hostile-tcp-peer.ts";
import { type SlowUpstream, startSlowUpstream } from "../helpers/hostile-upstream.ts";
import { tcpExchangeFrom } from "../helpers/tcp-from.ts";
import { startTestServer, type TestServer, testConfig } from "../helpers/test-server.ts";

/** TCP as RFC 7766 asks, against peers that do it wrong on purpose. */
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

async function start(overrides: Partial<Config> = {}): Promise<TestServer> {
  udpot = await startTestServer(testConfig(upstream.port, { reqCount: 100, ...overrides }));
  return udpot;
}

const idOf = (m: Uint8Array | undefined) => ((m?.[0] ?? 0) << 8) | (m?.[1] ?? 0);

describe("framing", () => {
  test("a 0-length frame is recorded as malformed and the connection goes on", async () => {
    const { server, waitEvents } = await start();
    const peer = await rawPeer(server.port);
    peer.write([0, 0, ...frameMessage(query("www.example", "A", { id: 9 }))]);
    const events = await waitEvents(2);
    expect(events.map((e) => [e.action, e.query_size, e.error, e.raw])).toEqual([
      ["malformed", 0, "header: truncated at offset 0", ""],
      ["relayed", 29, null, null],
    ]);
    expect(idOf(peer.replies[0])).toBe(9);
    peer.destroy();
  });

  test("pipelined queries are answered as the upstream answers, out of order", async () => {
    const { server } = await start();
    const peer = await rawPeer(server.port);
    const names = ["slow400.example", "www.example", "slow150.example"];
    peer.write(names.flatMap((n, i) => [...frameMessage(query(n, "A", { id: i + 1 }))]));
    expect(await waitUntil(() => peer.replies.length === 3, 5000)).toBe(true);
    expect(peer.replies.map(idOf)).toEqual([2, 3, 1]);
    peer.destroy();
  });

  test("a reply for a client that already left goes nowhere; udpot goes on", async () => {
    const { server, waitEvents } = await start();
    const peer = await rawPeer(server.port);
    peer.write(frameMessage(query("slow200.example")));
    peer.destroy();
    const [event] = await waitEvents(1);
    expect(event?.action).toBe("relayed");
    const after = await tcpExchangeFrom(server.port, query("www.example"), "127.0.0.1");
    expect(after).not.toBeNull();
  });
});

describe("the idle rule", () => {
  test("a lone first length byte: closed when idle, what it sent recorded", async () => {
    const { server, waitEvents } = await start({ tcpIdleMs: 300 });
    const peer = await rawPeer(server.port, "127.0.0.9");
    peer.write([0x00]);
    await peer.whenClosed;
    const [event] = await waitEvents(1);
    expect(event).toMatchObject({
      transport: "TCP",
      src_ip: "127.0.0.9",
      action: "malformed",
      error: "tcp: connection closed after 1 of 2 length bytes",
      raw: "AA==",
    });
    expect(server.tcp.counters.idleClosed).toBe(1);
  });

  test("a peer that declares 65,535 bytes and dribbles them is closed all the same", async () => {
    const { server, waitEvents } = await start({ tcpIdleMs: 500 });
    const peer = await rawPeer(server.port);
    peer.write([0xff, 0xff]);
    let sent = 0;
    // One byte every 20 ms, for at most 10 s: far more than the idle limit.
    for (; sent < 500 && !peer.closed; sent++) {
      peer.write([0x41]);
      await Bun.sleep(20);
    }
    expect(peer.closed).toBe(true);
    const [event] = await waitEvents(1);
    const got = Number(/after (\d+) of 65535 frame bytes/.exec(event?.error ?? "")?.[1]);
    expect([event?.action, got > 0 && got <= sent]).toEqual(["malformed", true]);
    expect(server.tcp.counters.idleClosed).toBe(1);
  });

  test("each complete message resets the idle timer; silence then closes", async () => {
    const { server } = await start({ tcpIdleMs: 1000 });
    const client = await TcpClient.connect(server.port);
    // Twelve queries 200 ms apart: 2.4 s in all, over twice the idle limit.
    for (let i = 0; i < 12; i++) {
      client.send(query("www.example", "A", { id: i }));
      await Bun.sleep(200);
    }
    expect([client.closed, client.replies.length]).toEqual([false, 12]);
    expect(await waitUntil(() => client.closed, 5000)).toBe(true);
    expect(server.tcp.counters.idleClosed).toBe(1);
  });

  test("stopping udpot records the unfinished frames of open connections", async () => {
    const { server, waitEvents, sink } = await start();
    const peer = await rawPeer(server.port);
    // The 0-length frame's event shows udpot has read the write.
    peer.write([0x00, 0x00, 0x00, 0x20, 0xab, 0xcd, 0x01]);
    await waitEvents(1);
    await udpot?.stop();
    udpot = undefined;
    expect(sink.events.map((e) => [e.action, e.error])).toEqual([
      ["malformed", "header: truncated at offset 0"],
      ["malformed", "tcp: connection closed after 3 of 32 frame bytes"],
    ]);
    expect(server.tcp.open).toBe(0);
    peer.destroy();
  });
});

describe("connection limits", () => {
  test("past the per-source cap a connection is refused; other sources are not", async () => {
    const { server } = await start({ tcpMaxPerSource: 2 });
    const held = [await rawPeer(server.port, "127.0.0.5"), await rawPeer(server.port, "127.0.0.5")];
    const third = await rawPeer(server.port, "127.0.0.5");
    await third.whenClosed;
    const other = await tcpExchangeFrom(server.port, query("www.example"), "127.0.0.6");
    expect([other !== null, server.tcp.counters.refused, held.some((p) => p.closed)]).toEqual([
      true,
      1,
      false,
    ]);
    for (const p of held) p.destroy();
  });

  test("a full listener closes its longest-quiet connection to let a newcomer in", async () => {
    const { server, waitEvents } = await start({ tcpMaxConnections: 3 });
    const stalled = [];
    for (let i = 1; i <= 3; i++) {
      const peer = await rawPeer(server.port, `127.0.3.${i}`);
      peer.write([0x00]);
      stalled.push(peer);
    }
    // A stalled peer becomes fair game after a second without a message.
    await Bun.sleep(1100);
    const reply = await tcpExchangeFrom(server.port, query("www.example"), "127.0.3.9");
    expect(reply).not.toBeNull();
    await stalled[0]?.whenClosed;
    expect([stalled.map((p) => p.closed), server.tcp.counters.evicted]).toEqual([
      [true, false, false],
      1,
    ]);
    const events = await waitEvents(2);
    expect(events.map((e) => [e.src_ip, e.action])).toContainEqual(["127.0.3.1", "malformed"]);
    for (const p of stalled) p.destroy();
  });

  test("a listener full of fresh connections refuses the newcomer", async () => {
    const { server } = await start({ tcpMaxConnections: 2 });
    const fresh = [
      await rawPeer(server.port, "127.0.4.1"),
      await rawPeer(server.port, "127.0.4.2"),
    ];
    const late = await rawPeer(server.port, "127.0.4.3");
    await late.whenClosed;
    expect([server.tcp.counters.refused, server.tcp.counters.evicted]).toEqual([1, 0]);
    for (const p of fresh) p.destroy();
  });

  test("a peer that asks and never reads its replies is cut off", async () => {
    const { server, waitEvents } = await start({ reqCount: 1000, tcpIdleMs: 30_000 });
    const peer = await rawPeer(server.port);
    peer.socket.pause();
    // 150 replies of 60 KB: 9 MB, more than the kernel buffers hold.
    const big = frameMessage(query("big60000.example"));
    for (let i = 0; i < 150; i++) peer.write(big);
    await waitEvents(150, 20_000);
    await waitUntil(() => server.tcp.counters.unreadClosed === 1, 5000);
    expect([server.tcp.counters.unreadClosed, server.tcp.open]).toEqual([1, 0]);
    peer.destroy();
  });
});
