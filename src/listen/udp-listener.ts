import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { messageOf } from "../errors.ts";
import type { Inbound } from "../event/build-event.ts";
import { tagged } from "../log.ts";
import { describeRecvBuffer, type RecvBuffer, recvBufferNotes } from "./recv-buffer.ts";

const udpLog = tagged("udp");

export interface UdpCounters {
  /**
   * ICMP port-unreachable reports for replies into closed ports (a send
   * hit by one is tried again once), and other socket errors.
   */
  socketErrors: number;
  /** Replies that could not be sent, not even on the second try. */
  sendFailures: number;
}

export interface UdpListenOptions {
  /** SO_RCVBUF to ask the kernel for, in bytes; 0 (the default) keeps the system's. */
  recvBufferBytes?: number;
}

export interface UdpListener {
  readonly port: number;
  readonly counters: UdpCounters;
  /** The receive buffer the kernel granted. */
  readonly recvBuffer: RecvBuffer;
  close(): void;
}

/**
 * Thin UDP listener: each datagram becomes one message for the handler.
 *
 * It is `node:dgram`, not `Bun.udpSocket`, for one reason: only dgram can
 * set SO_RCVBUF. The default buffer holds a few hundred datagrams, so a
 * flood overflows it during the first SQLite commit; with 8 MiB it holds
 * ~100 ms of 100k queries/s. Both read with recvmmsg in Bun, and under
 * load they cost the same per datagram (BENCHMARKS.md).
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
  const send = sender(socket, counters);
  socket.on("message", (datagram: Buffer, peer: RemoteInfo) => {
    // A plain Uint8Array: the rest of udpot copies with `slice()`, which on
    // a Buffer shares the bytes instead. A copy of a datagram costs a tenth
    // of a view over `datagram.buffer`, whose first read makes JSC move the
    // bytes out of the object (measured: 0.02 against 0.2 us).
    const bytes = new Uint8Array(datagram);
    const reply = (out: Uint8Array): void => send(out, peer.port, peer.address, true);
    try {
      onMessage({ bytes, transport: "UDP", address: peer.address, port: peer.port, reply });
    } catch (err) {
      udpLog.error(`handler failed on a message from ${peer.address}: ${String(err)}`);
    }
  });
  socket.on("error", (err: Error) => {
    // Receive errors that survive dgram's own filter (it drops the ICMP
    // port-unreachable reports for replies into closed ports). They are the
    // peer's problem or a passing one: count and go on.
    counters.socketErrors++;
    udpLog.debug(`socket error: ${messageOf(err)}`);
  });

  return {
    port: socket.address().port,
    counters,
    recvBuffer,
    close: () => closeQuietly(socket),
  };
}

type Send = (out: Uint8Array, port: number, address: string, retry: boolean) => void;

/** Sends replies, never throwing; failures are counted. */
function sender(socket: Socket, counters: UdpCounters): Send {
  const send: Send = (out, port, address, retry) => {
    try {
      socket.send(out, port, address, (err: Error | null) => {
        if (err === null) return;
        // An ICMP port unreachable for an earlier reply (to a closed or
        // spoofed source) is reported by the next send, which it stops:
        // that reply, to someone else, goes again once.
        if (retry && (err as NodeJS.ErrnoException).code === "ECONNREFUSED") {
          counters.socketErrors++;
          send(out, port, address, false);
        } else {
          counters.sendFailures++;
        }
      });
    } catch {
      counters.sendFailures++;
    }
  };
  return send;
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
