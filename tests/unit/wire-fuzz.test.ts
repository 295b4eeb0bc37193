import { expect, test } from "bun:test";
import {
  MAX_QUESTIONS_KEPT,
  type ParsedMessage,
  parseMessage,
} from "../../src/wire/parse-message.ts";
import { corpusSeeds, mutate, prng } from "../helpers/hostile-mutate.ts";

/**
 * Bounded mutation fuzzing of parseMessage, seeded from both corpora with a
 * fixed PRNG seed, so every run checks the same 100,000 messages.
 */
const MESSAGES = 100_000;
const SEED = 0x5eed_d115;

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
  // The 64 KiB message is left out: it would only make every mutation of it slow.
  const corpus = corpusSeeds(4096);
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
