import { connect, type Socket } from "node:net";
import { FrameReader } from "../../src/tcp/frame-reader.ts";

/**
 * A raw TCP peer from a chosen loopback address (node:net, since
 * Bun.connect cannot pick the local address), for tests that misbehave:
 * partial frames, dribbling, never reading.
 */
export interface RawPeer {
  socket: Socket;
  replies: Uint8Array[];
  /** True once udpot (or anyone) closed the connection. */
  readonly closed: boolean;
  /** Resolves when the connection is closed. */
  whenClosed: Promise<void>;
  write(bytes: Uint8Array | number[]): void;
  destroy(): void;
}

export function rawPeer(port: number, from = "127.0.0.1"): Promise<RawPeer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, localAddress: from });
    const reader = new FrameReader();
    const replies: Uint8Array[] = [];
    let closed = false;
    const whenClosed = new Promise<void>((done) =>
      socket.on("close", () => {
        closed = true;
        done();
      }),
    );
    socket.on("data", (chunk: Buffer) =>
      reader.push(new Uint8Array(chunk), (m) => replies.push(m)),
    );
    socket.on("error", (err) => {
      if (!closed) reject(err);
    });
    socket.on("connect", () =>
      resolve({
        socket,
        replies,
        get closed() {
          return closed;
        },
        whenClosed,
        write: (bytes) => socket.write(Uint8Array.from(bytes)),
        destroy: () => socket.destroy(),
      }),
    );
  });
}
