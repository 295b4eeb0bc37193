import { ipv4Number, ipv4Text } from "./ipv4.ts";

/**
 * The budget's per-source storage, packed: a flood from a million spoofed
 * sources must not cost a gigabyte.
 *
 * Each source gets a slot; its count and last-seen time live in typed
 * arrays at that index. IPv4 sources (all but a few in practice) are found
 * by their address as a number, other sources by their text. Measured for
 * a million IPv4 sources: about 80 MB, where a Map of address strings to
 * `{count, lastSeen}` objects took 204 MB.
 */
export class SourceSlots {
  /** Queries counted in the current window, by slot. */
  count = new Uint32Array(1024);
  /** Milliseconds of the last query, by slot. */
  lastSeen = new Float64Array(1024);
  /** The source of each slot: its IPv4 address as a number, or its text; null when free. */
  #keys: (number | string | null)[] = [];
  readonly #byV4 = new Map<number, number>();
  readonly #byText = new Map<string, number>();
  #free: number[] = [];

  get size(): number {
    return this.#byV4.size + this.#byText.size;
  }

  /** The slot of `source`, or -1. */
  find(source: string): number {
    const v4 = ipv4Number(source);
    const slot = v4 >= 0 ? this.#byV4.get(v4) : this.#byText.get(source);
    return slot ?? -1;
  }

  /** A slot for `source`, which must not have one yet. */
  add(source: string, count: number, lastSeen: number): number {
    const slot = this.#free.pop() ?? this.#keys.length;
    if (slot === this.#keys.length) this.#keys.push(null);
    if (slot >= this.count.length) this.#grow();
    const v4 = ipv4Number(source);
    if (v4 >= 0) this.#byV4.set(v4, slot);
    else this.#byText.set(source, slot);
    this.#keys[slot] = v4 >= 0 ? v4 : source;
    this.count[slot] = count;
    this.lastSeen[slot] = lastSeen;
    return slot;
  }

  remove(slot: number): void {
    const key = this.#keys[slot];
    if (key === null || key === undefined) return;
    if (typeof key === "number") this.#byV4.delete(key);
    else this.#byText.delete(key);
    this.#keys[slot] = null;
    this.#free.push(slot);
  }

  /**
   * Every slot in use: IPv4 sources, then the others, each in the order
   * they were added. Removing the slot just yielded is allowed.
   */
  *slots(): IterableIterator<number> {
    yield* this.#byV4.values();
    yield* this.#byText.values();
  }

  /** The source of a slot in use, as it was given. */
  sourceOf(slot: number): string {
    const key = this.#keys[slot];
    return typeof key === "number" ? ipv4Text(key) : String(key);
  }

  #grow(): void {
    const count = new Uint32Array(this.count.length * 2);
    const lastSeen = new Float64Array(this.lastSeen.length * 2);
    count.set(this.count);
    lastSeen.set(this.lastSeen);
    this.count = count;
    this.lastSeen = lastSeen;
  }
}
