import { describe, expect, test } from "bun:test";
import { encode } from "dns-packet";
import { readName, skipName } from "../../src/wire/name.ts";
import { WireError } from "../../src/wire/wire-error.ts";

/** A message: 12 header bytes (zero) followed by `body`. */
function message(...body: number[]): Uint8Array {
  return Uint8Array.from([...new Array(12).fill(0), ...body]);
}

/** Wire labels for `a.b.c`-style text of plain ASCII labels, root included. */
function labels(text: string): number[] {
  const bytes = text.split(".").flatMap((l) => [l.length, ...Buffer.from(l, "latin1")]);
  return [...bytes, 0];
}

/** A pointer to `offset` (RFC 1035 §4.1.4). */
function pointer(offset: number): number[] {
  return [0xc0 | (offset >> 8), offset & 0xff];
}

/** The reason readName gives for `buf` at `offset`, or null when it reads. */
function failure(read: () => unknown): string | null {
  try {
    read();
    return null;
  } catch (err) {
    if (!(err instanceof WireError)) throw err;
    return err.reason;
  }
}

describe("readName presentation form", () => {
  test.each([
    [0x00, "\\000"],
    [0x09, "\\009"],
    [0x20, "\\032"],
    [0x21, "!"],
    [0x22, '"'],
    [0x2e, "\\."],
    [0x41, "A"],
    [0x5c, "\\\\"],
    [0x61, "a"],
    [0x7e, "~"],
    [0x7f, "\\127"],
    [0x80, "\\128"],
    [0xff, "\\255"],
  ])("byte 0x%s in a label", (byte, text) => {
    expect(readName(message(1, byte, 0), 12)).toEqual({ name: text, end: 15 });
  });

  test("every byte reads as itself when printable, else as an escape", () => {
    const texts = Array.from({ length: 256 }, (_, b) => readName(message(1, b, 0), 12).name);
    const escaped = texts.filter((t) => t.startsWith("\\"));
    expect(escaped.every((t) => /^\\(\d{3}|\.|\\)$/.test(t))).toBe(true);
    // 256 bytes, of which 0x21-0x7e minus `.` and `\` (92) stand for themselves.
    expect(escaped.length).toBe(256 - 92);
  });

  test("the root is the empty name", () => {
    expect(readName(message(0), 12)).toEqual({ name: "", end: 13 });
  });

  test("case is kept", () => {
    expect(readName(message(...labels("WwW.ExAmPlE")), 12).name).toBe("WwW.ExAmPlE");
  });
});

describe("readName compression", () => {
  // "example" at 12; "www" + pointer at 21; "mail" + pointer to "www" at 27.
  const buf = message(
    ...labels("example"),
    ...[3, ...Buffer.from("www")],
    ...pointer(12),
    ...[4, ...Buffer.from("mail")],
    ...pointer(21),
  );

  test.each([
    [12, "example", 21],
    [21, "www.example", 27],
    [27, "mail.www.example", 34],
  ])("name at %i", (offset, name, end) => {
    expect(readName(buf, offset)).toEqual({ name, end });
  });

  test("a pointer alone ends the name where it stands", () => {
    const alone = message(...labels("example"), ...pointer(12));
    expect(readName(alone, 21)).toEqual({ name: "example", end: 23 });
  });

  test("128 pointers in a row are allowed, 129 are not", () => {
    // "x" at 12; the first pointer (at 15) points to it, each next one to the one before.
    const pointerAt = (i: number) => 15 + 2 * i;
    const chain = (hops: number) => {
      const bytes = labels("x");
      for (let i = 0; i < hops; i++) bytes.push(...pointer(i === 0 ? 12 : pointerAt(i - 1)));
      return message(...bytes);
    };
    expect(readName(chain(128), pointerAt(127))).toEqual({ name: "x", end: pointerAt(128) });
    // The 129th jump is the one taken by the first pointer.
    expect(failure(() => readName(chain(129), pointerAt(128)))).toBe(
      "name: over 128 compression pointers at offset 15",
    );
  });
});

describe("readName failures", () => {
  test.each([
    ["empty message part", message(), 12, "name: truncated at offset 12"],
    ["label past the end", message(5, 0x61, 0x62), 12, "name: truncated at offset 12"],
    ["no root byte", message(1, 0x61), 12, "name: truncated at offset 14"],
    ["half a pointer", message(1, 0x61, 0xc0), 12, "name: truncated at offset 14"],
    ["label type 0x40", message(0x40, 0), 12, "name: bad label type 0x40 at offset 12"],
    ["label type 0x80", message(0xbf, 0), 12, "name: bad label type 0x80 at offset 12"],
    [
      "pointer to itself",
      message(...pointer(12)),
      12,
      "name: compression pointer loops at offset 12",
    ],
    [
      "pointer back into its own labels",
      message(1, 0x61, ...pointer(12)),
      12,
      "name: compression pointer loops at offset 14",
    ],
    [
      "pointer forward",
      message(...pointer(14), 0),
      12,
      "name: compression pointer points forward at offset 12",
    ],
    [
      "pointer into the header",
      message(1, 0x61, ...pointer(11)),
      12,
      "name: compression pointer into header at offset 14",
    ],
    [
      "pointer back into the labels a jump led to",
      // 12: "a" root; 15: "b" + pointer to 15. Read from 19, a pointer to 15:
      // the pointer at 17 points before itself but into its own labels.
      message(...labels("a"), 1, 0x62, ...pointer(15), ...pointer(15)),
      19,
      "name: compression pointer loops at offset 17",
    ],
  ])("%s", (_, buf, offset, reason) => {
    expect(failure(() => readName(buf, offset))).toBe(reason);
  });

  test("a name of 255 bytes reads, one of 256 does not", () => {
    const long = (lastLabel: number) =>
      message(
        ...labels(
          ["a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(lastLabel)].join("."),
        ),
      );
    expect(readName(long(61), 12).end).toBe(12 + 255);
    expect(failure(() => readName(long(62), 12))).toBe("name: longer than 255 bytes at offset 204");
  });

  test("the 255 bytes count across pointers", () => {
    // 12: three 63-byte labels and root (193 bytes); then a 62-byte label + pointer to 12.
    const head = labels(["a".repeat(63), "b".repeat(63), "c".repeat(63)].join("."));
    const tail = [62, ...new Array(62).fill(0x64), ...pointer(12)];
    const buf = message(...head, ...tail);
    // 63 + 64 + 64 bytes read; the third 63-byte label would make 256 with the root.
    expect(failure(() => readName(buf, 12 + head.length))).toBe(
      "name: longer than 255 bytes at offset 140",
    );
  });

  test("a label of 63 bytes reads, 64 is the 0x40 label type", () => {
    expect(readName(message(...labels("a".repeat(63))), 12).name).toBe("a".repeat(63));
    expect(failure(() => readName(message(64, ...new Array(64).fill(0x61), 0), 12))).toBe(
      "name: bad label type 0x40 at offset 12",
    );
  });
});

describe("readName reads what dns-packet writes", () => {
  test.each([
    ["example.com", "example.com"],
    ["WwW.ExAmPlE.CoM", "WwW.ExAmPlE.CoM"],
    ["_sip._tcp.example.org", "_sip._tcp.example.org"],
    ["*.wild.example", "*.wild.example"],
    ["xn--bcher-kva.example", "xn--bcher-kva.example"],
    ["a b.example", "a\\032b.example"],
    ['quote".example', 'quote".example'],
    ["bücher.example", "b\\195\\188cher.example"],
    [`${"x".repeat(63)}.example`, `${"x".repeat(63)}.example`],
    [".", ""],
  ])("%s", (input, expected) => {
    const bytes = encode({ id: 1, questions: [{ name: input, type: "A", class: "IN" }] });
    expect(readName(bytes, 12)).toEqual({ name: expected, end: bytes.length - 4 });
  });

  test("at a buffer offset", () => {
    const packet = { id: 1, questions: [{ name: "deep.example.net", type: "A" as const }] };
    const buf = Buffer.alloc(200, 0xee);
    encode(packet, buf, 77);
    const size = encode.bytes;
    expect(readName(buf, 77 + 12)).toEqual({ name: "deep.example.net", end: 77 + size - 4 });
  });

  test("through compression pointers added to its output", () => {
    const bytes = encode({ id: 1, questions: [{ name: "example.net", type: "A" }] });
    // "www" + pointer to example.net at 12, then "ftp" + pointer to "net" at 20.
    const buf = Uint8Array.from([...bytes, 3, ...Buffer.from("www"), ...pointer(12)]);
    const more = Uint8Array.from([...buf, 3, ...Buffer.from("ftp"), ...pointer(20)]);
    expect(readName(more, bytes.length)).toEqual({
      name: "www.example.net",
      end: bytes.length + 6,
    });
    expect(readName(more, bytes.length + 6)).toEqual({ name: "ftp.net", end: more.length });
  });
});

describe("skipName", () => {
  const buf = message(...labels("example"), 3, ...Buffer.from("www"), ...pointer(12));

  test.each([
    [12, 21],
    [21, 27],
  ])("the name at %i ends at %i", (offset, end) => {
    expect(skipName(buf, offset)).toBe(end);
  });

  test.each([
    ["truncated", message(3, 0x61), 12, "name: truncated at offset 12"],
    ["bad label", message(0x80), 12, "name: bad label type 0x80 at offset 12"],
    [
      "forward",
      message(...pointer(40)),
      12,
      "name: compression pointer points forward at offset 12",
    ],
    ["loop", message(1, 0x61, ...pointer(12)), 12, "name: compression pointer loops at offset 14"],
    ["header", message(...pointer(3)), 12, "name: compression pointer into header at offset 12"],
    [
      "too long",
      message(...labels(["a", "b", "c", "d"].map((c) => c.repeat(63)).join("."))),
      12,
      "name: longer than 255 bytes at offset 204",
    ],
  ])("%s", (_, bytes, offset, reason) => {
    expect(failure(() => skipName(bytes, offset))).toBe(reason);
  });
});
