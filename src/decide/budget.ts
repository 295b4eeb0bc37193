import { SourceSlots } from "./source-slots.ts";

/**
 * The per-source relay budget: exactly the old tool's rule, plus a bound.
 *
 * 1. Unknown source, or quiet for `windowMs` or longer: count 1, relayed.
 * 2. count < limit: count + 1, relayed.
 * 3. Otherwise sinkholed; last_seen still moves, so a source that keeps
 *    asking stays in the sinkhole (the window slides).
 *
 * UDP and TCP share one table. The caller passes the time so that tests
 * can drive a clock and the packet path reads the time only once.
 */
export interface BudgetOptions {
  /** Queries relayed per source before the sinkhole (`-c`). */
  limit: number;
  /** Quiet time after which a source starts again (`-t`, in ms). */
  windowMs: number;
  /** Most sources tracked at once (`--max-sources`). */
  maxSources: number;
}

export type Verdict = "relay" | "sinkhole" | "table-full";

export class Budget {
  readonly #opts: BudgetOptions;
  readonly #table = new SourceSlots();
  #lastFullSweep = Number.NEGATIVE_INFINITY;

  constructor(opts: BudgetOptions) {
    this.#opts = opts;
  }

  /** Apply the rule for one query from `source` at time `now` (ms). */
  admit(source: string, now: number): Verdict {
    // -c 0 is a pure sinkhole; the old tool relayed one query even then.
    if (this.#opts.limit < 1) return "sinkhole";
    const table = this.#table;
    const slot = table.find(source);
    if (slot < 0) return this.#start(source, now);
    const quiet = now - (table.lastSeen[slot] ?? now) >= this.#opts.windowMs;
    table.lastSeen[slot] = now;
    const count = quiet ? 0 : (table.count[slot] ?? 0);
    if (count < this.#opts.limit) {
      table.count[slot] = count + 1;
      return "relay";
    }
    return "sinkhole";
  }

  /** Remove every entry whose window has passed; returns how many went. */
  sweep(now: number): number {
    const table = this.#table;
    let removed = 0;
    for (const slot of table.slots()) {
      if (now - (table.lastSeen[slot] ?? now) >= this.#opts.windowMs) {
        table.remove(slot);
        removed++;
      }
    }
    return removed;
  }

  get size(): number {
    return this.#table.size;
  }

  /**
   * Entries for saving, as `[source, count, lastSeen]`; with `since`, only
   * those seen at or after it (the ones a periodic save has not written).
   */
  *entries(since = Number.NEGATIVE_INFINITY): IterableIterator<[string, number, number]> {
    const table = this.#table;
    for (const slot of table.slots()) {
      const lastSeen = table.lastSeen[slot] ?? 0;
      if (lastSeen >= since) yield [table.sourceOf(slot), table.count[slot] ?? 0, lastSeen];
    }
  }

  /** Put back a saved entry (on start-up); expired ones are skipped. */
  restore(source: string, count: number, lastSeen: number, now: number): void {
    if (now - lastSeen >= this.#opts.windowMs) return;
    const slot = this.#table.find(source);
    if (slot >= 0) {
      this.#table.count[slot] = count;
      this.#table.lastSeen[slot] = lastSeen;
      return;
    }
    if (this.#table.size >= this.#opts.maxSources) return;
    this.#table.add(source, count, lastSeen);
  }

  /** A source not in the table: a new entry, unless the table is full of live ones. */
  #start(source: string, now: number): Verdict {
    if (this.#table.size >= this.#opts.maxSources && this.#sweepWhenFull(now) === 0) {
      // Full of live entries. Evicting one would hand a spent source a
      // fresh budget later, so the newcomer waits instead.
      return "table-full";
    }
    this.#table.add(source, 1, now);
    return "relay";
  }

  /**
   * Expired entries go before a newcomer is turned away, but a full scan
   * per packet would let a spoofed flood burn the CPU: at most one a second.
   */
  #sweepWhenFull(now: number): number {
    if (now - this.#lastFullSweep < 1000) return 0;
    this.#lastFullSweep = now;
    return this.sweep(now);
  }
}
