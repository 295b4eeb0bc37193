/**
 * `text[from, to)` as the 32-bit number of a dotted quad; -1 for anything
 * that is not four decimal parts of 0-255 without leading zeros (IPv6,
 * names, odd forms), so that every number stands for exactly one text.
 * Read without allocating: both budgets call it per packet.
 */
export function readDottedQuad(text: string, from = 0, to = text.length): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  for (let i = from; i <= to; i++) {
    const c = i < to ? text.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      if (digits === 0 || parts === 4) return -1;
      value = value * 256 + part;
      parts++;
      part = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits > 0 && part === 0) return -1;
      part = part * 10 + (c - 0x30);
      if (++digits > 3 || part > 255) return -1;
    } else {
      return -1;
    }
  }
  return parts === 4 ? value : -1;
}

/** `192.0.2.7` as 0xc0000207, or -1 (see readDottedQuad). */
export function ipv4Number(text: string): number {
  return readDottedQuad(text);
}

/** The inverse of `ipv4Number`. */
export function ipv4Text(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}
