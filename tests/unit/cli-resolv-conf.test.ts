import { expect, test } from "bun:test";
import type { Endpoint } from "../../src/cli/config.ts";
import { firstNameserver } from "../../src/cli/resolv-conf.ts";

test.each<[string, string, Endpoint | undefined]>([
  ["one IPv4", "nameserver 192.0.2.53\n", { address: "192.0.2.53", port: 53, family: 4 }],
  [
    "the first of several",
    "nameserver 192.0.2.1\nnameserver 192.0.2.2\nnameserver 192.0.2.3\n",
    { address: "192.0.2.1", port: 53, family: 4 },
  ],
  [
    "comments and other keywords skipped",
    "# nameserver 192.0.2.9\n; nameserver 192.0.2.8\n#nameserver 192.0.2.7\n" +
      "search example.com\noptions edns0\n\nnameserver 192.0.2.53\n",
    { address: "192.0.2.53", port: 53, family: 4 },
  ],
  [
    "IPv6 with a zone",
    "nameserver fe80::1%eth0\nnameserver 192.0.2.53\n",
    { address: "fe80::1%eth0", port: 53, family: 6 },
  ],
  [
    "tabs, CRLF and a trailing comment",
    "\tnameserver\t2001:db8::53  # office\r\n",
    { address: "2001:db8::53", port: 53, family: 6 },
  ],
  [
    "an unreadable address passed over",
    "nameserver dns.example\nnameserver 999.1.1.1\nnameserver\nnameserver 192.0.2.53\n",
    { address: "192.0.2.53", port: 53, family: 4 },
  ],
  ["no nameserver", "search example.com\n# nameserver 192.0.2.1\n", undefined],
  ["empty", "", undefined],
  ["keyword is case sensitive", "NAMESERVER 192.0.2.53\n", undefined],
])("%s", (_title, text, endpoint) => {
  expect(firstNameserver(text)).toEqual(endpoint);
});
