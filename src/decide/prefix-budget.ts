import { type Family, keyWidth, maskKey, prefixText, readAddress } from "./prefix-key.ts";
import { PrefixTable } from "./prefix-table.ts";

/**
 * The relay budget per network: an attacker who spoofs victims across a
 * /24 or an IPv6 /56 collects one source budget per address, but all of
 * them share this one. Counted exactly like the per-source budget (a
 * window of `windowMs` that slides while the network keeps asking), and
 * bounded the same way: when full, newcomers are turned away and nothing
 * still in its window is evicted, since that would hand it a fresh budget.
 */
export interface PrefixBudgetOptions {
  /** Replies per network per window (`--prefix-count`, at least 1). */
  limit: number;
  windowMs: number;
  /** Networks tracked at once, IPv4 and IPv6 together. */
  maxEntries: number;
  /** Prefix lengths (`--prefix-v4`, `--prefix-v6`). */
  v4Bits: number;
  v6Bits: number;
}

export type PrefixVerdict = "relay" | "limited" | "table-full";

export class PrefixBudget {
  readonly #opts: PrefixBudgetOptions;
  readonly #v4: PrefixTable;
  readonly #v6: PrefixTable;
  readonly #key = new Uint32Array(4);
  #lastFullSweep = Number.NEGATIVE_INFINITY;

  constructor(opts: PrefixBudgetOptions) {
    this.#opts = opts;
    this.#v4 = new PrefixTable(1);
    this.#v6 = new PrefixTable(keyWidth(opts.v6Bits));
  }

  /** Apply the rule for one relay the source budget allowed from `address`. */
  admit(address: string, now: number): PrefixVerdict {
    const table = this.#keyOf(address);
    const slot = table.find(this.#key);
    if (table.isFree(slot)) return this.#start(table, now);
    if (now - table.lastSeen(slot) >= this.#opts.windowMs) {
      table.update(slot, 1, now);
      return "relay";
    }
    const count = table.count(slot);
    if (count < this.#opts.limit) {
      table.update(slot, count + 1, now);
      return "relay";
    }
    table.update(slot, count, now);
    return "limited";
  }

  /** Remove every network whose window has passed; returns how many went. */
  sweep(now: number): number {
    return this.#v4.sweep(now, this.#opts.windowMs) + this.#v6.sweep(now, this.#opts.windowMs);
  }

  get size(): number {
    return this.#v4.size + this.#v6.size;
  }

  /** Bytes the two tables hold. */
  get bytes(): number {
    return this.#v4.bytes + this.#v6.bytes;
  }

  /** Entries for saving, as `[prefix, count, lastSeen]`, prefix like `192.0.2.0/24`. */
  *entries(): IterableIterator<[string, number, number]> {
    for (const [key, count, seen] of this.#v4.entries()) {
      yield [prefixText(4, key, this.#opts.v4Bits), count, seen];
    }
    for (const [key, count, seen] of this.#v6.entries()) {
      yield [prefixText(6, key, this.#opts.v6Bits), count, seen];
    }
  }

  /**
   * Put back a saved entry (on start-up); expired ones are skipped. The
   * network is keyed under today's prefix length, so entries saved with a
   * shorter one fold together: their counts add up, the latest time wins.
   */
  restore(prefix: string, count: number, lastSeen: number, now: number): void {
    if (now - lastSeen >= this.#opts.windowMs || count < 1) return;
    const slash = prefix.indexOf("/");
    const table = this.#keyOf(slash < 0 ? prefix : prefix.slice(0, slash));
    const slot = table.find(this.#key);
    if (!table.isFree(slot)) {
      const sum = Math.min(table.count(slot) + count, 0xffffffff);
      table.update(slot, sum, Math.max(table.lastSeen(slot), lastSeen));
    } else if (this.size < this.#opts.maxEntries) {
      table.insert(this.#key, count, lastSeen);
    }
  }

  #start(table: PrefixTable, now: number): PrefixVerdict {
    if (this.size >= this.#opts.maxEntries && this.#sweepWhenFull(now) === 0) return "table-full";
    table.insert(this.#key, 1, now);
    return "relay";
  }

  /**
   * Reads and masks `address` into the scratch key; returns its table. Text
   * that is not an address (the socket layer never gives one) counts under
   * the all-zero IPv6 network, so it cannot slip past the limit.
   */
  #keyOf(address: string): PrefixTable {
    const family: Family = readAddress(address, this.#key);
    if (family === 4) {
      maskKey(this.#key, 1, this.#opts.v4Bits);
      return this.#v4;
    }
    if (family === 0) this.#key.fill(0);
    maskKey(this.#key, this.#v6.width, this.#opts.v6Bits);
    return this.#v6;
  }

  /** As in the source budget: expired entries go first, at most one full scan a second. */
  #sweepWhenFull(now: number): number {
    if (now - this.#lastFullSweep < 1000) return 0;
    this.#lastFullSweep = now;
    return this.sweep(now);
  }
}
