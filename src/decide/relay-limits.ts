import type { Config } from "../cli/config.ts";
import { PrefixBudget } from "./prefix-budget.ts";
import { RateCap } from "./rate-cap.ts";

/**
 * Why a relay the source budget allowed was held back anyway:
 * - prefix: the source's network spent its budget;
 * - prefix-table-full: the network table is full of live networks;
 * - rate: the global relay rate cap.
 */
export type LimitVerdict = "relay" | "prefix" | "prefix-table-full" | "rate";

/**
 * The caps that stop udpot from being an amplifier, applied after the
 * per-source budget said "relay": the per-network budget first, then the
 * global rate. In that order a flood aimed at one network spends that
 * network's budget, not the tokens everybody else needs.
 */
export class RelayLimits {
  /** Null when `--prefix-count 0`. */
  readonly prefixes: PrefixBudget | null;
  /** Null when `--max-relay-qps 0`. */
  readonly rate: RateCap | null;

  constructor(prefixes: PrefixBudget | null, rate: RateCap | null) {
    this.prefixes = prefixes;
    this.rate = rate;
  }

  /** The limits the configuration asks for; the network table is capped like the source table. */
  static fromConfig(config: Config, now: number): RelayLimits {
    const prefixes =
      config.prefixCount > 0
        ? new PrefixBudget({
            limit: config.prefixCount,
            windowMs: config.reqTimeoutSec * 1000,
            maxEntries: config.maxSources,
            v4Bits: config.prefixV4,
            v6Bits: config.prefixV6,
          })
        : null;
    const rate = config.maxRelayQps > 0 ? new RateCap(config.maxRelayQps, now) : null;
    return new RelayLimits(prefixes, rate);
  }

  admit(address: string, now: number): LimitVerdict {
    if (this.prefixes !== null) {
      const verdict = this.prefixes.admit(address, now);
      if (verdict === "limited") return "prefix";
      if (verdict === "table-full") return "prefix-table-full";
    }
    if (this.rate !== null && !this.rate.take(now)) return "rate";
    return "relay";
  }
}
