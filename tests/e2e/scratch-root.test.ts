/**
 * The container image, checked without a Docker engine: scripts/rootfs builds
 * the root filesystem the Dockerfile's `FROM scratch` stage copies, and this
 * file starts the entrypoint inside it the way a container would, as PID 1 of
 * a new PID namespace, as the image's numeric user, with only /proc mounted
 * (unshare + chroot). The network namespace stays the host's, so udpot and
 * its fake upstream meet on loopback.
 */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { chmod, lstat, mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream.ts";

const REPO = join(import.meta.dir, "../..");
const ROOTFS = join(REPO, "scripts/rootfs");
const RELEASE = join(REPO, "scripts/release");
const BENCH = join(REPO, "scripts/bench-startup");

/** What `docker run` would take from the Dockerfile's final stage. */
interface ImageConfig {
  user: string;
  entrypoint: string[];
  env: Record<string, string>;
}

/** Reads USER, ENTRYPOINT and `ENV K=V` lines after the last FROM. */
function readImageConfig(dockerfile: string): ImageConfig {
  const finalStage = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
  const config: ImageConfig = { user: "0:0", entrypoint: [], env: {} };
  for (const line of finalStage.split("\n")) {
    const [keyword, rest = ""] = line.trim().split(/\s+(.*)/s);
    if (keyword === "USER") config.user = rest;
    if (keyword === "ENTRYPOINT") config.entrypoint = JSON.parse(rest);
    if (keyword === "ENV") {
      const [name = "", value = ""] = rest.split(/=(.*)/s);
      config.env[name] = value;
    }
  }
  return config;
}

/** Why this machine cannot run the test, or null when it can. */
function whyCannotRun(): string | null {
  if (process.getuid?.() !== 0) return "it needs root (namespaces, chroot, chown)";
  for (const tool of ["unshare", "chroot", "ldd", "dig"]) {
    if (Bun.which(tool) === null) return `${tool} is not installed`;
  }
  const probe = Bun.spawnSync(["unshare", "--mount", "--pid", "--fork", "true"]);
  if (probe.exitCode !== 0) return `unshare cannot make namespaces: ${probe.stderr.toString()}`;
  return null;
}

function run(cmd: string[], cwd?: string) {
  const result = Bun.spawnSync(cmd, { cwd });
  return { code: result.exitCode, out: result.stdout.toString(), err: result.stderr.toString() };
}

function expectedCommit(): string {
  const git = run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"]);
  return git.code === 0 ? git.out.trim() : "unknown";
}

/** A port free for both UDP and TCP on 127.0.0.1 (udpot listens on both). */
async function freePort(): Promise<number> {
  // The kernel picks a free UDP port; the same number may be taken for TCP.
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp = await Bun.udpSocket({ hostname: "127.0.0.1" });
    try {
      Bun.listen({ hostname: "127.0.0.1", port: udp.port, socket: { data() {} } }).stop(true);
      return udp.port;
    } catch {
      // EADDRINUSE for TCP: try another number.
    } finally {
      udp.close();
    }
  }
  throw new Error("no port free for both UDP and TCP on 127.0.0.1");
}

/** Every entry under `root` as "kind mode uid:gid", keyed by its path in the root. */
async function listTree(root: string): Promise<Record<string, string>> {
  const tree: Record<string, string> = {};
  const names = await readdir(root, { recursive: true });
  for (const name of names.map(String).concat("")) {
    const info = await lstat(join(root, name));
    const kind = info.isSymbolicLink() ? "link" : info.isDirectory() ? "dir" : "file";
    tree[`/${name}`] = `${kind} ${(info.mode & 0o7777).toString(8)} ${info.uid}:${info.gid}`;
  }
  return tree;
}

/** The tree scripts/rootfs promises: fixed entries plus what ldd lists. */
async function expectedTree(root: string): Promise<Record<string, string>> {
  const tree: Record<string, string> = {
    "/": "dir 755 0:0",
    "/udpot": "file 755 0:0",
    "/etc": "dir 755 0:0",
    "/etc/passwd": "file 644 0:0",
    "/etc/group": "file 644 0:0",
    "/data": "dir 700 65532:65532",
    "/proc": "dir 555 0:0",
    "/tmp": "dir 1777 0:0",
  };
  const ldd = run(["ldd", join(root, "udpot")]).out;
  for (const path of ldd.match(/\/\S+/g) ?? []) {
    for (let dir = dirname(path); dir !== "/"; dir = dirname(dir)) tree[dir] = "dir 755 0:0";
    const hostMode = ((await stat(path)).mode & 0o7777).toString(8);
    tree[path] = `file ${hostMode} 0:0`;
  }
  return tree;
}

type RootProcess = Bun.Subprocess<"ignore", "pipe", "pipe">;

/**
 * Starts the image's entrypoint the way a container runtime would: PID 1 of a
 * new PID namespace, /proc mounted and nothing else, the image's user and ENV.
 * The same command line works in CI, which runs as root.
 */
function startInRoot(root: string, image: ImageConfig, args: string[], env = {}): RootProcess {
  const namespaces = ["unshare", "--mount", "--pid", "--fork"];
  const cmd = [...namespaces, `--mount-proc=${join(root, "proc")}`, "chroot"];
  cmd.push(`--userspec=${image.user}`, root, ...image.entrypoint, ...args);
  // PATH is for unshare to find chroot; udpot itself needs none.
  const fullEnv = { PATH: process.env.PATH, ...image.env, ...env };
  return Bun.spawn(cmd, { env: fullEnv, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
}

/** The host pid of the process unshare forked: udpot, once exec has happened. */
function innerPid(unsharePid: number): number {
  const children = readFileSync(`/proc/${unsharePid}/task/${unsharePid}/children`, "utf8");
  const pid = Number(children.trim());
  // Never 0: process.kill(0) would signal this test's own process group.
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`unshare has no child: "${children}"`);
  return pid;
}

/** The fields of /proc/PID/status that say who and where a process is. */
function identity(pid: number): Record<string, string> {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const fields = new Map(
    status.split("\n").map((line) => line.split(/:\s*(.*)/s) as [string, string]),
  );
  return Object.fromEntries(["Name", "NSpid", "Uid", "Gid"].map((k) => [k, fields.get(k) ?? ""]));
}

/**
 * Asks with dig until udpot answers: while it starts, the port is closed
 * and dig fails at once (ICMP port unreachable), so nothing is recorded
 * before the query that is answered. Async spawn: the fake upstream lives
 * in this process and must keep answering while dig waits.
 */
async function digUntilAnswered(port: number, name: string, udpot: RootProcess): Promise<string> {
  const cmd = ["dig", "@127.0.0.1", "-p", String(port), "+short", "+tries=1", "+timeout=2"];
  for (let attempt = 0; attempt < 200; attempt++) {
    const dig = Bun.spawn([...cmd, name, "A"], { stdout: "pipe", stderr: "ignore" });
    const answer = (await new Response(dig.stdout).text()).trim();
    if ((await dig.exited) === 0 && answer !== "") return answer;
    if (udpot.exitCode !== null) break;
    await Bun.sleep(25);
  }
  killInRoot(udpot);
  throw new Error(`udpot never answered:\n${await new Response(udpot.stderr).text()}`);
}

/**
 * Kills what startInRoot started. unshare's --kill-child would not help:
 * chroot's change of user clears the parent-death signal. SIGKILL from the
 * parent namespace reaches PID 1 even without a handler, and ends the
 * namespace; unshare then exits.
 */
function killInRoot(proc: RootProcess): void {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  try {
    process.kill(innerPid(proc.pid), "SIGKILL");
  } catch {
    proc.kill("SIGKILL"); // not forked yet, or already gone
  }
}

/** The exit code, or "still running" (and then killed) when `ms` passed first. */
async function exitCodeWithin(proc: RootProcess, ms: number): Promise<number | string> {
  const late = Bun.sleep(ms).then(() => "still running");
  const result = await Promise.race([proc.exited, late]);
  if (result === "still running") killInRoot(proc);
  return result;
}

/** Who owns the database udpot wrote, and the query rows in it. */
async function recorded(path: string): Promise<{ owner: string; rows: unknown[] }> {
  const db = new Database(path, { readonly: true });
  const columns = "transport, src, dns_name AS name, dns_type AS type, dns_cls AS cls";
  const rows = db.query(`SELECT ${columns} FROM dns ORDER BY id`).all();
  db.close();
  const info = await stat(path);
  return { owner: `${info.uid}:${info.gid}`, rows };
}

const skipReason = whyCannotRun();
if (skipReason !== null) console.warn(`scratch-root: skipped, ${skipReason}`);

describe("release and rootfs refuse bad input", () => {
  test.each([
    ["release without OUTDIR", [RELEASE], 2, "usage: scripts/release OUTDIR"],
    ["release, unknown target", [RELEASE, "/nonexistent", "bun-linux-x32"], 2, "unknown target"],
    ["rootfs without DIR", [ROOTFS], 2, "usage: scripts/rootfs DIR"],
    ["rootfs into a non-empty DIR", [ROOTFS, REPO], 1, "is not an empty directory"],
    ["bench-startup without BINARY", [process.execPath, BENCH], 2, "usage: scripts/bench-startup"],
  ])("%s", (_name, cmd, code, message) => {
    const result = run(cmd);
    expect({ code: result.code, err: result.err }).toEqual({
      code,
      err: expect.stringContaining(message),
    });
  });
});

describe.skipIf(skipReason !== null)("the scratch image", () => {
  const image = readImageConfig(readFileSync(join(REPO, "Dockerfile"), "utf8"));
  let work = "";
  let root = "";
  let upstream: FakeUpstream | undefined;
  let udpot: RootProcess | undefined;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "udpot-scratch-"));
    root = join(work, "root");
    const built = run([ROOTFS, root]);
    if (built.code !== 0) throw new Error(`scripts/rootfs failed:\n${built.err}`);
    upstream = await startFakeUpstream();
  });

  afterAll(async () => {
    if (udpot !== undefined) killInRoot(udpot);
    await udpot?.exited;
    upstream?.close();
    await rm(work, { recursive: true, force: true });
  });

  test("holds the binary, its loader and libraries, and nothing else", async () => {
    expect(await listTree(root)).toEqual(await expectedTree(root));
  });

  test("udpot --version in the root prints the version and the commit", async () => {
    const proc = startInRoot(root, image, ["--version"]);
    const out = await new Response(proc.stdout).text();
    expect({ code: await proc.exited, out }).toEqual({
      code: 0,
      out: `udpot ${pkg.version} (${expectedCommit()})\n`,
    });
  });

  test("runs as PID 1 and the image user, answers, exits 0 on SIGTERM", async () => {
    const port = await freePort();
    udpot = startInRoot(root, image, ["-p", String(port), "-b", "127.0.0.1"], {
      DNS_SERVER: `127.0.0.1:${upstream?.port}`,
    });
    const answer = await digUntilAnswered(port, "scratch.example", udpot);
    const pid = innerPid(udpot.pid);
    const running = identity(pid);

    // From the parent namespace, PID 1 gets SIGTERM only if it installed a handler.
    process.kill(pid, "SIGTERM");
    const code = await exitCodeWithin(udpot, 10_000);
    const stderr = await new Response(udpot.stderr).text();

    const [uid, gid] = image.user.split(":");
    expect({ answer, running, code, signal: udpot.signalCode }, stderr).toEqual({
      answer: "192.0.2.1",
      running: {
        Name: "udpot",
        // The last NSpid column is the pid inside the innermost namespace.
        NSpid: `${pid}\t1`,
        Uid: `${uid}\t${uid}\t${uid}\t${uid}`,
        Gid: `${gid}\t${gid}\t${gid}\t${gid}`,
      },
      code: 0,
      signal: null,
    });
    expect(await recorded(join(root, "data/db.sqlite3"))).toEqual({
      owner: image.user,
      rows: [{ transport: "UDP", src: "127.0.0.1", name: "scratch.example", type: "A", cls: "IN" }],
    });
  });

  test("rootfs refuses a file that is not an ELF binary", async () => {
    const script = join(work, "not-elf");
    await writeFile(script, "#!/bin/sh\n");
    await chmod(script, 0o755);
    const result = run([ROOTFS, join(work, "other"), script]);
    expect({ code: result.code, err: result.err }).toEqual({
      code: 1,
      err: expect.stringContaining("ldd cannot read"),
    });
  });
});

describe.skipIf(process.platform !== "linux")("scripts/release", () => {
  const target = process.arch === "arm64" ? "bun-linux-arm64" : "bun-linux-x64";
  const name = `udpot-${pkg.version}-linux-${target.slice("bun-linux-".length)}`;
  let out = "";
  let built = { code: -1, out: "", err: "" };

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), "udpot-release-"));
    built = run([RELEASE, out, target]);
  });
  afterAll(() => rm(out, { recursive: true, force: true }));

  test("builds this machine's binary with SHA256SUMS and its version", async () => {
    const files = (await readdir(out)).sort();
    const check = run(["sha256sum", "-c", "SHA256SUMS"], out);
    const version = run([join(out, name), "--version"]);
    expect(
      { code: built.code, printed: built.out, files, check: check.out, version: version.out },
      built.err,
    ).toEqual({
      code: 0,
      printed: `${join(out, name)}\n`,
      files: ["SHA256SUMS", name],
      check: `${name}: OK\n`,
      version: `udpot ${pkg.version} (${expectedCommit()})\n`,
    });
  });

  test("the binary ignores .env and bunfig.toml in its working directory", async () => {
    const cwd = join(out, "cwd");
    await mkdir(cwd);
    await writeFile(join(cwd, ".env"), "UDPOT_BIND=from-dotenv\n");
    await writeFile(join(cwd, "bunfig.toml"), 'preload = ["./preload.js"]\n');
    await writeFile(join(cwd, "preload.js"), 'console.log("preloaded");\n');
    // The bind address is checked before the port: an error naming the port
    // means UDPOT_BIND from .env was never seen.
    const result = run([join(out, name), "127.0.0.1:9", "-p", "70000"], cwd);
    expect(result).toEqual({ code: 2, out: "", err: expect.stringContaining("70000") });
  });
});
