import { Budget } from "../../src/decide/budget.ts";
import { Handler, type Relay } from "../../src/decide/handler.ts";
import { RelayLimits } from "../../src/decide/relay-limits.ts";
import type { QueryEvent, Transport } from "../../src/event/query-event.ts";
import type { RelayDone } from "../../src/relay/outcome.ts";
import { MemorySink } from "../../src/sinks/memory-sink.ts";
import { Recorder } from "../../src/sinks/recorder.ts";
import { answer } from "./fake-upstream.ts";
import { echoReply } from "./hostile-handler.ts";
import { corpusSeeds, mutate, prng, type Random } from "./hostile-mutate.ts";
import { testConfig } from "./test-server.ts";

/** One message that broke a property: what was sent, and what went wrong. */
export interface Finding {
  /** How it was handed to the handler: a UDP or TCP message, or a cut-short TCP frame. */
  kind: Kind;
  hex: string;
  problem: string;
}

export interface FuzzReport {
  messages: number;
  findings: Finding[];
  /** Every action recorded, with how often. */
  actions: Record<string, number>;
  /** Events the memory sink holds after the recorder closed. */
  stored: number;
  slowestMs: number;
}

export interface FuzzOptions {
  count: number;
  seed: number;
  /** Stop early after this long (ms); the count is the upper bound. */
  timeLimitMs?: number;
  /** A message slower than this is a finding (a hang in the making). */
  slowMs?: number;
  /** Stop at this many findings. */
  maxFindings?: number;
}

const CAP = 512;

/**
 * Mutated corpus messages through the real Handler, budgets and limits,
 * into a Recorder with a memory sink, with a fake upstream that answers
 * at once, late, wrongly, hugely or not at all. Every message must give
 * exactly one event, no throw, at most one reply, and a UDP reply within
 * the byte cap.
 */
export async function fuzzHandler(opts: FuzzOptions): Promise<FuzzReport> {
  const random = prng(opts.seed);
  const seeds = corpusSeeds();
  const config = testConfig(53, {
    reqCount: 3,
    reqTimeoutSec: 1,
    maxSources: 5000,
    prefixCount: 10,
    maxRelayQps: 200,
    maxReplyBytes: CAP,
  });
  const clock = { now: 1_000_000 };
  const budget = new Budget({ limit: 3, windowMs: 1000, maxSources: config.maxSources });
  const limits = RelayLimits.fromConfig(config, clock.now);
  const relay = new FuzzRelay(random);
  const sink = new MemorySink();
  const recorder = new Recorder([sink], { batchSize: 5000, flushMs: 1000 });
  let recorded = 0;
  let last: QueryEvent | undefined;
  const handler = new Handler({
    budget,
    limits,
    maxReplyBytes: CAP,
    udp: relay,
    tcp: relay,
    now: () => clock.now,
    record: (event) => {
      recorded++;
      last = event;
      recorder.record(event);
    },
  });

  const report: FuzzReport = { messages: 0, findings: [], actions: {}, stored: 0, slowestMs: 0 };
  const until = performance.now() + (opts.timeLimitMs ?? Number.POSITIVE_INFINITY);
  for (let i = 0; i < opts.count && performance.now() < until; i++) {
    if (report.findings.length >= (opts.maxFindings ?? 20)) break;
    const input = mutate(pick(seeds, random), random, pick(seeds, random));
    const kind: Kind = i % 50 === 49 ? "fragment" : random(2) ? "UDP" : "TCP";
    const before = recorded;
    const replies: Uint8Array[] = [];
    const msg = {
      bytes: input,
      transport: kind === "UDP" ? ("UDP" as const) : ("TCP" as const),
      address: sourceOf(random),
      port: 1 + (i % 65535),
      reply: (r: Uint8Array) => replies.push(r),
    };
    const problems: string[] = [];
    const started = performance.now();
    try {
      if (kind === "fragment") handler.recordFragment(msg);
      else handler.handle(msg);
    } catch (err) {
      problems.push(`threw ${String(err)}`);
    }
    const ms = performance.now() - started;
    report.slowestMs = Math.max(report.slowestMs, ms);
    if (ms > (opts.slowMs ?? 250)) problems.push(`took ${ms.toFixed(0)} ms`);
    if (recorded - before !== 1) problems.push(`${recorded - before} events`);
    else if (last !== undefined) {
      problems.push(...eventProblems(last, input, replies, kind));
      report.actions[last.action] = (report.actions[last.action] ?? 0) + 1;
    }
    for (const problem of problems) report.findings.push({ kind, hex: hex(input), problem });
    report.messages++;
    clock.now += random(4);
    if (i % 1000 === 999) {
      budget.sweep(clock.now);
      limits.prefixes?.sweep(clock.now);
      // Let the recorder flush, and keep a long run's memory flat.
      await new Promise((resolve) => setImmediate(resolve));
      report.stored += sink.events.length;
      sink.events.length = 0;
    }
  }
  await recorder.close();
  report.stored += sink.events.length;
  return report;
}

type Kind = Transport | "fragment";

/** What is wrong with the event and replies for one input; empty when nothing. */
function eventProblems(
  event: QueryEvent,
  input: Uint8Array,
  replies: Uint8Array[],
  kind: Kind,
): string[] {
  const problems: string[] = [];
  const answered =
    ["relayed", "relay-timeout", "relay-error"].includes(event.action) ||
    (event.action === "limited" && event.response_size !== null);
  if (replies.length > 1) problems.push(`${replies.length} replies`);
  if (answered !== (replies.length === 1))
    problems.push(`${event.action} with ${replies.length} replies`);
  const reply = replies[0];
  if (reply !== undefined && event.response_size !== reply.length) problems.push("response_size");
  if (reply !== undefined && kind === "UDP" && reply.length > CAP)
    problems.push("UDP reply over the cap");
  if (event.query_size !== input.length) problems.push("query_size");
  if (event.error !== null && event.raw !== hex64(input)) problems.push("raw is not the input");
  if (kind === "fragment" && event.action !== "malformed") problems.push("fragment not malformed");
  return problems;
}

/**
 * A fake upstream without sockets that answers in the same turn: mostly a
 * plain reply, sometimes dns-packet's real answer, a timeout, an error, a
 * reply too big for UDP, or a mutated reply (the relay passes on anything
 * of 12 bytes or more).
 */
class FuzzRelay implements Relay {
  readonly #random: Random;

  constructor(random: Random) {
    this.#random = random;
  }

  forward(query: Uint8Array, done: RelayDone): void {
    const roll = this.#random(20);
    if (roll === 0) done({ kind: "timeout", ms: 1000 });
    else if (roll === 1) done({ kind: "error", ms: 0.1, reason: "fuzz" });
    else done({ kind: "reply", bytes: this.#reply(query, roll), ms: this.#random(100) / 10 });
  }

  #reply(query: Uint8Array, roll: number): Uint8Array {
    let bytes = roll === 2 ? answer(query) : echoReply(query);
    if (roll === 3)
      bytes = Uint8Array.from([...bytes, ...new Uint8Array(700 + this.#random(2000))]);
    if (roll === 4) bytes = mutate(bytes, this.#random);
    if (bytes.length < 12)
      bytes = Uint8Array.from([...bytes, ...new Uint8Array(12 - bytes.length)]);
    return bytes;
  }

  inFlight(): number {
    return 0;
  }
}

function pick(seeds: Uint8Array[], random: Random): Uint8Array {
  return seeds[random(seeds.length)] as Uint8Array;
}

/**
 * Half the messages come from a few hot sources, which spend their
 * budgets and their networks'; the rest from a wide space, mostly
 * answered. IPv4, IPv4-mapped and IPv6 alike.
 */
function sourceOf(random: Random): string {
  const n = random(2) === 0 ? random(30) : 30 + random(1 << 20);
  const family = n % 3;
  if (family === 0) return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  if (family === 1) return `::ffff:172.${16 + ((n >> 16) & 15)}.${(n >> 8) & 255}.${n & 255}`;
  return `2001:db8:${(n >> 8).toString(16)}:${(n & 255).toString(16)}00::1`;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const hex64 = (b: Uint8Array) => Buffer.from(b).toString("base64");
