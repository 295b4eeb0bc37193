const EMPTY = new Uint8Array(0);

/**
 * Splits a TCP byte stream into DNS messages (RFC 1035 4.2.2: each message
 * is preceded by a two-byte length). A message may arrive split over many
 * reads, or several may arrive in one; a 0-length frame is passed on as an
 * empty message so that it is recorded rather than silently skipped.
 *
 * A frame is copied once into a buffer of its declared size, so a peer
 * that dribbles a 64 KiB frame a byte at a time costs 64 KiB of copying,
 * not the 2 GiB that re-joining the held bytes on every read would.
 */
export class FrameReader {
  /** First length byte when only it has arrived, else -1. */
  #lengthHigh = -1;
  /** The frame being filled; null between frames. */
  #frame: Uint8Array | null = null;
  #filled = 0;

  /** Bytes received that do not yet form a whole message (length bytes included). */
  get buffered(): number {
    if (this.#frame !== null) return 2 + this.#filled;
    return this.#lengthHigh < 0 ? 0 : 1;
  }

  /**
   * The bytes of the unfinished frame as they came, length bytes first
   * (empty between frames): what a peer sent before it went quiet or left.
   */
  heldBytes(): Uint8Array {
    if (this.#frame === null) return this.#lengthHigh < 0 ? EMPTY : Uint8Array.of(this.#lengthHigh);
    const held = new Uint8Array(2 + this.#filled);
    held[0] = this.#frame.length >> 8;
    held[1] = this.#frame.length & 0xff;
    held.set(this.#frame.subarray(0, this.#filled), 2);
    return held;
  }

  /** Feed one read; `onMessage` runs once per complete message, in order. */
  push(chunk: Uint8Array, onMessage: (message: Uint8Array) => void): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.#frame !== null) {
        at = this.#fill(chunk, at, onMessage);
        continue;
      }
      if (this.#lengthHigh < 0) {
        if (chunk.length - at < 2) {
          this.#lengthHigh = chunk[at] ?? 0;
          return;
        }
        at = this.#start(((chunk[at] ?? 0) << 8) | (chunk[at + 1] ?? 0), chunk, at + 2, onMessage);
        continue;
      }
      const size = (this.#lengthHigh << 8) | (chunk[at] ?? 0);
      this.#lengthHigh = -1;
      at = this.#start(size, chunk, at + 1, onMessage);
    }
  }

  /** A frame of `size` bytes begins at `at`; returns where reading goes on. */
  #start(size: number, chunk: Uint8Array, at: number, onMessage: (m: Uint8Array) => void): number {
    if (chunk.length - at >= size) {
      // The whole frame is here: one copy, as the message outlives this
      // read. Not chunk.slice(): on a Buffer (what Bun reads) that is a view.
      onMessage(Uint8Array.prototype.slice.call(chunk, at, at + size));
      return at + size;
    }
    this.#frame = new Uint8Array(size);
    this.#filled = 0;
    return this.#fill(chunk, at, onMessage);
  }

  #fill(chunk: Uint8Array, at: number, onMessage: (m: Uint8Array) => void): number {
    const frame = this.#frame as Uint8Array;
    const take = Math.min(frame.length - this.#filled, chunk.length - at);
    frame.set(chunk.subarray(at, at + take), this.#filled);
    this.#filled += take;
    if (this.#filled === frame.length) {
      this.#frame = null;
      this.#filled = 0;
      onMessage(frame);
    }
    return at + take;
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
