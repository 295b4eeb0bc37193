import {
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { SQL } from "bun";
import { SQL_COLUMNS } from "../../src/sinks/sql-columns.ts";
import { freePort } from "./free-port.ts";

/** `created_at` as udpot writes it, every microsecond digit shown. */
const CREATED_AT_FORMAT = "YYYY-MM-DD HH24:MI:SS.US";

/** Where Debian's postgresql-NN packages put the server binaries. */
const DEBIAN_ROOT = "/usr/lib/postgresql";

/** The role with a password, for tests of password login and its failures. */
export const PASSWORD_USER = { name: "udpot", password: "s3cret-pw" };

/** The old tool's table on PostgreSQL, as SQLAlchemy created it: a 32-bit id. */
export const OLD_TOOL_TABLE = `CREATE TABLE dns (
\tid SERIAL NOT NULL,
\ttransport VARCHAR,
\tsrc VARCHAR,
\tsrc_port INTEGER,
\tdns_name VARCHAR,
\tdns_type VARCHAR,
\tdns_cls VARCHAR,
\tcreated_at TIMESTAMP WITHOUT TIME ZONE,
\tPRIMARY KEY (id)
)`;

/**
 * A throw-away PostgreSQL server on 127.0.0.1, in a temporary folder:
 * trust login for the `postgres` superuser, SCRAM password login for
 * `PASSWORD_USER`. `stop` and `start` take it down and up again on the
 * same port with the same data, for outage tests.
 */
export interface Postgres {
  port: number;
  /** Superuser URL, database `postgres`. */
  url: string;
  /** `PASSWORD_USER`'s URL with `password`, database `postgres`. */
  urlWith(password: string): string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /**
   * SIGSTOP (true) or SIGCONT (false) to the server and all its processes:
   * connections stay open and nothing answers, as with a frozen host.
   */
  freeze(frozen: boolean): void;
  /** Stop the server and remove its folder. */
  destroy(): Promise<void>;
}

/**
 * The folder with initdb, pg_ctl and postgres: the newest version under
 * /usr/lib/postgresql (Debian, Ubuntu), else null.
 */
export function postgresBinDir(): string | null {
  if (!existsSync(DEBIAN_ROOT)) return null;
  const versions = readdirSync(DEBIAN_ROOT)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const bin = join(DEBIAN_ROOT, version, "bin");
    if (["initdb", "pg_ctl", "postgres"].every((tool) => existsSync(join(bin, tool)))) return bin;
  }
  return null;
}

/**
 * initdb, configure, start; the caller must `destroy` it. Without
 * `durable` the server skips fsync (tests); benchmarks keep it.
 */
export async function startPostgres(
  bin: string,
  opts: { durable?: boolean } = {},
): Promise<Postgres> {
  const runAs = serverUser();
  const dir = mkdtempSync("/tmp/udpot-pg-");
  if (runAs !== null) chownSync(dir, runAs.uid, runAs.gid);
  const data = join(dir, "data");
  const port = await freePort();
  const tool = (name: string, ...args: string[]) => run(runAs, [join(bin, name), ...args]);

  await tool("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync");
  writeFileSync(join(data, "pg_hba.conf"), HBA);
  writeFileSync(join(data, "postgresql.auto.conf"), serverConf(dir, port, opts.durable ?? false));
  if (runAs !== null) {
    chownSync(join(data, "pg_hba.conf"), runAs.uid, runAs.gid);
    chownSync(join(data, "postgresql.auto.conf"), runAs.uid, runAs.gid);
  }
  const logFile = join(dir, "server.log");
  const start = () => tool("pg_ctl", "-D", data, "-l", logFile, "-w", "-t", "30", "start");
  const stop = () => tool("pg_ctl", "-D", data, "-w", "-m", "fast", "stop");

  await start();
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  let running = true;
  let isFrozen = false;
  const freeze = (frozen: boolean) => {
    for (const pid of serverPids(data)) process.kill(pid, frozen ? "SIGSTOP" : "SIGCONT");
    isFrozen = frozen;
  };
  try {
    await createPasswordUser(url);
  } catch (error) {
    await stop();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    url,
    urlWith: (password) =>
      `postgresql://${PASSWORD_USER.name}:${password}@127.0.0.1:${port}/postgres`,
    async stop() {
      await stop();
      running = false;
    },
    async start() {
      await start();
      running = true;
    },
    freeze,
    async destroy() {
      if (isFrozen) freeze(false);
      if (running) await stop();
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `query` on the database at `url` and closes the connection. */
export async function onDatabase<T>(url: string, query: (sql: SQL) => Promise<T>): Promise<T> {
  const sql = new SQL(url, { max: 1 });
  try {
    return await query(sql);
  } finally {
    await sql.close();
  }
}

/** `[name, data_type]` of each column of `dns`, in table order. */
export function dnsColumns(url: string): Promise<string[][]> {
  return onDatabase(url, async (sql) => {
    const rows: { column_name: string; data_type: string }[] = await sql`
      SELECT column_name, data_type FROM information_schema.columns
      WHERE table_name = 'dns' ORDER BY ordinal_position`;
    return rows.map((row) => [row.column_name, row.data_type]);
  });
}

/**
 * Every row of `dns` in id order, `created_at` as text so its microseconds
 * show, `id` as a number (Bun gives a BIGSERIAL's bigint as text).
 */
export async function dnsRows(url: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = await onDatabase(url, (sql) => {
    const names = ["id", ...SQL_COLUMNS.map((c) => c.name)].map((name) =>
      name === "created_at" ? `to_char(created_at, '${CREATED_AT_FORMAT}') AS created_at` : name,
    );
    return sql.unsafe(`SELECT ${names.join(", ")} FROM dns ORDER BY id`);
  });
  return rows.map((row) => ({ ...row, id: Number(row.id) }));
}

/** Loopback only; the superuser without a password, everyone else with one. */
const HBA = `local all all trust
host all postgres 127.0.0.1/32 trust
host all all 127.0.0.1/32 scram-sha-256
`;

/**
 * TCP on 127.0.0.1 only, the unix socket in the test's own folder (the
 * system one may not exist or belong to another server), and unless
 * `durable`, no fsync: the data is thrown away anyway.
 */
function serverConf(dir: string, port: number, durable: boolean): string {
  const fast = durable ? "" : "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n";
  return `listen_addresses = '127.0.0.1'
port = ${port}
unix_socket_directories = '${dir}'
max_connections = 50
${fast}`;
}

/** The postmaster (first line of postmaster.pid) and its children, from /proc. */
function serverPids(data: string): number[] {
  const postmaster = Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
  const children = readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        // Fields after the command name, which is in parentheses: state, ppid, ...
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === postmaster;
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
  return [postmaster, ...children];
}

async function createPasswordUser(url: string): Promise<void> {
  const sql = new SQL(url, { max: 1 });
  try {
    const { name, password } = PASSWORD_USER;
    await sql.unsafe(`CREATE ROLE ${name} LOGIN PASSWORD '${password}'`);
    await sql.unsafe(`GRANT ALL ON SCHEMA public TO ${name}`);
  } finally {
    await sql.close();
  }
}

interface ServerUser {
  name: string;
  uid: number;
  gid: number;
}

/**
 * PostgreSQL refuses to run as root. As root, the server runs as the
 * `postgres` user that Debian's package creates; when that user does not
 * exist, it is created here as a system user. Null when not root.
 */
function serverUser(): ServerUser | null {
  if (process.getuid?.() !== 0) return null;
  if (lookupUser("postgres") === null) {
    const add = Bun.spawnSync(
      ["useradd", "--system", "--user-group", "--no-create-home", "postgres"],
      { stderr: "pipe" },
    );
    if (add.exitCode !== 0) throw new Error(`useradd postgres failed: ${add.stderr.toString()}`);
  }
  const user = lookupUser("postgres");
  if (user === null) throw new Error("no postgres user to run the test server as");
  return user;
}

function lookupUser(name: string): ServerUser | null {
  const id = Bun.spawnSync(["id", "-u", name], { stderr: "ignore" });
  const gid = Bun.spawnSync(["id", "-g", name], { stderr: "ignore" });
  if (id.exitCode !== 0 || gid.exitCode !== 0) return null;
  return { name, uid: Number(id.stdout.toString()), gid: Number(gid.stdout.toString()) };
}

/** Run a server tool (as `runAs` when given); throws with its output on failure. */
async function run(runAs: ServerUser | null, cmd: string[]): Promise<void> {
  const full = runAs === null ? cmd : ["runuser", "-u", runAs.name, "--", ...cmd];
  const proc = Bun.spawn(full, { stdout: "pipe", stderr: "pipe", cwd: "/tmp" });
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  if (code !== 0) {
    const who = runAs === null ? userInfo().username : runAs.name;
    throw new Error(`${cmd.join(" ")} (as ${who}) exited ${code}:\n${out}${err}`);
  }
}
