import { describe, expect, test } from "bun:test";
import { parseInteger, parseSecondsAsMs, parseSwitch } from "../../src/cli/values.ts";

describe("parseInteger", () => {
  test.each<[string, number | undefined]>([
    ["0", 0],
    ["7", 7],
    ["007", 7],
    ["10", 10],
    ["11", undefined],
    ["-1", undefined],
    ["+1", undefined],
    ["1.0", undefined],
    ["1e1", undefined],
    ["0x1", undefined],
    [" 1", undefined],
    ["", undefined],
  ])("%p within 0..10 is %p", (text, value) => {
    expect(parseInteger(text, 0, 10)).toBe(value);
  });
});

describe("parseSecondsAsMs", () => {
  test.each<[string, number | undefined]>([
    ["3", 3000],
    ["0.5", 500],
    [".25", 250],
    ["2.", 2000],
    // 0.07 * 1000 is 70.00000000000001: rounding keeps it 70.
    ["0.07", 70],
    ["0.001", 1],
    ["60", 60_000],
    ["60.0001", 60_000],
    ["0", undefined],
    ["0.0004", undefined],
    ["60.001", undefined],
    ["-1", undefined],
    ["1e1", undefined],
    ["Infinity", undefined],
    ["NaN", undefined],
    [".", undefined],
    ["", undefined],
  ])("%p is %p ms", (text, ms) => {
    expect(parseSecondsAsMs(text, 60_000)).toBe(ms);
  });
});

describe("parseSwitch", () => {
  test.each<[string, boolean | undefined]>([
    ["1", true],
    ["true", true],
    ["TRUE", true],
    ["Yes", true],
    ["0", false],
    ["false", false],
    ["no", false],
    ["on", undefined],
    ["2", undefined],
    ["", undefined],
    ["constructor", undefined],
    ["__proto__", undefined],
  ])("%p is %p", (text, value) => {
    expect(parseSwitch(text)).toBe(value);
  });
});
