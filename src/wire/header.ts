import { u16 } from "./_bytes.ts";

/** The fixed 12-byte DNS header (RFC 1035 §4.1.1, flags from RFC 2535 §6.1). */
export interface Header {
  id: number;
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  z: boolean;
  ad: boolean;
  cd: boolean;
  rcode: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
}

/** Size of the header; the question section starts right after it. */
export const HEADER_SIZE = 12;

/**
 * The text of every flag combination, built once. The key packs the flag
 * bits of header bytes 2 and 3 into one byte: see {@link flagKey}.
 */
const FLAGS_TEXT: readonly string[] = Array.from({ length: 256 }, (_, key) => {
  const names = ["qr", "aa", "tc", "rd", "ra", "z", "ad", "cd"];
  const bits = [0x80, 0x04, 0x02, 0x01, 0x40, 0x20, 0x10, 0x08];
  return names.filter((_, i) => (key & (bits[i] as number)) !== 0).join(" ");
});

/** QR, AA, TC, RD stay in place; RA, Z, AD, CD move one bit down into the gap. */
function flagKey(byte2: number, byte3: number): number {
  return (byte2 & 0x87) | ((byte3 & 0xf0) >> 1);
}

/** Reads the header of a message of at least {@link HEADER_SIZE} bytes. */
export function readHeader(buf: Uint8Array): Header {
  const byte2 = buf[2] as number;
  const byte3 = buf[3] as number;
  return {
    id: u16(buf, 0),
    qr: (byte2 & 0x80) !== 0,
    opcode: (byte2 >> 3) & 0x0f,
    aa: (byte2 & 0x04) !== 0,
    tc: (byte2 & 0x02) !== 0,
    rd: (byte2 & 0x01) !== 0,
    ra: (byte3 & 0x80) !== 0,
    z: (byte3 & 0x40) !== 0,
    ad: (byte3 & 0x20) !== 0,
    cd: (byte3 & 0x10) !== 0,
    rcode: byte3 & 0x0f,
    qdcount: u16(buf, 4),
    ancount: u16(buf, 6),
    nscount: u16(buf, 8),
    arcount: u16(buf, 10),
  };
}

/**
 * The set flags of a message of at least {@link HEADER_SIZE} bytes, lower
 * case, in header order (`qr aa tc rd ra z ad cd`), e.g. `rd ad`; `""` when
 * none is set.
 */
export function flagsText(buf: Uint8Array): string {
  return FLAGS_TEXT[flagKey(buf[2] as number, buf[3] as number)] as string;
}
