import { messageOf } from "../errors.ts";
import type { Inbound } from "../event/build-event.ts";
import { tagged } from "../log.ts";
import { FrameReader, frameMessage } from "../tcp/frame-reader.ts";
import { WriteQueue } from "../tcp/write-queue.ts";

const tcpLog = tagged("tcp");

/**
 * Replies a peer may leave unread before it is cut off: a few of the
 * largest messages. Only relayed queries get replies, so an honest client
 * never comes near it.
 */
const MAX_UNREAD_BYTES = 4 * 65537;
/** A full listener makes room by closing a connection quiet for this long. */
const EVICT_QUIET_MS = 1000;

export interface TcpOptions {
  /** Close a connection that has not completed a message for this long (RFC 7766 6.2.3). */
  idleMs: number;
  /** Open connections at once, all sources together. */
  maxConnections: number;
  /** Open connections at once from one source address. */
  maxPerSource: number;
}

/** Where the listener hands what it read. */
export interface TcpHandlers {
  /** One complete message. */
  message(msg: Inbound): void;
  /** What a peer sent of a frame it never finished, when its connection ends. */
  fragment(msg: Inbound): void;
}

export interface TcpCounters {
  accepted: number;
  /** Refused at once: over the per-source cap, or full of busy connections. */
  refused: number;
  idleClosed: number;
  /** Closed to make room for a newcomer when the listener was full. */
  evicted: number;
  /** Closed because the peer left too many replies unread. */
  unreadClosed: number;
}

export interface TcpListener {
  readonly port: number;
  readonly counters: TcpCounters;
  /** Connections open now. */
  readonly open: number;
  /** Stop accepting; open connections stay until `closeAll`. */
  stopAccepting(): void;
  closeAll(): void;
}

interface Conn {
  /** The peer, kept from the start: Bun may not know it once the socket closed. */
  address: string;
  port: number;
  reader: FrameReader;
  writes: WriteQueue;
  /** When the last complete message arrived (or the connection opened). */
  lastMessageAt: number;
  closed: boolean;
  /** Messages handed on and not answered yet (a sinkholed one never is). */
  awaiting: number;
  /** The peer has shut its sending side (FIN). */
  peerDone: boolean;
}

type Sock = Bun.Socket<Conn>;

/**
 * Thin TCP listener: frames the stream into messages (our own framing,
 * see FrameReader), hands each to the handler and writes replies back,
 * finishing partial writes on drain. Only a complete message counts as
 * activity (RFC 7766 section 6.2.3), so a peer dribbling one byte at a
 * time is still closed; Bun's own socket timeout fires late and closes
 * nothing (BUN-NOTES), so the sweep here does it.
 */
export async function listenTcp(
  hostname: string,
  port: number,
  opts: TcpOptions,
  handlers: TcpHandlers,
): Promise<TcpListener> {
  const conns = new Connections(opts, handlers);
  const server = Bun.listen<Conn>({
    hostname,
    port,
    // A client may send its query and shut its side (RFC 7766 6.2.4 lets it
    // close once it has sent all it wanted). The answer must still go out,
    // so our side stays open until the idle rule or the peer closes it.
    allowHalfOpen: true,
    socket: {
      open: (s) => conns.open(s),
      data(s, chunk) {
        if (s.data.closed) return;
        s.data.reader.push(chunk, (bytes) => conns.message(s, bytes));
      },
      drain: (s) => s.data.writes.drain(s),
      // The peer is done sending; replies still to come go out (see above).
      end: (s) => conns.peerEnded(s),
      close: (s) => conns.shut(s),
      error(s, err) {
        tcpLog.debug(`connection from ${s.data?.address}: ${messageOf(err)}`);
      },
    },
  });
  const sweeper = setInterval(() => conns.sweepIdle(), Math.min(1000, opts.idleMs / 2));
  sweeper.unref();

  return {
    port: server.port,
    counters: conns.counters,
    get open() {
      return conns.size;
    },
    stopAccepting: () => server.stop(false),
    closeAll() {
      clearInterval(sweeper);
      conns.shutAll();
      server.stop(true);
    },
  };
}

/**
 * The open connections, least recently active first: a Set keeps
 * insertion order, and a connection moves to the end with each complete
 * message, so the idle sweep and the eviction both look only at the front.
 */
class Connections {
  readonly counters: TcpCounters = {
    accepted: 0,
    refused: 0,
    idleClosed: 0,
    evicted: 0,
    unreadClosed: 0,
  };
  readonly #byActivity = new Set<Sock>();
  readonly #perSource = new Map<string, number>();
  readonly #opts: TcpOptions;
  readonly #handlers: TcpHandlers;

  constructor(opts: TcpOptions, handlers: TcpHandlers) {
    this.#opts = opts;
    this.#handlers = handlers;
  }

  get size(): number {
    return this.#byActivity.size;
  }

  open(s: Sock): void {
    const now = performance.now();
    s.data = {
      // Undefined when the peer reset the connection before we asked; what
      // it sent is still recorded, from an unknown address.
      address: s.remoteAddress ?? "",
      port: s.remotePort ?? 0,
      reader: new FrameReader(),
      writes: new WriteQueue(),
      lastMessageAt: now,
      closed: true,
      awaiting: 0,
      peerDone: false,
    };
    const fromPeer = this.#perSource.get(s.data.address) ?? 0;
    if (fromPeer >= this.#opts.maxPerSource || !this.#makeRoom(now)) {
      this.counters.refused++;
      s.end();
      return;
    }
    s.data.closed = false;
    this.counters.accepted++;
    this.#byActivity.add(s);
    this.#perSource.set(s.data.address, fromPeer + 1);
  }

  message(s: Sock, bytes: Uint8Array): void {
    // One read can hold several messages. Should a reply ever come back in
    // the same turn and close the connection, the rest must not reopen it.
    if (s.data.closed) return;
    s.data.lastMessageAt = performance.now();
    this.#byActivity.delete(s);
    this.#byActivity.add(s);
    s.data.awaiting++;
    const reply = (out: Uint8Array): void => this.#reply(s, out);
    try {
      this.#handlers.message({
        bytes,
        transport: "TCP",
        address: s.data.address,
        port: s.data.port,
        reply,
      });
    } catch (err) {
      tcpLog.error(`handler failed on a message from ${s.data.address}: ${String(err)}`);
    }
  }

  /** Close the connections no complete message has arrived on for `idleMs`. */
  sweepIdle(): void {
    const now = performance.now();
    for (const s of this.#byActivity) {
      if (now - s.data.lastMessageAt < this.#opts.idleMs) return;
      this.counters.idleClosed++;
      this.shut(s);
    }
  }

  /**
   * Forget `s` and close it, once; a frame the peer left unfinished is
   * handed on as a fragment, so that what it sent is recorded.
   */
  shut(s: Sock): void {
    if (!this.#byActivity.delete(s)) return;
    s.data.closed = true;
    const left = (this.#perSource.get(s.data.address) ?? 1) - 1;
    if (left <= 0) this.#perSource.delete(s.data.address);
    else this.#perSource.set(s.data.address, left);
    s.end();
    if (s.data.reader.buffered > 0) this.#fragment(s);
  }

  shutAll(): void {
    for (const s of [...this.#byActivity]) this.shut(s);
  }

  /**
   * True when there is room for one more connection. A full listener
   * closes its least recently active connection if that one has been quiet
   * a while: stalled peers then cannot lock everyone else out, and a
   * client in the middle of an exchange is left alone.
   */
  #makeRoom(now: number): boolean {
    if (this.#byActivity.size < this.#opts.maxConnections) return true;
    const oldest = this.#byActivity.values().next().value;
    const quietMs = Math.min(EVICT_QUIET_MS, this.#opts.idleMs);
    if (oldest === undefined || now - oldest.data.lastMessageAt < quietMs) return false;
    this.counters.evicted++;
    this.shut(oldest);
    return true;
  }

  /**
   * The peer is done sending. Its answers still go out; once none is
   * awaited the connection closes, so a client that half-closes after each
   * query does not hold a per-source slot until the idle rule.
   */
  peerEnded(s: Sock): void {
    s.data.peerDone = true;
    if (s.data.awaiting <= 0) this.shut(s);
  }

  #reply(s: Sock, out: Uint8Array): void {
    if (s.data.closed) return;
    s.data.awaiting--;
    s.data.writes.write(s, frameMessage(out));
    if (s.data.peerDone && s.data.awaiting <= 0 && s.data.writes.queued === 0) {
      this.shut(s);
      return;
    }
    if (s.data.writes.queued <= MAX_UNREAD_BYTES) return;
    // A peer that asks and never reads would make us hold its replies.
    this.counters.unreadClosed++;
    this.shut(s);
  }

  #fragment(s: Sock): void {
    const bytes = s.data.reader.heldBytes();
    try {
      const { address, port } = s.data;
      this.#handlers.fragment({ bytes, transport: "TCP", address, port, reply: () => {} });
    } catch (err) {
      tcpLog.error(`handler failed on a fragment from ${s.data.address}: ${String(err)}`);
    }
  }
}
