import { describe, expect, test } from "bun:test";
import type { Config } from "../../src/cli/config.ts";
import { type Env, parseConfig } from "../../src/cli/parse-config.ts";
import { DEFAULT_CONFIG } from "../helpers/default-config.ts";

const RESOLV_CONF = "search example.com\nnameserver 192.0.2.53\n";

/** Everything at its default, with the upstream from RESOLV_CONF. */
const DEFAULTS: Config = DEFAULT_CONFIG;

function parse(argv: string[], env: Env = {}): Config {
  return parseConfig(argv, env, () => RESOLV_CONF);
}

test("defaults, with the first nameserver of resolv.conf as upstream", () => {
  expect(parse([])).toEqual(DEFAULTS);
});

describe("command line", () => {
  test.each<[string[], Partial<Config>]>([
    [["192.0.2.1"], { upstream: { address: "192.0.2.1", port: 53, family: 4 } }],
    [["[2001:db8::1]:5353"], { upstream: { address: "2001:db8::1", port: 5353, family: 6 } }],
    [["-p", "53"], { port: 53 }],
    [["--dns-port=65535"], { port: 65535 }],
    [["-b", "127.0.0.1"], { bind: "127.0.0.1" }],
    [["--recv-buffer", "0"], { recvBufferBytes: 0 }],
    [["--prefix-v4", "32", "--prefix-v6", "0"], { prefixV4: 32, prefixV6: 0 }],
    [["--prefix-count", "0", "--max-relay-qps", "5000"], { prefixCount: 0, maxRelayQps: 5000 }],
    [["--max-reply-bytes", "0"], { maxReplyBytes: 0 }],
    [["--max-reply-bytes", "1232"], { maxReplyBytes: 1232 }],
    [["--bind", "::1"], { bind: "::1" }],
    [["-c", "0"], { reqCount: 0 }],
    [["-c10"], { reqCount: 10 }],
    [["-t", "1"], { reqTimeoutSec: 1 }],
    [["-s", ""], { database: null }],
    [["-s", "sqlite://"], { database: { kind: "sqlite", path: ":memory:" } }],
    [
      ["-s", "sqlite:////data/db.sqlite3"],
      { database: { kind: "sqlite", path: "/data/db.sqlite3" } },
    ],
    [
      ["--sql", "postgresql+psycopg2://honey@db.example/honey"],
      { database: { kind: "postgres", url: "postgresql://honey@db.example/honey" } },
    ],
    [["-j", "/data/dns.jsonl"], { jsonLog: "/data/dns.jsonl" }],
    [["-j", ""], { jsonLog: null }],
    [["-j", "dns.jsonl", "-r"], { jsonLog: "dns.jsonl", jsonRotate: true }],
    [["-v"], { verbose: true }],
    [["--verbosity", "3"], { verbosity: 3 }],
    [["--upstream-timeout", "0.5"], { upstreamTimeoutMs: 500 }],
    [["--upstream-timeout=60"], { upstreamTimeoutMs: 60_000 }],
    [["--max-sources", "1"], { maxSources: 1 }],
  ])("%p", (argv, changed) => {
    expect(parse(argv)).toEqual({ ...DEFAULTS, ...changed });
  });

  test("the old container's command line", () => {
    const argv = "-p 5053 -v -s sqlite:////data/db.sqlite3 -j /data/dns_logs.jsonl 192.0.2.8";
    expect(parse(argv.split(" "))).toEqual({
      ...DEFAULTS,
      upstream: { address: "192.0.2.8", port: 53, family: 4 },
      verbose: true,
      database: { kind: "sqlite", path: "/data/db.sqlite3" },
      jsonLog: "/data/dns_logs.jsonl",
    });
  });
});

describe("environment", () => {
  test("every option from its variable", () => {
    const env = {
      UDPOT_SERVER: "[2001:db8::53]:5353",
      UDPOT_DNS_PORT: "53",
      UDPOT_BIND: "0.0.0.0",
      UDPOT_REQ_COUNT: "5",
      UDPOT_REQ_TIMEOUT: "60",
      UDPOT_SQL: "mysql://db.example/honey",
      UDPOT_JSON_LOG: "dns.jsonl",
      UDPOT_JSON_ROTATE: "yes",
      UDPOT_VERBOSE: "1",
      UDPOT_VERBOSITY: "2",
      UDPOT_UPSTREAM_TIMEOUT: "1.5",
      UDPOT_MAX_SOURCES: "10",
    };
    expect(parse([], env)).toEqual({
      ...DEFAULTS,
      upstream: { address: "2001:db8::53", port: 5353, family: 6 },
      port: 53,
      bind: "0.0.0.0",
      reqCount: 5,
      reqTimeoutSec: 60,
      database: { kind: "mysql", url: "mysql://db.example/honey" },
      jsonLog: "dns.jsonl",
      jsonRotate: true,
      verbose: true,
      verbosity: 2,
      upstreamTimeoutMs: 1500,
      maxSources: 10,
    });
  });

  test.each<[string, Env, Partial<Config>]>([
    [
      "the old container's DNS_SERVER",
      { DNS_SERVER: "192.0.2.8" },
      { upstream: { address: "192.0.2.8", port: 53, family: 4 } },
    ],
    [
      "UDPOT_SERVER before DNS_SERVER",
      { UDPOT_SERVER: "192.0.2.7", DNS_SERVER: "192.0.2.8" },
      { upstream: { address: "192.0.2.7", port: 53, family: 4 } },
    ],
    ['UDPOT_SQL="" disables the database', { UDPOT_SQL: "" }, { database: null }],
    ['UDPOT_JSON_LOG="" is off', { UDPOT_JSON_LOG: "" }, { jsonLog: null }],
    [
      "other empty variables count as unset",
      { UDPOT_DNS_PORT: "", UDPOT_SERVER: "", DNS_SERVER: "", UDPOT_VERBOSE: "" },
      {},
    ],
    ["switches off", { UDPOT_VERBOSE: "false", UDPOT_JSON_ROTATE: "NO" }, {}],
    ["switch words in any case", { UDPOT_VERBOSE: "TRUE" }, { verbose: true }],
    ["other names are ignored", { udpot_dns_port: "53", UDPOT_PORT: "53" }, {}],
  ])("%s", (_title, env, changed) => {
    expect(parse([], env)).toEqual({ ...DEFAULTS, ...changed });
  });
});

describe("the command line beats the environment", () => {
  test.each<[string, string[], Env, Partial<Config>]>([
    ["-p", ["-p", "53"], { UDPOT_DNS_PORT: "5353" }, { port: 53 }],
    [
      "SERVER",
      ["192.0.2.1"],
      { UDPOT_SERVER: "192.0.2.7", DNS_SERVER: "192.0.2.8" },
      { upstream: { address: "192.0.2.1", port: 53, family: 4 } },
    ],
    ['-s ""', ["-s", ""], { UDPOT_SQL: "sqlite:///other.db" }, { database: null }],
    ["-v", ["-v"], { UDPOT_VERBOSE: "no" }, { verbose: true }],
    // A bad variable is not looked at when the flag decides.
    ["-c over a bad variable", ["-c", "1"], { UDPOT_REQ_COUNT: "abc" }, { reqCount: 1 }],
    ["-r over a bad variable", ["-r"], { UDPOT_JSON_ROTATE: "maybe" }, { jsonRotate: true }],
  ])("%s", (_title, argv, env, changed) => {
    expect(parse(argv, env)).toEqual({ ...DEFAULTS, ...changed });
  });
});

describe("upstream from resolv.conf", () => {
  test("an IPv6 nameserver keeps its zone", () => {
    const config = parseConfig([], {}, () => "nameserver fe80::53%eth0\n");
    expect(config.upstream).toEqual({ address: "fe80::53%eth0", port: 53, family: 6 });
  });

  test("resolv.conf is not read when SERVER is given", () => {
    const unreadable = () => {
      throw new Error("must not be read");
    };
    expect(parseConfig(["192.0.2.1"], {}, unreadable).upstream.address).toBe("192.0.2.1");
  });
});
