/**
 * What the database sink end-to-end tests share: udpot from source
 * logging to a database and a JSON Lines file, fed the shared corpus.
 */
import { afterAll, afterEach, beforeAll } from "bun:test";
import { join } from "node:path";
import { tempDir } from "../unit/sink-fixtures.ts";
import { sharedCorpus } from "./corpus.ts";
import { query, tcpExchange, udpExchange } from "./dns-client.ts";
import { type FakeUpstream, startFakeUpstream } from "./fake-upstream.ts";
import { freePort } from "./free-port.ts";
import { FROM_SOURCE, killAllUdpot, REPO } from "./udpot-process.ts";

/** How long a test waits for an answer to one query. */
export const ANSWER_MS = 10_000;

/** A fake upstream and a temporary folder for the enclosing `describe`. */
export interface SinkE2eSuite {
  readonly upstream: FakeUpstream;
  /** A new free port, and a JSON Lines path named after `name` in the folder. */
  listener(name: string): Promise<{ port: number; jsonl: string }>;
  /** udpot's arguments: relay to the fake upstream, log to `url` and `jsonl`. */
  args(port: number, url: string, jsonl: string): string[];
}

/** Sets up the upstream and folder; every udpot left running is killed after each test. */
export function sinkE2eSuite(prefix: string): SinkE2eSuite {
  let upstream: FakeUpstream | undefined;
  let dir: ReturnType<typeof tempDir> | undefined;
  beforeAll(async () => {
    upstream = await startFakeUpstream();
    dir = tempDir(prefix);
  });
  afterEach(killAllUdpot);
  afterAll(() => {
    upstream?.close();
    dir?.remove();
  });

  const suite: SinkE2eSuite = {
    get upstream() {
      if (upstream === undefined) throw new Error("the fake upstream is not started yet");
      return upstream;
    },
    async listener(name) {
      if (dir === undefined) throw new Error("the temporary folder is not made yet");
      return { port: await freePort(), jsonl: join(dir.path, `${name}.jsonl`) };
    },
    args(port, url, jsonl) {
      const args = [`127.0.0.1:${suite.upstream.port}`, "-p", String(port), "-b", "127.0.0.1"];
      // No abuse caps: the corpus comes from one prefix, faster than 100 relays a second.
      args.push("--prefix-count", "0", "--max-relay-qps", "0");
      return [...args, "-c", "100", "-s", url, "-j", jsonl];
    },
  };
  return suite;
}

/** A query answered within `ANSWER_MS`, from another source: all before it was read. */
export function answered(port: number, name: string): Promise<Uint8Array | null> {
  return udpExchange(port, query(name), { from: "127.0.0.6", timeoutMs: ANSWER_MS });
}

/**
 * Sends every shared corpus message from 127.0.0.5, then one UDP and one
 * TCP query; the two answers, null where none came.
 */
export async function sendCorpus(port: number): Promise<(Uint8Array | null)[]> {
  const sock = await Bun.udpSocket({ hostname: "127.0.0.5" });
  for (const item of sharedCorpus()) sock.send(item.bytes, port, "127.0.0.1");
  sock.close();
  const udp = await answered(port, "marker.example");
  return [udp, await tcpExchange(port, query("tcp.example"), ANSWER_MS)];
}

/** The line udpot prints once it listens, from its stderr. */
export function startLine(stderr: string): string | undefined {
  return stderr.split("\n").find((line) => line.includes(" listening on "));
}

/** Runs udpot from source with `args` until it exits by itself: its status and stderr. */
export async function runToExit(args: string[]): Promise<[number, string]> {
  const proc = Bun.spawn([...FROM_SOURCE, ...args], { stdout: "pipe", stderr: "pipe", cwd: REPO });
  const [err, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  return [code, err];
}
