import type { Config } from "../cli/config.ts";
import { logRecvBuffer } from "../listen/udp-listener.ts";
import { log, setVerbosity } from "../log.ts";
import { openStateDb, type StateStore } from "../state/state-db.ts";
import { VERSION_LINE } from "../version.ts";
import { openSinks } from "./open-sinks.ts";
import { startServer } from "./start-server.ts";
import { summaryLine } from "./summary.ts";

/**
 * Start udpot for real: sinks, sockets, signals. Resolves once it serves;
 * SIGTERM or SIGINT then stop it with nothing recorded lost, and exit 0.
 */
export async function runUdpot(config: Config): Promise<void> {
  setVerbosity(config.verbosity);
  const { recorder, labels, reopen } = await openSinks(config);
  const state = stateStoreFor(config);
  const server = await startServer(config, state ? { recorder, state } : { recorder });
  log.log(startLine(config, server.port, labels));
  const restored = server.state?.restored;
  if (restored) {
    const { budget_state: sources, prefix_state: networks } = restored;
    log.info(`budgets restored: ${sources} sources, ${networks} networks`);
  }
  logRecvBuffer(server.udp.recvBuffer);

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping`);
    await server.stop();
    log.log(summaryLine(server, recorder));
    process.exit(0);
  };
  // A process that is PID 1 (a container) has no default action for
  // SIGTERM: without this handler it would ignore `docker stop`.
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGHUP", () => {
    log.info("SIGHUP: reopening log files");
    reopen();
  });
}

/**
 * The budgets are saved in the events database when it is an SQLite file;
 * with `-s ""` or `sqlite://` (memory) nothing outlives the process.
 */
function stateStoreFor(config: Config): StateStore | null {
  const db = config.database;
  if (db?.kind !== "sqlite" || db.path === ":memory:") return null;
  return openStateDb(db.path);
}

function startLine(config: Config, port: number, sinks: string[]): string {
  const bind = config.bind.includes(":") ? `[${config.bind}]` : config.bind;
  const up = config.upstream;
  const upstream = up.family === 6 ? `[${up.address}]:${up.port}` : `${up.address}:${up.port}`;
  const logs = sinks.length > 0 ? sinks.join(", ") : "none";
  return `${VERSION_LINE} listening on ${bind}:${port} udp+tcp, upstream ${upstream}, logs: ${logs}`;
}
