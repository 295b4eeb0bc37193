interface Writable {
  write(data: Uint8Array): number;
}

/**
 * Bun's TCP `write` takes what fits and returns the count; it keeps no
 * tail. This holds the rest, in order, until the socket drains.
 */
export class WriteQueue {
  readonly #queue: Uint8Array[] = [];

  /** Bytes accepted from callers and not yet taken by the socket. */
  get queued(): number {
    let n = 0;
    for (const b of this.#queue) n += b.length;
    return n;
  }

  write(socket: Writable, data: Uint8Array): void {
    if (this.#queue.length > 0) {
      this.#queue.push(data);
      return;
    }
    const taken = socket.write(data);
    if (taken < data.length) this.#queue.push(data.subarray(Math.max(taken, 0)));
  }

  /** Call from the socket's `drain` handler. */
  drain(socket: Writable): void {
    while (this.#queue.length > 0) {
      const head = this.#queue[0] as Uint8Array;
      const taken = socket.write(head);
      if (taken < head.length) {
        this.#queue[0] = head.subarray(Math.max(taken, 0));
        return;
      }
      this.#queue.shift();
    }
  }
}
