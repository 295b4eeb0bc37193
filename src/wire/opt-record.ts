import type { ParsedMessage } from "./parse-message.ts";

/** The UDP payload size udpot's own replies advertise (the DNS Flag Day 2020 value). */
export const REPLY_UDP_SIZE = 1232;

/** An OPT pseudo-record (name, type, class, TTL, RDLENGTH) with no options. */
const OPT_SIZE = 11;

/**
 * Appends an OPT record to a reply udpot makes itself (SERVFAIL, a
 * truncated reply) when the query carried one: RFC 6891 section 7 wants
 * it echoed, and a real resolver does, so leaving it out would tell a
 * scanner it is not talking to one. The DO bit is copied (RFC 3225).
 * `reply`'s ARCOUNT must be 0.
 */
export function withOptIfAsked(reply: Uint8Array, parsed: ParsedMessage): Uint8Array {
  if (parsed.edns === null || reply.length < 12) return reply;
  const out = new Uint8Array(reply.length + OPT_SIZE);
  out.set(reply);
  out[11] = 1; // ARCOUNT
  const at = reply.length;
  // Root name (one zero byte), TYPE 41.
  out[at + 2] = 41;
  out[at + 3] = REPLY_UDP_SIZE >> 8;
  out[at + 4] = REPLY_UDP_SIZE & 0xff;
  // TTL: extended RCODE 0, version 0, then the DO bit.
  out[at + 7] = parsed.edns.do ? 0x80 : 0;
  return out;
}
