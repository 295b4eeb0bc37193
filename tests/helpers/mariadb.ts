import { chownSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { SQL } from "bun";
import { SQL_COLUMNS } from "../../src/sinks/sql-columns.ts";
import { freePort } from "./free-port.ts";

/** The account with a password that tests log in as; `grant` gives it a database. */
export const MARIADB_USER = { name: "udpot", password: "s3cret-pw" };

/** Where Debian's mariadb-server package puts the server and the set-up tool. */
const SEARCH_PATH = "/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin";

/** Longest wait for the server to take connections after it starts. */
const READY_MS = 30_000;

/**
 * A throw-away MariaDB server on 127.0.0.1, in a temporary folder. `root`
 * logs in without a password, `MARIADB_USER` with one. `stop` and `start`
 * take it down and up again on the same port with the same data.
 */
export interface MariaDb {
  port: number;
  /** root's URL for `database`. */
  rootUrl(database: string): string;
  /** `MARIADB_USER`'s URL for `database`, with `password`. */
  userUrl(database: string, password?: string): string;
  /** Creates `database` and lets `MARIADB_USER` do anything in it. */
  createDatabase(database: string): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stop the server and remove its folder. */
  destroy(): Promise<void>;
}

export interface MariaDbTools {
  server: string;
  installDb: string;
}

/** mariadbd and mariadb-install-db, or null when MariaDB is not installed. */
export function mariadbTools(): MariaDbTools | null {
  const server = Bun.which("mariadbd", { PATH: SEARCH_PATH });
  const installDb = Bun.which("mariadb-install-db", { PATH: SEARCH_PATH });
  return server && installDb ? { server, installDb } : null;
}

/**
 * Sets up a data folder, starts the server and waits until it answers;
 * the caller must `destroy` it. `maxAllowedPacket` is the largest
 * statement it takes (MariaDB's default is 16M, MySQL 5.7's 4M).
 */
export async function startMariaDb(
  tools: MariaDbTools,
  opts: { maxAllowedPacket?: string } = {},
): Promise<MariaDb> {
  const dir = mkdtempSync("/tmp/udpot-mariadb-");
  const runAs = serverUserArgs(dir);
  const data = join(dir, "data");
  const port = await freePort();
  // A small redo log: the default takes 96 MiB of /tmp for nothing.
  const small = ["--innodb-log-file-size=8M", "--innodb-buffer-pool-size=32M"];
  try {
    await installDb(tools, [`--datadir=${data}`, ...runAs, ...small]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const args = [
    tools.server,
    "--no-defaults",
    `--datadir=${data}`,
    ...runAs,
    ...small,
    `--port=${port}`,
    "--bind-address=127.0.0.1",
    "--skip-networking=0",
    `--socket=${join(dir, "mariadbd.sock")}`,
    `--pid-file=${join(dir, "mariadbd.pid")}`,
    `--log-error=${join(dir, "error.log")}`,
    // Error messages name 'user'@'127.0.0.1' whatever /etc/hosts says.
    "--skip-name-resolve",
    // The data is thrown away: no flush to disk at each commit.
    "--innodb-flush-log-at-trx-commit=0",
    "--character-set-server=utf8mb4",
    `--max-allowed-packet=${opts.maxAllowedPacket ?? "16M"}`,
  ];
  const server = new ServerProcess(args, join(dir, "error.log"), port);
  try {
    await server.start();
    await onMariaDb(rootUrlOf(port, "mysql"), (sql) =>
      sql.unsafe(
        `CREATE USER '${MARIADB_USER.name}'@'127.0.0.1' IDENTIFIED BY '${MARIADB_USER.password}'`,
      ),
    );
  } catch (error) {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    rootUrl: (database) => rootUrlOf(port, database),
    userUrl: (database, password = MARIADB_USER.password) =>
      `mysql://${MARIADB_USER.name}:${password}@127.0.0.1:${port}/${database}`,
    createDatabase: (database) =>
      onMariaDb(rootUrlOf(port, "mysql"), async (sql) => {
        await sql.unsafe(`CREATE DATABASE ${database}`);
        await sql.unsafe(`GRANT ALL ON ${database}.* TO '${MARIADB_USER.name}'@'127.0.0.1'`);
      }),
    stop: () => server.stop(),
    start: () => server.start(),
    async destroy() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `query` on the database at `url` and closes the connection. */
export async function onMariaDb<T>(url: string, query: (sql: SQL) => Promise<T>): Promise<T> {
  const sql = new SQL(url, { max: 1, connectionTimeout: 5 });
  try {
    return await query(sql);
  } finally {
    await sql.close();
  }
}

/** `[name, column_type]` of each column of `dns`, in table order: `varchar(255)`. */
export function mariadbColumns(url: string): Promise<string[][]> {
  return onMariaDb(url, async (sql) => {
    const rows: { name: string; type: string }[] = await sql`
      SELECT column_name AS name, column_type AS type FROM information_schema.columns
      WHERE table_schema = DATABASE() AND table_name = 'dns' ORDER BY ordinal_position`;
    return rows.map((row) => [row.name, row.type]);
  });
}

/** Every row of `dns` in id order, `created_at` as text so its microseconds show. */
export function mariadbRows(url: string): Promise<Record<string, unknown>[]> {
  return onMariaDb(url, (sql) => {
    const names = ["id", ...SQL_COLUMNS.map((c) => c.name)].map((name) =>
      name === "created_at"
        ? "DATE_FORMAT(created_at, '%Y-%m-%d %H:%i:%s.%f') AS created_at"
        : name,
    );
    return sql.unsafe(`SELECT ${names.join(", ")} FROM dns ORDER BY id`);
  });
}

function rootUrlOf(port: number, database: string): string {
  return `mysql://root@127.0.0.1:${port}/${database}`;
}

/**
 * MariaDB will not run as root: as root, the folder goes to the `mysql`
 * user that Debian's package creates and the server switches to it.
 */
function serverUserArgs(dir: string): string[] {
  if (process.getuid?.() !== 0) return [];
  const uid = Bun.spawnSync(["id", "-u", "mysql"], { stderr: "ignore" });
  const gid = Bun.spawnSync(["id", "-g", "mysql"], { stderr: "ignore" });
  if (uid.exitCode !== 0 || gid.exitCode !== 0) {
    throw new Error("running as root, and there is no mysql user to run MariaDB as");
  }
  chownSync(dir, Number(uid.stdout.toString()), Number(gid.stdout.toString()));
  return ["--user=mysql"];
}

async function installDb(tools: MariaDbTools, args: string[]): Promise<void> {
  const cmd = [
    tools.installDb,
    "--no-defaults",
    "--auth-root-authentication-method=normal",
    "--skip-test-db",
    ...args,
  ];
  const proc = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe", cwd: "/tmp" });
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  if (code !== 0) throw new Error(`${cmd.join(" ")} exited ${code}:\n${out}${err}`);
}

/** The mariadbd process: started, waited for, stopped by its PID. */
class ServerProcess {
  #proc: ReturnType<typeof Bun.spawn> | null = null;

  constructor(
    readonly args: string[],
    readonly logFile: string,
    readonly port: number,
  ) {}

  /** Starts mariadbd and resolves once it answers a query. */
  async start(): Promise<void> {
    const proc = Bun.spawn(this.args, { stdout: "ignore", stderr: "ignore", cwd: "/tmp" });
    this.#proc = proc;
    const deadline = performance.now() + READY_MS;
    while (!(await this.#answers())) {
      if (proc.exitCode !== null || performance.now() > deadline) {
        await this.stop();
        throw new Error(`mariadbd did not start:\n${this.#log()}`);
      }
      await Bun.sleep(50);
    }
  }

  /** SIGTERM (a clean shutdown) and wait; SIGKILL if it takes over 30 s. */
  async stop(): Promise<void> {
    const proc = this.#proc;
    this.#proc = null;
    if (proc === null || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill("SIGTERM");
    const killer = setTimeout(() => proc.kill("SIGKILL"), READY_MS);
    await proc.exited;
    clearTimeout(killer);
  }

  async #answers(): Promise<boolean> {
    const sql = new SQL(rootUrlOf(this.port, "mysql"), { max: 1, connectionTimeout: 1 });
    try {
      await sql`SELECT 1`;
      return true;
    } catch {
      return false;
    } finally {
      await sql.close();
    }
  }

  #log(): string {
    try {
      return readFileSync(this.logFile, "utf8");
    } catch {
      return "(no error log)";
    }
  }
}
