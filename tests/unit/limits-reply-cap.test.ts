import { expect, test } from "bun:test";
import * as dnsPacket from "dns-packet";
import { capReply } from "../../src/relay/reply-cap.ts";
import { parseMessage } from "../../src/wire/parse-message.ts";
import { query } from "../helpers/dns-client.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** An upstream-style reply to `q` with `n` TXT strings of 200 bytes. */
function bigReply(q: Uint8Array, n: number): Uint8Array {
  const decoded = dnsPacket.decode(Buffer.from(q));
  const name = decoded.questions?.[0]?.name ?? "";
  return new Uint8Array(
    dnsPacket.encode({
      type: "response",
      id: decoded.id ?? 0,
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | dnsPacket.AUTHENTIC_DATA,
      questions: decoded.questions ?? [],
      answers: Array.from({ length: n }, () => ({
        type: "TXT" as const,
        name,
        ttl: 60,
        data: "x".repeat(200),
      })),
    }),
  );
}

test("a reply within the cap goes out as it is", () => {
  const q = query("www.example", "TXT");
  const reply = bigReply(q, 1);
  expect(capReply(reply, q, parseMessage(q), 512)).toBe(reply);
  expect(capReply(bigReply(q, 10), q, parseMessage(q), 0).length).toBeGreaterThan(2000);
});

test("a larger one becomes the header with TC, the question, no records", () => {
  const q = query("www.example", "TXT", { id: 0xbeef });
  const reply = bigReply(q, 10);
  const capped = capReply(reply, q, parseMessage(q), 512);
  // ID, QR TC RD, RA AD NOERROR, qdcount 1, no records, then the question.
  expect(hex(capped)).toBe(`beef83a00001000000000000${hex(q.subarray(12))}`);
  expect(dnsPacket.decode(Buffer.from(capped))).toMatchObject({
    id: 0xbeef,
    flags: expect.any(Number),
    questions: [{ name: "www.example", type: "TXT", class: "IN" }],
    answers: [],
  });
});

test("the upstream's RCODE stays", () => {
  const q = query("www.example", "TXT");
  const reply = bigReply(q, 5);
  reply[3] = (reply[3] ?? 0) | 0x03; // NXDOMAIN
  // RA, AD and NXDOMAIN as the upstream sent them.
  expect(capReply(reply, q, parseMessage(q), 100)[3]).toBe(0x80 | 0x20 | 0x03);
});

test("a question too big for the cap, or one that did not parse, is left out", () => {
  const long = query(`${"a".repeat(63)}.${"b".repeat(63)}.example`, "TXT");
  const capped = capReply(bigReply(long, 5), long, parseMessage(long), 100);
  expect([capped.length, capped[5], capped[2]]).toEqual([12, 0, 0x83]);

  const broken = query("www.example", "TXT");
  broken[12] = 0xc0; // a pointer where the name starts: no question parses
  const fromBroken = capReply(
    bigReply(query("www.example", "TXT"), 5),
    broken,
    parseMessage(broken),
    512,
  );
  expect([fromBroken.length, fromBroken[5]]).toEqual([12, 0]);
});

test("a query with EDNS gets an OPT record of ours in the truncated reply, as a resolver would", () => {
  const q = query("www.example", "TXT", { id: 0xbeef, edns: true });
  const capped = capReply(bigReply(q, 10), q, parseMessage(q), 512);
  const questionHex = hex(q.subarray(12, parseMessage(q).questionEnd));
  // ARCOUNT 1, then root name, TYPE 41, our UDP size 1232, TTL 0, RDLENGTH 0.
  // Flags as the upstream set them (RA AD), TC added.
  const header = "beef" + "83a0" + "0001" + "0000" + "0000" + "0001";
  expect(hex(capped)).toBe(`${header}${questionHex}00002904d0000000000000`);
});
