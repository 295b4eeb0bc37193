/**
 * What the database sink makes of Bun.SQL's errors: which ones may go away
 * by themselves, and one readable line for each.
 */

/** A statement the server did not answer in time; the connection was dropped. */
export class NoAnswerError extends Error {
  /** A code `isUnreachable` knows: the server, or the way to it, hangs. */
  readonly code = "ETIMEDOUT";
}

/**
 * Errors about reaching the server, which may go away by themselves: it is
 * down, restarting, out of connection slots, busy, or the network is.
 * Anything else (a refused login, a missing database, a missing right)
 * will not, and is worth stopping the start for.
 */
export function isUnreachable(error: unknown): boolean {
  const { code, errno, sqlState } = errorCodes(error);
  if (/^ERR_(POSTGRES|MYSQL)_CONNECTION_(REFUSED|TIMEOUT|CLOSED|FAILED)$/.test(code)) return true;
  if (UNREACHABLE_SYSTEM_CODES.has(code)) return true;
  // MySQL's own numbers, next to its SQLSTATE (class 08 below).
  if (code.startsWith("ERR_MYSQL_")) {
    return sqlState.startsWith("08") || UNREACHABLE_MYSQL_ERRORS.has(errno);
  }
  // SQLSTATE class 08 (connection exception), 57P01-03 (the server is
  // shutting down or starting up), 53300 (too many connections), 57014
  // (statement timeout: a lock held elsewhere, or an overloaded server).
  return /^08|^57P0[123]$|^53300$|^57014$/.test(errno);
}

/**
 * MySQL and MariaDB errors that may go away by themselves: too many
 * connections (1040), shutting down (1053), lock wait timeout (1205),
 * deadlock (1213), query or connection killed (1317, 1927), statement
 * time limit (MariaDB 1969, MySQL 3024), and any error whose SQLSTATE is
 * of class 08, connection exception (checked apart).
 */
const UNREACHABLE_MYSQL_ERRORS = new Set([
  "1040",
  "1053",
  "1205",
  "1213",
  "1317",
  "1927",
  "1969",
  "3024",
]);

const UNREACHABLE_SYSTEM_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "ENETDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
]);

/** Bun says "Failed to connect" for all of these; the code tells which. */
const CONNECTION_PROBLEMS: Record<string, string> = {
  REFUSED: "connection refused",
  TIMEOUT: "connection timed out",
  CLOSED: "connection closed",
  FAILED: "connection closed during the handshake",
};

/**
 * One line for a driver error: the server's message with its SQLSTATE
 * (`password authentication failed for user "x" (28P01)`), or what went
 * wrong with the connection and Bun's code for it.
 */
export function describeSqlError(error: unknown): string {
  const { code, errno } = errorCodes(error);
  const connection = /^ERR_[A-Z]+_CONNECTION_([A-Z]+)$/.exec(code)?.[1];
  const problem = connection === undefined ? undefined : CONNECTION_PROBLEMS[connection];
  const message = problem ?? (error instanceof Error ? error.message : String(error));
  const tag = errno || code;
  return tag && !message.includes(tag) ? `${message} (${tag})` : message;
}

/**
 * Bun's `code` (`ERR_POSTGRES_SERVER_ERROR`), the server's `errno` (the
 * SQLSTATE on PostgreSQL, a number on MySQL) and MySQL's `sqlState`.
 */
function errorCodes(error: unknown): { code: string; errno: string; sqlState: string } {
  if (typeof error !== "object" || error === null) return { code: "", errno: "", sqlState: "" };
  const { code, errno, sqlState } = error as {
    code?: unknown;
    errno?: unknown;
    sqlState?: unknown;
  };
  return {
    code: typeof code === "string" ? code : "",
    errno: typeof errno === "string" || typeof errno === "number" ? String(errno) : "",
    sqlState: typeof sqlState === "string" ? sqlState : "",
  };
}
