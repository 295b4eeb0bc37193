const EMPTY = new Uint8Array(0);

/**
 * Splits a TCP byte stream into DNS messages (RFC 1035 4.2.2: each message
 * is preceded by a two-byte length). A message may arrive split over many
 * reads, or several may arrive in one; a 0-length frame is passed on as an
 * empty message so that it is recorded rather than silently skipped.
 */
export class FrameReader {
  #held: Uint8Array = EMPTY;

  /** Bytes received that do not yet form a whole message. */
  get buffered(): number {
    return this.#held.length;
  }

  /** Feed one read; `onMessage` runs once per complete message, in order. */
  push(chunk: Uint8Array, onMessage: (message: Uint8Array) => void): void {
    let data = chunk;
    if (this.#held.length > 0) {
      data = new Uint8Array(this.#held.length + chunk.length);
      data.set(this.#held);
      data.set(chunk, this.#held.length);
    }
    let at = 0;
    while (data.length - at >= 2) {
      const size = ((data[at] ?? 0) << 8) | (data[at + 1] ?? 0);
      if (data.length - at - 2 < size) break;
      // slice, not subarray: the message outlives this read.
      onMessage(data.slice(at + 2, at + 2 + size));
      at += 2 + size;
    }
    this.#held = at === data.length ? EMPTY : data.slice(at);
  }
}

/** Prefix `message` with its two-byte length for sending over TCP. */
export function frameMessage(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(message.length + 2);
  out[0] = message.length >> 8;
  out[1] = message.length & 0xff;
  out.set(message, 2);
  return out;
}
