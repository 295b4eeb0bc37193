import type { RelayDone } from "./outcome.ts";

interface InFlight {
  done: RelayDone;
  sentAt: number;
  /** The ID the client chose, put back into the reply. */
  clientId: number;
}

/**
 * Queries in flight on one upstream socket, keyed by the ID we gave them.
 *
 * Every entry has the same timeout, so a Map's insertion order is also
 * deadline order: the sweep stops at the first entry still in time instead
 * of keeping a timer per query.
 */
export class PendingTable {
  readonly #byId = new Map<number, InFlight>();

  get size(): number {
    return this.#byId.size;
  }

  /** A random ID not in flight here, or -1 when none was found quickly. */
  freeId(): number {
    if (this.#byId.size >= 60000) return -1;
    for (let tries = 0; tries < 32; tries++) {
      const id = (Math.random() * 0x10000) | 0;
      if (!this.#byId.has(id)) return id;
    }
    return -1;
  }

  add(id: number, clientId: number, done: RelayDone, now: number): void {
    this.#byId.set(id, { done, sentAt: now, clientId });
  }

  /** Take the query waiting for `id`, or undefined for an unknown reply. */
  take(id: number): InFlight | undefined {
    const entry = this.#byId.get(id);
    if (entry !== undefined) this.#byId.delete(id);
    return entry;
  }

  /** End every query older than `timeoutMs` with a timeout; returns how many. */
  expire(now: number, timeoutMs: number): number {
    let expired = 0;
    for (const [id, entry] of this.#byId) {
      if (now - entry.sentAt < timeoutMs) break;
      this.#byId.delete(id);
      expired++;
      entry.done({ kind: "timeout", ms: now - entry.sentAt });
    }
    return expired;
  }

  /** End everything still waiting with `reason` (the socket is closing). */
  failAll(now: number, reason: string): void {
    for (const [id, entry] of this.#byId) {
      this.#byId.delete(id);
      entry.done({ kind: "error", ms: now - entry.sentAt, reason });
    }
  }
}
