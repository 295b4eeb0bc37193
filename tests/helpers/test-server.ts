import type { Config } from "../../src/cli/config.ts";
import type { QueryEvent } from "../../src/event/query-event.ts";
import { type Server, startServer } from "../../src/server/start-server.ts";
import { MemorySink } from "../../src/sinks/memory-sink.ts";
import { Recorder } from "../../src/sinks/recorder.ts";
import { waitUntil } from "./dns-client.ts";

/** A Config for in-process tests: loopback, port 0, no files, no abuse caps. */
export function testConfig(upstreamPort: number, overrides: Partial<Config> = {}): Config {
  return {
    upstream: { address: "127.0.0.1", port: upstreamPort, family: 4 },
    bind: "127.0.0.1",
    port: 0,
    reqCount: 3,
    reqTimeoutSec: 86400,
    upstreamTimeoutMs: 1000,
    database: null,
    jsonLog: null,
    jsonRotate: false,
    verbose: false,
    verbosity: 0,
    maxSources: 1_000_000,
    tcpIdleMs: 10_000,
    tcpMaxConnections: 512,
    tcpMaxPerSource: 8,
    recvBufferBytes: 0,
    prefixV4: 24,
    prefixV6: 56,
    prefixCount: 0,
    maxRelayQps: 0,
    maxReplyBytes: 0,
    ...overrides,
  };
}

export interface TestServer {
  server: Server;
  sink: MemorySink;
  recorder: Recorder;
  /** Flush and return every event recorded so far. */
  events(): Promise<QueryEvent[]>;
  /** Wait until `count` events are recorded, then return them. */
  waitEvents(count: number, timeoutMs?: number): Promise<QueryEvent[]>;
  stop(): Promise<void>;
}

/** udpot in this process, recording into memory. */
export async function startTestServer(config: Config): Promise<TestServer> {
  const sink = new MemorySink();
  const recorder = new Recorder([sink], { batchSize: 1, flushMs: 20 });
  const server = await startServer(config, { recorder });
  const events = async () => {
    await recorder.flush();
    return sink.events;
  };
  return {
    server,
    sink,
    recorder,
    events,
    async waitEvents(count, timeoutMs = 5000) {
      await waitUntil(() => sink.events.length + sink.pending() >= count, timeoutMs);
      return await events();
    },
    stop: () => server.stop(),
  };
}
