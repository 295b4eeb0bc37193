/**
 * One record per message received, whatever happened to it.
 *
 * The first seven keys are the old Python tool's, unchanged in name and
 * format, so existing jq filters and SQL keep working. Everything after
 * them is new. Keys are snake_case because they are written as they are to
 * JSON Lines and become SQLite column names.
 */
export interface QueryEvent {
  /** UTC receipt time, `2026-01-06T10:30:45.123456+00:00`. */
  timestamp: string;
  transport: Transport;
  /** IPv4-mapped IPv6 peers are shown as plain IPv4. */
  src_ip: string;
  src_port: number;
  /** First question's name in escaped presentation form, no trailing dot. */
  dns_name: string | null;
  dns_type: string | null;
  dns_cls: string | null;

  action: Action;
  /** DNS message ID as the client sent it. */
  id: number | null;
  opcode: number | null;
  /** Header flags that are set, lower case, space separated: `rd ad`. */
  flags: string | null;
  qdcount: number | null;
  questions: Question[];
  /** EDNS(0) advertised UDP payload size; null when there is no OPT record. */
  edns_udp_size: number | null;
  edns_do: boolean | null;
  /** EDNS client subnet as `address/source-prefix`, RFC 7871. */
  edns_ecs: string | null;
  edns_cookie: boolean | null;
  query_size: number;

  /** Upstream reply code mnemonic (`NOERROR`, `NXDOMAIN`, …) for relayed queries. */
  rcode: string | null;
  response_size: number | null;
  upstream_ms: number | null;

  /** Why the message could not be fully parsed; null when it could. */
  error: string | null;
  /** The message bytes in base64, kept when `error` is set. */
  raw: string | null;
  /** Bytes after the last record the header announced. */
  trailing_bytes: number;
  /**
   * Which cap held the message back: `prefix`, `prefix-table-full`, `rate`
   * or `reply-size` (action `limited`), `source-table-full` (sinkholed
   * because the source table was full); null otherwise.
   */
  limited_by: LimitedBy | null;
}

export type LimitedBy =
  | "prefix"
  | "prefix-table-full"
  | "rate"
  | "reply-size"
  | "source-table-full";

export type Transport = "UDP" | "TCP";

export interface Question {
  name: string;
  type: string;
  cls: string;
}

/**
 * What udpot did with the message.
 * - relayed: sent upstream and the upstream's reply went back.
 * - relay-timeout: no upstream reply in time; the client got SERVFAIL.
 * - relay-error: the upstream could not be reached; the client got SERVFAIL.
 * - sinkholed: the source's budget is spent; no reply.
 * - limited: held back by a prefix, rate or size cap; no reply.
 * - malformed: not even a DNS header; no reply.
 * - response-ignored: the QR bit was set; never relayed, never answered.
 * - shutdown: arrived while udpot was stopping; no reply.
 */
export type Action =
  | "relayed"
  | "relay-timeout"
  | "relay-error"
  | "sinkholed"
  | "limited"
  | "malformed"
  | "response-ignored"
  | "shutdown";
