/**
 * The global relay rate cap (`--max-relay-qps`): a token bucket that
 * refills `perSecond` tokens a second and holds at most `perSecond`, so a
 * quiet honeypot can answer a burst of one second's worth at once.
 * Whatever the per-source and per-network budgets allow, udpot never
 * relays faster than this, so it cannot be made a fast reflector.
 *
 * Tokens are counted in thousandths, so whole milliseconds refill whole
 * units and no rounding creeps in over a long run.
 */
export class RateCap {
  readonly #perSecond: number;
  #milliTokens: number;
  #last: number;

  constructor(perSecond: number, now: number) {
    this.#perSecond = perSecond;
    this.#milliTokens = perSecond * 1000;
    this.#last = now;
  }

  /** Takes one token at `now` (ms); false when the bucket is empty. */
  take(now: number): boolean {
    // A clock that steps back refills nothing rather than going negative.
    const elapsed = Math.max(0, now - this.#last);
    this.#last = now;
    const full = this.#perSecond * 1000;
    this.#milliTokens = Math.min(full, this.#milliTokens + elapsed * this.#perSecond);
    if (this.#milliTokens < 1000) return false;
    this.#milliTokens -= 1000;
    return true;
  }
}
