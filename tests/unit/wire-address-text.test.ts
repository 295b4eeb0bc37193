import { expect, test } from "bun:test";
import { ipv4Text, ipv6Text } from "../../src/wire/address-text.ts";

const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex.replace(/\s/g, ""), "hex"));

test.each([
  ["c0000201", "192.0.2.1"],
  ["c63364", "198.51.100.0"],
  ["0a", "10.0.0.0"],
  ["", "0.0.0.0"],
])("IPv4 %p", (hex, text) => {
  const buf = bytes(hex);
  expect(ipv4Text(buf, 0, buf.length)).toBe(text);
});

test.each([
  ["", "::"],
  ["00000000 00000000 00000000 00000001", "::1"],
  ["0001", "1::"],
  ["20010db8 00000000 00000000 00000001", "2001:db8::1"],
  // RFC 5952 §4.2.2: one zero group stays.
  ["20010db8 00000001 00010001 00010001", "2001:db8:0:1:1:1:1:1"],
  // §4.2.3: the longest run is shortened, the first of equal ones.
  ["20010000 00000001 00000000 00000001", "2001:0:0:1::1"],
  ["20010db8 00000000 00010000 00000001", "2001:db8::1:0:0:1"],
  ["fe80", "fe80::"],
  ["ABCDEF01 00000000 00000000 00000000", "abcd:ef01::"],
])("IPv6 %p", (hex, text) => {
  const buf = bytes(hex);
  expect(ipv6Text(buf, 0, buf.length)).toBe(text);
});

test("bytes after `end` count as zero, also for IPv6", () => {
  const buf = bytes("ffffffff 20010db8 ffff");
  expect([ipv4Text(buf, 0, 2), ipv6Text(buf, 4, 8)]).toEqual(["255.255.0.0", "2001:db8::"]);
});
