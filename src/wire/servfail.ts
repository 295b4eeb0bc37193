import { HEADER_SIZE } from "./header.ts";
import { withOptIfAsked } from "./opt-record.ts";
import type { ParsedMessage } from "./parse-message.ts";
import { RCODE_SERVFAIL } from "./rcodes.ts";

/**
 * The reply udpot sends when the upstream does not answer: SERVFAIL
 * (RFC 1035 §4.1.1) with the query's ID, opcode, RD and CD, RA set, and the
 * first question copied byte for byte (qdcount 1) when it parsed, else no
 * question at all. No records but an OPT when the query had one.
 *
 * The copy is safe as it stands: a question at offset 12 cannot hold a
 * compression pointer that `readName` accepts (nothing lies before it
 * but the header), so its bytes mean the same at offset 12 of the reply.
 * Header bytes missing from a short query count as zero.
 */
export function servfailFor(query: Uint8Array, parsed: ParsedMessage): Uint8Array {
  const hasQuestion = parsed.questions.length > 0;
  const questionEnd = hasQuestion ? parsed.questionEnd : HEADER_SIZE;
  const reply = new Uint8Array(questionEnd);

  const flags = query[2] ?? 0;
  reply[0] = query[0] ?? 0;
  reply[1] = query[1] ?? 0;
  // QR=1, opcode and RD as asked; AA and TC clear.
  reply[2] = 0x80 | (flags & 0x78) | (flags & 0x01);
  // RA=1, CD as asked; Z and AD clear.
  reply[3] = 0x80 | ((query[3] ?? 0) & 0x10) | RCODE_SERVFAIL;
  reply[5] = hasQuestion ? 1 : 0;
  reply.set(query.subarray(HEADER_SIZE, questionEnd), HEADER_SIZE);
  return withOptIfAsked(reply, parsed);
}
