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

interface Entry {
  count: number;
  lastSeen: number;
}

export class Budget {
  readonly #opts: BudgetOptions;
  readonly #table = new Map<string, Entry>();
  #lastFullSweep = Number.NEGATIVE_INFINITY;

  constructor(opts: BudgetOptions) {
    this.#opts = opts;
  }

  /** Apply the rule for one query from `source` at time `now` (ms). */
  admit(source: string, now: number): Verdict {
    // -c 0 is a pure sinkhole; the old tool relayed one query even then.
    if (this.#opts.limit < 1) return "sinkhole";
    const entry = this.#table.get(source);
    if (entry === undefined || now - entry.lastSeen >= this.#opts.windowMs) {
      return this.#start(source, entry, now);
    }
    entry.lastSeen = now;
    if (entry.count < this.#opts.limit) {
      entry.count++;
      return "relay";
    }
    return "sinkhole";
  }

  /** Remove every entry whose window has passed; returns how many went. */
  sweep(now: number): number {
    let removed = 0;
    for (const [source, entry] of this.#table) {
      if (now - entry.lastSeen >= this.#opts.windowMs) {
        this.#table.delete(source);
        removed++;
      }
    }
    return removed;
  }

  get size(): number {
    return this.#table.size;
  }

  /** Entries for saving, as `[source, count, lastSeen]`. */
  *entries(): IterableIterator<[string, number, number]> {
    for (const [source, e] of this.#table) yield [source, e.count, e.lastSeen];
  }

  /** Put back a saved entry (on start-up); expired ones are skipped. */
  restore(source: string, count: number, lastSeen: number, now: number): void {
    if (now - lastSeen >= this.#opts.windowMs) return;
    if (this.#table.size >= this.#opts.maxSources) return;
    this.#table.set(source, { count, lastSeen });
  }

  #start(source: string, entry: Entry | undefined, now: number): Verdict {
    if (entry !== undefined) {
      entry.count = 1;
      entry.lastSeen = now;
      return "relay";
    }
    if (this.#table.size >= this.#opts.maxSources && this.#sweepWhenFull(now) === 0) {
      // Full of live entries. Evicting one would hand a spent source a
      // fresh budget later, so the newcomer waits instead.
      return "table-full";
    }
    this.#table.set(source, { count: 1, lastSeen: now });
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
