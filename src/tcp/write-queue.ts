interface Writable {
  write(data: Uint8Array): number;
}

/**
 * Bun's TCP `write` takes what fits and returns the count; it keeps no
 * tail. This holds the rest, in order, until the socket drains.
 */
export class WriteQueue {
  readonly #queue: Uint8Array[] = [];
  #queued = 0;

  /** Bytes accepted from callers and not yet taken by the socket. */
  get queued(): number {
    return this.#queued;
  }

  write(socket: Writable, data: Uint8Array): void {
    if (this.#queue.length > 0) {
      this.#hold(data);
      return;
    }
    // A closed socket returns -1 (or 0): the bytes are held, and dropped
    // with the queue when the connection goes.
    const taken = socket.write(data);
    if (taken < data.length) this.#hold(data.subarray(Math.max(taken, 0)));
  }

  /** Call from the socket's `drain` handler. */
  drain(socket: Writable): void {
    while (this.#queue.length > 0) {
      const head = this.#queue[0] as Uint8Array;
      const taken = Math.max(socket.write(head), 0);
      this.#queued -= Math.min(taken, head.length);
      if (taken < head.length) {
        this.#queue[0] = head.subarray(taken);
        return;
      }
      this.#queue.shift();
    }
  }

  #hold(data: Uint8Array): void {
    this.#queue.push(data);
    this.#queued += data.length;
  }
}
