/** How one relayed query ended. */
export type RelayOutcome =
  | { kind: "reply"; bytes: Uint8Array; ms: number }
  | { kind: "timeout"; ms: number }
  | { kind: "error"; ms: number; reason: string };

export type RelayDone = (outcome: RelayOutcome) => void;

/** Counters the relay keeps for the shutdown summary and `--verbosity 1`. */
export interface RelayCounters {
  /** Replies whose ID matched no query in flight (late, spoofed, duplicate). */
  unknownReplies: number;
  /** Replies from an address other than the upstream. */
  strangerReplies: number;
  /** Replies shorter than a DNS header. */
  runtReplies: number;
  timeouts: number;
  errors: number;
}

export function newRelayCounters(): RelayCounters {
  return { unknownReplies: 0, strangerReplies: 0, runtReplies: 0, timeouts: 0, errors: 0 };
}
