import type { Inbound } from "../event/build-event.ts";
import { tagged } from "../log.ts";
import { FrameReader, frameMessage } from "../tcp/frame-reader.ts";
import { WriteQueue } from "../tcp/write-queue.ts";

const tcpLog = tagged("tcp");

export interface TcpOptions {
  /** Close a connection that has not completed a message for this long (RFC 7766 6.2.3). */
  idleMs: number;
  /** Open connections at once, all sources together. */
  maxConnections: number;
  /** Open connections at once from one source address. */
  maxPerSource: number;
}

export interface TcpCounters {
  accepted: number;
  refused: number;
  idleClosed: number;
}

export interface TcpListener {
  readonly port: number;
  readonly counters: TcpCounters;
  /** Stop accepting; open connections stay until `closeAll`. */
  stopAccepting(): void;
  closeAll(): void;
}

interface Conn {
  reader: FrameReader;
  writes: WriteQueue;
  /** When the last complete message arrived (or the connection opened). */
  lastMessageAt: number;
  closed: boolean;
}

type Sock = Bun.Socket<Conn>;

/**
 * Thin TCP listener: frames the stream into messages (our own framing,
 * see FrameReader), hands each to the handler and writes replies back,
 * finishing partial writes on drain. Only a complete message counts as
 * activity, so a peer dribbling one byte at a time is still closed.
 */
export async function listenTcp(
  hostname: string,
  port: number,
  opts: TcpOptions,
  onMessage: (msg: Inbound) => void,
): Promise<TcpListener> {
  const counters: TcpCounters = { accepted: 0, refused: 0, idleClosed: 0 };
  const open = new Set<Sock>();
  const perSource = new Map<string, number>();

  const release = (s: Sock): void => {
    if (!open.delete(s)) return;
    const left = (perSource.get(s.remoteAddress) ?? 1) - 1;
    if (left <= 0) perSource.delete(s.remoteAddress);
    else perSource.set(s.remoteAddress, left);
  };

  const server = Bun.listen<Conn>({
    hostname,
    port,
    socket: {
      open(s) {
        s.data = {
          reader: new FrameReader(),
          writes: new WriteQueue(),
          lastMessageAt: performance.now(),
          closed: false,
        };
        const fromPeer = perSource.get(s.remoteAddress) ?? 0;
        if (open.size >= opts.maxConnections || fromPeer >= opts.maxPerSource) {
          counters.refused++;
          s.data.closed = true;
          s.end();
          return;
        }
        counters.accepted++;
        open.add(s);
        perSource.set(s.remoteAddress, fromPeer + 1);
      },
      data(s, chunk) {
        if (s.data.closed) return;
        s.data.reader.push(chunk, (bytes) => {
          s.data.lastMessageAt = performance.now();
          deliver(s, bytes, onMessage);
        });
      },
      drain(s) {
        s.data.writes.drain(s);
      },
      close(s) {
        s.data.closed = true;
        release(s);
      },
      error(s, err) {
        tcpLog.debug(`connection from ${s.remoteAddress}: ${err.message}`);
      },
    },
  });

  const sweeper = setInterval(
    () => {
      const now = performance.now();
      for (const s of open) {
        if (now - s.data.lastMessageAt < opts.idleMs) continue;
        counters.idleClosed++;
        s.data.closed = true;
        release(s);
        s.end();
      }
    },
    Math.min(1000, opts.idleMs / 2),
  );
  sweeper.unref();

  return {
    port: server.port,
    counters,
    stopAccepting: () => server.stop(false),
    closeAll() {
      clearInterval(sweeper);
      for (const s of open) s.end();
      open.clear();
      server.stop(true);
    },
  };
}

function deliver(s: Sock, bytes: Uint8Array, onMessage: (msg: Inbound) => void): void {
  const reply = (out: Uint8Array): void => {
    if (!s.data.closed) s.data.writes.write(s, frameMessage(out));
  };
  try {
    onMessage({ bytes, transport: "TCP", address: s.remoteAddress, port: s.remotePort, reply });
  } catch (err) {
    tcpLog.error(`handler failed on a message from ${s.remoteAddress}: ${String(err)}`);
  }
}
