/**
 * Network prefixes as fixed-width keys of 32-bit words, read from address
 * text without allocating: the prefix budget runs on the packet path.
 *
 * An IPv4 address is one word; an IPv6 address four, most significant
 * first. IPv4-mapped IPv6 (`::ffff:a.b.c.d`) reads as IPv4, so a source is
 * one network whichever socket family it came in on.
 */

import { readDottedQuad } from "./ipv4.ts";

/** 4 or 6 for an address that was read, 0 for text that is not one. */
export type Family = 0 | 4 | 6;

const groups = new Uint16Array(8);

/** Reads `text` into `out` (1 word for IPv4, 4 for IPv6); returns its family. */
export function readAddress(text: string, out: Uint32Array): Family {
  if (!text.includes(":")) return readIpv4(text, 0, text.length, out) ? 4 : 0;
  const zone = text.indexOf("%");
  const end = zone < 0 ? text.length : zone;
  if (!readIpv6(text, end)) return 0;
  for (let w = 0; w < 4; w++)
    out[w] = (((groups[2 * w] ?? 0) << 16) | (groups[2 * w + 1] ?? 0)) >>> 0;
  if (out[0] === 0 && out[1] === 0 && out[2] === 0xffff) {
    out[0] = out[3] ?? 0;
    return 4;
  }
  return 6;
}

/** Clears every bit after the first `bits` of the `width`-word key. */
export function maskKey(key: Uint32Array, width: number, bits: number): void {
  for (let w = 0; w < width; w++) {
    const keep = Math.min(32, Math.max(0, bits - 32 * w));
    key[w] = keep === 0 ? 0 : ((key[w] ?? 0) & (0xffffffff << (32 - keep))) >>> 0;
  }
}

/** Words a key needs to hold a prefix of `bits` (at least one). */
export function keyWidth(bits: number): number {
  return Math.max(1, Math.ceil(bits / 32));
}

/** `192.0.2.0/24` or `2001:db8:0:100::/56` (RFC 5952 form) for a masked key. */
export function prefixText(family: 4 | 6, key: Uint32Array, bits: number): string {
  if (family === 4) {
    const a = key[0] ?? 0;
    return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/${bits}`;
  }
  const parts: number[] = [];
  for (let w = 0; w < 4; w++) {
    const word = w < key.length ? (key[w] ?? 0) : 0;
    parts.push(word >>> 16, word & 0xffff);
  }
  return `${compressIpv6(parts)}/${bits}`;
}

/** RFC 5952 section 4.2: the longest run of two or more zero groups becomes `::`. */
function compressIpv6(parts: number[]): string {
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && parts[j] === 0) j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = parts.map((p) => p.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLength).join(":")}`;
}

/** Dotted quad in `text[from, to)` into `out[at]`; false when it is not one. */
function readIpv4(text: string, from: number, to: number, out: Uint32Array, at = 0): boolean {
  const value = readDottedQuad(text, from, to);
  if (value < 0) return false;
  out[at] = value;
  return true;
}

const v4Scratch = new Uint32Array(1);

/**
 * IPv6 text in `text[0, end)` into `groups` (RFC 4291 section 2.2: hex
 * groups, one `::` for a run of zeros, a dotted quad in the last 32 bits).
 */
function readIpv6(text: string, end: number): boolean {
  let count = 0;
  let gap = -1;
  let i = 0;
  if (text.startsWith("::")) {
    gap = 0;
    i = 2;
  }
  while (i < end) {
    let j = i;
    while (j < end && text.charCodeAt(j) !== 58) j++;
    if (text.lastIndexOf(".", j - 1) >= i) {
      // A dotted quad ends the address and fills two groups.
      if (j !== end || count > 6 || !readIpv4(text, i, j, v4Scratch)) return false;
      const v4 = v4Scratch[0] ?? 0;
      groups[count++] = v4 >>> 16;
      groups[count++] = v4 & 0xffff;
      break;
    }
    const group = readHexGroup(text, i, j);
    if (group < 0 || count === 8) return false;
    groups[count++] = group;
    if (j === end) break;
    if (text.charCodeAt(j + 1) === 58) {
      if (gap >= 0) return false;
      gap = count;
      j++;
    } else if (j + 1 === end) return false;
    i = j + 1;
  }
  return expandGap(count, gap);
}

/** Moves the groups after `::` to the end and zeroes the run between. */
function expandGap(count: number, gap: number): boolean {
  if (gap < 0) return count === 8;
  if (count > 7) return false;
  const tail = count - gap;
  for (let k = 1; k <= tail; k++) groups[8 - k] = groups[count - k] ?? 0;
  groups.fill(0, gap, 8 - tail);
  return true;
}

/** 1 to 4 hex digits in `text[from, to)`, or -1. */
function readHexGroup(text: string, from: number, to: number): number {
  if (to <= from || to - from > 4) return -1;
  let value = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) | 0x20;
    const digit = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}
