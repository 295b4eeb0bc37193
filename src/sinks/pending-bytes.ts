import type { QueryEvent } from "../event/query-event.ts";

/**
 * Measured in Bun: an ordinary event, its object and its short strings
 * (timestamp, address, flags, ...), takes about 550 bytes of heap.
 */
const EVENT_BYTES = 500;
/** A question's object and its type and class strings, without the name. */
const QUESTION_BYTES = 64;

/**
 * About how many bytes `e` holds in memory, without serialising it: a fixed
 * part, plus what can be large. That is the raw base64 of a malformed
 * message (up to 87,380 characters for a 65,535-byte TCP message) and the
 * names (up to 1,003 characters each when every byte is escaped as `\DDD`,
 * at most 16 questions kept). Strings of ASCII take one byte a character.
 */
export function estimateEventBytes(e: QueryEvent): number {
  let bytes = EVENT_BYTES + (e.raw?.length ?? 0) + (e.dns_name?.length ?? 0);
  for (const question of e.questions) bytes += QUESTION_BYTES + question.name.length;
  return bytes;
}

/**
 * The estimated sizes of the events a sink holds, oldest first, and their
 * sum. Sinks write in arrival order, so when a sink holds `n` events they
 * are the newest `n` of those pushed here: `trim(n)` forgets the others.
 */
export class PendingBytes {
  #sizes: number[] = [];
  /** Index of the oldest size still held; the ones before it are spent. */
  #head = 0;
  #total = 0;

  /** Sum of the sizes held. */
  get total(): number {
    return this.#total;
  }

  push(bytes: number): void {
    this.#sizes.push(bytes);
    this.#total += bytes;
  }

  /** Keeps the newest `held` sizes, the events the sink still has. */
  trim(held: number): void {
    const end = this.#sizes.length - Math.max(0, held);
    while (this.#head < end) this.#total -= this.#sizes[this.#head++] as number;
    if (this.#head === this.#sizes.length) {
      this.#sizes = [];
      this.#head = 0;
      this.#total = 0; // no rounding left behind: the sizes are integers anyway
    } else if (this.#head > 4096 && this.#head * 2 > this.#sizes.length) {
      // Drop the spent front now and then, so a sink that never empties
      // does not keep every size it ever held.
      this.#sizes = this.#sizes.slice(this.#head);
      this.#head = 0;
    }
  }
}
