import { describe, expect, test } from "bun:test";
import type { Endpoint } from "../../src/cli/config.ts";
import { isIpLiteral, parseEndpoint, parsePort } from "../../src/cli/endpoint.ts";

describe("parseEndpoint", () => {
  test.each<[string, Endpoint]>([
    ["192.0.2.1", { address: "192.0.2.1", port: 53, family: 4 }],
    ["192.0.2.1:5353", { address: "192.0.2.1", port: 5353, family: 4 }],
    ["2001:db8::1", { address: "2001:db8::1", port: 53, family: 6 }],
    ["::1", { address: "::1", port: 53, family: 6 }],
    // Without brackets every colon belongs to the address: this is ::1:53, port 53.
    ["::1:53", { address: "::1:53", port: 53, family: 6 }],
    ["[2001:db8::1]:5353", { address: "2001:db8::1", port: 5353, family: 6 }],
    ["[::1]", { address: "::1", port: 53, family: 6 }],
    ["fe80::1%eth0", { address: "fe80::1%eth0", port: 53, family: 6 }],
    ["[fe80::1%eth0]:53", { address: "fe80::1%eth0", port: 53, family: 6 }],
    ["::ffff:192.0.2.1", { address: "::ffff:192.0.2.1", port: 53, family: 6 }],
    ["192.0.2.1:65535", { address: "192.0.2.1", port: 65535, family: 4 }],
  ])("reads %p", (text, endpoint) => {
    expect(parseEndpoint(text)).toEqual(endpoint);
  });

  test.each([
    "",
    "999.1.1.1",
    "1.2.3",
    "example.com",
    "localhost:53",
    "1.2.3.4:99999",
    "1.2.3.4:0",
    "1.2.3.4:",
    "1.2.3.4:53x",
    "1.2.3.4:+53",
    "[::1",
    "[::1]x",
    "[::1]:",
    "[::1]:70000",
    "[1.2.3.4]:53",
    "[example.com]:53",
    "::1]:53",
    " 1.2.3.4",
  ])("refuses %p", (text) => {
    expect(parseEndpoint(text)).toBeUndefined();
  });
});

describe("parsePort", () => {
  test.each<[string, number | undefined]>([
    ["1", 1],
    ["53", 53],
    ["065535", undefined],
    ["65535", 65535],
    ["65536", undefined],
    ["0", undefined],
    ["", undefined],
    ["-1", undefined],
    ["5e3", undefined],
  ])("%p is %p", (text, port) => {
    expect(parsePort(text)).toBe(port);
  });
});

describe("isIpLiteral", () => {
  test.each<[string, boolean]>([
    ["0.0.0.0", true],
    ["::", true],
    ["fe80::1%lo", true],
    ["[::1]", false],
    ["localhost", false],
    ["256.0.0.1", false],
  ])("%p is %p", (text, expected) => {
    expect(isIpLiteral(text)).toBe(expected);
  });
});
