import { connect } from "node:net";
import { FrameReader, frameMessage } from "../../src/tcp/frame-reader.ts";

/**
 * One TCP exchange from a chosen loopback source address (Bun.connect has
 * no local-address option; node:net does). Null when no reply came.
 */
export function tcpExchangeFrom(
  port: number,
  bytes: Uint8Array,
  from: string,
  timeoutMs = 2000,
): Promise<Uint8Array | null> {
  return new Promise((resolve) => {
    const reader = new FrameReader();
    const sock = connect({ host: "127.0.0.1", port, localAddress: from });
    const done = (reply: Uint8Array | null): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(reply);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    sock.on("connect", () => sock.write(frameMessage(bytes)));
    sock.on("data", (chunk: Buffer) => reader.push(new Uint8Array(chunk), (m) => done(m)));
    sock.on("error", () => done(null));
  });
}
