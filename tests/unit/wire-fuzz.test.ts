import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  MAX_QUESTIONS_KEPT,
  type ParsedMessage,
  parseMessage,
} from "../../src/wire/parse-message.ts";

/**
 * Bounded mutation fuzzing of parseMessage, seeded from both corpora with a
 * fixed PRNG seed, so every run checks the same 100,000 messages.
 */
const MESSAGES = 100_000;
const SEED = 0x5eed_d115;

const CORPUS_DIRS = [
  join(import.meta.dir, "..", "..", "..", "shared", "corpus"),
  join(import.meta.dir, "..", "corpus-extra"),
];

/** Bytes that mean something to a DNS parser: label limits, pointer marks, OPT. */
const INTERESTING = [0x00, 0x01, 0x0c, 0x29, 0x3f, 0x40, 0x41, 0x80, 0xbf, 0xc0, 0xc1, 0xff];

/** Mulberry32: small, fast and the same everywhere. */
function prng(seed: number): (below: number) => number {
  let state = seed >>> 0;
  return (below) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % below) >>> 0;
  };
}

function seeds(): Uint8Array[] {
  return CORPUS_DIRS.flatMap((dir) =>
    readdirSync(dir)
      .filter((file) => file.endsWith(".hex"))
      .sort()
      .map((file) => Buffer.from(readFileSync(join(dir, file), "utf8").trim(), "hex"))
      // The 64 KiB one would only make every mutation of it slow.
      .filter((bytes) => bytes.length < 4096),
  );
}

/** One to six bit flips, byte sets, truncations or insertions. */
function mutate(source: Uint8Array, random: (below: number) => number): Uint8Array {
  let bytes = Array.from(source);
  const steps = 1 + random(6);
  for (let i = 0; i < steps; i++) {
    const at = random(bytes.length + 1);
    const kind = random(5);
    if (kind === 0 && at < bytes.length) bytes[at] = (bytes[at] as number) ^ (1 << random(8));
    else if (kind === 1 && at < bytes.length)
      bytes[at] = INTERESTING[random(INTERESTING.length)] ?? 0;
    else if (kind === 2 && at < bytes.length) bytes[at] = random(256);
    else if (kind === 3) bytes = bytes.slice(0, at);
    else bytes.splice(at, 0, ...Array.from({ length: 1 + random(4) }, () => random(256)));
  }
  return Uint8Array.from(bytes);
}

/**
 * Wire length of a name in the escaped presentation form: each `\DDD`, `\.`,
 * `\\` or plain character is one byte, plus one length byte per label and
 * the root byte.
 */
function wireLength(name: string): number {
  if (name === "") return 1;
  let bytes = 2; // the first label's length byte and the root byte
  for (let i = 0; i < name.length; i++) {
    if (name[i] === ".") bytes++;
    else if (name[i] === "\\") {
      i += /\d/.test(name[i + 1] ?? "") ? 3 : 1;
      bytes++;
    } else bytes++;
  }
  return bytes;
}

/** The properties every parse must have, as a list of the broken ones. */
function brokenProperties(input: Uint8Array, parsed: ParsedMessage): string[] {
  const broken: string[] = [];
  if ((parsed.header === null) !== input.length < 12) broken.push("header presence");
  if (parsed.questions.length > MAX_QUESTIONS_KEPT) broken.push("question count");
  if (parsed.questions.some((q) => wireLength(q.name) > 255)) broken.push("name over 255 bytes");
  if (parsed.questionEnd > input.length) broken.push("questionEnd past the end");
  if (parsed.trailingBytes < 0 || parsed.trailingBytes > input.length) broken.push("trailing");
  if (parsed.error !== null && parsed.trailingBytes !== 0) broken.push("trailing with error");
  const reasonShape = /^(header|name|question|record|edns): [a-z0-9 A-Z]+ at offset \d+$/;
  if (parsed.error !== null && !reasonShape.test(parsed.error)) broken.push("reason wording");
  return broken;
}

test(`${MESSAGES} mutated messages parse without throwing or breaking a limit`, () => {
  const random = prng(SEED);
  const corpus = seeds();
  const failures: string[] = [];
  const parts = new Set<string>();

  for (let i = 0; i < MESSAGES && failures.length < 5; i++) {
    const input = mutate(corpus[random(corpus.length)] as Uint8Array, random);
    try {
      const parsed = parseMessage(input);
      const broken = brokenProperties(input, parsed);
      if (broken.length > 0) failures.push(`${Buffer.from(input).toString("hex")}: ${broken}`);
      parts.add(parsed.error?.split(":")[0] ?? "ok");
    } catch (err) {
      failures.push(`${Buffer.from(input).toString("hex")}: threw ${err}`);
    }
  }

  expect(failures).toEqual([]);
  // The mutations reach every part of the parser, not only the header check.
  expect([...parts].sort()).toEqual(["edns", "header", "name", "ok", "question", "record"]);
});

test("the wire length helper counts escapes as one byte", () => {
  expect([wireLength(""), wireLength("a\\.b.c"), wireLength("\\000\\\\x")]).toEqual([1, 7, 5]);
});
