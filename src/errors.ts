/**
 * The one error class udpot throws on purpose. Only the CLI entry point
 * catches it: it prints the message and exits with `exitCode`.
 */
export class UdpotError extends Error {
  constructor(
    readonly code: UdpotErrorCode,
    message: string,
    readonly exitCode = code === "usage" ? 2 : 1,
  ) {
    super(message);
    this.name = "UdpotError";
  }
}

/** usage: bad command line; startup: a socket or file could not be opened. */
export type UdpotErrorCode = "usage" | "startup";

/**
 * The message of anything thrown or passed to an error callback, for
 * one-line diagnostics. Bun's socket callbacks can pass `undefined`.
 */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return error === undefined ? "unknown error" : String(error);
}
