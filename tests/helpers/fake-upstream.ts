import * as dnsPacket from "dns-packet";
import { FrameReader, frameMessage } from "../../src/tcp/frame-reader.ts";

/**
 * A small DNS server for unit and integration tests: it answers every A
 * query with 192.0.2.1 over UDP and TCP and keeps what it received, so a
 * test can see the bytes udpot sent upstream. `delayMs` and `silent` make
 * it slow or mute for timeout tests.
 */
export interface FakeUpstream {
  port: number;
  received: Uint8Array[];
  delayMs: number;
  silent: boolean;
  close(): void;
}

export async function startFakeUpstream(): Promise<FakeUpstream> {
  // The kernel picks the UDP port; another process may hold it for TCP.
  for (let attempt = 0; ; attempt++) {
    try {
      return await tryStart();
    } catch (err) {
      if (attempt >= 20) throw err;
    }
  }
}

async function tryStart(): Promise<FakeUpstream> {
  const state = { received: [] as Uint8Array[], delayMs: 0, silent: false };
  const respond = (query: Uint8Array, send: (reply: Uint8Array) => void): void => {
    state.received.push(query);
    if (state.silent) return;
    const reply = answer(query);
    if (state.delayMs > 0) setTimeout(() => send(reply), state.delayMs);
    else send(reply);
  };

  const udp = await Bun.udpSocket({
    hostname: "127.0.0.1",
    binaryType: "uint8array",
    socket: {
      data: (s, bytes, port, address) => respond(bytes, (r) => s.send(r, port, address)),
      error: () => {},
    },
  });
  let tcp: Bun.TCPSocketListener<FrameReader>;
  try {
    tcp = listenTcp(udp.port, respond);
  } catch (err) {
    udp.close();
    throw err;
  }
  return Object.assign(state, {
    port: udp.port,
    close() {
      udp.close();
      tcp.stop(true);
    },
  });
}

function listenTcp(
  port: number,
  respond: (query: Uint8Array, send: (reply: Uint8Array) => void) => void,
): Bun.TCPSocketListener<FrameReader> {
  return Bun.listen<FrameReader>({
    hostname: "127.0.0.1",
    port,
    socket: {
      open: (s) => {
        s.data = new FrameReader();
      },
      data: (s, chunk) => s.data.push(chunk, (m) => respond(m, (r) => s.write(frameMessage(r)))),
      error: () => {},
    },
  });
}

/** A real-looking answer, or FORMERR when the query does not decode. */
export function answer(query: Uint8Array): Uint8Array {
  try {
    const q = dnsPacket.decode(Buffer.from(query));
    const question = q.questions?.[0];
    const answers =
      question?.type === "A"
        ? [{ type: "A" as const, name: question.name, ttl: 60, data: "192.0.2.1" }]
        : [];
    return new Uint8Array(
      dnsPacket.encode({
        type: "response",
        id: q.id ?? 0,
        flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
        questions: q.questions ?? [],
        answers,
      }),
    );
  } catch {
    const reply = new Uint8Array(12);
    reply.set(query.subarray(0, 2));
    reply[2] = 0x80;
    reply[3] = 0x01; // FORMERR
    return reply;
  }
}
