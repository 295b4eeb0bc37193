import { describe, expect, mock, test } from "bun:test";
import { join } from "node:path";
import type { Config } from "../../src/cli/config.ts";
import type { Env } from "../../src/cli/parse-config.ts";
import { runCli } from "../../src/cli/run-cli.ts";
import { UdpotError } from "../../src/errors.ts";
import { VERSION, VERSION_LINE } from "../../src/version.ts";

const REPO_ROOT = join(import.meta.dir, "..", "..");
const HINT = "Run udpot --help for usage.\n";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  started: Config[];
}

/** Runs the CLI with a start spy, captured output and a fixed resolv.conf. */
async function run(
  argv: string[],
  env: Env = {},
  readResolvConf = () => "nameserver 192.0.2.53\n",
): Promise<Run> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const started: Config[] = [];
  const code = await runCli(argv, async (config) => void started.push(config), {
    stdout: (text) => stdout.push(text),
    stderr: (text) => stderr.push(text),
    env,
    readResolvConf,
  });
  return { code, stdout: stdout.join(""), stderr: stderr.join(""), started };
}

describe("refusals: one line naming the option, the hint, exit 2, nothing started", () => {
  const SERVER_FORM = "IPv4, IPv4:port, IPv6 or [IPv6]:port, with a port from 1 to 65535";
  const DB_FORMS =
    "sqlite:///relative.db, sqlite:////absolute/path.db, sqlite:// (in memory), " +
    "postgresql://..., postgres://..., mysql://... or mariadb://... " +
    "(a +driver suffix such as postgresql+psycopg2:// is ignored)";
  const SWITCH_FORM = "1, true, yes, 0, false or no";

  test.each<[string[], Env, string]>([
    [["--bogus", "1"], {}, 'unknown option "--bogus"'],
    [["-x"], {}, 'unknown option "-x"'],
    [["--verb"], {}, 'ambiguous option "--verb": --verbose, --verbosity?'],
    [["--verbose=1"], {}, '--verbose takes no value, got "--verbose=1"'],
    [["-p"], {}, "--dns-port needs a value"],
    [["-p", "70000"], {}, '--dns-port must be an integer from 1 to 65535, got "70000"'],
    [["-p", "0"], {}, '--dns-port must be an integer from 1 to 65535, got "0"'],
    [["-p", "53.0"], {}, '--dns-port must be an integer from 1 to 65535, got "53.0"'],
    [["--dns-port="], {}, '--dns-port must be an integer from 1 to 65535, got ""'],
    [["-c", "abc"], {}, '--req-count must be an integer >= 0, got "abc"'],
    [["-c", "1.5"], {}, '--req-count must be an integer >= 0, got "1.5"'],
    [["-c", "-1"], {}, '--req-count must be an integer >= 0, got "-1"'],
    [["-t", "0"], {}, '--req-timeout must be a whole number of seconds >= 1, got "0"'],
    [["-t", "1e3"], {}, '--req-timeout must be a whole number of seconds >= 1, got "1e3"'],
    [
      ["--upstream-timeout", "0"],
      {},
      '--upstream-timeout must be a number of seconds greater than 0 and at most 60, got "0"',
    ],
    [
      ["--upstream-timeout", "61"],
      {},
      '--upstream-timeout must be a number of seconds greater than 0 and at most 60, got "61"',
    ],
    [["--verbosity", "4"], {}, '--verbosity must be 0, 1, 2 or 3, got "4"'],
    [["--max-sources", "0"], {}, '--max-sources must be an integer >= 1, got "0"'],
    [["--recv-buffer", "-1"], {}, '--recv-buffer must be a number of bytes >= 0, got "-1"'],
    [["--prefix-v4", "33"], {}, '--prefix-v4 must be an integer from 0 to 32, got "33"'],
    [["--prefix-v6", "129"], {}, '--prefix-v6 must be an integer from 0 to 128, got "129"'],
    [["--prefix-count", "x"], {}, '--prefix-count must be an integer >= 0, got "x"'],
    [["--max-relay-qps", "1.5"], {}, '--max-relay-qps must be an integer >= 0, got "1.5"'],
    [
      ["--max-reply-bytes", "11"],
      {},
      '--max-reply-bytes must be 0 or an integer from 12 to 65535, got "11"',
    ],
    [
      ["-b", "localhost"],
      {},
      '--bind must be an IPv4 or IPv6 address such as 0.0.0.0 or ::, got "localhost"',
    ],
    [
      ["-b", "[::1]"],
      {},
      '--bind must be an IPv4 or IPv6 address such as 0.0.0.0 or ::, got "[::1]"',
    ],
    // A hostile value is escaped, not sent raw to the terminal.
    [
      ["-b", "\u001b[2J"],
      {},
      '--bind must be an IPv4 or IPv6 address such as 0.0.0.0 or ::, got "\\u001b[2J"',
    ],
    [["999.1.1.1"], {}, `SERVER must be ${SERVER_FORM}, got "999.1.1.1"`],
    [["1.2.3.4:99999"], {}, `SERVER must be ${SERVER_FORM}, got "1.2.3.4:99999"`],
    [["[::1"], {}, `SERVER must be ${SERVER_FORM}, got "[::1"`],
    [["example.com"], {}, `SERVER must be ${SERVER_FORM}, got "example.com"`],
    [["192.0.2.1", "192.0.2.2"], {}, 'unexpected argument "192.0.2.2": only SERVER is taken'],
    [["-s", "redis://cache.example"], {}, `--sql must be ${DB_FORMS}, got "redis://cache.example"`],
    [["-s", "db.sqlite3"], {}, `--sql must be ${DB_FORMS}, got "db.sqlite3"`],
    [
      ["-s", "postgresql://honey:s3cret@db.example:99999/honey"],
      {},
      `--sql must be ${DB_FORMS}, got "postgresql://honey:***@db.example:99999/honey"`,
    ],
    [
      [],
      { UDPOT_DNS_PORT: "70000" },
      'UDPOT_DNS_PORT must be an integer from 1 to 65535, got "70000"',
    ],
    [[], { UDPOT_REQ_COUNT: "1.5" }, 'UDPOT_REQ_COUNT must be an integer >= 0, got "1.5"'],
    [[], { UDPOT_SERVER: "example.com" }, `UDPOT_SERVER must be ${SERVER_FORM}, got "example.com"`],
    [[], { DNS_SERVER: "8.8.8.8:0" }, `DNS_SERVER must be ${SERVER_FORM}, got "8.8.8.8:0"`],
    [[], { UDPOT_SQL: "mongodb://x" }, `UDPOT_SQL must be ${DB_FORMS}, got "mongodb://x"`],
    [[], { UDPOT_JSON_ROTATE: "maybe" }, `UDPOT_JSON_ROTATE must be ${SWITCH_FORM}, got "maybe"`],
    [[], { UDPOT_VERBOSE: "on" }, `UDPOT_VERBOSE must be ${SWITCH_FORM}, got "on"`],
    [[], { UDPOT_VERBOSITY: "9" }, 'UDPOT_VERBOSITY must be 0, 1, 2 or 3, got "9"'],
  ])("%p with %p", async (argv, env, message) => {
    expect(await run(argv, env)).toEqual({
      code: 2,
      stdout: "",
      stderr: `udpot: ${message}\n${HINT}`,
      started: [],
    });
  });

  test.each<[string, () => string, string]>([
    [
      "no nameserver",
      () => "search example.com\n",
      "no SERVER given and /etc/resolv.conf has no nameserver; give SERVER or set UDPOT_SERVER",
    ],
    [
      "unreadable",
      () => {
        throw Object.assign(new Error("no such file"), { code: "ENOENT" });
      },
      "no SERVER given and /etc/resolv.conf could not be read (ENOENT); " +
        "give SERVER or set UDPOT_SERVER",
    ],
  ])("resolv.conf %s", async (_title, readResolvConf, message) => {
    expect(await run([], {}, readResolvConf)).toEqual({
      code: 2,
      stdout: "",
      stderr: `udpot: ${message}\n${HINT}`,
      started: [],
    });
  });
});

describe("help and version", () => {
  test("--help lists every option with its default and variable", async () => {
    const { code, stdout, stderr, started } = await run(["--help"]);
    expect({ code, stderr, started }).toEqual({ code: 0, stderr: "", started: [] });
    expect(stdout.replaceAll(VERSION, "<version>")).toMatchSnapshot();
  });

  test.each<[string[]]>([
    [["-h"]],
    [["-vh"]],
    [["--he"]],
    [["--bogus", "-h"]],
    [["-p", "70000", "--help"]],
  ])("%p also shows help", async (argv) => {
    const help = await run(["--help"]);
    expect(await run(argv)).toEqual(help);
  });

  test("--version prints the version line", async () => {
    expect(await run(["--version"])).toEqual({
      code: 0,
      stdout: `${VERSION_LINE}\n`,
      stderr: "",
      started: [],
    });
  });
});

describe("start", () => {
  test("gets the checked config and the exit status is 0", async () => {
    const result = await run(["-p", "53", "192.0.2.1"]);
    expect(result).toMatchObject({ code: 0, stdout: "", stderr: "" });
    expect(result.started.map((c) => [c.port, c.upstream.address])).toEqual([[53, "192.0.2.1"]]);
  });

  test("a start-up UdpotError prints its message without the usage hint", async () => {
    const stderr: string[] = [];
    const start = mock(async () => {
      throw new UdpotError("startup", "cannot listen on UDP [::]:53: EACCES");
    });
    const code = await runCli(["192.0.2.1"], start, { env: {}, stderr: (t) => stderr.push(t) });
    expect({ code, stderr, calls: start.mock.calls.length }).toEqual({
      code: 1,
      stderr: ["udpot: cannot listen on UDP [::]:53: EACCES\n"],
      calls: 1,
    });
  });

  test("any other error is not caught here", async () => {
    const start = async () => {
      throw new TypeError("a bug");
    };
    await expect(runCli(["192.0.2.1"], start, { env: {} })).rejects.toThrow("a bug");
  });
});

test("bun src/main.ts refuses a bad flag before starting", async () => {
  const child = Bun.spawn([process.execPath, "src/main.ts", "-p", "70000", "192.0.2.1"], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? "" },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  expect({ code, stdout, stderr }).toEqual({
    code: 2,
    stdout: "",
    stderr: `udpot: --dns-port must be an integer from 1 to 65535, got "70000"\n${HINT}`,
  });
});
