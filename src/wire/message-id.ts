/**
 * The first two bytes of a DNS message (its ID, RFC 1035 section 4.1.1),
 * or of a TCP frame (its length); missing bytes count as zero.
 */
export function messageId(msg: Uint8Array): number {
  return ((msg[0] ?? 0) << 8) | (msg[1] ?? 0);
}

/**
 * A copy of `msg` with its ID (bytes 0-1) replaced, for relaying under a
 * fresh ID and restoring the client's on the way back. A message shorter
 * than 2 bytes is copied unchanged.
 */
export function withId(msg: Uint8Array, id: number): Uint8Array {
  // Not msg.slice(): on a Node Buffer (what sockets hand us) that is a
  // view, and the caller's bytes would change with the copy.
  const copy = Uint8Array.prototype.slice.call(msg);
  if (copy.length >= 2) {
    copy[0] = (id >>> 8) & 0xff;
    copy[1] = id & 0xff;
  }
  return copy;
}
