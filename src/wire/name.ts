import { WireError } from "./wire-error.ts";

/** RFC 1035 §2.3.4: a name takes at most 255 bytes on the wire, root byte included. */
const MAX_NAME_WIRE = 255;

/**
 * A 255-byte name holds at most 127 labels, so 128 pointers are enough for
 * any name that is not pointer-to-pointer padding.
 */
const MAX_POINTERS = 128;
const TOO_MANY_POINTERS = `over ${MAX_POINTERS} compression pointers`;

/** The header is 12 bytes; nothing in it is a name (RFC 1035 §4.1.1). */
const HEADER_SIZE = 12;

/**
 * Each byte's presentation form: printable ASCII as itself, `.` and `\` with
 * a backslash, everything else as `\DDD` (RFC 1035 §5.1). Built once so a
 * label is turned into text by one lookup per byte.
 */
const BYTE_TEXT: readonly string[] = Array.from({ length: 256 }, (_, byte) => {
  if (byte === 0x2e || byte === 0x5c) return `\\${String.fromCharCode(byte)}`;
  if (byte >= 0x21 && byte <= 0x7e) return String.fromCharCode(byte);
  return `\\${String(byte).padStart(3, "0")}`;
});

/** A name read from a message, and where the bytes after it start. */
export interface NameRead {
  /** Presentation form without the trailing dot; the root is `""`. */
  name: string;
  /** Offset just after the name where it was found (after its first pointer). */
  end: number;
}

/**
 * Reads the domain name at `offset` of the message `buf`, following
 * compression pointers (RFC 1035 §4.1.4).
 *
 * A pointer must point before the labels it ends, and into the message past
 * the header: so every jump goes strictly backwards and a loop is impossible.
 * Case is kept. Throws a {@link WireError} on anything a name cannot be.
 */
export function readName(buf: Uint8Array, offset: number): NameRead {
  let name = "";
  let pos = offset;
  let segmentStart = offset;
  let end = -1;
  let pointers = 0;
  let wireLength = 1;

  for (;;) {
    const len = buf[pos];
    if (len === undefined) throw nameError("truncated", pos);
    if (len === 0) return { name, end: end < 0 ? pos + 1 : end };

    if (len >= 0xc0) {
      const target = pointerTarget(buf, pos, segmentStart);
      if (++pointers > MAX_POINTERS) throw nameError(TOO_MANY_POINTERS, pos);
      if (end < 0) end = pos + 2;
      pos = segmentStart = target;
      continue;
    }

    wireLength += checkLabel(buf, pos, len, wireLength);
    if (name.length > 0) name += ".";
    const labelEnd = pos + 1 + len;
    for (let i = pos + 1; i < labelEnd; i++) name += BYTE_TEXT[buf[i] as number];
    pos = labelEnd;
  }
}

/**
 * Steps over the name at `offset` without following its pointers and
 * returns the offset after it. Used for records whose names are not logged:
 * it checks what can be checked in place (labels, length, pointer direction).
 */
export function skipName(buf: Uint8Array, offset: number): number {
  let pos = offset;
  let wireLength = 1;

  for (;;) {
    const len = buf[pos];
    if (len === undefined) throw nameError("truncated", pos);
    if (len === 0) return pos + 1;

    if (len >= 0xc0) {
      pointerTarget(buf, pos, offset);
      return pos + 2;
    }

    wireLength += checkLabel(buf, pos, len, wireLength);
    pos += 1 + len;
  }
}

/** Checks the label at `pos` and returns the bytes it adds to the name. */
function checkLabel(buf: Uint8Array, pos: number, len: number, wireLength: number): number {
  // 0x40 (RFC 6891 §5 retired it) and 0x80 label types have no agreed length.
  if (len > 63) throw nameError(`bad label type 0x${(len & 0xc0).toString(16)}`, pos);
  if (wireLength + len + 1 > MAX_NAME_WIRE) throw nameError("longer than 255 bytes", pos);
  if (pos + 1 + len > buf.length) throw nameError("truncated", pos);
  return len + 1;
}

/** Target of the pointer at `pos`, which ends labels that began at `segmentStart`. */
function pointerTarget(buf: Uint8Array, pos: number, segmentStart: number): number {
  const low = buf[pos + 1];
  if (low === undefined) throw nameError("truncated", pos);

  const target = (((buf[pos] as number) & 0x3f) << 8) | low;
  if (target > pos) throw nameError("compression pointer points forward", pos);
  if (target >= segmentStart) throw nameError("compression pointer loops", pos);
  if (target < HEADER_SIZE) throw nameError("compression pointer into header", pos);
  return target;
}

function nameError(what: string, pos: number): WireError {
  return new WireError(`name: ${what} at offset ${pos}`);
}
