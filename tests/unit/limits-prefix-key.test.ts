import { describe, expect, test } from "bun:test";
import { keyWidth, maskKey, prefixText, readAddress } from "../../src/decide/prefix-key.ts";

/** Family and the words read, as hex, for a readable diff. */
function read(text: string): [number, string[]] {
  const out = new Uint32Array(4);
  const family = readAddress(text, out);
  const words = family === 4 ? [out[0] ?? 0] : family === 6 ? [...out] : [];
  return [family, words.map((w) => w.toString(16).padStart(8, "0"))];
}

describe("readAddress", () => {
  test.each([
    ["192.0.2.7", [4, ["c0000207"]]],
    ["0.0.0.0", [4, ["00000000"]]],
    ["255.255.255.255", [4, ["ffffffff"]]],
    ["::ffff:198.51.100.9", [4, ["c6336409"]]],
    ["::ffff:c633:6409", [4, ["c6336409"]]],
    ["::", [6, ["00000000", "00000000", "00000000", "00000000"]]],
    ["::1", [6, ["00000000", "00000000", "00000000", "00000001"]]],
    ["2001:db8::", [6, ["20010db8", "00000000", "00000000", "00000000"]]],
    ["2001:DB8:0:100::7", [6, ["20010db8", "00000100", "00000000", "00000007"]]],
    ["1:2:3:4:5:6:7:8", [6, ["00010002", "00030004", "00050006", "00070008"]]],
    ["1:2:3:4:5:6::8", [6, ["00010002", "00030004", "00050006", "00000008"]]],
    ["64:ff9b::192.0.2.1", [6, ["0064ff9b", "00000000", "00000000", "c0000201"]]],
    ["fe80::1%eth0", [6, ["fe800000", "00000000", "00000000", "00000001"]]],
  ] as [string, [number, string[]]][])("%s", (text, expected) => {
    expect(read(text)).toEqual(expected);
  });

  test.each([
    "",
    "192.0.2",
    "192.0.2.256",
    "192.0.2.7.1",
    "1..2.3",
    "a.b.c.d",
    ":::",
    "1:::2",
    "1::2::3",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7",
    "12345::",
    "1:",
    ":1",
    "g::1",
    "::1.2.3.4:5",
    "1:2:3:4:5:6:7:1.2.3.4",
  ])("not an address: %p", (text) => {
    expect(read(text)[0]).toBe(0);
  });
});

describe("prefixes", () => {
  test("masking keeps only the prefix bits", () => {
    const key = new Uint32Array([0xc0000207, 0xffffffff, 0xffffffff, 0xffffffff]);
    maskKey(key, 1, 24);
    expect(key[0]).toBe(0xc0000200);
    const v6 = new Uint32Array([0x20010db8, 0x12345678, 0xffffffff, 0xffffffff]);
    maskKey(v6, 2, 56);
    expect([...v6.subarray(0, 2)]).toEqual([0x20010db8, 0x12345600]);
    const all = new Uint32Array([0xffffffff]);
    maskKey(all, 1, 0);
    expect(all[0]).toBe(0);
  });

  test("key widths", () => {
    expect([0, 1, 32, 33, 56, 64, 65, 128].map(keyWidth)).toEqual([1, 1, 1, 2, 2, 2, 3, 4]);
  });

  test.each([
    [4, [0xc0000200], 24, "192.0.2.0/24"],
    [4, [0], 0, "0.0.0.0/0"],
    [6, [0x20010db8, 0x00000100], 56, "2001:db8:0:100::/56"],
    [6, [0, 0, 0, 1], 128, "::1/128"],
    [6, [0x20010000, 0, 0, 0x00010000], 128, "2001::1:0/128"],
    [6, [0x00010000, 0x00010000, 0x00010000, 0x00010000], 128, "1:0:1:0:1:0:1:0/128"],
    // RFC 5952 4.2.3: the longest run is shortened, the first of equal ones.
    [6, [0x20010db8, 0, 0x00010000, 0], 64, "2001:db8:0:0:1::/64"],
    [6, [0x00010000, 0x00000001, 0, 0x00010001], 128, "1::1:0:0:1:1/128"],
  ] as [4 | 6, number[], number, string][])("%p %p /%p -> %s", (family, words, bits, text) => {
    expect(prefixText(family, Uint32Array.from(words), bits)).toBe(text);
  });

  test("the text reads back as the same network", () => {
    const key = new Uint32Array(4);
    readAddress("2001:db8:aa:bb00::", key);
    const text = prefixText(6, key, 56);
    const again = new Uint32Array(4);
    readAddress(text.slice(0, text.indexOf("/")), again);
    expect([text, [...again]]).toEqual(["2001:db8:aa:bb00::/56", [...key]]);
  });
});
