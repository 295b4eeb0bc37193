import { describe, expect, test } from "bun:test";
import { readCommandLine } from "../../src/cli/argv.ts";
import { udpotArgs } from "../../src/cli/command.ts";

/** The values read, as a plain object, or the problem found. */
function read(argv: string[]): Record<string, string | true> | string {
  const commandLine = readCommandLine(argv, udpotArgs);
  return commandLine.problem ?? Object.fromEntries(commandLine.values);
}

describe("readCommandLine accepts argparse's forms", () => {
  test.each<[string[], Record<string, string | true>]>([
    [[], {}],
    [["192.0.2.1"], { server: "192.0.2.1" }],
    [["--dns-port", "53"], { "dns-port": "53" }],
    [["--dns-port=53"], { "dns-port": "53" }],
    [["-p", "53"], { "dns-port": "53" }],
    [["-p53"], { "dns-port": "53" }],
    [["-p=53"], { "dns-port": "53" }],
    [["--dns", "53"], { "dns-port": "53" }],
    [["--json-r"], { "json-rotate": true }],
    [["-vr"], { verbose: true, "json-rotate": true }],
    [["-vp", "53"], { verbose: true, "dns-port": "53" }],
    [["-vp53"], { verbose: true, "dns-port": "53" }],
    [["-v", "-v"], { verbose: true }],
    [["-p", "1", "-p", "2"], { "dns-port": "2" }],
    [["-s", ""], { sql: "" }],
    [["--sql="], { sql: "" }],
    [["-j", "-"], { "json-log": "-" }],
    [["-c", "-1"], { "req-count": "-1" }],
    [["--bind", "::1", "192.0.2.1", "-v"], { bind: "::1", server: "192.0.2.1", verbose: true }],
    [["--"], {}],
    [["--", "-v"], { server: "-v" }],
    [["-v", "--", "192.0.2.1"], { verbose: true, server: "192.0.2.1" }],
    [["-h"], { help: true }],
    [["--version"], { version: true }],
  ])("%p", (argv, values) => {
    expect(read(argv)).toEqual(values);
  });
});

describe("readCommandLine refuses", () => {
  test.each<[string[], string]>([
    [["--bogus", "1"], 'unknown option "--bogus"'],
    [["--bogus=1"], 'unknown option "--bogus"'],
    [["--dnsPort", "53"], 'unknown option "--dnsPort"'],
    [["--no-verbose"], 'unknown option "--no-verbose"'],
    [["-x"], 'unknown option "-x"'],
    [["-vx"], 'unknown option "-x"'],
    [["-1"], 'unknown option "-1"'],
    [["--verb"], 'ambiguous option "--verb": --verbose, --verbosity?'],
    [["--verbose=yes"], '--verbose takes no value, got "--verbose=yes"'],
    [["-p"], "--dns-port needs a value"],
    [["--dns-port"], "--dns-port needs a value"],
    [["-vp"], "--dns-port needs a value"],
    [["-p", "--verbose"], "--dns-port needs a value"],
    [["-j", "-v"], "--json-log needs a value"],
    [["192.0.2.1", "192.0.2.2"], 'unexpected argument "192.0.2.2": only SERVER is taken'],
    [["--", "192.0.2.1", "-v"], 'unexpected argument "-v": only SERVER is taken'],
    [["--bogus", "-p"], 'unknown option "--bogus"'],
  ])("%p", (argv, problem) => {
    expect(read(argv)).toEqual(problem);
  });
});
