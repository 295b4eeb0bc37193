import { createSocket, type Socket } from "node:dgram";
import type { Endpoint } from "../cli/config.ts";
import { bunSocketInside } from "../listen/udp-paths.ts";

/** What the relay needs of one socket to the upstream. */
export interface UpstreamSocket {
  /** Which way it was made: through dgram (its buffer set) or a plain Bun socket. */
  readonly via: "dgram" | "bun";
  /** Sends each message; returns how many the kernel took. */
  sendMany(messages: Uint8Array[]): number;
  close(): void;
}

export interface UpstreamHandlers {
  /** A datagram from the upstream, as a copy the relay may change. */
  data(bytes: Uint8Array): void;
  error(err: unknown): void;
}

/**
 * A UDP socket connected to the upstream (the kernel then drops datagrams
 * from anyone else). Made by node:dgram when it can be, for the same
 * reason as the listener's: only dgram sets SO_RCVBUF, and a burst of
 * relays in flight overflows the default buffer with the upstream's
 * replies. It is then read and written through the Bun socket inside, as
 * the listener is; without that socket, a plain connected Bun.udpSocket.
 */
export async function openUpstreamSocket(
  upstream: Endpoint,
  recvBufferBytes: number,
  handlers: UpstreamHandlers,
): Promise<UpstreamSocket> {
  const made = await viaDgram(upstream, recvBufferBytes, handlers);
  if (made !== null) return made;
  const conn = await Bun.udpSocket({
    binaryType: "uint8array",
    hostname: upstream.family === 6 ? "::" : "0.0.0.0",
    connect: { hostname: upstream.address, port: upstream.port },
    socket: {
      data: (_s, bytes) => handlers.data(bytes),
      error: (_s, err) => handlers.error(err),
    },
  });
  return { via: "bun", sendMany: (messages) => conn.sendMany(messages), close: () => conn.close() };
}

async function viaDgram(
  upstream: Endpoint,
  recvBufferBytes: number,
  handlers: UpstreamHandlers,
): Promise<UpstreamSocket | null> {
  const socket = createSocket({
    type: upstream.family === 6 ? "udp6" : "udp4",
    ...(recvBufferBytes > 0 ? { recvBufferSize: recvBufferBytes } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.connect(upstream.port, upstream.address, () => {
      socket.off("error", reject);
      resolve();
    });
  });
  const inner = bunSocketInside(socket);
  if (inner === null) {
    closeQuietly(socket);
    return null;
  }
  // Handlers go under `socket`, as the listener found (udp-paths.ts).
  const reload = {
    socket: {
      data: (_s: unknown, datagram: Uint8Array) => handlers.data(new Uint8Array(datagram)),
      error: (_s: unknown, err: unknown) => handlers.error(err),
    },
  };
  inner.reload(reload as never);
  const connected = inner as unknown as Bun.udp.ConnectedSocket<"buffer">;
  return {
    via: "dgram",
    sendMany: (messages) => connected.sendMany(messages),
    close: () => closeQuietly(socket),
  };
}

function closeQuietly(socket: Socket): void {
  try {
    socket.close();
  } catch {
    // Closed already.
  }
}
