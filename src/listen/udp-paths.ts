import type { RemoteInfo, Socket } from "node:dgram";
import { messageOf } from "../errors.ts";
import type { Inbound } from "../event/build-event.ts";
import { tagged } from "../log.ts";

const udpLog = tagged("udp");

export interface UdpCounters {
  /**
   * ICMP port-unreachable reports for replies into closed ports, and
   * other socket errors.
   */
  socketErrors: number;
  /** Replies that could not be sent, not even on the second try. */
  sendFailures: number;
}

type OnMessage = (msg: Inbound) => void;
type Send = (out: Uint8Array, port: number, address: string, retry: boolean) => void;
type Reply = (out: Uint8Array, port: number, address: string) => void;

/** The `Bun.udpSocket` inside a `node:dgram` socket, as Bun 1.4 builds it. */
type BunSocket = Bun.udp.Socket<"buffer">;

/**
 * The Bun socket a dgram socket wraps, or null when this Bun keeps it
 * elsewhere. Not an API: Bun's dgram keeps its state under a symbol
 * described "state symbol", with the Bun socket at `handle.socket`.
 */
export function bunSocketInside(socket: Socket): BunSocket | null {
  const key = Object.getOwnPropertySymbols(socket).find((s) => s.description === "state symbol");
  const state = key === undefined ? undefined : Reflect.get(socket, key);
  const inner = state?.handle?.socket;
  const usable = typeof inner?.reload === "function" && typeof inner?.send === "function";
  return usable ? (inner as BunSocket) : null;
}

/**
 * Reads and answers through the Bun socket itself, past dgram's event
 * emitter and its per-send address lookup and callback, and sends the
 * replies of one turn of the event loop with one sendmmsg(2): each step
 * took the relay up by a fifth or more (BENCHMARKS.md).
 */
export function readDirect(inner: BunSocket, onMessage: OnMessage, counters: UdpCounters): void {
  const reply = batchedReplies(inner, directSend(inner, counters));
  // The handlers go under `socket`, as for Bun.connect; bun-types says
  // otherwise, and a bare handler object is silently ignored (measured).
  const handlers = {
    socket: {
      data(_sock: BunSocket, datagram: Buffer, port: number, address: string) {
        deliver(onMessage, datagram, address, port, (out) => reply(out, port, address));
      },
      error(_sock: BunSocket, err: unknown) {
        counters.socketErrors++;
        udpLog.debug(`socket error: ${messageOf(err)}`);
      },
    },
  };
  inner.reload(handlers as never);
}

/** One datagram through the Bun socket, never throwing; failures are counted. */
function directSend(inner: BunSocket, counters: UdpCounters): Send {
  const send: Send = (out, port, address, retry) => {
    try {
      if (!inner.send(out, port, address)) counters.sendFailures++;
    } catch (err) {
      // An ICMP port unreachable for an earlier reply (to a closed or
      // spoofed source) makes the next send throw, and that reply, to
      // someone else, is not sent: it goes again once. The ICMP itself
      // is counted by `error`.
      if (retry && isRefused(err)) send(out, port, address, false);
      else counters.sendFailures++;
    }
  };
  return send;
}

/**
 * Replies made in one turn go out together, with one sendmmsg(2) when
 * the turn is over. What it could not send (a stale ICMP error stops it at
 * that datagram) goes one by one through `send`, with its retry.
 */
function batchedReplies(inner: BunSocket, send: Send): Reply {
  const queue: (Uint8Array | number | string)[] = [];
  const flush = (): void => {
    const batch = queue.splice(0);
    let sent = 0;
    try {
      sent = inner.sendMany(batch);
    } catch {
      // The first one failed; each goes again on its own below.
    }
    for (let i = sent * 3; i < batch.length; i += 3) {
      send(batch[i] as Uint8Array, batch[i + 1] as number, batch[i + 2] as string, true);
    }
  };
  return (out, port, address) => {
    if (queue.length === 0) setImmediate(flush);
    queue.push(out, port, address);
  };
}

/** Reads and answers through dgram's own API: the fallback when the Bun socket is out of reach. */
export function readViaDgram(socket: Socket, onMessage: OnMessage, counters: UdpCounters): void {
  const send: Send = (out, port, address, retry) => {
    try {
      socket.send(out, port, address, (err: Error | null) => {
        if (err === null) return;
        // As in readDirect; dgram reports the ICMP here only, not as an event.
        if (retry && isRefused(err)) {
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
  socket.on("message", (datagram: Buffer, peer: RemoteInfo) => {
    deliver(onMessage, datagram, peer.address, peer.port, (out) =>
      send(out, peer.port, peer.address, true),
    );
  });
  socket.on("error", (err: Error) => {
    counters.socketErrors++;
    udpLog.debug(`socket error: ${messageOf(err)}`);
  });
}

/** One datagram to the handler; a throw is logged, never passed on to the runtime. */
function deliver(
  onMessage: OnMessage,
  datagram: Buffer,
  address: string,
  port: number,
  reply: (out: Uint8Array) => void,
): void {
  // A plain Uint8Array: the rest of udpot copies with `slice()`, which on
  // a Buffer shares the bytes instead. A copy of a datagram costs a tenth
  // of a view over `datagram.buffer`, whose first read makes JSC move the
  // bytes out of the object (measured: 0.02 against 0.2 us).
  const bytes = new Uint8Array(datagram);
  try {
    onMessage({ bytes, transport: "UDP", address, port, reply });
  } catch (err) {
    udpLog.error(`handler failed on a message from ${address}: ${messageOf(err)}`);
  }
}

function isRefused(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === "ECONNREFUSED";
}
