import { expect, test } from "bun:test";
import { fuzzHandler } from "../helpers/hostile-fuzz.ts";

/** Longer than bun's default 5 s: this file does a lot of work on purpose. */
const LONG_TEST_MS = 60_000;

/**
 * Bounded mutation fuzzing of the whole decision path (parse, event,
 * budgets, limits, reply cap, recorder), seeded from both corpora with a
 * fixed seed so every run checks the same messages. `scripts/fuzz` runs
 * the same harness for as long as one likes.
 */
const MESSAGES = 60_000;

test(
  `${MESSAGES} mutated messages: one event each, no throw, replies within the rules`,
  async () => {
    const report = await fuzzHandler({ count: MESSAGES, seed: 0x00d0_5eed });
    expect(report.findings).toEqual([]);
    expect([report.messages, report.stored]).toEqual([MESSAGES, MESSAGES]);
    // The mutations and the fake upstream reach every fate a message can have.
    expect(Object.keys(report.actions).sort()).toEqual([
      "limited",
      "malformed",
      "relay-error",
      "relay-timeout",
      "relayed",
      "response-ignored",
      "sinkholed",
    ]);
  },
  LONG_TEST_MS,
);
