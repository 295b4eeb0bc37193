/** Big-endian 16-bit value at `pos`; the caller has checked that both bytes exist. */
export function u16(buf: Uint8Array, pos: number): number {
  return ((buf[pos] as number) << 8) | (buf[pos + 1] as number);
}
