/** The message of anything thrown, for one-line diagnostics. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
