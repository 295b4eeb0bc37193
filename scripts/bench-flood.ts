/**
 * udpot under flood, against the compiled binary dist/udpot, loopback only.
 * Run it through scripts/bench, which installs the tools and builds first.
 *
 *   bun scripts/bench-flood.ts --sender PATH [--quick] [--only sinkhole,relay,memory]
 *                              [--rates 10000,25000] [--seconds S] [--binary PATH]
 *
 * --binary runs another build of udpot (an older one, to compare) instead
 * of dist/udpot.
 *
 * (a) sinkhole: one source at fixed rates, `-c 0`, SQLite and JSON Lines on;
 *     per rate: sent, rows, lines, the kernel's receive-buffer drops, loss.
 * (b) relay: dnsperf straight to Unbound and through udpot (see bench-relay.ts).
 * (c) memory: resident size idle and after a million distinct sources.
 * Prints one table.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { freePort } from "../tests/helpers/free-port.ts";
import { startUdpot, type UdpotProcess } from "../tests/helpers/udpot-process.ts";
import {
  lineCount,
  mb,
  n,
  residentBytes,
  send,
  sqliteRows,
  summaryFigure,
  udpCounters,
  waitDrained,
} from "./bench-lib.ts";
import { benchRelay, type RelayFigures } from "./bench-relay.ts";

const { values: opts } = parseArgs({
  options: {
    sender: { type: "string" },
    quick: { type: "boolean", default: false },
    only: { type: "string", default: "sinkhole,relay,memory" },
    rates: { type: "string" },
    seconds: { type: "string" },
    binary: { type: "string" },
  },
});
if (opts.sender === undefined)
  throw new Error("--sender PATH is required (scripts/bench builds it)");
const sender = opts.sender;
const parts = new Set(opts.only.split(","));
const seconds = Number(opts.seconds ?? (opts.quick ? 2 : 10));
const rates = (opts.rates ?? "10000,25000,50000,100000,150000").split(",").map(Number);
/** Distinct sources for (c); the quick run sends fewer. */
const SOURCES = opts.quick ? 200_000 : 1_000_000;
const MEMORY_RATE = 50_000;
const binary = opts.binary === undefined ? {} : { cmd: [opts.binary] };

type Row = [string, string, string, string, string, string, string, string];
const dir = mkdtempSync(join(tmpdir(), "udpot-bench-"));
const started: UdpotProcess[] = [];

// One table, a row printed as soon as it is measured.
printRow(["part", "case", "sent", "SQLite rows", "JSONL lines", "kernel drops", "loss", "figures"]);
printRow(["---", "---", "---", "---", "---", "---", "---", "---"]);
try {
  if (parts.has("sinkhole")) for (const rate of rates) printRow(await sinkhole(rate));
  if (parts.has("relay")) for (const row of await relay()) printRow(row);
  if (parts.has("memory")) for (const row of await memory()) printRow(row);
} finally {
  // A part that failed half-way may leave its udpot running: end it.
  for (const proc of started) if (proc.proc.exitCode === null) await proc.stop("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
}
const rmem = readFileSync("/proc/sys/net/core/rmem_max", "utf8").trim();
console.log(`\nnet.core.rmem_max ${rmem}; kernel drops: RcvbufErrors delta in /proc/net/snmp`);

/** udpot on a free loopback port with fresh SQLite and JSONL files named after `name`. */
async function udpot(name: string, extra: string[]) {
  const port = await freePort();
  const db = join(dir, `${name}.sqlite3`);
  const jsonl = join(dir, `${name}.jsonl`);
  const args = ["-b", "127.0.0.1", "-p", String(port), "-s", `sqlite:///${db}`, "-j", jsonl];
  const proc = await startUdpot([...extra, ...args], binary);
  started.push(proc);
  return { proc, port, db, jsonl };
}

async function sinkhole(rate: number): Promise<Row> {
  const u = await udpot(`sinkhole-${rate}`, ["127.0.0.1:9", "-c", "0"]);
  const before = udpCounters();
  const result = await send(sender, u.port, rate, seconds);
  const drained = await waitDrained(u.port);
  const drops = (udpCounters().RcvbufErrors ?? 0) - (before.RcvbufErrors ?? 0);
  await u.proc.stop();
  const stored = [sqliteRows(u.db), lineCount(u.jsonl)] as const;
  const lost = result.sent - Math.min(...stored);
  const loss = `${((100 * lost) / result.sent).toFixed(2)} %`;
  const note = drained ? "" : "udpot had not read its queue after 30 s";
  const label = `${n(rate)} q/s x ${seconds} s`;
  return ["sinkhole", label, n(result.sent), n(stored[0]), n(stored[1]), n(drops), loss, note];
}

async function relay(): Promise<Row[]> {
  const run = await benchRelay(dir, seconds, binary);
  const row = (label: string, f: RelayFigures): Row => {
    const ratio = `${((100 * f.qps) / run.direct.qps).toFixed(0)} % of direct`;
    const added = `+${(f.medianMs - run.direct.medianMs).toFixed(3)} ms`;
    const figures = `${n(f.qps)} q/s, median ${f.medianMs.toFixed(3)} ms at 2,000 q/s`;
    const extra = f === run.direct ? "" : ` (${added}); ${ratio}`;
    return ["relay", label, "", "", "", "", `${n(f.lost)} lost`, figures + extra];
  };
  return [
    row("dnsperf straight to Unbound", run.direct),
    row("through udpot, SQLite + JSONL on", run.logged),
    row("through udpot, no logs", run.unlogged),
  ];
}

/** Default limits (`-c 3`, prefix budget, relay cap): what a deployed udpot does under a spoofed flood. */
async function memory(): Promise<Row[]> {
  const u = await udpot("memory", ["127.0.0.1:9"]);
  await Bun.sleep(2000);
  const idle: Row = ["memory", "idle, 2 s after start", "", "", "", "", "", "RSS "];
  idle[7] += mb(residentBytes(u.proc.proc.pid));
  let peak = 0;
  const sampler = setInterval(() => {
    if (u.proc.proc.exitCode === null) peak = Math.max(peak, residentBytes(u.proc.proc.pid));
  }, 250);
  const result = await send(sender, u.port, MEMORY_RATE, SOURCES / MEMORY_RATE, SOURCES);
  await waitDrained(u.port);
  // Let the sinks' timers write what is buffered, as a running udpot would.
  await Bun.sleep(1000);
  clearInterval(sampler);
  const label = `${n(SOURCES)} distinct sources at ${n(MEMORY_RATE)} q/s`;
  const row: Row = ["memory", label, n(result.sent), "", "", "", "", ""];
  if (u.proc.proc.exitCode !== null) {
    row[7] = `udpot exited: ${u.proc.stderr().trim().split("\n").slice(-3).join(" / ")}`;
    return [idle, row];
  }
  const loaded = residentBytes(u.proc.proc.pid);
  await u.proc.stop();
  const table = summaryFigure(u.proc.stderr(), /sources tracked (\d+)/);
  const received = summaryFigure(u.proc.stderr(), /stopped: (\d+) messages/);
  const entries = table === null ? "not reported" : `${n(table)} entries`;
  row[7] =
    `RSS ${mb(loaded)} (peak ${mb(Math.max(peak, loaded))}); ` +
    `per-source table ${entries}; ${n(received ?? 0)} received`;
  return [idle, row];
}

function printRow(row: Row): void {
  console.log(`| ${row.join(" | ")} |`);
}
