import * as dnsPacket from "dns-packet";
import { FrameReader, frameMessage } from "../../src/tcp/frame-reader.ts";

/** Encode a simple query with dns-packet (for tests only). */
export function query(
  name: string,
  type: dnsPacket.RecordType = "A",
  opts: { id?: number; rd?: boolean; cls?: string; edns?: boolean } = {},
): Uint8Array {
  const packet: dnsPacket.Packet = {
    type: "query",
    id: opts.id ?? 0x1234,
    flags: opts.rd === false ? 0 : dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type, class: (opts.cls ?? "IN") as "IN" }],
  };
  if (opts.edns)
    packet.additionals = [{ type: "OPT", name: ".", udpPayloadSize: 1232, flags: 0 } as never];
  return new Uint8Array(dnsPacket.encode(packet));
}

/** Read a hex file of the corpus into bytes. */
export async function readHex(path: string): Promise<Uint8Array> {
  const text = (await Bun.file(path).text()).trim();
  return new Uint8Array(Buffer.from(text, "hex"));
}

/**
 * Send one datagram from `from` (a loopback address) and wait for one reply;
 * null when none came within `timeoutMs`.
 */
export async function udpExchange(
  port: number,
  bytes: Uint8Array,
  opts: { from?: string; to?: string; timeoutMs?: number } = {},
): Promise<Uint8Array | null> {
  const { promise, resolve } = Promise.withResolvers<Uint8Array | null>();
  const sock = await Bun.udpSocket({
    hostname: opts.from ?? "127.0.0.1",
    binaryType: "uint8array",
    socket: { data: (_s, data) => resolve(data), error: () => {} },
  });
  const timer = setTimeout(() => resolve(null), opts.timeoutMs ?? 2000);
  sock.send(bytes, port, opts.to ?? "127.0.0.1");
  const reply = await promise;
  clearTimeout(timer);
  sock.close();
  return reply;
}

/** A TCP client that sends framed messages and collects framed replies. */
export class TcpClient {
  readonly replies: Uint8Array[] = [];
  #socket: Bun.Socket<undefined> | undefined;
  #closed = false;

  static async connect(port: number, host = "127.0.0.1"): Promise<TcpClient> {
    const client = new TcpClient();
    const reader = new FrameReader();
    client.#socket = await Bun.connect({
      hostname: host,
      port,
      socket: {
        data: (_s, chunk) => reader.push(chunk, (m) => client.replies.push(m)),
        close: () => {
          client.#closed = true;
        },
        error: () => {},
      },
    });
    return client;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Send raw bytes as they are (no framing), for split-frame tests. */
  sendRaw(bytes: Uint8Array): void {
    this.#socket?.write(bytes);
  }

  send(message: Uint8Array): void {
    this.sendRaw(frameMessage(message));
  }

  /** Wait until `count` replies arrived, or `timeoutMs` passed. */
  async waitReplies(count: number, timeoutMs = 3000): Promise<Uint8Array[]> {
    await waitUntil(() => this.replies.length >= count || this.#closed, timeoutMs);
    return this.replies;
  }

  close(): void {
    this.#socket?.end();
  }
}

/** Poll `cond` until it holds or `timeoutMs` passes; returns whether it held. */
export async function waitUntil(cond: () => boolean, timeoutMs = 5000): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > until) return false;
    await Bun.sleep(5);
  }
  return true;
}

/** One TCP exchange: connect, send, wait for one reply or timeout, close. */
export async function tcpExchange(
  port: number,
  bytes: Uint8Array,
  timeoutMs = 2000,
): Promise<Uint8Array | null> {
  const client = await TcpClient.connect(port);
  client.send(bytes);
  const replies = await client.waitReplies(1, timeoutMs);
  client.close();
  return replies[0] ?? null;
}
