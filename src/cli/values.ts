/**
 * Readers for option values. Each returns undefined when the text is not in
 * the accepted form, so the caller can name the option and the form once.
 */

/** Plain decimal digits within [min, max]; no sign, exponent, fraction or spaces. */
export function parseInteger(text: string, min: number, max: number): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}

/** Seconds such as `3`, `0.5` or `.25`, converted to whole milliseconds in (0, maxMs]. */
export function parseSecondsAsMs(text: string, maxMs: number): number | undefined {
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(text)) return undefined;
  // Rounding, not ceiling: 0.07 * 1000 is 70.00000000000001 in binary floating point.
  const ms = Math.round(Number(text) * 1000);
  return ms >= 1 && ms <= maxMs ? ms : undefined;
}

// A Map, not an object literal: "constructor" must not find Object.prototype.
const SWITCH_WORDS = new Map<string, boolean>([
  ["1", true],
  ["true", true],
  ["yes", true],
  ["0", false],
  ["false", false],
  ["no", false],
]);

/** A switch set from the environment: 1/true/yes or 0/false/no, any letter case. */
export function parseSwitch(text: string): boolean | undefined {
  return SWITCH_WORDS.get(text.toLowerCase());
}
