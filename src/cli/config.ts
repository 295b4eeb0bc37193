/** Everything udpot needs to start, validated before any socket opens. */
export interface Config {
  upstream: Endpoint;
  /** Listen address; `::` is dual stack. */
  bind: string;
  port: number;
  /** Queries answered per source before the sinkhole. */
  reqCount: number;
  /** Quiet seconds after which a source's budget starts again. */
  reqTimeoutSec: number;
  upstreamTimeoutMs: number;
  /** null when the database is disabled (`-s ""`). */
  database: DatabaseUrl | null;
  /** null when JSON Lines logging is off. */
  jsonLog: string | null;
  jsonRotate: boolean;
  verbose: boolean;
  /** 0 warnings only, 1 info, 2 debug, 3 trace. */
  verbosity: 0 | 1 | 2 | 3;
  /** Most sources tracked by the budget at once (`--max-sources`). */
  maxSources: number;
  /** TCP: close a connection with no complete message for this long. */
  tcpIdleMs: number;
  tcpMaxConnections: number;
  tcpMaxPerSource: number;
  /** SO_RCVBUF asked for the UDP listener; 0 keeps the system default. */
  recvBufferBytes: number;
  /** Prefix lengths for the per-network relay budget. */
  prefixV4: number;
  prefixV6: number;
  /** Replies per network prefix per window; 0 disables the prefix budget. */
  prefixCount: number;
  /** Relayed queries per second, all sources; 0 disables the cap. */
  maxRelayQps: number;
  /** Largest UDP reply sent whole; 0 disables the cap. */
  maxReplyBytes: number;
}

export interface Endpoint {
  /** IPv4 or IPv6 literal, without brackets. */
  address: string;
  port: number;
  family: 4 | 6;
}

export type DatabaseUrl =
  | { kind: "sqlite" /** file path, or ":memory:" */; path: string }
  | { kind: "postgres" | "mysql"; url: string };
