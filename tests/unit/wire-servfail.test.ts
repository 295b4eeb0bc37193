import { describe, expect, test } from "bun:test";
import { withId } from "../../src/wire/message-id.ts";
import { parseMessage } from "../../src/wire/parse-message.ts";
import { servfailFor } from "../../src/wire/servfail.ts";

const hex = (text: string) => Uint8Array.from(Buffer.from(text.replace(/\s/g, ""), "hex"));
const toHex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/** `www.example A IN` as it sits on the wire. */
const WWW_A = "03777777 076578616d706c65 00 0001 0001";

function servfail(query: Uint8Array): string {
  return toHex(servfailFor(query, parseMessage(query)));
}

describe("servfailFor", () => {
  test.each([
    [
      "plain RD query",
      `1234 0100 0001 0000 0000 0000 ${WWW_A}`,
      `1234 8182 0001 0000 0000 0000 ${WWW_A}`,
    ],
    [
      // opcode 5, AA TC RD; Z AD CD: only opcode, RD and CD survive.
      "odd flags",
      `beef 2f70 0001 0000 0000 0000 ${WWW_A}`,
      `beef a992 0001 0000 0000 0000 ${WWW_A}`,
    ],
    [
      "two questions, an answer and an OPT record: the first question only",
      `0001 0000 0002 0001 0000 0001 ${WWW_A} 016100 001c 0001` +
        " c00c 0001 0001 00000e10 0004 c0000201 00 0029 1000 00000000 0000",
      `0001 8082 0001 0000 0000 0001 ${WWW_A} 00 0029 04d0 00000000 0000`,
    ],
    [
      "EDNS with DO: an OPT record of our own comes back, DO copied",
      `0002 0100 0001 0000 0000 0001 ${WWW_A} 00 0029 1000 00008000 0000`,
      `0002 8182 0001 0000 0000 0001 ${WWW_A} 00 0029 04d0 00008000 0000`,
    ],
    ["header only", "abcd 0100 0000 0000 0000 0000", "abcd 8182 0000 0000 0000 0000"],
    [
      "a question that did not parse is left out",
      "1234 0110 0001 0000 0000 0000 c00c 0001 0001",
      "1234 8192 0000 0000 0000 0000",
    ],
    ["shorter than a header", "1234 01", "1234 8182 0000 0000 0000 0000"],
    ["empty", "", "0000 8082 0000 0000 0000 0000"],
  ])("%s", (_, query, reply) => {
    expect(servfail(hex(query))).toBe(toHex(hex(reply)));
  });

  test("the reply parses back as SERVFAIL for the same question", () => {
    const query = hex(`7777 0100 0001 0000 0000 0001 ${WWW_A} 00 0029 04d0 00008000 0000`);
    const reply = parseMessage(servfailFor(query, parseMessage(query)));
    expect([reply.header?.id, reply.flags, reply.header?.rcode, reply.questions]).toEqual([
      0x7777,
      "qr rd ra",
      2,
      [{ name: "www.example", type: "A", cls: "IN" }],
    ]);
  });
});

describe("withId", () => {
  test("replaces bytes 0-1 of a copy", () => {
    const msg = hex(`1234 0100 0001 0000 0000 0000 ${WWW_A}`);
    const copy = withId(msg, 0xa1b2);
    expect([toHex(copy), toHex(msg)]).toEqual([
      toHex(hex(`a1b2 0100 0001 0000 0000 0000 ${WWW_A}`)),
      toHex(hex(`1234 0100 0001 0000 0000 0000 ${WWW_A}`)),
    ]);
  });

  test("a Buffer, as sockets deliver it, is copied too, not viewed", () => {
    const msg = Buffer.from(hex(`1234 0100 0001 0000 0000 0000 ${WWW_A}`));
    withId(msg, 0xa1b2);
    expect([msg[0], msg[1]]).toEqual([0x12, 0x34]);
  });

  test("a message shorter than an ID is copied unchanged", () => {
    const msg = hex("ff");
    const copy = withId(msg, 0);
    expect([toHex(copy), copy === msg]).toEqual(["ff", false]);
  });
});
