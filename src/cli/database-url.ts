import type { DatabaseUrl } from "./config.ts";

/** The accepted forms, worded for error messages and the help text. */
export const DATABASE_URL_FORMS =
  "sqlite:///relative.db, sqlite:////absolute/path.db, sqlite:// (in memory), " +
  "postgresql://..., postgres://..., mysql://... or mariadb://... " +
  "(a +driver suffix such as postgresql+psycopg2:// is ignored)";

/** SQLAlchemy's `dialect+driver://rest`; the driver only mattered to Python. */
const SQLALCHEMY_URL = /^([a-z][a-z0-9_]*)(?:\+[a-z0-9_]+)?:\/\/(.*)$/s;

const SERVER_KINDS: Record<string, "postgres" | "mysql"> = {
  postgresql: "postgres",
  postgres: "postgres",
  mysql: "mysql",
  mariadb: "mysql",
};

/**
 * Reads a database URL in the old tool's SQLAlchemy forms. Returns
 * undefined for anything else, so the caller can name the option.
 */
export function parseDatabaseUrl(text: string): DatabaseUrl | undefined {
  const match = SQLALCHEMY_URL.exec(text);
  if (!match) return undefined;
  const [, dialect = "", rest = ""] = match;

  if (dialect === "sqlite") return parseSqliteRest(rest);
  const kind = SERVER_KINDS[dialect];
  if (kind === undefined) return undefined;
  const url = `${dialect}://${rest}`;
  return URL.canParse(url) ? { kind, url } : undefined;
}

/** Hides the password of a URL that is about to be printed. */
export function redactDatabaseUrl(text: string): string {
  return text.replace(/^([^:/]*:\/\/[^:/@]*):[^@/]*@/, "$1:***@");
}

/**
 * SQLAlchemy puts the file after the third slash, so an absolute path has a
 * fourth; no path at all (or `:memory:`) means an in-memory database.
 */
function parseSqliteRest(rest: string): DatabaseUrl | undefined {
  if (rest === "") return { kind: "sqlite", path: ":memory:" };
  // A host (`sqlite://host/x`) has no meaning for a file, and query options
  // would silently end up in the file name.
  if (!rest.startsWith("/") || rest.includes("?")) return undefined;
  const path = rest.slice(1);
  return { kind: "sqlite", path: path === "" ? ":memory:" : path };
}
