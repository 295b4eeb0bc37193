import { HEADER_SIZE } from "../wire/header.ts";
import { withOptIfAsked } from "../wire/opt-record.ts";
import type { ParsedMessage } from "../wire/parse-message.ts";

/**
 * The UDP reply that goes out instead of one larger than `maxBytes`
 * (`--max-reply-bytes`): the upstream's header with TC set (RFC 1035
 * section 4.1.1; RFC 7766 section 5 has the client retry over TCP), the
 * query's first question copied when it parsed and fits, an OPT record
 * when the query had one and it fits, and no other records.
 * Replies of `maxBytes` or less come back as they are.
 *
 * This keeps what a spoofed source can be sent small whatever it asks for
 * (ANY, DNSSEC, big TXT), while a real client still gets its answer over
 * TCP, where the source address cannot be forged.
 */
export function capReply(
  reply: Uint8Array,
  query: Uint8Array,
  parsed: ParsedMessage,
  maxBytes: number,
): Uint8Array {
  if (maxBytes <= 0 || reply.length <= maxBytes) return reply;
  const questionEnd = parsed.questions.length > 0 ? parsed.questionEnd : HEADER_SIZE;
  const withQuestion = questionEnd <= maxBytes;
  const out = new Uint8Array(withQuestion ? questionEnd : HEADER_SIZE);
  // ID, flags and RCODE as the upstream sent them (the ID is the client's again).
  out.set(reply.subarray(0, 4));
  out[2] = (out[2] ?? 0) | 0x02;
  out[5] = withQuestion && questionEnd > HEADER_SIZE ? 1 : 0;
  // As in servfailFor: a question at offset 12 holds no pointer, so its
  // bytes mean the same in the reply.
  if (withQuestion) out.set(query.subarray(HEADER_SIZE, questionEnd), HEADER_SIZE);
  const withOpt = withOptIfAsked(out, parsed);
  return withOpt.length <= maxBytes ? withOpt : out;
}
