import { describe, expect, test } from "bun:test";
import { Budget } from "../../src/decide/budget.ts";

const opts = { limit: 3, windowMs: 10_000, maxSources: 1000 };

/** Run `steps` of [time ms, source] through a fresh budget; return the verdicts. */
function run(steps: [number, string][], o = opts): string[] {
  const budget = new Budget(o);
  return steps.map(([t, src]) => budget.admit(src, t));
}

describe("the old tool's rule", () => {
  test.each([
    [
      "first N relayed, N+1 sinkholed",
      [
        [0, "a"],
        [1, "a"],
        [2, "a"],
        [3, "a"],
      ],
      ["relay", "relay", "relay", "sinkhole"],
    ],
    [
      "sources are counted apart",
      [
        [0, "a"],
        [0, "a"],
        [0, "a"],
        [0, "b"],
        [0, "a"],
      ],
      ["relay", "relay", "relay", "relay", "sinkhole"],
    ],
    [
      "budget starts again after a quiet window",
      [
        [0, "a"],
        [1, "a"],
        [2, "a"],
        [3, "a"],
        [10_003, "a"],
        [10_004, "a"],
      ],
      ["relay", "relay", "relay", "sinkhole", "relay", "relay"],
    ],
    [
      "a quiet window exactly T long counts as quiet",
      [
        [0, "a"],
        [0, "a"],
        [0, "a"],
        [10_000, "a"],
      ],
      ["relay", "relay", "relay", "relay"],
    ],
    [
      "sinkholed queries keep sliding the window",
      [
        [0, "a"],
        [1, "a"],
        [2, "a"],
        [9_000, "a"],
        [18_000, "a"],
        [27_000, "a"],
        [37_001, "a"],
      ],
      ["relay", "relay", "relay", "sinkhole", "sinkhole", "sinkhole", "relay"],
    ],
    [
      "a relayed query also slides the window",
      [
        [0, "a"],
        [9_999, "a"],
        [19_998, "a"],
        [19_999, "a"],
      ],
      ["relay", "relay", "relay", "sinkhole"],
    ],
  ] as [string, [number, string][], string[]][])("%s", (_name, steps, verdicts) => {
    expect(run(steps)).toEqual(verdicts);
  });

  test("-c 0 never relays", () => {
    expect(
      run(
        [
          [0, "a"],
          [1, "b"],
        ],
        { ...opts, limit: 0 },
      ),
    ).toEqual(["sinkhole", "sinkhole"]);
  });
});

describe("the table", () => {
  test("sweep removes only expired entries", () => {
    const budget = new Budget(opts);
    budget.admit("old", 0);
    budget.admit("new", 5_000);
    expect(budget.sweep(10_000)).toBe(1);
    expect([...budget.entries()]).toEqual([["new", 1, 5_000]]);
  });

  test("when full, a newcomer is turned away and no spent source is evicted", () => {
    const budget = new Budget({ ...opts, limit: 1, maxSources: 2 });
    expect([budget.admit("a", 0), budget.admit("b", 0), budget.admit("c", 0)]).toEqual([
      "relay",
      "relay",
      "table-full",
    ]);
    // a and b stay spent: filling the table bought them nothing.
    expect([budget.admit("a", 1), budget.admit("b", 1)]).toEqual(["sinkhole", "sinkhole"]);
    expect(budget.size).toBe(2);
  });

  test("when full, expired entries make room first", () => {
    const budget = new Budget({ ...opts, maxSources: 2 });
    budget.admit("a", 0);
    budget.admit("b", 5_000);
    expect(budget.admit("c", 10_000)).toBe("relay");
    expect([...budget.entries()].map(([s]) => s)).toEqual(["b", "c"]);
  });

  test("restore keeps spent budgets spent and skips expired ones", () => {
    const budget = new Budget(opts);
    budget.restore("spent", 3, 1_000, 2_000);
    budget.restore("expired", 3, 0, 20_000);
    expect(budget.admit("spent", 2_000)).toBe("sinkhole");
    expect(budget.size).toBe(1);
  });
});
