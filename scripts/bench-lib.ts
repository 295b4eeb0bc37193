/**
 * Pieces of scripts/bench: the kernel's UDP counters, udpot's socket queue,
 * a process's resident size, the fixed-rate sender, and what udpot wrote.
 * Everything here reads local files or talks to 127.0.0.1 only.
 */
import { Database } from "bun:sqlite";
import { readFileSync } from "node:fs";

/** The `Udp:` line of /proc/net/snmp as name -> value (InDatagrams, RcvbufErrors, …). */
export function udpCounters(): Record<string, number> {
  const lines = readFileSync("/proc/net/snmp", "utf8")
    .split("\n")
    .filter((line) => line.startsWith("Udp:"));
  const names = lines[0]?.split(/\s+/).slice(1) ?? [];
  const values = lines[1]?.split(/\s+/).slice(1).map(Number) ?? [];
  return Object.fromEntries(names.map((name, i) => [name, values[i] ?? 0]));
}

/** Datagrams waiting in the receive queue of the IPv4 UDP socket bound to `port`; null if none is. */
export function udpQueueBytes(port: number): number | null {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  for (const line of readFileSync("/proc/net/udp", "utf8").split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    // fields: sl local rem st tx_queue:rx_queue ...
    if (fields[1]?.endsWith(`:${hexPort}`))
      return Number.parseInt(fields[4]?.split(":")[1] ?? "0", 16);
  }
  return null;
}

/** Waits (at most `limitMs`) until udpot's socket has read everything queued for it. */
export async function waitDrained(port: number, limitMs = 30_000): Promise<boolean> {
  const until = performance.now() + limitMs;
  let emptyReads = 0;
  while (performance.now() < until) {
    emptyReads = udpQueueBytes(port) === 0 ? emptyReads + 1 : 0;
    if (emptyReads >= 3) return true;
    await Bun.sleep(50);
  }
  return false;
}

/** VmRSS of a process in bytes. */
export function residentBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(match?.[1] ?? 0) * 1024;
}

export interface SendResult {
  sent: number;
  errors: number;
  replies: number;
  seconds: number;
}

/** Runs the C sender (scripts/bench-sender.c) to 127.0.0.1:`port`; it stops by itself. */
export async function send(
  sender: string,
  port: number,
  rate: number,
  seconds: number,
  sources = 0,
): Promise<SendResult> {
  const args = ["-p", String(port), "-r", String(rate), "-d", String(seconds)];
  if (sources > 0) args.push("-n", String(sources));
  const proc = Bun.spawn([sender, ...args], { stdout: "pipe", stderr: "inherit" });
  const out = await new Response(proc.stdout).text();
  if ((await proc.exited) !== 0) throw new Error(`${sender} failed: ${out}`);
  const m = /sent (\d+) errors (\d+) replies (\d+) seconds ([\d.]+)/.exec(out);
  if (m === null) throw new Error(`unexpected sender output: ${out}`);
  return { sent: +(m[1] ?? 0), errors: +(m[2] ?? 0), replies: +(m[3] ?? 0), seconds: +(m[4] ?? 0) };
}

/** Rows in the `dns` table of an SQLite file. */
export function sqliteRows(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.query<{ n: number }, []>("SELECT count(*) AS n FROM dns").get()?.n ?? 0;
  } finally {
    db.close();
  }
}

/** Lines in a file, counted by newline bytes. */
export function lineCount(path: string): number {
  const bytes = readFileSync(path);
  let lines = 0;
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) lines++;
  return lines;
}

/** A number from udpot's shutdown summary line, e.g. `stopped: (\d+) messages`. */
export function summaryFigure(stderr: string, pattern: RegExp): number | null {
  const m = pattern.exec(stderr);
  return m === null ? null : Number(m[1]);
}

/** `12,345`. */
export function n(value: number): string {
  return Math.round(value).toLocaleString("en");
}

/** `48.2 MB`. */
export function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
