import { FrameReader, frameMessage } from "../../src/tcp/frame-reader.ts";
import { WriteQueue } from "../../src/tcp/write-queue.ts";
import { answer } from "./fake-upstream.ts";

/**
 * An upstream on 127.0.0.1 (UDP and TCP, one port) that answers like the
 * fake upstream, but as the query's first label asks: `slowN` is answered
 * after N ms (replies overtake each other), `bigN` gets N zero bytes
 * after its answer (the relay passes them on as they are).
 */
export interface SlowUpstream {
  port: number;
  close(): void;
}

export async function startSlowUpstream(): Promise<SlowUpstream> {
  for (let attempt = 0; ; attempt++) {
    const udp = await Bun.udpSocket({
      hostname: "127.0.0.1",
      binaryType: "uint8array",
      socket: {
        data: (s, bytes, port, address) => later(bytes, (r) => s.send(r, port, address)),
        error: () => {},
      },
    });
    try {
      const tcp = Bun.listen<{ reader: FrameReader; writes: WriteQueue }>({
        hostname: "127.0.0.1",
        port: udp.port,
        socket: {
          open: (s) => {
            s.data = { reader: new FrameReader(), writes: new WriteQueue() };
          },
          data: (s, chunk) =>
            s.data.reader.push(chunk, (m) =>
              later(m, (r) => s.data.writes.write(s, frameMessage(r))),
            ),
          drain: (s) => s.data.writes.drain(s),
          error: () => {},
        },
      });
      const close = (): void => {
        udp.close();
        tcp.stop(true);
      };
      return { port: udp.port, close };
    } catch (err) {
      udp.close();
      if (attempt >= 20) throw err;
    }
  }
}

/** Send the answer to `query`, grown and delayed as its name asks. */
function later(query: Uint8Array, send: (reply: Uint8Array) => void): void {
  const label = Buffer.from(query.subarray(13, 13 + (query[12] ?? 0))).toString("latin1");
  const delay = /^slow(\d+)$/.exec(label)?.[1];
  const padding = Number(/^big(\d+)$/.exec(label)?.[1] ?? 0);
  let reply = answer(query);
  if (padding > 0) reply = Uint8Array.from([...reply, ...new Uint8Array(padding)]);
  if (delay === undefined) send(reply);
  else setTimeout(() => send(reply), Number(delay));
}
