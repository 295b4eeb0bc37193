import { isIP } from "node:net";
import { tagged } from "../log.ts";

/** Looks at this many messages before deciding. */
const SAMPLE = 200;
/** Share of the sample from one address that means "everything comes through one gateway". */
const SHARE = 0.9;
/** More distinct addresses than this and it is clearly not one gateway: stop counting. */
const MAX_DISTINCT = 16;

/**
 * Behind Docker's userland proxy, or a NAT that rewrites sources, every
 * query seems to come from one private address (the bridge gateway), and
 * the budget then treats the whole internet as one source. This watches the
 * first messages and warns once when nearly all come from one private
 * address. It keeps at most a few counters and stops after deciding.
 */
export class NatWatch {
  readonly #counts = new Map<string, number>();
  readonly #warn: (text: string) => void;
  #seen = 0;
  #done = false;

  constructor(warn: (text: string) => void = (text) => tagged("nat").warn(text)) {
    this.#warn = warn;
  }

  /** Count one message's source; call for every message. */
  see(address: string): void {
    if (this.#done) return;
    this.#seen++;
    this.#counts.set(address, (this.#counts.get(address) ?? 0) + 1);
    if (this.#counts.size > MAX_DISTINCT) this.#finish();
    else if (this.#seen >= SAMPLE) this.#decide();
  }

  #decide(): void {
    for (const [address, count] of this.#counts) {
      if (count / this.#seen < SHARE || !isPrivate(address)) continue;
      const share = Math.round((100 * count) / this.#seen);
      this.#warn(
        `${share}% of the first ${this.#seen} messages came from ${address}, a private ` +
          "address: is udpot behind Docker's NAT or a proxy that hides the real sources? " +
          "The budget then treats every scanner as one. See docs/deploy.md.",
      );
    }
    this.#finish();
  }

  #finish(): void {
    this.#done = true;
    this.#counts.clear();
  }
}

/** RFC 1918, shared (RFC 6598), link-local, and IPv6 unique-local and link-local addresses. */
export function isPrivate(address: string): boolean {
  if (isIP(address) === 4) {
    const [a = 0, b = 0] = address.split(".").map(Number);
    return (
      a === 10 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254)
    );
  }
  const lower = address.toLowerCase();
  return /^f[cd]/.test(lower) || /^fe[89ab]/.test(lower);
}
