import { describe, expect, test } from "bun:test";
import { PrefixTable } from "../../src/decide/prefix-table.ts";

const key = (...words: number[]) => Uint32Array.from(words);

/** Put `key` in with `count`, or bump it; the way the budgets use the table. */
function bump(table: PrefixTable, k: Uint32Array, now: number): void {
  const slot = table.find(k);
  if (table.isFree(slot)) table.insert(k, 1, now);
  else table.update(slot, table.count(slot) + 1, now);
}

/** Read each entry as it comes: the key array is reused between steps. */
function contents(table: PrefixTable): string[] {
  const out: string[] = [];
  for (const [k, c, t] of table.entries()) out.push(`${[...k].join(".")}=${c}@${t}`);
  return out.sort();
}

describe("PrefixTable", () => {
  test("keys of two words are told apart by either word", () => {
    const table = new PrefixTable(2);
    bump(table, key(1, 2), 10);
    bump(table, key(1, 3), 11);
    bump(table, key(2, 2), 12);
    bump(table, key(1, 2), 13);
    expect([table.size, contents(table)]).toEqual([3, ["1.2=2@13", "1.3=1@11", "2.2=1@12"]]);
  });

  test("grows past its first capacity and finds every key again", () => {
    const table = new PrefixTable(1, 64);
    for (let i = 0; i < 50_000; i++) bump(table, key(i * 256), i);
    const lost = [];
    for (let i = 0; i < 50_000; i++) {
      const slot = table.find(key(i * 256));
      if (table.isFree(slot) || table.lastSeen(slot) !== i) lost.push(i);
    }
    expect([table.size, lost]).toEqual([50_000, []]);
    // Under 70 % full: 50,000 entries need 2^17 slots of 16 bytes.
    expect(table.bytes).toBe(131_072 * 16);
  });

  test("sweep drops what is out of its window, keeps the rest, and shrinks", () => {
    const table = new PrefixTable(1);
    for (let i = 0; i < 10_000; i++) bump(table, key(i), i < 9_990 ? 0 : 500);
    const grown = table.bytes;
    expect(table.sweep(1000, 1000)).toBe(9_990);
    expect(table.size).toBe(10);
    expect(table.bytes).toBeLessThan(grown);
    expect(contents(table)).toEqual(
      Array.from({ length: 10 }, (_, i) => `${9_990 + i}=1@500`).sort(),
    );
    // Nothing more to drop: the arrays are left as they are.
    expect(table.sweep(1000, 1000)).toBe(0);
  });

  test("a key the table never saw lands on a free slot", () => {
    const table = new PrefixTable(4);
    bump(table, key(1, 2, 3, 4), 0);
    expect(table.isFree(table.find(key(1, 2, 3, 5)))).toBe(true);
    expect(table.isFree(table.find(key(1, 2, 3, 4)))).toBe(false);
  });
});
