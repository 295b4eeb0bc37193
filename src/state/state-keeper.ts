import { messageOf } from "../errors.ts";
import { tagged } from "../log.ts";
import type { StateRow, StateStore, StateTable } from "./state-db.ts";

const stateLog = tagged("state");

/** A budget whose entries can be saved and put back (the source and prefix budgets). */
export interface SavedBudget {
  entries(): IterableIterator<[string, number, number]>;
  restore(key: string, count: number, lastSeen: number, now: number): void;
}

export interface KeeperOptions {
  sources: SavedBudget;
  /** Null when the prefix budget is off. */
  prefixes: SavedBudget | null;
  windowMs: number;
  /** Wall-clock ms, the budgets' clock. */
  now: () => number;
  /** Between saves; 10 s by default. */
  intervalMs?: number;
  /** Rows per transaction, so a big save leaves the listeners turns between chunks. */
  chunkRows?: number;
}

export interface StateKeeper {
  /** Entries restored at start, per table. */
  readonly restored: Record<StateTable, number>;
  /** Saves finished and failed so far. */
  readonly saves: { done: number; failed: number };
  /** Save what changed since the last save; resolves when it is written (or failed). */
  save(): Promise<void>;
  /** Stop the timer, save everything that changed, close the store. */
  stop(): void;
}

/** Prune expired rows on every this many saves (a full scan of the table). */
const PRUNE_EVERY = 60;

/**
 * Keeps the budgets in `store` across restarts: restores them now, saves
 * every `intervalMs` and on `stop`. A restart then does not hand every
 * spent source a fresh budget. A save writes only entries seen since the
 * previous one (every admit moves `lastSeen`, so a changed entry is a
 * recently seen one), in chunks, one transaction each. A failed save is
 * reported and its entries are taken again by the next one.
 */
export function keepBudgetState(store: StateStore, opts: KeeperOptions): StateKeeper {
  return new Keeper(store, opts);
}

class Keeper implements StateKeeper {
  readonly restored = { budget_state: 0, prefix_state: 0 };
  readonly saves = { done: 0, failed: 0 };
  readonly #store: StateStore;
  readonly #opts: KeeperOptions;
  readonly #tables: [StateTable, SavedBudget][];
  readonly #timer: ReturnType<typeof setInterval>;
  /** Entries seen at or after this were not saved yet. */
  #since: number;
  #running: Promise<void> | null = null;
  #stopped = false;

  constructor(store: StateStore, opts: KeeperOptions) {
    this.#store = store;
    this.#opts = opts;
    this.#tables = [["budget_state", opts.sources]];
    if (opts.prefixes !== null) this.#tables.push(["prefix_state", opts.prefixes]);
    const start = opts.now();
    for (const [table, budget] of this.#tables) {
      const rows = store.load(table, opts.windowMs, start).filter(isSound);
      for (const [key, count, lastSeen] of rows) budget.restore(key, count, lastSeen, start);
      this.restored[table] = rows.length;
    }
    store.prune(opts.windowMs, start);
    // What was restored is in the store already.
    this.#since = start;
    this.#timer = setInterval(() => void this.save(), opts.intervalMs ?? 10_000);
    this.#timer.unref();
  }

  /** One save at a time: a timer tick during a long save shares it. */
  save(): Promise<void> {
    this.#running ??= this.#saveChanged().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#stopped = true;
    try {
      for (const [table, rows] of this.#changed()) {
        if (rows.length > 0) this.#store.write(table, rows);
      }
      this.saves.done++;
    } catch (error) {
      this.saves.failed++;
      stateLog.warn(`cannot save the budget state at shutdown: ${messageOf(error)}`);
    }
    this.#store.close();
  }

  async #saveChanged(): Promise<void> {
    const at = this.#opts.now();
    const chunkRows = this.#opts.chunkRows ?? 10_000;
    try {
      // A file replaced under us (the event sink reopens it too) gets every
      // entry, or a restart would forget the spent sources saved before.
      if (this.#store.reopenIfReplaced()) {
        stateLog.warn("the database file was removed or replaced: saving every budget again");
        this.#since = Number.NEGATIVE_INFINITY;
      }
      for (const [table, budget] of this.#tables) {
        // Rows are taken a chunk at a time, so a million changed sources
        // never sit in memory as a million rows at once.
        let chunk: StateRow[] = [];
        for (const row of changedSince(budget, this.#since, table)) {
          chunk.push(row);
          if (chunk.length < chunkRows) continue;
          // stop() saves everything itself, and closes the store.
          if (this.#stopped) return;
          this.#store.write(table, chunk);
          chunk = [];
          await new Promise((resolve) => setImmediate(resolve));
        }
        if (this.#stopped) return;
        if (chunk.length > 0) this.#store.write(table, chunk);
      }
      this.#since = at;
      if (++this.saves.done % PRUNE_EVERY === 0) this.#store.prune(this.#opts.windowMs, at);
    } catch (error) {
      this.saves.failed++;
      stateLog.warn(`cannot save the budget state: ${messageOf(error)}`);
    }
  }

  #changed(): [StateTable, StateRow[]][] {
    return this.#tables.map(([table, budget]) => [table, [...changedSince(budget, this.#since)]]);
  }
}

/** A row as udpot writes them; anything else (a hand-edited file) is skipped. */
function isSound([key, count, lastSeen]: StateRow): boolean {
  return (
    typeof key === "string" &&
    Number.isSafeInteger(count) &&
    count >= 1 &&
    Number.isFinite(lastSeen)
  );
}

/**
 * Entries last seen at or after `since`: the ones that changed. The source
 * table's iteration runs over Maps, which stay valid while the table
 * changes between chunks; the prefix table is an open-addressing hash that
 * may be rebuilt meanwhile, so its rows are taken in one go (one per
 * network: far fewer than sources, except under a spoofed spread).
 */
function* changedSince(
  budget: SavedBudget,
  since: number,
  table: StateTable = "budget_state",
): IterableIterator<StateRow> {
  const entries = table === "budget_state" ? budget.entries() : [...budget.entries()];
  for (const [key, count, lastSeen] of entries) {
    if (lastSeen >= since) yield [key, count, lastSeen];
  }
}
