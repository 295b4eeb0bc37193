import { Database } from "bun:sqlite";
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Budget } from "../../src/decide/budget.ts";
import { PrefixBudget } from "../../src/decide/prefix-budget.ts";
import { UdpotError } from "../../src/errors.ts";
import { openSqliteSink } from "../../src/sinks/sqlite-sink.ts";
import {
  openStateDb,
  type StateRow,
  type StateStore,
  type StateTable,
} from "../../src/state/state-db.ts";
import { keepBudgetState } from "../../src/state/state-keeper.ts";

const WINDOW = 60_000;
let dir: string;
let clock: { now: number };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "udpot-state-"));
  clock = { now: 10_000_000 };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function budgets() {
  return {
    sources: new Budget({ limit: 2, windowMs: WINDOW, maxSources: 1000 }),
    prefixes: new PrefixBudget({
      limit: 3,
      windowMs: WINDOW,
      maxEntries: 1000,
      v4Bits: 24,
      v6Bits: 56,
    }),
  };
}

function keep(store: StateStore, b = budgets(), chunkRows?: number) {
  const opts = { ...b, windowMs: WINDOW, now: () => clock.now, intervalMs: 3_600_000 };
  return { ...b, keeper: keepBudgetState(store, chunkRows ? { ...opts, chunkRows } : opts) };
}

/** A store in memory that keeps every write, and fails while `failing` is set. */
class FakeStore implements StateStore {
  readonly writes: [StateTable, StateRow[]][] = [];
  readonly rows = new Map<string, StateRow>();
  failing = false;
  closed = false;

  load(table: StateTable, windowMs: number, now: number): StateRow[] {
    return [...this.rows.entries()]
      .filter(([k, r]) => k.startsWith(table) && r[2] > now - windowMs)
      .map(([, r]) => r);
  }

  write(table: StateTable, rows: readonly StateRow[]): void {
    if (this.closed) throw new Error("write after close");
    if (this.failing) throw new Error("disk full");
    this.writes.push([table, [...rows]]);
    for (const r of rows) this.rows.set(`${table} ${r[0]}`, r);
  }

  prune(): void {}

  reopenIfReplaced(): boolean {
    return false;
  }

  close(): void {
    this.closed = true;
  }
}

describe("saved in SQLite and restored", () => {
  test("a database file replaced while running gets every budget, not only changes", async () => {
    const path = join(dir, "replaced.sqlite3");
    const run = keep(openStateDb(path));
    for (let i = 0; i < 3; i++) run.sources.admit("192.0.2.7", clock.now);
    await run.keeper.save();
    // The operator moves the file away; the spent source is not seen again.
    rmSync(path);
    clock.now += 1000;
    await run.keeper.save();
    run.keeper.stop();
    const rows = new Database(path, { readonly: true })
      .query("SELECT * FROM budget_state")
      .values();
    // Spent: two relays (the limit), the third query sinkholed.
    expect(rows).toEqual([["192.0.2.7", 2, clock.now - 1000]]);
  });

  test("a restart keeps spent sources and networks spent, expired ones go", () => {
    const path = join(dir, "db.sqlite3");
    const first = keep(openStateDb(path));
    for (let i = 0; i < 3; i++) first.sources.admit("192.0.2.7", clock.now);
    first.sources.admit("198.51.100.1", clock.now - WINDOW + 1000);
    for (const a of ["192.0.2.7", "192.0.2.8", "192.0.2.9"]) first.prefixes.admit(a, clock.now);
    first.prefixes.admit("2001:db8::1", clock.now);
    first.keeper.stop();

    clock.now += 2000;
    const second = keep(openStateDb(path));
    expect(second.keeper.restored).toEqual({ budget_state: 1, prefix_state: 2 });
    expect([
      second.sources.admit("192.0.2.7", clock.now),
      second.sources.admit("198.51.100.1", clock.now),
      second.prefixes.admit("192.0.2.200", clock.now),
      second.prefixes.admit("2001:db8:0:ff::1", clock.now),
    ]).toEqual(["sinkhole", "relay", "limited", "relay"]);
    second.keeper.stop();

    const db = new Database(path, { readonly: true });
    expect(db.query("SELECT * FROM budget_state ORDER BY source").values()).toEqual([
      ["192.0.2.7", 2, clock.now],
      ["198.51.100.1", 1, clock.now],
    ]);
    expect(db.query("SELECT prefix, count FROM prefix_state ORDER BY prefix").values()).toEqual([
      ["192.0.2.0/24", 3],
      ["2001:db8::/56", 2],
    ]);
    db.close();
  });

  test("the tables sit beside the events, each connection writing in turn", () => {
    const path = join(dir, "both.sqlite3");
    const sink = openSqliteSink(path);
    const { sources, keeper } = keep(openStateDb(path));
    sources.admit("192.0.2.1", clock.now);
    keeper.stop();
    sink.close();
    const db = new Database(path, { readonly: true });
    const tables = db.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    expect(tables.values().flat()).toEqual(["budget_state", "dns", "prefix_state"]);
    expect(db.query("PRAGMA integrity_check").values()).toEqual([["ok"]]);
    db.close();
  });

  test("rows out of their window are pruned at start", () => {
    const path = join(dir, "prune.sqlite3");
    const store = openStateDb(path);
    store.write("budget_state", [
      ["old", 3, clock.now - WINDOW],
      ["new", 3, clock.now],
    ]);
    store.close();
    keep(openStateDb(path)).keeper.stop();
    const db = new Database(path, { readonly: true });
    expect(db.query("SELECT source FROM budget_state").values()).toEqual([["new"]]);
    db.close();
  });

  test("a file that cannot be opened stops the start", () => {
    expect(() => openStateDb(join(dir, "no", "such", "dir", "db.sqlite3"))).toThrow(UdpotError);
  });
});

describe("what a save writes", () => {
  test("only entries seen since the last save", async () => {
    const store = new FakeStore();
    const { sources, keeper } = keep(store);
    sources.admit("a", clock.now);
    sources.admit("b", clock.now);
    clock.now += 1;
    await keeper.save();
    clock.now += 1000;
    await keeper.save();
    sources.admit("b", clock.now);
    await keeper.save();
    expect(store.writes.map(([t, rows]) => [t, rows.map((r) => r[0])])).toEqual([
      ["budget_state", ["a", "b"]],
      ["budget_state", ["b"]],
    ]);
    expect(keeper.saves).toEqual({ done: 3, failed: 0 });
    keeper.stop();
  });

  test("a big save goes in chunks, one transaction each", async () => {
    const store = new FakeStore();
    const { sources, prefixes, keeper } = keep(store, budgets(), 2);
    for (const s of ["10.0.0.1", "10.0.1.1", "10.0.2.1", "10.0.3.1", "10.0.4.1"]) {
      sources.admit(s, clock.now);
      prefixes.admit(s, clock.now);
    }
    await keeper.save();
    expect(store.writes.map(([t, rows]) => `${t}:${rows.length}`)).toEqual([
      ...["budget_state:2", "budget_state:2", "budget_state:1"],
      ...["prefix_state:2", "prefix_state:2", "prefix_state:1"],
    ]);
    keeper.stop();
  });

  test("a failed save is counted and its entries go with the next one", async () => {
    const store = new FakeStore();
    const { sources, keeper } = keep(store);
    sources.admit("a", clock.now);
    store.failing = true;
    await keeper.save();
    store.failing = false;
    clock.now += 1;
    sources.admit("b", clock.now);
    await keeper.save();
    expect(store.writes.map(([, rows]) => rows.map((r) => r[0]))).toEqual([["a", "b"]]);
    expect(keeper.saves).toEqual({ done: 1, failed: 1 });
    keeper.stop();
  });

  test("stop during a chunked save: all written again, nothing after close", async () => {
    const store = new FakeStore();
    const { sources, keeper } = keep(store, budgets(), 1);
    for (const s of ["a", "b", "c"]) sources.admit(s, clock.now);
    const saving = keeper.save();
    keeper.stop();
    await saving;
    // The first chunk of the timer's save, then stop's full save; the rest was abandoned.
    expect(store.writes.map(([, rows]) => rows.map((r) => r[0]))).toEqual([["a"], ["a", "b", "c"]]);
    expect([store.closed, keeper.saves]).toEqual([true, { done: 1, failed: 0 }]);
  });

  test("a failure at stop is counted and the store still closes", () => {
    const store = new FakeStore();
    const { sources, keeper } = keep(store);
    sources.admit("a", clock.now);
    store.failing = true;
    keeper.stop();
    expect([store.closed, keeper.saves]).toEqual([true, { done: 0, failed: 1 }]);
  });
});

test("rows that udpot would not have written are skipped at start", () => {
  const store = new FakeStore();
  const rows: unknown[][] = [
    ["192.0.2.1", 3, clock.now],
    ["192.0.2.2", 0, clock.now],
    ["192.0.2.3", -4, clock.now],
    ["192.0.2.4", 1.5, clock.now],
    [42, 3, clock.now],
    ["192.0.2.5", 3, null],
  ];
  for (const row of rows) store.rows.set(`budget_state ${String(row[0])}`, row as StateRow);
  const { sources, keeper } = keep(store);
  expect(keeper.restored.budget_state).toBe(1);
  expect([...sources.entries()]).toEqual([["192.0.2.1", 3, clock.now]]);
  keeper.stop();
});
