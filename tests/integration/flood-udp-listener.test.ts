import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import type { Inbound } from "../../src/event/build-event.ts";
import { listenUdp, type UdpListener } from "../../src/listen/udp-listener.ts";
import { waitUntil } from "../helpers/dns-client.ts";

const RMEM_MAX = Number(readFileSync("/proc/sys/net/core/rmem_max", "utf8"));

let listeners: UdpListener[] = [];
let clients: Bun.udp.Socket<"uint8array">[] = [];
afterEach(() => {
  for (const l of listeners) l.close();
  for (const c of clients) c.close();
  listeners = [];
  clients = [];
});

async function listen(onMessage: (msg: Inbound) => void, opts = {}): Promise<UdpListener> {
  const listener = await listenUdp("127.0.0.1", 0, onMessage, opts);
  listeners.push(listener);
  return listener;
}

/** A client on 127.0.0.1 that keeps every datagram it gets. */
async function client(): Promise<{ socket: Bun.udp.Socket<"uint8array">; got: Uint8Array[] }> {
  const got: Uint8Array[] = [];
  const socket = await Bun.udpSocket({
    hostname: "127.0.0.1",
    binaryType: "uint8array",
    socket: {
      data: (_s, data) => {
        got.push(data);
      },
    },
  });
  clients.push(socket);
  return { socket, got };
}

test("on this Bun the datagrams are read from the Bun socket itself", async () => {
  const listener = await listen(() => {});
  expect(listener.direct).toBe(true);
});

describe.each([
  ["direct", {}],
  ["through dgram's API", { direct: false }],
])("%s", (_name, opts) => {
  test("a datagram arrives as a plain Uint8Array with its peer, and the reply goes back", async () => {
    const seen: Inbound[] = [];
    const listener = await listen((msg) => {
      seen.push(msg);
      msg.reply(new Uint8Array([9, 8, 7]));
    }, opts);
    const c = await client();
    c.socket.send(new Uint8Array([1, 2, 3]), listener.port, "127.0.0.1");
    expect(await waitUntil(() => c.got.length === 1)).toBe(true);
    const msg = seen[0] as Inbound;
    // slice() must copy: the relay changes the ID of its copy only.
    const copy = msg.bytes.slice();
    copy[0] = 0xff;
    expect([Object.getPrototypeOf(msg.bytes), [...msg.bytes], msg.address, msg.port]).toEqual([
      Uint8Array.prototype,
      [1, 2, 3],
      "127.0.0.1",
      c.socket.port,
    ]);
    expect([...(c.got[0] as Uint8Array)]).toEqual([9, 8, 7]);
  });

  test("a reply after one into a closed port still reaches its client", async () => {
    const inbound: Inbound[] = [];
    const listener = await listen((msg) => inbound.push(msg), opts);
    const gone = await client();
    const live = await client();
    for (let i = 0; i < 50; i++) {
      gone.socket.send(new Uint8Array([1]), listener.port, "127.0.0.1");
      live.socket.send(new Uint8Array([2]), listener.port, "127.0.0.1");
    }
    expect(await waitUntil(() => inbound.length === 100)).toBe(true);
    const gonePort = gone.socket.port;
    gone.socket.close();
    // Closing lets go of the port a moment later, not at once.
    await Bun.sleep(50);
    // Alternate replies into the closed port and to the live client, with
    // turns between so the ICMP errors come back in the middle.
    const fromGone = inbound.filter((m) => m.port === gonePort);
    const fromLive = inbound.filter((m) => m.port === live.socket.port);
    for (let i = 0; i < 50; i++) {
      fromGone[i]?.reply(new Uint8Array([3]));
      fromLive[i]?.reply(new Uint8Array([4]));
      if (i % 5 === 4) await Bun.sleep(2);
    }
    expect(await waitUntil(() => live.got.length === 50, 2000)).toBe(true);
    expect(await waitUntil(() => listener.counters.socketErrors > 0, 2000)).toBe(true);
  });

  test("replies made in one turn all arrive, in order", async () => {
    const inbound: Inbound[] = [];
    const listener = await listen((msg) => inbound.push(msg), opts);
    const c = await client();
    for (let i = 0; i < 100; i++)
      c.socket.send(new Uint8Array([i & 255]), listener.port, "127.0.0.1");
    expect(await waitUntil(() => inbound.length === 100)).toBe(true);
    inbound.forEach((msg, i) => {
      msg.reply(new Uint8Array([i >> 8, i & 255]));
    });
    expect(await waitUntil(() => c.got.length === 100)).toBe(true);
    expect(c.got.map((r) => ((r[0] ?? 0) << 8) | (r[1] ?? 0))).toEqual([...Array(100).keys()]);
  });

  test("a handler that throws is logged and the next datagram is handled", async () => {
    let calls = 0;
    const listener = await listen(() => {
      calls++;
      if (calls === 1) throw new Error("bad handler");
    }, opts);
    const c = await client();
    c.socket.send(new Uint8Array([1]), listener.port, "127.0.0.1");
    c.socket.send(new Uint8Array([2]), listener.port, "127.0.0.1");
    expect(await waitUntil(() => calls === 2)).toBe(true);
  });
});

describe("the receive buffer", () => {
  test("a size the kernel allows is granted in full", async () => {
    const asked = Math.min(1_048_576, RMEM_MAX);
    const listener = await listen(() => {}, { recvBufferBytes: asked });
    expect([listener.recvBuffer.granted, listener.recvBuffer.capped]).toEqual([asked, false]);
  });

  test("a size above net.core.rmem_max is capped, and says so", async () => {
    const asked = Math.min(RMEM_MAX * 2, 2 ** 31 - 1);
    const listener = await listen(() => {}, { recvBufferBytes: asked });
    expect([listener.recvBuffer.granted, listener.recvBuffer.capped]).toEqual([RMEM_MAX, true]);
  });
});

test("a port in use is refused with the bind error", async () => {
  const first = await listen(() => {});
  const error = await listenUdp("127.0.0.1", first.port, () => {}).catch((e: unknown) => e);
  expect((error as NodeJS.ErrnoException).code).toBe("EADDRINUSE");
});
