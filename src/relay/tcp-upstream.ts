import type { Endpoint } from "../cli/config.ts";
import { messageOf } from "../errors.ts";
import { FrameReader, frameMessage } from "../tcp/frame-reader.ts";
import { WriteQueue } from "../tcp/write-queue.ts";
import { messageId, withId } from "../wire/message-id.ts";
import type { RelayCounters, RelayDone, RelayOutcome } from "./outcome.ts";

interface Exchange {
  reader: FrameReader;
  writes: WriteQueue;
  finish: (outcome: RelayOutcome) => void;
}

/**
 * Relays a TCP client's query over its own TCP connection to the upstream,
 * so a reply too large for UDP reaches the client whole. TCP queries are
 * rare next to UDP ones, so one short connection per query is enough.
 */
export class TcpUpstream {
  readonly #upstream: Endpoint;
  readonly #timeoutMs: number;
  readonly #counters: RelayCounters;
  readonly #open = new Set<() => void>();

  constructor(upstream: Endpoint, timeoutMs: number, counters: RelayCounters) {
    this.#upstream = upstream;
    this.#timeoutMs = timeoutMs;
    this.#counters = counters;
  }

  inFlight(): number {
    return this.#open.size;
  }

  forward(query: Uint8Array, done: RelayDone): void {
    const id = (Math.random() * 0x10000) | 0;
    const clientId = messageId(query);
    const sentAt = performance.now();
    let socket: Bun.Socket<Exchange> | undefined;
    let finished = false;

    const finish = (outcome: RelayOutcome): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      this.#open.delete(abort);
      socket?.end();
      if (outcome.kind === "timeout") this.#counters.timeouts++;
      if (outcome.kind === "error") this.#counters.errors++;
      done(outcome);
    };
    const abort = (): void => finish(error(sentAt, "udpot is stopping"));
    const timer = setTimeout(
      () => finish({ kind: "timeout", ms: performance.now() - sentAt }),
      this.#timeoutMs,
    );
    this.#open.add(abort);

    const exchange: Exchange = { reader: new FrameReader(), writes: new WriteQueue(), finish };
    Bun.connect<Exchange>({
      hostname: this.#upstream.address,
      port: this.#upstream.port,
      data: exchange,
      socket: {
        open: (s) => {
          socket = s;
          s.data.writes.write(s, frameMessage(withId(query, id)));
        },
        drain: (s) => s.data.writes.drain(s),
        data: (s, chunk) =>
          s.data.reader.push(chunk, (reply) => this.#onReply(s, reply, id, clientId, sentAt)),
        close: (s) => s.data.finish(error(sentAt, "upstream closed the connection")),
        error: (s, err) => s.data.finish(error(sentAt, messageOf(err))),
        connectError: (s, err) => s.data.finish(error(sentAt, messageOf(err))),
      },
    }).catch((err: unknown) => finish(error(sentAt, String(err))));
  }

  /** End every exchange still open (udpot is stopping). */
  close(): void {
    for (const abort of [...this.#open]) abort();
  }

  #onReply(
    s: Bun.Socket<Exchange>,
    reply: Uint8Array,
    id: number,
    clientId: number,
    sentAt: number,
  ): void {
    if (reply.length < 12 || messageId(reply) !== id) {
      this.#counters.unknownReplies++;
      return;
    }
    reply[0] = clientId >> 8;
    reply[1] = clientId & 0xff;
    s.data.finish({ kind: "reply", bytes: reply, ms: performance.now() - sentAt });
  }
}

function error(sentAt: number, reason: string): RelayOutcome {
  return { kind: "error", ms: performance.now() - sentAt, reason };
}
