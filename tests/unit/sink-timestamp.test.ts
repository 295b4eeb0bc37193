import { describe, expect, test } from "bun:test";
import { formatTimestamp, nowMicros } from "../../src/event/timestamp.ts";

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/;

describe("formatTimestamp", () => {
  test.each([
    [0, "1970-01-01T00:00:00.000000+00:00"],
    [1_767_695_445_123_456, "2026-01-06T10:30:45.123456+00:00"],
    [1_767_695_445_000_007, "2026-01-06T10:30:45.000007+00:00"],
    [1_767_695_445_999_999, "2026-01-06T10:30:45.999999+00:00"],
    [1_767_695_446_000_000, "2026-01-06T10:30:46.000000+00:00"],
    [1_767_743_999_999_999.5, "2026-01-06T23:59:59.999999+00:00"],
  ])("%p -> %s", (micros, expected) => {
    expect(formatTimestamp(micros)).toBe(expected);
  });

  test("stays right when the second goes backwards (the prefix cache is keyed by second)", () => {
    const later = formatTimestamp(1_767_695_446_000_001);
    const earlier = formatTimestamp(1_767_695_445_000_001);
    expect([later, earlier]).toEqual([
      "2026-01-06T10:30:46.000001+00:00",
      "2026-01-06T10:30:45.000001+00:00",
    ]);
  });
});

describe("nowMicros", () => {
  test("is the wall clock in microseconds and formats in the old tool's shape", () => {
    const micros = nowMicros();
    expect(Number.isInteger(micros)).toBe(true);
    // Within a second of Date.now: same clock, different resolution.
    expect(Math.abs(micros / 1000 - Date.now())).toBeLessThan(1000);
    expect(formatTimestamp(micros)).toMatch(TIMESTAMP);
  });

  test("keeps its microseconds after quiet seconds (the wall-clock check)", async () => {
    // The first reading after a quiet second runs the check against
    // Date.now(). Twice in a row ending in 000 means it threw the
    // sub-millisecond part away (by chance: one in a million).
    const endings: number[] = [];
    for (let i = 0; i < 2; i++) {
      await Bun.sleep(1100);
      endings.push(nowMicros() % 1000);
    }
    expect(endings).not.toEqual([0, 0]);
  });
});
