import { UdpotError } from "../errors.ts";
import { type CommandLine, quote, readCommandLine } from "./argv.ts";
import { type ArgName, envNamesOf, udpotArgs } from "./command.ts";
import type { Config, DatabaseUrl, Endpoint } from "./config.ts";
import { DATABASE_URL_FORMS, parseDatabaseUrl, redactDatabaseUrl } from "./database-url.ts";
import { isIpLiteral, parseEndpoint, parsePort } from "./endpoint.ts";
import { firstNameserver, RESOLV_CONF_PATH, readSystemResolvConf } from "./resolv-conf.ts";
import { parseInteger, parseSecondsAsMs, parseSwitch } from "./values.ts";

/** The process environment, or a stand-in for it in tests. */
export type Env = Record<string, string | undefined>;

/** A value as the user wrote it, and where: `--dns-port`, `SERVER`, `UDPOT_SQL`... */
interface Setting {
  text: string;
  source: string;
}

const BIND_FORM = "an IPv4 or IPv6 address such as 0.0.0.0 or ::";
const SECONDS_FORM = "a whole number of seconds >= 1";
const SERVER_FORM = "IPv4, IPv4:port, IPv6 or [IPv6]:port, with a port from 1 to 65535";
const MAX_UPSTREAM_TIMEOUT_MS = 60_000;
const VERBOSITY_LEVELS = [0, 1, 2, 3] as const;
/**
 * TCP limits, not options yet. Idle: RFC 7766 section 6.2.3 asks servers to
 * close idle connections after "a few seconds".
 */
const TCP_LIMITS = { tcpIdleMs: 10_000, tcpMaxConnections: 512, tcpMaxPerSource: 8 };
/** Options where an empty value means "off", so an empty variable is not "unset". */
const EMPTY_MEANS_OFF: ReadonlySet<ArgName> = new Set(["sql", "json-log"]);

/**
 * Turns argv and the environment into a complete, checked Config. Throws
 * UdpotError("usage") naming the option and the accepted form; nothing is
 * opened here, so a refusal comes before any socket.
 */
export function parseConfig(
  argv: readonly string[],
  env: Env,
  readResolvConf: () => string = readSystemResolvConf,
): Config {
  const commandLine = readCommandLine(argv, udpotArgs);
  if (commandLine.problem !== undefined) throw new UdpotError("usage", commandLine.problem);
  return resolveConfig(commandLine, env, readResolvConf);
}

/** The second half of parseConfig, for a command line already read. */
export function resolveConfig(
  commandLine: CommandLine,
  env: Env,
  readResolvConf: () => string,
): Config {
  const find = (name: ArgName) => findSetting(name, commandLine, env);
  const checked = <T>(name: ArgName, read: (text: string) => T | undefined, form: string) =>
    convert(requireSetting(name, find(name)), read, form);

  return {
    bind: checked("bind", (text) => (isIpLiteral(text) ? text : undefined), BIND_FORM),
    port: checked("dns-port", parsePort, "an integer from 1 to 65535"),
    reqCount: checked("req-count", (text) => parseCount(text, 0), "an integer >= 0"),
    reqTimeoutSec: checked("req-timeout", (text) => parseCount(text, 1), SECONDS_FORM),
    upstreamTimeoutMs: checked(
      "upstream-timeout",
      (text) => parseSecondsAsMs(text, MAX_UPSTREAM_TIMEOUT_MS),
      "a number of seconds greater than 0 and at most 60",
    ),
    database: resolveDatabase(requireSetting("sql", find("sql"))),
    jsonLog: find("json-log")?.text || null,
    jsonRotate: resolveSwitch("json-rotate", commandLine, env),
    verbose: resolveSwitch("verbose", commandLine, env),
    verbosity: checked(
      "verbosity",
      (text) => VERBOSITY_LEVELS.find((level) => String(level) === text),
      "0, 1, 2 or 3",
    ),
    maxSources: checked("max-sources", (text) => parseCount(text, 1), "an integer >= 1"),
    recvBufferBytes: checked(
      "recv-buffer",
      (text) => parseCount(text, 0),
      "a number of bytes >= 0",
    ),
    prefixV4: checked("prefix-v4", (text) => parseInteger(text, 0, 32), "an integer from 0 to 32"),
    prefixV6: checked(
      "prefix-v6",
      (text) => parseInteger(text, 0, 128),
      "an integer from 0 to 128",
    ),
    prefixCount: checked("prefix-count", (text) => parseCount(text, 0), "an integer >= 0"),
    maxRelayQps: checked("max-relay-qps", (text) => parseCount(text, 0), "an integer >= 0"),
    maxReplyBytes: checked(
      "max-reply-bytes",
      (text) => (text === "0" ? 0 : parseInteger(text, 12, 65535)),
      "0 or an integer from 12 to 65535",
    ),
    ...TCP_LIMITS,
    // Last, so that a mistake the user typed is reported before a missing resolv.conf.
    upstream: resolveUpstream(find("server"), readResolvConf),
  };
}

function parseCount(text: string, min: number): number | undefined {
  return parseInteger(text, min, Number.MAX_SAFE_INTEGER);
}

/** Command line first, then the environment, then the declared default. */
function findSetting(name: ArgName, commandLine: CommandLine, env: Env): Setting | undefined {
  const given = commandLine.values.get(name);
  if (typeof given === "string") {
    const source = name === "server" ? "SERVER" : `--${name}`;
    return { text: given, source };
  }
  for (const variable of envNamesOf(name)) {
    const text = env[variable];
    if (text === undefined || (text === "" && !EMPTY_MEANS_OFF.has(name))) continue;
    return { text, source: variable };
  }
  const declared = udpotArgs[name];
  if ("default" in declared) return { text: declared.default, source: `--${name}` };
  return undefined;
}

function requireSetting(name: ArgName, setting: Setting | undefined): Setting {
  if (setting === undefined) throw new Error(`BUG: --${name} has no default`);
  return setting;
}

function convert<T>(setting: Setting, read: (text: string) => T | undefined, form: string): T {
  const value = read(setting.text);
  if (value === undefined) throw refusal(setting, form);
  return value;
}

function refusal(setting: Setting, form: string, shown = setting.text): UdpotError {
  return new UdpotError("usage", `${setting.source} must be ${form}, got ${quote(shown)}`);
}

/** A switch is on when given on the command line, else as its variable says. */
function resolveSwitch(name: ArgName, commandLine: CommandLine, env: Env): boolean {
  if (commandLine.values.get(name) === true) return true;
  for (const variable of envNamesOf(name)) {
    const text = env[variable];
    if (text === undefined || text === "") continue;
    return convert({ text, source: variable }, parseSwitch, "1, true, yes, 0, false or no");
  }
  return false;
}

function resolveDatabase(setting: Setting): DatabaseUrl | null {
  if (setting.text === "") return null;
  const database = parseDatabaseUrl(setting.text);
  if (database) return database;
  throw refusal(setting, DATABASE_URL_FORMS, redactDatabaseUrl(setting.text));
}

/** The old tool required SERVER; udpot falls back to the system's resolver. */
function resolveUpstream(setting: Setting | undefined, readResolvConf: () => string): Endpoint {
  if (setting) return convert(setting, parseEndpoint, SERVER_FORM);

  const advice = "give SERVER or set UDPOT_SERVER";
  let resolvConf: string;
  try {
    resolvConf = readResolvConf();
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UdpotError(
      "usage",
      `no SERVER given and ${RESOLV_CONF_PATH} could not be read (${reason}); ${advice}`,
    );
  }
  const nameserver = firstNameserver(resolvConf);
  if (nameserver) return nameserver;
  throw new UdpotError(
    "usage",
    `no SERVER given and ${RESOLV_CONF_PATH} has no nameserver; ${advice}`,
  );
}
