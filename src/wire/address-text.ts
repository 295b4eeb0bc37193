/**
 * Text forms of the address prefixes that EDNS Client Subnet carries
 * (RFC 7871 §6): the option holds only the prefix's leading bytes, so the
 * bytes from `end` on count as zero.
 */

/** Dotted quad of the up to 4 bytes in `buf[start, end)`: `198.51.100.0`. */
export function ipv4Text(buf: Uint8Array, start: number, end: number): string {
  let text = "";
  for (let i = 0; i < 4; i++) {
    const pos = start + i;
    text += `${i > 0 ? "." : ""}${pos < end ? (buf[pos] ?? 0) : 0}`;
  }
  return text;
}

/** RFC 5952 text of the up to 16 bytes in `buf[start, end)`: `2001:db8::`. */
export function ipv6Text(buf: Uint8Array, start: number, end: number): string {
  const groups: number[] = [];
  for (let pos = start; pos < start + 16; pos += 2) {
    const high = pos < end ? (buf[pos] ?? 0) : 0;
    const low = pos + 1 < end ? (buf[pos + 1] ?? 0) : 0;
    groups.push((high << 8) | low);
  }

  const [runStart, runLength] = longestZeroRun(groups);
  // RFC 5952 §4.2.2: a single zero group is never shortened to "::".
  if (runLength < 2) return groups.map((g) => g.toString(16)).join(":");

  const head = groups.slice(0, runStart).map((g) => g.toString(16));
  const tail = groups.slice(runStart + runLength).map((g) => g.toString(16));
  return `${head.join(":")}::${tail.join(":")}`;
}

/** Start and length of the first longest run of zero groups (RFC 5952 §4.2.3). */
function longestZeroRun(groups: readonly number[]): [number, number] {
  let bestStart = 0;
  let bestLength = 0;
  let runStart = 0;
  for (let i = 0; i <= groups.length; i++) {
    if (i < groups.length && groups[i] === 0) continue;
    if (i - runStart > bestLength) {
      bestStart = runStart;
      bestLength = i - runStart;
    }
    runStart = i + 1;
  }
  return [bestStart, bestLength];
}
