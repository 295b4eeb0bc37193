/**
 * An open-addressing hash table from fixed-width keys (a few 32-bit words)
 * to a count and a last-seen time, held in typed arrays.
 *
 * A spoofed flood can fill it with a million networks, so the layout is
 * chosen for memory: a slot is `4 * width + 12` bytes and the table is kept
 * between about 35 % and 70 % full, where a `Map` with string keys costs
 * about 180 bytes an entry (measured). Lookups probe linearly from a hash
 * seeded at random per process, so an attacker cannot aim many keys at one
 * slot without learning the seed.
 */
export class PrefixTable {
  /** 32-bit words per key. */
  readonly width: number;
  #capacity = 0;
  #keys = new Uint32Array(0);
  /** 0 marks a free slot: a live entry has count >= 1. */
  #counts = new Uint32Array(0);
  #seen = new Float64Array(0);
  #size = 0;
  readonly #seed: number;

  constructor(width: number, capacity = 1024) {
    this.width = width;
    this.#seed = crypto.getRandomValues(new Uint32Array(1))[0] ?? 0x9e3779b9;
    this.#allocate(capacityFor(capacity));
  }

  get size(): number {
    return this.#size;
  }

  /** Bytes held by the arrays, for the shutdown summary and tests. */
  get bytes(): number {
    return this.#keys.byteLength + this.#counts.byteLength + this.#seen.byteLength;
  }

  /** The slot holding `key`, or the free slot where it would go. */
  find(key: Uint32Array): number {
    const mask = this.#capacity - 1;
    let slot = this.#hash(key) & mask;
    while (this.#counts[slot] !== 0 && !this.#holds(slot, key)) slot = (slot + 1) & mask;
    return slot;
  }

  isFree(slot: number): boolean {
    return this.#counts[slot] === 0;
  }

  count(slot: number): number {
    return this.#counts[slot] ?? 0;
  }

  lastSeen(slot: number): number {
    return this.#seen[slot] ?? 0;
  }

  /** Updates a live slot; `count` must be at least 1. */
  update(slot: number, count: number, lastSeen: number): void {
    this.#counts[slot] = count;
    this.#seen[slot] = lastSeen;
  }

  /** Adds `key`, which is not in the table; `count` must be at least 1. */
  insert(key: Uint32Array, count: number, lastSeen: number): void {
    if ((this.#size + 1) * 10 > this.#capacity * 7) this.#rebuild(this.#capacity * 2, -Infinity, 0);
    const slot = this.find(key);
    this.#keys.set(key.subarray(0, this.width), slot * this.width);
    this.#size++;
    this.update(slot, Math.min(count, 0xffffffff), lastSeen);
  }

  /** Drops entries last seen `windowMs` or more before `now`; returns how many went. */
  sweep(now: number, windowMs: number): number {
    const before = this.#size;
    let live = 0;
    for (let slot = 0; slot < this.#capacity; slot++) {
      if (this.#counts[slot] !== 0 && now - (this.#seen[slot] ?? 0) < windowMs) live++;
    }
    if (live === before) return 0;
    // Shrink after a flood, but never grow here: the load stays under 70 %.
    this.#rebuild(Math.min(this.#capacity, capacityFor(live / 0.35)), now, windowMs);
    return before - this.#size;
  }

  /** Live entries as `[key, count, lastSeen]`; the key array is reused between steps. */
  *entries(): IterableIterator<[Uint32Array, number, number]> {
    const key = new Uint32Array(this.width);
    for (let slot = 0; slot < this.#capacity; slot++) {
      const count = this.#counts[slot] ?? 0;
      if (count === 0) continue;
      key.set(this.#keys.subarray(slot * this.width, (slot + 1) * this.width));
      yield [key, count, this.#seen[slot] ?? 0];
    }
  }

  #holds(slot: number, key: Uint32Array): boolean {
    const at = slot * this.width;
    for (let w = 0; w < this.width; w++) if (this.#keys[at + w] !== key[w]) return false;
    return true;
  }

  #hash(key: Uint32Array): number {
    let h = this.#seed;
    for (let w = 0; w < this.width; w++) {
      h = Math.imul(h ^ (key[w] ?? 0), 0x9e3779b1);
      h ^= h >>> 16;
    }
    h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
    return (h ^ (h >>> 13)) >>> 0;
  }

  #allocate(capacity: number): void {
    this.#capacity = capacity;
    this.#keys = new Uint32Array(capacity * this.width);
    this.#counts = new Uint32Array(capacity);
    this.#seen = new Float64Array(capacity);
    this.#size = 0;
  }

  /** Moves the entries still in their window into fresh arrays of `capacity` slots. */
  #rebuild(capacity: number, now: number, windowMs: number): void {
    const [keys, counts, seen, old] = [this.#keys, this.#counts, this.#seen, this.#capacity];
    this.#allocate(capacity);
    for (let slot = 0; slot < old; slot++) {
      const count = counts[slot] ?? 0;
      const lastSeen = seen[slot] ?? 0;
      if (count === 0 || now - lastSeen >= windowMs) continue;
      const key = keys.subarray(slot * this.width, (slot + 1) * this.width);
      const to = this.find(key);
      this.#keys.set(key, to * this.width);
      this.#counts[to] = count;
      this.#seen[to] = lastSeen;
      this.#size++;
    }
  }
}

/** A power of two of at least 64 slots. */
function capacityFor(slots: number): number {
  let capacity = 64;
  while (capacity < slots) capacity *= 2;
  return capacity;
}
