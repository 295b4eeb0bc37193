#!/usr/bin/env bun
import { runCli } from "./cli/run-cli.ts";
import { runUdpot } from "./server/run-udpot.ts";

// runCli resolves once udpot is serving (0) or refused to start (2, 1);
// from then on the signal handlers decide when the process ends.
const code = await runCli(process.argv.slice(2), runUdpot);
if (code !== 0) process.exit(code);
