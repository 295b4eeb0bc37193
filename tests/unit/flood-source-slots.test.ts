import { describe, expect, test } from "bun:test";
import { Budget } from "../../src/decide/budget.ts";
import { ipv4Number, ipv4Text } from "../../src/decide/ipv4.ts";
import { SourceSlots } from "../../src/decide/source-slots.ts";

describe("ipv4Number", () => {
  test.each([
    ["0.0.0.0", 0],
    ["127.0.0.1", 0x7f000001],
    ["192.0.2.7", 0xc0000207],
    ["255.255.255.255", 0xffffffff],
  ])("%s -> %d and back", (text, value) => {
    expect([ipv4Number(text), ipv4Text(value)]).toEqual([value, text]);
  });

  test.each([
    "",
    "1.2.3",
    "1.2.3.4.5",
    "1.2.3.256",
    "01.2.3.4",
    "1..3.4",
    "1.2.3.4.",
    "1.2.3.1000",
    "::1",
    "::ffff:192.0.2.7",
    "a",
    " 1.2.3.4",
  ])("%p is not an IPv4 address in canonical form", (text) => {
    expect(ipv4Number(text)).toBe(-1);
  });
});

describe("SourceSlots", () => {
  test("IPv4 and other sources are found by their text", () => {
    const slots = new SourceSlots();
    const a = slots.add("192.0.2.7", 2, 100);
    const b = slots.add("2001:db8::1", 1, 200);
    expect([slots.find("192.0.2.7"), slots.find("2001:db8::1"), slots.find("192.0.2.8")]).toEqual([
      a,
      b,
      -1,
    ]);
    expect([slots.count[a], slots.lastSeen[b], slots.size]).toEqual([2, 200, 2]);
  });

  test("a removed slot is reused, and the source is gone", () => {
    const slots = new SourceSlots();
    const a = slots.add("192.0.2.7", 1, 0);
    slots.remove(a);
    const b = slots.add("198.51.100.1", 1, 0);
    expect([b, slots.find("192.0.2.7"), slots.size, slots.sourceOf(b)]).toEqual([
      a,
      -1,
      1,
      "198.51.100.1",
    ]);
  });

  test("it grows past its first capacity with every entry intact", () => {
    const slots = new SourceSlots();
    for (let i = 0; i < 5000; i++) slots.add(ipv4Text(0x0a000000 + i), i, i * 2);
    const slot = slots.find("10.0.19.135"); // 0x0a000000 + 4999
    expect([slots.size, slots.count[slot], slots.lastSeen[slot]]).toEqual([5000, 4999, 9998]);
  });
});

describe("Budget.entries(since)", () => {
  test("gives only the sources seen at or after `since`, as text", () => {
    const budget = new Budget({ limit: 3, windowMs: 10_000, maxSources: 10 });
    budget.admit("192.0.2.1", 100);
    budget.admit("192.0.2.2", 200);
    budget.admit("2001:db8::2", 300);
    expect([...budget.entries(200)]).toEqual([
      ["192.0.2.2", 1, 200],
      ["2001:db8::2", 1, 300],
    ]);
  });

  test("restore of a known source overwrites it", () => {
    const budget = new Budget({ limit: 3, windowMs: 10_000, maxSources: 10 });
    budget.admit("192.0.2.1", 100);
    budget.restore("192.0.2.1", 3, 150, 200);
    expect([[...budget.entries()], budget.admit("192.0.2.1", 300)]).toEqual([
      [["192.0.2.1", 3, 150]],
      "sinkhole",
    ]);
  });
});
