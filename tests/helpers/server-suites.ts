/**
 * One throw-away database server per test file: started before the first
 * test of the enclosing `describe`, destroyed after the last, with a new
 * empty database for each test that asks.
 */
import { afterAll, beforeAll } from "bun:test";
import { SQL } from "bun";
import { type MariaDb, type MariaDbTools, mariadbTools, startMariaDb } from "./mariadb.ts";
import { type Postgres, postgresBinDir, startPostgres } from "./postgres.ts";

/** PostgreSQL's server binaries; null, with a warning naming `file`, when not installed. */
export function postgresOrWarn(file: string): string | null {
  const bin = postgresBinDir();
  if (bin === null) {
    console.warn(`${file}: skipped, no PostgreSQL server binaries under /usr/lib/postgresql`);
  }
  return bin;
}

/** MariaDB's server and set-up tool; null, with a warning naming `file`, when not installed. */
export function mariadbOrWarn(file: string): MariaDbTools | null {
  const tools = mariadbTools();
  if (tools === null) {
    console.warn(`${file}: skipped, no mariadbd (Debian: apt-get install mariadb-server)`);
  }
  return tools;
}

/** The PostgreSQL server of a test file, once its `beforeAll` has run. */
export interface PostgresSuite {
  readonly server: Postgres;
  /** Creates a new empty database owned by `owner` (the superuser if none); its name. */
  createDatabase(owner?: string): Promise<string>;
  /** A new empty database; its URL for the superuser. */
  freshDatabase(): Promise<string>;
}

/** Starts a PostgreSQL server from `bin` for the enclosing `describe`. */
export function postgresSuite(bin: string | null): PostgresSuite {
  let server: Postgres | undefined;
  let admin: SQL | undefined;
  let databases = 0;
  beforeAll(async () => {
    server = await startPostgres(bin as string);
    admin = new SQL(server.url, { max: 1 });
  });
  afterAll(async () => {
    await admin?.close();
    await server?.destroy();
  });

  const suite: PostgresSuite = {
    get server() {
      if (server === undefined) throw new Error("the PostgreSQL server is not started yet");
      return server;
    },
    async createDatabase(owner) {
      if (admin === undefined) throw new Error("the PostgreSQL server is not started yet");
      const name = `t${++databases}`;
      await admin.unsafe(`CREATE DATABASE ${name}${owner ? ` OWNER ${owner}` : ""}`);
      return name;
    },
    async freshDatabase() {
      const name = await suite.createDatabase();
      return suite.server.url.replace(/\/postgres$/, `/${name}`);
    },
  };
  return suite;
}

/** The MariaDB server of a test file, once its `beforeAll` has run. */
export interface MariaDbSuite {
  readonly server: MariaDb;
  /** A new empty database; the password user's URL for it. */
  freshDatabase(): Promise<string>;
}

/** Starts a MariaDB server with `tools` for the enclosing `describe`. */
export function mariadbSuite(
  tools: MariaDbTools | null,
  opts: { maxAllowedPacket?: string } = {},
): MariaDbSuite {
  let server: MariaDb | undefined;
  let databases = 0;
  beforeAll(async () => {
    server = await startMariaDb(tools as MariaDbTools, opts);
  });
  afterAll(() => server?.destroy());

  const suite: MariaDbSuite = {
    get server() {
      if (server === undefined) throw new Error("the MariaDB server is not started yet");
      return server;
    },
    async freshDatabase() {
      const name = `t${++databases}`;
      await suite.server.createDatabase(name);
      return suite.server.userUrl(name);
    },
  };
  return suite;
}
