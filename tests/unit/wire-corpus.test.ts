import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Question } from "../../src/event/query-event.ts";
import { type Edns, type ParsedMessage, parseMessage } from "../../src/wire/parse-message.ts";

/** The shared corpus sits beside the repository: `<repo>/../shared/corpus`. */
const SHARED_DIR = join(import.meta.dir, "..", "..", "..", "shared", "corpus");
const EXTRA_DIR = join(import.meta.dir, "..", "corpus-extra");

/** What each corpus file must parse to (see the README beside each corpus). */
interface Expected {
  questions: Question[];
  qdcount: number | null;
  opcode: number | null;
  flags: string | null;
  edns: Edns | null;
  error: string | null;
  trailingBytes: number;
}

const WWW_A: Question = { name: "www.example", type: "A", cls: "IN" };
const RD_QUERY = { qdcount: 1, opcode: 0, flags: "rd", edns: null, trailingBytes: 0 };
const noEdns = (udpSize: number): Edns => ({
  udpSize,
  version: 0,
  do: false,
  ecs: null,
  cookie: false,
});

/** A query whose first name could not be read. */
function badName(error: string): Expected {
  return { ...RD_QUERY, questions: [], error };
}

/** A one-question query, `www.example A IN` unless given. */
function query(more: Partial<Expected> = {}): Expected {
  return { ...RD_QUERY, questions: [WWW_A], error: null, ...more };
}

const SHARED: Record<string, Expected> = {
  "01-valid-a": query(),
  "02-header-only-qdcount0": query({ qdcount: 0, questions: [] }),
  "03-short-5-bytes": {
    questions: [],
    qdcount: null,
    opcode: null,
    flags: null,
    edns: null,
    error: "header: truncated at offset 5",
    trailingBytes: 0,
  },
  "04-self-pointer": badName("name: compression pointer loops at offset 12"),
  "05-forward-pointer": badName("name: compression pointer points forward at offset 12"),
  "06-label-length-64": badName("name: bad label type 0x40 at offset 12"),
  "07-name-over-255": badName("name: longer than 255 bytes at offset 204"),
  "08-dot-inside-label": query({ questions: [{ ...WWW_A, name: "a\\.b.example" }] }),
  "09-nul-inside-label": query({ questions: [{ ...WWW_A, name: "a\\000b.example" }] }),
  "10-ansi-escape-label": query({ questions: [{ ...WWW_A, name: "\\027[31mred.example" }] }),
  "11-newline-quote-label": query({ questions: [{ ...WWW_A, name: 'x"\\010\\\\y.example' }] }),
  "12-type-https": query({ questions: [{ ...WWW_A, type: "HTTPS" }] }),
  "13-unknown-type-class": query({ questions: [{ ...WWW_A, type: "TYPE65280", cls: "CLASS42" }] }),
  "14-qdcount-2": query({
    qdcount: 2,
    questions: [WWW_A, { name: "mail.example", type: "AAAA", cls: "IN" }],
  }),
  "15-response-bit-set": query({ flags: "qr rd ra" }),
  "16-opt-option-overruns": query({
    edns: noEdns(4096),
    error: "edns: option 8 overruns record at offset 40",
  }),
  "17-trailing-garbage": query({ trailingBytes: 12 }),
  "18-opcode-status-no-question": query({ opcode: 2, flags: "", qdcount: 0, questions: [] }),
  "19-ecs-and-do": query({
    edns: { udpSize: 1232, version: 0, do: true, ecs: "198.51.100.0/24", cookie: false },
  }),
  "20-chaos-version-bind": query({ questions: [{ name: "version.bind", type: "TXT", cls: "CH" }] }),
};

const LABEL_63 = "a".repeat(63);
const EXTRA: Record<string, Expected> = {
  "e01-pointer-chain-200": query({
    qdcount: 3,
    // Q1 and Q2 carry the pointers as label bytes; they are names all the same.
    questions: [expect.objectContaining({ type: "A" }), expect.objectContaining({ type: "A" })],
    error: "name: over 128 compression pointers at offset 159",
  }),
  "e02-label-type-0x41": badName("name: bad label type 0x40 at offset 12"),
  "e03-label-type-0x80": badName("name: bad label type 0x80 at offset 12"),
  "e04-pointer-into-header": badName("name: compression pointer into header at offset 16"),
  "e05-name-255-bytes": query({
    questions: [{ ...WWW_A, name: `${LABEL_63}.${LABEL_63}.${LABEL_63}.${"b".repeat(61)}` }],
  }),
  "e06-name-256-bytes": badName("name: longer than 255 bytes at offset 204"),
  "e07-label-63": query({ questions: [{ ...WWW_A, name: `${LABEL_63}.example` }] }),
  "e08-ecs-ipv6-and-cookie": query({
    flags: "rd ad",
    edns: { udpSize: 4096, version: 0, do: false, ecs: "2001:db8::/56", cookie: true },
  }),
  "e09-opt-truncated-option-header": query({
    edns: noEdns(1232),
    error: "edns: truncated option header at offset 40",
  }),
  "e10-ancount-records-missing": query({ error: "name: truncated at offset 29" }),
  "e11-second-opt": query({
    edns: noEdns(1232),
    error: "edns: second OPT record at offset 40",
  }),
  "e12-ecs-bad-family": query({
    edns: noEdns(1232),
    error: "edns: bad client subnet family 3 at offset 40",
  }),
  "e13-record-data-overruns": query({
    flags: "qr rd ra",
    error: "record: data overruns message at offset 41",
  }),
  "e14-response-with-answer": query({ flags: "qr rd ra" }),
  "e15-second-question-compressed": query({
    qdcount: 2,
    questions: [WWW_A, { name: "mail.example", type: "AAAA", cls: "IN" }],
  }),
  "e16-qdcount-65535": query({ qdcount: 65535, error: "name: truncated at offset 29" }),
  "e17-zeros-65535": query({ qdcount: 0, flags: "", questions: [], trailingBytes: 65523 }),
  "e18-root-name-ns": query({ flags: "", questions: [{ name: "", type: "NS", cls: "IN" }] }),
};

function readCorpus(dir: string): Map<string, Uint8Array> {
  const files = readdirSync(dir).filter((file) => file.endsWith(".hex"));
  return new Map(
    files.map((file) => {
      const hex = readFileSync(join(dir, file), "utf8").trim();
      return [file.slice(0, -".hex".length), Buffer.from(hex, "hex")];
    }),
  );
}

function summary(parsed: ParsedMessage): Expected {
  return {
    questions: parsed.questions,
    qdcount: parsed.header?.qdcount ?? null,
    opcode: parsed.header?.opcode ?? null,
    flags: parsed.flags,
    edns: parsed.edns,
    error: parsed.error,
    trailingBytes: parsed.trailingBytes,
  };
}

describe.each([
  ["shared corpus", SHARED_DIR, SHARED],
  ["corpus-extra", EXTRA_DIR, EXTRA],
] as const)("%s", (_, dir, expectations) => {
  const corpus = readCorpus(dir);

  test("every file has an expectation and every expectation a file", () => {
    expect([...corpus.keys()].sort()).toEqual(Object.keys(expectations).sort());
  });

  test.each(Object.entries(expectations))("%s", (file, expected) => {
    const bytes = corpus.get(file);
    if (bytes === undefined) throw new Error(`${file}.hex is missing from ${dir}`);
    expect(summary(parseMessage(bytes))).toEqual(expected);
  });
});
