import { UdpotError } from "../errors.ts";
import { VERSION_LINE } from "../version.ts";
import { readCommandLine } from "./argv.ts";
import { renderHelp, udpotArgs } from "./command.ts";
import type { Config } from "./config.ts";
import { type Env, resolveConfig } from "./parse-config.ts";
import { readSystemResolvConf } from "./resolv-conf.ts";

/** What runCli touches outside itself; tests replace any of it. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Env;
  readResolvConf: () => string;
}

const USAGE_HINT = "Run udpot --help for usage.";

/**
 * The command line entry: help and version (exit 0, on stdout), else a
 * checked Config handed to `start`. The one place that catches UdpotError:
 * it prints `udpot: <message>` (plus the usage hint for usage errors) on
 * stderr and returns the exit status.
 */
export async function runCli(
  argv: readonly string[],
  start: (config: Config) => Promise<void>,
  io: Partial<CliIo> = {},
): Promise<number> {
  const { stdout, stderr, env, readResolvConf } = { ...processIo(), ...io };
  try {
    const commandLine = readCommandLine(argv, udpotArgs);
    // Like argparse and citty, help and version win over anything else on the line.
    if (commandLine.values.get("help") === true) {
      stdout(await renderHelp());
      return 0;
    }
    if (commandLine.values.get("version") === true) {
      stdout(`${VERSION_LINE}\n`);
      return 0;
    }
    if (commandLine.problem !== undefined) throw new UdpotError("usage", commandLine.problem);

    await start(resolveConfig(commandLine, env, readResolvConf));
    return 0;
  } catch (error) {
    if (!(error instanceof UdpotError)) throw error;
    const hint = error.code === "usage" ? `${USAGE_HINT}\n` : "";
    stderr(`udpot: ${error.message}\n${hint}`);
    return error.exitCode;
  }
}

function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    readResolvConf: readSystemResolvConf,
  };
}
