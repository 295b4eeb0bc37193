/**
 * Why a DNS message could not be read, in one short line.
 *
 * The reason ends up as it is in the recorded event's `error` field, so every
 * reason follows one pattern: `<part>: <what is wrong> at offset <N>`, for
 * example `name: compression pointer loops at offset 12`.
 */
export class WireError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "WireError";
  }
}
