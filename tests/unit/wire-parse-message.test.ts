import { describe, expect, test } from "bun:test";
import { MAX_QUESTIONS_KEPT, parseMessage } from "../../src/wire/parse-message.ts";

interface Counts {
  qd?: number;
  an?: number;
  ns?: number;
  ar?: number;
}

/** A header with ID 0x1234, flag bytes `flags` (RD by default) and the given counts. */
function header(counts: Counts, flags = 0x0100): number[] {
  const { qd = 0, an = 0, ns = 0, ar = 0 } = counts;
  return [0x12, 0x34, flags >> 8, flags & 0xff, ...[qd, an, ns, ar].flatMap(u16)];
}

function u16(n: number): number[] {
  return [n >> 8, n & 0xff];
}

function labels(text: string): number[] {
  return [...text.split(".").flatMap((l) => [l.length, ...Buffer.from(l, "latin1")]), 0];
}

/** `name A IN` */
function question(name: string): number[] {
  return [...labels(name), 0, 1, 0, 1];
}

/** An OPT record (RFC 6891 §6.1.2) carrying `options`; `ttl` is 4 bytes. */
function opt(udpSize: number, options: number[], ttl = [0, 0, 0, 0]): number[] {
  return [0, ...u16(41), ...u16(udpSize), ...ttl, ...u16(options.length), ...options];
}

function option(code: number, data: number[]): number[] {
  return [...u16(code), ...u16(data.length), ...data];
}

/** Client subnet option data: family, source prefix, scope 0, address bytes. */
function ecs(family: number, prefix: number, address: number[]): number[] {
  return option(8, [...u16(family), prefix, 0, ...address]);
}

/** An A record for the name at offset 12. */
const ANSWER = [0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 192, 0, 2, 1];
const WWW = question("www.example");

function parse(...bytes: number[]) {
  return parseMessage(Uint8Array.from(bytes));
}

describe("header", () => {
  test("every field, all flags set", () => {
    // opcode 5 (UPDATE), QR AA TC RD; RA Z AD CD, rcode 3.
    const parsed = parse(0xbe, 0xef, 0xaf, 0xf3, ...[1, 2, 3, 4].flatMap(u16));
    expect(parsed.header).toEqual({
      id: 0xbeef,
      qr: true,
      opcode: 5,
      aa: true,
      tc: true,
      rd: true,
      ra: true,
      z: true,
      ad: true,
      cd: true,
      rcode: 3,
      qdcount: 1,
      ancount: 2,
      nscount: 3,
      arcount: 4,
    });
    expect(parsed.flags).toBe("qr aa tc rd ra z ad cd");
  });

  test.each([
    [0x0000, ""],
    [0x0100, "rd"],
    [0x0120, "rd ad"],
    [0x0010, "cd"],
    [0x8580, "qr aa rd ra"],
    [0x0240, "tc z"],
  ])("flag bytes 0x%s read as %p", (flags, text) => {
    expect(parse(...header({}, flags)).flags).toBe(text);
  });

  test("an empty message has no header", () => {
    expect(parse()).toEqual({
      header: null,
      flags: null,
      questions: [],
      questionEnd: 0,
      edns: null,
      error: "header: truncated at offset 0",
      trailingBytes: 0,
    });
  });

  test("11 bytes are not a header", () => {
    expect(parse(...header({}).slice(0, 11)).error).toBe("header: truncated at offset 11");
  });
});

describe("questions", () => {
  test("a question without its type and class", () => {
    const parsed = parse(...header({ qd: 1 }), ...labels("www.example"), 0, 1, 0);
    expect([parsed.questions, parsed.questionEnd, parsed.error]).toEqual([
      [],
      12,
      "question: truncated at offset 25",
    ]);
  });

  test("questionEnd is past the first question, whatever follows", () => {
    const parsed = parse(...header({ qd: 2 }), ...WWW, ...question("a.example"));
    expect([parsed.questions.length, parsed.questionEnd]).toEqual([2, 12 + WWW.length]);
  });

  test(`only the first ${MAX_QUESTIONS_KEPT} questions are kept, all are checked`, () => {
    const many = Array.from({ length: 20 }, (_, i) => question(`q${i}.example`)).flat();
    const parsed = parse(...header({ qd: 20 }), ...many);
    expect(parsed.questions.map((q) => q.name)).toEqual(
      Array.from({ length: MAX_QUESTIONS_KEPT }, (_, i) => `q${i}.example`),
    );
    expect([parsed.error, parsed.trailingBytes]).toEqual([null, 0]);

    const broken = parse(...header({ qd: 21 }), ...many, 0xc1, 0xff, 0, 1, 0, 1);
    expect(broken.error).toBe(
      `name: compression pointer points forward at offset ${12 + many.length}`,
    );
  });

  test("a question past the kept ones still needs its type and class", () => {
    const many = Array.from({ length: MAX_QUESTIONS_KEPT }, () => WWW).flat();
    const parsed = parse(...header({ qd: MAX_QUESTIONS_KEPT + 1 }), ...many, 0, 0, 1);
    expect(parsed.error).toBe(`question: truncated at offset ${12 + many.length + 1}`);
  });
});

describe("records", () => {
  test("answer and authority records are stepped over", () => {
    const parsed = parse(...header({ qd: 1, an: 1, ns: 1 }, 0x8180), ...WWW, ...ANSWER, ...ANSWER);
    expect([parsed.error, parsed.trailingBytes, parsed.edns]).toEqual([null, 0, null]);
  });

  test("bytes after the last counted record are trailing", () => {
    const parsed = parse(...header({ qd: 1, an: 1 }), ...WWW, ...ANSWER, 1, 2, 3);
    expect([parsed.error, parsed.trailingBytes]).toEqual([null, 3]);
  });

  test("a record cut inside its fixed fields", () => {
    const parsed = parse(...header({ qd: 1, an: 1 }), ...WWW, ...ANSWER.slice(0, 8));
    expect(parsed.error).toBe("record: truncated at offset 31");
  });

  test("an owner name that points forward", () => {
    const parsed = parse(...header({ qd: 1, ar: 1 }), ...WWW, 0xc0, 0x40, ...ANSWER.slice(2));
    expect(parsed.error).toBe("name: compression pointer points forward at offset 29");
  });

  test("an OPT record outside the additional section is not EDNS", () => {
    const parsed = parse(...header({ qd: 1, an: 1 }), ...WWW, ...opt(4096, []));
    expect([parsed.error, parsed.edns]).toEqual([null, null]);
  });
});

describe("EDNS", () => {
  const withOpt = (record: number[], ar = 1) => parse(...header({ qd: 1, ar }), ...WWW, ...record);

  test("UDP size, version and DO from the fixed fields", () => {
    const parsed = withOpt(opt(1400, [], [0x00, 0x01, 0x80, 0x00]));
    expect([parsed.edns, parsed.error]).toEqual([
      { udpSize: 1400, version: 1, do: true, ecs: null, cookie: false },
      null,
    ]);
  });

  test("OPT after other additional records, unknown options skipped", () => {
    const record = [
      ...ANSWER,
      ...opt(512, [...option(65001, [1, 2]), ...option(10, new Array(8))]),
    ];
    const parsed = withOpt(record, 2);
    expect([parsed.edns, parsed.error]).toEqual([
      { udpSize: 512, version: 0, do: false, ecs: null, cookie: true },
      null,
    ]);
  });

  test.each([
    ["IPv4 /24", ecs(1, 24, [198, 51, 100]), "198.51.100.0/24"],
    ["IPv4 /32", ecs(1, 32, [192, 0, 2, 77]), "192.0.2.77/32"],
    ["IPv4 /0", ecs(1, 0, []), "0.0.0.0/0"],
    ["IPv4 /20", ecs(1, 20, [203, 0, 112]), "203.0.112.0/20"],
    ["IPv6 /56", ecs(2, 56, [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0]), "2001:db8::/56"],
    ["IPv6 /48", ecs(2, 48, [0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34]), "2001:db8:1234::/48"],
    ["IPv6 /0", ecs(2, 0, []), "::/0"],
    [
      "IPv6 /128",
      ecs(2, 128, [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]),
      "2001:db8:0:1::1/128",
    ],
  ])("client subnet %s", (_, data, text) => {
    const parsed = withOpt(opt(1232, data));
    expect([parsed.edns?.ecs, parsed.error]).toEqual([text, null]);
  });

  test.each([
    ["too short for its fields", option(8, [0, 1, 24]), "bad client subnet length 3"],
    ["unknown family", ecs(3, 8, [10]), "bad client subnet family 3"],
    ["IPv4 prefix over 32", ecs(1, 33, [1, 2, 3, 4, 5]), "bad client subnet prefix 33"],
    ["IPv6 prefix over 128", ecs(2, 129, new Array(17).fill(0)), "bad client subnet prefix 129"],
    [
      "more bytes than the prefix needs",
      ecs(1, 24, [198, 51, 100, 0]),
      "bad client subnet address length 4",
    ],
    [
      "fewer bytes than the prefix needs",
      ecs(1, 24, [198, 51]),
      "bad client subnet address length 2",
    ],
  ])("client subnet %s", (_, data, what) => {
    const parsed = withOpt(opt(1232, data));
    expect([parsed.edns?.ecs, parsed.error]).toEqual([null, `edns: ${what} at offset 40`]);
  });

  test("an option longer than its record", () => {
    const record = opt(1232, [...option(10, new Array(8).fill(1)), 0, 12, 0, 9, 1]);
    expect(withOpt(record).error).toBe("edns: option 12 overruns record at offset 52");
  });

  test("an option cut by the end of the message is the record's fault", () => {
    // RDLENGTH claims 12 bytes; the message stops 6 bytes into them.
    const record = [
      0,
      0,
      41,
      4,
      0,
      0,
      0,
      0,
      0,
      0,
      12,
      ...option(10, [1, 2, 3, 4, 5, 6, 7, 8]).slice(0, 6),
    ];
    const parsed = withOpt(record);
    expect([parsed.edns?.udpSize, parsed.error]).toEqual([
      1024,
      "record: data overruns message at offset 40",
    ]);
  });

  test("an option header cut by the end of the message", () => {
    const record = [0, 0, 41, 4, 0, 0, 0, 0, 0, 0, 8, 0, 10];
    expect(withOpt(record).error).toBe("record: data overruns message at offset 40");
  });
});

test("an input that is not a byte array is reported, not thrown", () => {
  const hostile = {
    get length(): number {
      throw new TypeError("no length");
    },
  } as unknown as Uint8Array;
  expect(parseMessage(hostile).error).toBe("internal: TypeError: no length");
});
