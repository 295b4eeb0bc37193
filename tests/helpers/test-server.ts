import type { Config } from "../../src/cli/config.ts";
import type { QueryEvent } from "../../src/event/query-event.ts";
import { type Server, startServer } from "../../src/server/start-server.ts";
import { MemorySink } from "../../src/sinks/memory-sink.ts";
import { Recorder } from "../../src/sinks/recorder.ts";
import { DEFAULT_CONFIG } from "./default-config.ts";
import { waitUntil } from "./dns-client.ts";

/** A Config for in-process tests: loopback, port 0, no files, no abuse caps. */
export function testConfig(upstreamPort: number, overrides: Partial<Config> = {}): Config {
  return {
    ...DEFAULT_CONFIG,
    upstream: { address: "127.0.0.1", port: upstreamPort, family: 4 },
    bind: "127.0.0.1",
    port: 0,
    upstreamTimeoutMs: 1000,
    database: null,
    recvBufferBytes: 0,
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
