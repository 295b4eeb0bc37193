/**
 * Part (b) of scripts/bench: dnsperf against a local Unbound, straight and
 * through udpot (relaying every query, logs on), in the same run.
 * Unbound answers from a local zone and forwards nothing off this machine
 * (tests/helpers/unbound.ts); dnsperf runs for a fixed time and stops.
 */
import { join } from "node:path";
import { freePort } from "../tests/helpers/free-port.ts";
import { startUdpot } from "../tests/helpers/udpot-process.ts";
import { startUnbound } from "../tests/helpers/unbound.ts";

/** Names the local zone answers, so every query gets NOERROR with data. */
const QUERIES = "www.example A\nwww.example AAAA\nwww.example TXT\nmail.example MX\n";

/** Queries a second for the latency runs: far below both servers' capacity. */
const LATENCY_QPS = 2000;

export interface RelayFigures {
  qps: number;
  /** Queries dnsperf counted as lost. */
  lost: number;
  medianMs: number;
}

export interface RelayRun {
  direct: RelayFigures;
  /** Through udpot writing SQLite and JSON Lines, as deployed. */
  logged: RelayFigures;
  /** Through udpot with no logs: the relay alone. */
  unlogged: RelayFigures;
}

/** `binary`: another build of udpot to run (`{ cmd: [path] }`), else dist/udpot. */
export async function benchRelay(
  dir: string,
  seconds: number,
  binary: { cmd?: string[] } = {},
): Promise<RelayRun> {
  const queries = join(dir, "queries.txt");
  await Bun.write(queries, QUERIES);
  const unbound = await startUnbound();
  try {
    const measure = (port: number) => figures(port, queries, seconds);
    const logs = ["-s", `sqlite:///${join(dir, "relay.sqlite3")}`, "-j", join(dir, "relay.jsonl")];
    return {
      direct: await measure(unbound.port),
      logged: await throughUdpot(unbound.port, [...logs], binary, measure),
      unlogged: await throughUdpot(unbound.port, ["-s", ""], binary, measure),
    };
  } finally {
    await unbound.stop();
  }
}

/** udpot relaying every query to Unbound, measured, then stopped. */
async function throughUdpot(
  upstreamPort: number,
  logs: string[],
  binary: { cmd?: string[] },
  measure: (port: number) => Promise<RelayFigures>,
): Promise<RelayFigures> {
  const port = await freePort();
  const relayAll = ["-c", "1000000000", "--prefix-count", "0", "--max-relay-qps", "0"];
  const args = ["-b", "127.0.0.1", "-p", String(port), ...relayAll, "--max-reply-bytes", "0"];
  const udpot = await startUdpot([`127.0.0.1:${upstreamPort}`, ...args, ...logs], binary);
  try {
    return await measure(port);
  } finally {
    await udpot.stop();
  }
}

async function figures(port: number, queries: string, seconds: number): Promise<RelayFigures> {
  const { qps, lost } = await throughput(port, queries, seconds);
  return { qps, lost, medianMs: await medianLatencyMs(port, queries, Math.min(seconds, 5)) };
}

/** As fast as it goes: 4 clients, up to 100 queries outstanding. */
async function throughput(port: number, queries: string, seconds: number) {
  const out = await dnsperf([...target(port, queries, seconds), "-c", "4", "-q", "100"]);
  const qps = /Queries per second:\s+([\d.]+)/.exec(out)?.[1];
  const lost = /Queries lost:\s+(\d+)/.exec(out)?.[1];
  if (qps === undefined || lost === undefined)
    throw new Error(`unexpected dnsperf output:\n${out}`);
  return { qps: Number(qps), lost: Number(lost) };
}

/** The median of every query's latency at a fixed low rate (`-v` prints each one). */
async function medianLatencyMs(port: number, queries: string, seconds: number): Promise<number> {
  const out = await dnsperf([...target(port, queries, seconds), "-Q", String(LATENCY_QPS), "-v"]);
  const latencies = out
    .split("\n")
    .filter((line) => line.startsWith("> "))
    .map((line) => Number(line.trim().split(/\s+/).at(-1)))
    .sort((a, b) => a - b);
  if (latencies.length === 0) throw new Error(`dnsperf reported no answers:\n${out}`);
  return (latencies[Math.floor(latencies.length / 2)] ?? 0) * 1000;
}

function target(port: number, queries: string, seconds: number): string[] {
  return ["-s", "127.0.0.1", "-p", String(port), "-d", queries, "-l", String(seconds)];
}

async function dnsperf(args: string[]): Promise<string> {
  const proc = Bun.spawn(["dnsperf", ...args], { stdout: "pipe", stderr: "pipe" });
  const [out, err] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
  ]);
  if ((await proc.exited) !== 0) throw new Error(`dnsperf ${args.join(" ")} failed:\n${err}`);
  return out;
}
