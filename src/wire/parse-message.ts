import type { Question } from "../event/query-event.ts";
import { u16 } from "./_bytes.ts";
import { type Edns, ednsFromOpt, readOptions } from "./edns.ts";
import { flagsText, HEADER_SIZE, type Header, readHeader } from "./header.ts";
import { readName, skipName } from "./name.ts";
import { className } from "./rr-classes.ts";
import { TYPE_OPT, typeName } from "./rr-types.ts";
import { WireError } from "./wire-error.ts";

export type { Edns } from "./edns.ts";
export type { Header } from "./header.ts";

/**
 * Questions kept per message. Real queries carry one; the rest of a
 * hostile qdcount is still walked and checked but not turned into text, so
 * one 64 KiB message cannot make an event of thousands of names.
 */
export const MAX_QUESTIONS_KEPT = 16;

/** Everything udpot records about a message, read in one pass. */
export interface ParsedMessage {
  /** Null when the message is shorter than a header. */
  header: Header | null;
  /** Set flags, lower case, in header order (`qr aa tc rd ra z ad cd`), e.g. `rd ad`. */
  flags: string | null;
  /** The questions that parsed, in order, at most {@link MAX_QUESTIONS_KEPT}. */
  questions: Question[];
  /** Offset just past the first question if it parsed, else 12 (0 without a header). */
  questionEnd: number;
  /** From the first OPT record in the additional section (RFC 6891 §6.1.1). */
  edns: Edns | null;
  /** First reason the message could not be fully parsed; null when it could. */
  error: string | null;
  /** Bytes after the last record the header counts announce; 0 when parsing failed. */
  trailingBytes: number;
}

/**
 * Reads a DNS message as it came off the wire. Never throws: what could not
 * be read becomes `error`, and what was read before it is kept (a query
 * with a broken OPT record still has its header and question).
 *
 * Answer and authority records are stepped over, not decoded; in the
 * additional section only OPT is read.
 */
export function parseMessage(buf: Uint8Array): ParsedMessage {
  const msg: ParsedMessage = {
    header: null,
    flags: null,
    questions: [],
    questionEnd: 0,
    edns: null,
    error: null,
    trailingBytes: 0,
  };

  try {
    if (buf.length < HEADER_SIZE) throw new WireError(`header: truncated at offset ${buf.length}`);
    const header = readHeader(buf);
    msg.header = header;
    msg.flags = flagsText(buf);
    msg.questionEnd = HEADER_SIZE;

    let pos = readQuestions(buf, header.qdcount, msg);
    pos = skipRecords(buf, pos, header.ancount + header.nscount);
    pos = readAdditional(buf, pos, header.arcount, msg);
    msg.trailingBytes = buf.length - pos;
  } catch (err) {
    msg.error = err instanceof WireError ? err.reason : `internal: ${String(err)}`;
  }
  return msg;
}

/** Reads the question section (RFC 1035 §4.1.2) and returns the offset after it. */
function readQuestions(buf: Uint8Array, count: number, msg: ParsedMessage): number {
  let pos = HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    if (i >= MAX_QUESTIONS_KEPT) {
      pos = fixedFieldsEnd(buf, skipName(buf, pos), 4, "question");
      continue;
    }

    const { name, end } = readName(buf, pos);
    pos = fixedFieldsEnd(buf, end, 4, "question");
    msg.questions.push({ name, type: typeName(u16(buf, end)), cls: className(u16(buf, end + 2)) });
    if (i === 0) msg.questionEnd = pos;
  }
  return pos;
}

/** Steps over `count` resource records (RFC 1035 §4.1.3). */
function skipRecords(buf: Uint8Array, start: number, count: number): number {
  let pos = start;
  for (let i = 0; i < count; i++) {
    const fixed = skipName(buf, pos);
    pos = recordEnd(buf, fixed, fixedFieldsEnd(buf, fixed, 10, "record"));
  }
  return pos;
}

/** Steps over the additional section, reading the OPT record on the way. */
function readAdditional(buf: Uint8Array, start: number, count: number, msg: ParsedMessage): number {
  let pos = start;
  for (let i = 0; i < count; i++) {
    const fixed = skipName(buf, pos);
    const rdStart = fixedFieldsEnd(buf, fixed, 10, "record");

    if (u16(buf, fixed) === TYPE_OPT) {
      // RFC 6891 §6.1.1: more than one OPT record makes the message malformed.
      if (msg.edns !== null) throw new WireError(`edns: second OPT record at offset ${pos}`);
      msg.edns = ednsFromOpt(buf, fixed);
      readOptions(buf, rdStart, rdStart + u16(buf, fixed + 8), msg.edns);
    }
    pos = recordEnd(buf, fixed, rdStart);
  }
  return pos;
}

/** Offset after `size` fixed bytes at `pos`, which must all be in the message. */
function fixedFieldsEnd(buf: Uint8Array, pos: number, size: number, part: string): number {
  if (pos + size > buf.length) throw new WireError(`${part}: truncated at offset ${pos}`);
  return pos + size;
}

/** Offset after the RDATA of the record whose fixed fields start at `fixed`. */
function recordEnd(buf: Uint8Array, fixed: number, rdStart: number): number {
  const end = rdStart + u16(buf, fixed + 8);
  if (end > buf.length) throw new WireError(`record: data overruns message at offset ${rdStart}`);
  return end;
}
