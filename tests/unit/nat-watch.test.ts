import { describe, expect, test } from "bun:test";
import { isPrivate, NatWatch } from "../../src/server/nat-watch.ts";

function watch(sources: string[]): string[] {
  const warnings: string[] = [];
  const w = new NatWatch((text) => warnings.push(text));
  for (const s of sources) w.see(s);
  return warnings;
}

const many = (address: string, n: number) => Array<string>(n).fill(address);

describe("NatWatch", () => {
  test("warns once when nearly every message comes from one private address", () => {
    const warnings = watch([
      ...many("172.17.0.1", 190),
      ...many("203.0.113.9", 10),
      ...many("172.17.0.1", 500),
    ]);
    expect(warnings).toEqual([
      expect.stringContaining("95% of the first 200 messages came from 172.17.0.1"),
    ]);
  });

  test("says nothing for a public address, however dominant", () => {
    expect(watch(many("203.0.113.9", 500))).toEqual([]);
  });

  test("says nothing when the sources are varied", () => {
    const varied = Array.from({ length: 300 }, (_, i) => `198.51.100.${i % 50}`);
    expect(watch([...varied, ...many("172.17.0.1", 300)])).toEqual([]);
  });

  test("says nothing below the share", () => {
    expect(watch([...many("172.17.0.1", 170), ...many("203.0.113.9", 30)])).toEqual([]);
  });
});

test.each([
  ["10.1.2.3", true],
  ["172.16.0.1", true],
  ["172.31.255.255", true],
  ["172.32.0.1", false],
  ["192.168.1.1", true],
  ["100.64.0.1", true],
  ["169.254.1.1", true],
  ["8.8.8.8", false],
  ["127.0.0.1", false],
  ["fd00::1", true],
  ["fe80::1", true],
  ["2001:db8::1", false],
])("isPrivate(%s) is %p", (address, expected) => {
  expect(isPrivate(address)).toBe(expected);
});
