import type { Config } from "../../src/cli/config.ts";

/**
 * Every setting at its documented default, with 192.0.2.53 as upstream
 * (the nameserver the parser tests put in resolv.conf). The parser tests
 * expect it as is; in-process servers start from it.
 */
export const DEFAULT_CONFIG: Config = {
  upstream: { address: "192.0.2.53", port: 53, family: 4 },
  bind: "::",
  port: 5053,
  reqCount: 3,
  reqTimeoutSec: 86400,
  upstreamTimeoutMs: 3000,
  database: { kind: "sqlite", path: "db.sqlite3" },
  jsonLog: null,
  jsonRotate: false,
  verbose: false,
  verbosity: 0,
  maxSources: 1_000_000,
  tcpIdleMs: 10_000,
  tcpMaxConnections: 512,
  tcpMaxPerSource: 8,
  recvBufferBytes: 8_388_608,
  prefixV4: 24,
  prefixV6: 56,
  prefixCount: 10,
  maxRelayQps: 100,
  maxReplyBytes: 512,
};
