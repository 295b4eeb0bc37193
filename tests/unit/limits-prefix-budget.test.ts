import { describe, expect, test } from "bun:test";
import { PrefixBudget, type PrefixBudgetOptions } from "../../src/decide/prefix-budget.ts";

const opts: PrefixBudgetOptions = {
  limit: 2,
  windowMs: 10_000,
  maxEntries: 1000,
  v4Bits: 24,
  v6Bits: 56,
};

function run(steps: [number, string][], o = opts): string[] {
  const budget = new PrefixBudget(o);
  return steps.map(([t, address]) => budget.admit(address, t));
}

describe("the rule, per network", () => {
  test.each([
    [
      "addresses of one /24 share the budget",
      [
        [0, "192.0.2.1"],
        [1, "192.0.2.2"],
        [2, "192.0.2.3"],
        [3, "192.0.3.1"],
      ],
      ["relay", "relay", "limited", "relay"],
    ],
    [
      "IPv4-mapped IPv6 is the same IPv4 network",
      [
        [0, "192.0.2.1"],
        [1, "::ffff:192.0.2.200"],
        [2, "192.0.2.9"],
      ],
      ["relay", "relay", "limited"],
    ],
    [
      "addresses of one IPv6 /56 share the budget, the next /56 does not",
      [
        [0, "2001:db8:0:100::1"],
        [1, "2001:db8:0:1ff:ffff::9"],
        [2, "2001:db8:0:120::"],
        [3, "2001:db8:0:200::1"],
      ],
      ["relay", "relay", "limited", "relay"],
    ],
    [
      "the window slides while the network keeps asking",
      [
        [0, "192.0.2.1"],
        [1, "192.0.2.2"],
        [9_000, "192.0.2.3"],
        [18_000, "192.0.2.4"],
        [28_000, "192.0.2.5"],
      ],
      ["relay", "relay", "limited", "limited", "relay"],
    ],
  ] as [string, [number, string][], string[]][])("%s", (_name, steps, verdicts) => {
    expect(run(steps)).toEqual(verdicts);
  });

  test("prefix length 0 makes one network of everything", () => {
    const o = { ...opts, v4Bits: 0, v6Bits: 0 };
    expect(
      run(
        [
          [0, "10.0.0.1"],
          [0, "192.0.2.1"],
          [0, "203.0.113.1"],
          [0, "2001:db8::1"],
          [0, "::1"],
          [0, "fe80::1"],
        ],
        o,
      ),
    ).toEqual(["relay", "relay", "limited", "relay", "relay", "limited"]);
  });

  test("text that is not an address counts under the zero IPv6 network", () => {
    expect(
      run([
        [0, "nonsense"],
        [0, "also nonsense"],
        [0, "::1"],
      ]),
    ).toEqual(["relay", "relay", "limited"]);
  });
});

describe("the table", () => {
  test("when full, a new network is turned away and no spent one is evicted", () => {
    const budget = new PrefixBudget({ ...opts, limit: 1, maxEntries: 2 });
    expect(["192.0.2.1", "198.51.100.1", "203.0.113.1"].map((a) => budget.admit(a, 0))).toEqual([
      "relay",
      "relay",
      "table-full",
    ]);
    expect([budget.admit("192.0.2.2", 1), budget.admit("198.51.100.2", 1)]).toEqual([
      "limited",
      "limited",
    ]);
    expect(budget.size).toBe(2);
  });

  test("when full, expired networks make room first", () => {
    const budget = new PrefixBudget({ ...opts, maxEntries: 2 });
    budget.admit("192.0.2.1", 0);
    budget.admit("2001:db8::1", 5_000);
    expect(budget.admit("203.0.113.1", 10_000)).toBe("relay");
    expect([...budget.entries()].map(([p]) => p).sort()).toEqual([
      "2001:db8::/56",
      "203.0.113.0/24",
    ]);
  });

  test("entries name networks; restore puts them back, expired ones skipped", () => {
    const budget = new PrefixBudget(opts);
    budget.admit("192.0.2.7", 100);
    budget.admit("192.0.2.8", 200);
    budget.admit("2001:db8:0:1ab::1", 300);
    const saved = [...budget.entries()];
    expect(saved).toEqual([
      ["192.0.2.0/24", 2, 200],
      ["2001:db8:0:100::/56", 1, 300],
    ]);
    const again = new PrefixBudget(opts);
    for (const [p, c, t] of saved) again.restore(p, c, t, 1_000);
    again.restore("198.51.100.0/24", 2, 0, 10_000);
    expect([...again.entries()]).toEqual(saved);
    expect(again.admit("192.0.2.99", 1_000)).toBe("limited");
  });

  test("entries saved under a longer prefix fold together under a shorter one", () => {
    const budget = new PrefixBudget({ ...opts, limit: 10, v4Bits: 16 });
    budget.restore("192.0.2.0/24", 4, 100, 1_000);
    budget.restore("192.0.3.0/24", 5, 300, 1_000);
    budget.restore("not an address/24", 1, 300, 1_000);
    expect([...budget.entries()]).toEqual([
      ["192.0.0.0/16", 9, 300],
      ["::/56", 1, 300],
    ]);
  });

  test("restore stops at the cap", () => {
    const budget = new PrefixBudget({ ...opts, maxEntries: 1 });
    budget.restore("192.0.2.0/24", 1, 0, 0);
    budget.restore("192.0.3.0/24", 1, 0, 0);
    expect(budget.size).toBe(1);
  });
});
