import type { Endpoint } from "../cli/config.ts";
import { messageOf } from "../errors.ts";
import { tagged } from "../log.ts";
import { messageId, withId } from "../wire/message-id.ts";
import type { RelayCounters, RelayDone } from "./outcome.ts";
import { PendingTable } from "./pending.ts";
import { openUpstreamSocket, type UpstreamSocket } from "./upstream-socket.ts";

interface Outgoing {
  id: number;
  bytes: Uint8Array;
}

const relayLog = tagged("relay");

/**
 * Relays UDP queries to the upstream resolver over a few connected sockets.
 *
 * Connected sockets make the kernel drop datagrams from any address but the
 * upstream's, and each socket has its own ephemeral port and 16-bit ID
 * space, so several of them keep IDs unguessable under load (RFC 5452).
 */
export class UdpUpstream {
  readonly #conns: UpstreamSocket[] = [];
  readonly #tables: PendingTable[] = [];
  /** Queries waiting for the end of the turn, per socket. */
  readonly #queues: Outgoing[][] = [];
  readonly #timeoutMs: number;
  readonly #counters: RelayCounters;
  readonly #sweeper: Timer;
  #next = 0;

  private constructor(timeoutMs: number, counters: RelayCounters) {
    this.#timeoutMs = timeoutMs;
    this.#counters = counters;
    this.#sweeper = setInterval(() => this.#expire(), Math.min(100, timeoutMs / 4));
    this.#sweeper.unref();
  }

  /** `recvBufferBytes`: SO_RCVBUF for each socket (`--recv-buffer`); 0 keeps the system's. */
  static async open(
    upstream: Endpoint,
    timeoutMs: number,
    counters: RelayCounters,
    recvBufferBytes = 0,
    sockets = 4,
  ): Promise<UdpUpstream> {
    const relay = new UdpUpstream(timeoutMs, counters);
    for (let i = 0; i < sockets; i++) await relay.#connect(upstream, recvBufferBytes);
    return relay;
  }

  /** Send `query` upstream under a fresh ID; `done` gets the reply with the client's ID back. */
  forward(query: Uint8Array, done: RelayDone): void {
    const slot = this.#pickSlot();
    const conn = this.#conns[slot];
    const table = this.#tables[slot];
    const id = table === undefined ? -1 : table.freeId();
    if (conn === undefined || table === undefined || id < 0) {
      this.#counters.errors++;
      done({ kind: "error", ms: 0, reason: "too many queries in flight" });
      return;
    }
    const clientId = messageId(query);
    table.add(id, clientId, done, performance.now());
    // Sent at the end of this turn with the others for this socket: one
    // sendmmsg instead of one syscall per query (BENCHMARKS.md).
    const queue = this.#queues[slot] as Outgoing[];
    if (queue.length === 0) setImmediate(() => this.#flush(slot));
    queue.push({ id, bytes: withId(query, id) });
  }

  /** Send what `forward` queued for one socket; what cannot go ends with an error. */
  #flush(slot: number): void {
    const queue = this.#queues[slot] as Outgoing[];
    const conn = this.#conns[slot] as UpstreamSocket;
    const table = this.#tables[slot] as PendingTable;
    this.#queues[slot] = [];
    let sent = 0;
    let reason = "upstream socket refused the send";
    for (let attempt = 0; attempt < 2 && sent < queue.length; attempt++) {
      try {
        sent += conn.sendMany(queue.slice(sent).map((o) => o.bytes));
      } catch (err) {
        // A stale ICMP error can surface on the next send (BUN-NOTES): once more.
        reason = messageOf(err);
      }
    }
    const now = performance.now();
    for (const { id } of queue.slice(sent)) {
      const entry = table.take(id);
      if (entry === undefined) continue;
      this.#counters.errors++;
      entry.done({ kind: "error", ms: now - entry.sentAt, reason });
    }
  }

  /** Queries sent and not yet answered or timed out. */
  inFlight(): number {
    let n = 0;
    for (const t of this.#tables) n += t.size;
    return n;
  }

  close(): void {
    clearInterval(this.#sweeper);
    const now = performance.now();
    for (const t of this.#tables) t.failAll(now, "udpot is stopping");
    for (const c of this.#conns) c.close();
  }

  async #connect(upstream: Endpoint, recvBufferBytes: number): Promise<void> {
    const table = new PendingTable();
    const counters = this.#counters;
    const conn = await openUpstreamSocket(upstream, recvBufferBytes, {
      data(bytes) {
        if (bytes.length < 12) {
          counters.runtReplies++;
          return;
        }
        const entry = table.take(messageId(bytes));
        if (entry === undefined) {
          counters.unknownReplies++;
          return;
        }
        // The datagram is ours alone: put the client's ID back in place.
        bytes[0] = entry.clientId >> 8;
        bytes[1] = entry.clientId & 0xff;
        entry.done({ kind: "reply", bytes, ms: performance.now() - entry.sentAt });
      },
      error(err) {
        // On a socket connected to the upstream this is its ICMP "port
        // unreachable": nothing listens there now, so what is in flight
        // on this socket will not be answered. SERVFAIL them now rather
        // than after --upstream-timeout.
        counters.errors++;
        const reason = err ? messageOf(err) : "upstream unreachable (ICMP)";
        relayLog.warn(`upstream socket error: ${reason}; is the upstream up?`);
        table.failAll(performance.now(), reason);
      },
    });
    this.#conns.push(conn);
    this.#tables.push(table);
    this.#queues.push([]);
  }

  #pickSlot(): number {
    this.#next = (this.#next + 1) % this.#conns.length;
    return this.#next;
  }

  #expire(): void {
    const now = performance.now();
    for (const t of this.#tables) this.#counters.timeouts += t.expire(now, this.#timeoutMs);
  }
}
