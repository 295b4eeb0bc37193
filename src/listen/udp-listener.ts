import { createSocket, type Socket } from "node:dgram";
import type { Inbound } from "../event/build-event.ts";
import { tagged } from "../log.ts";
import { describeRecvBuffer, type RecvBuffer, recvBufferNotes } from "./recv-buffer.ts";
import { bunSocketInside, readDirect, readViaDgram, type UdpCounters } from "./udp-paths.ts";

export type { UdpCounters } from "./udp-paths.ts";

const udpLog = tagged("udp");

export interface UdpListenOptions {
  /** SO_RCVBUF to ask the kernel for, in bytes; 0 (the default) keeps the system's. */
  recvBufferBytes?: number;
  /** false: use dgram's own API even where the Bun socket is in reach (tests). */
  direct?: boolean;
}

export interface UdpListener {
  readonly port: number;
  readonly counters: UdpCounters;
  /** The receive buffer the kernel granted. */
  readonly recvBuffer: RecvBuffer;
  /** Datagrams are read from the Bun socket itself, not through dgram's events. */
  readonly direct: boolean;
  close(): void;
}

/**
 * Thin UDP listener: each datagram becomes one message for the handler.
 *
 * Only `node:dgram` can set SO_RCVBUF, and a flood needs it: the default
 * buffer holds a few hundred datagrams, 2-3 ms at 100k queries/s, less
 * than one pause for a garbage collection or a log write. So dgram makes
 * and binds the socket; then the `Bun.udpSocket` inside it is read and
 * written directly, because dgram's emitter and its per-send lookup cost
 * a third of the relay's throughput (BENCHMARKS.md). Should a Bun release
 * hide that socket, dgram's own API takes over.
 *
 * Nothing here may throw into the runtime: an exception in a message
 * handler would be uncaught and end udpot.
 */
export async function listenUdp(
  hostname: string,
  port: number,
  onMessage: (msg: Inbound) => void,
  opts: UdpListenOptions = {},
): Promise<UdpListener> {
  const asked = opts.recvBufferBytes ?? 0;
  const counters: UdpCounters = { socketErrors: 0, sendFailures: 0 };
  const socket = createSocket({
    type: hostname.includes(":") ? "udp6" : "udp4",
    ...(asked > 0 ? { recvBufferSize: asked } : {}),
  });
  await bind(socket, hostname, port);

  const recvBuffer = describeRecvBuffer(asked, socket.getRecvBufferSize());
  const inner = opts.direct === false ? null : bunSocketInside(socket);
  if (inner !== null) readDirect(inner, onMessage, counters);
  else readViaDgram(socket, onMessage, counters);
  return {
    port: socket.address().port,
    counters,
    recvBuffer,
    direct: inner !== null,
    close: () => closeQuietly(socket),
  };
}

/**
 * Tells what the kernel made of the receive buffer: an info line, and a
 * warning when `net.core.rmem_max` cut the request short. Called after
 * the start-up line, which stays the first line udpot prints.
 */
export function logRecvBuffer(buffer: RecvBuffer): void {
  const notes = recvBufferNotes(buffer);
  udpLog.info(notes.info);
  if (notes.warning !== null) udpLog.warn(notes.warning);
}

/** Resolves once the socket listens; rejects with the bind error (EADDRINUSE, EACCES, …). */
function bind(socket: Socket, hostname: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (err: Error): void => {
      closeQuietly(socket);
      reject(err);
    };
    socket.once("error", failed);
    socket.bind(port, hostname, () => {
      socket.off("error", failed);
      resolve();
    });
  });
}

function closeQuietly(socket: Socket): void {
  try {
    socket.close();
  } catch {
    // Closed already.
  }
}
