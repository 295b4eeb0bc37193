import { type ArgsDef, defineCommand, renderUsage } from "citty";
import packageJson from "../../package.json" with { type: "json" };
import { VERSION } from "../version.ts";

/**
 * Every argument udpot takes, in citty's form. It drives the help text and
 * the strict argv reader; the defaults are strings because they go through
 * the same checks as a value typed by the user.
 */
export const udpotArgs = {
  server: {
    type: "positional",
    required: false,
    description:
      "upstream resolver: IPv4, IPv4:port, IPv6 or [IPv6]:port, port 53 when absent " +
      "(default: first nameserver in /etc/resolv.conf)",
  },
  "dns-port": {
    type: "string",
    alias: "p",
    valueHint: "N",
    default: "5053",
    description: "port for both UDP and TCP, 1-65535",
  },
  bind: {
    type: "string",
    alias: "b",
    valueHint: "ADDR",
    default: "::",
    description: "listen address, IPv4 or IPv6; :: is dual stack",
  },
  "req-count": {
    type: "string",
    alias: "c",
    valueHint: "N",
    default: "3",
    description: "queries answered per source before the sinkhole; 0 never relays",
  },
  "req-timeout": {
    type: "string",
    alias: "t",
    valueHint: "S",
    default: "86400",
    description: "quiet seconds after which a source's budget starts again",
  },
  sql: {
    type: "string",
    alias: "s",
    valueHint: "URL",
    default: "sqlite:///db.sqlite3",
    description: 'database URL; "" disables the database',
  },
  "json-log": {
    type: "string",
    alias: "j",
    valueHint: "PATH",
    description: "append every message to PATH as JSON Lines",
  },
  "json-rotate": {
    type: "boolean",
    alias: "r",
    description: "a file per day, NAME.YYYY-MM-DD.EXT; older days gzipped",
  },
  verbose: {
    type: "boolean",
    alias: "v",
    description: "print one line per query on stdout",
  },
  verbosity: {
    type: "string",
    valueHint: "0-3",
    default: "0",
    description: "diagnostics: 0 warnings, 1 info, 2 debug, 3 trace",
  },
  "upstream-timeout": {
    type: "string",
    valueHint: "S",
    default: "3",
    description: "seconds to wait for the upstream, fractions allowed, at most 60",
  },
  "max-sources": {
    type: "string",
    valueHint: "N",
    default: "1000000",
    description: "most sources the budget tracks at once; newcomers beyond it get no relay",
  },
  "recv-buffer": {
    type: "string",
    valueHint: "BYTES",
    default: "8388608",
    description:
      "UDP receive buffer to ask the kernel for (capped by net.core.rmem_max); 0 keeps the system default",
  },
  "prefix-v4": {
    type: "string",
    valueHint: "BITS",
    default: "24",
    description: "IPv4 sources are also budgeted per network of this prefix length, 0-32",
  },
  "prefix-v6": {
    type: "string",
    valueHint: "BITS",
    default: "56",
    description: "IPv6 sources are also budgeted per network of this prefix length, 0-128",
  },
  "prefix-count": {
    type: "string",
    valueHint: "N",
    default: "10",
    description: "replies per network prefix per --req-timeout window; 0 means no prefix limit",
  },
  "max-relay-qps": {
    type: "string",
    valueHint: "N",
    default: "100",
    description: "queries relayed per second, all sources together; 0 means no limit",
  },
  "max-reply-bytes": {
    type: "string",
    valueHint: "BYTES",
    default: "512",
    description:
      "largest UDP reply sent; a larger one goes out truncated (TC set); 0 means no limit",
  },
  help: { type: "boolean", alias: "h", description: "show this help and exit" },
  version: { type: "boolean", description: "print the version and exit" },
} as const satisfies ArgsDef;

/** A name declared in `udpotArgs`. */
export type ArgName = keyof typeof udpotArgs;

/**
 * Environment variables that can set an argument, in order of precedence.
 * The container of the old tool set its upstream with `DNS_SERVER`.
 */
export function envNamesOf(name: ArgName): string[] {
  if (name === "help" || name === "version") return [];
  const own = `UDPOT_${name.toUpperCase().replaceAll("-", "_")}`;
  return name === "server" ? [own, "DNS_SERVER"] : [own];
}

/** The citty command: metadata and arguments, with env variables named in the descriptions. */
export const udpotCommand = defineCommand({
  meta: { name: "udpot", version: VERSION, description: packageJson.description },
  args: withEnvNames(udpotArgs),
});

const HELP_EPILOGUE = `ENVIRONMENT

  Every option can also be set by the variable shown as [env: ...]; the command line wins.
  Switches from the environment take 1, true, yes, 0, false or no.
  An empty variable counts as unset, except UDPOT_SQL, where "" disables the database.

DATABASE URLS (the old tool's SQLAlchemy forms)

  sqlite:///relative.db          a file relative to the working directory
  sqlite:////absolute/path.db    a file by absolute path
  sqlite://                      in memory
  postgresql://user:password@host:port/name    also postgres://
  mysql://user:password@host:port/name         also mariadb://
  A +driver suffix, as in postgresql+psycopg2://, is ignored.
`;

/** The help text, without colours: it may be piped, logged or snapshot. */
export async function renderHelp(): Promise<string> {
  const usage = await renderUsage(udpotCommand);
  // citty pads every row to the widest one; the trailing spaces serve nobody.
  const lines = Bun.stripANSI(usage)
    .split("\n")
    .map((line) => line.trimEnd());
  return `${lines.join("\n").trimEnd()}\n\n${HELP_EPILOGUE}`;
}

function withEnvNames(args: typeof udpotArgs): ArgsDef {
  const described: ArgsDef = {};
  for (const [name, def] of Object.entries(args)) {
    const envNames = envNamesOf(name as ArgName);
    const envHint = envNames.length > 0 ? ` [env: ${envNames.join(", ")}]` : "";
    described[name] = { ...def, description: def.description + envHint };
  }
  return described;
}
