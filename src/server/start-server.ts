import type { Config } from "../cli/config.ts";
import { Budget } from "../decide/budget.ts";
import { Handler } from "../decide/handler.ts";
import { RelayLimits } from "../decide/relay-limits.ts";
import { messageOf, UdpotError } from "../errors.ts";
import type { Inbound } from "../event/build-event.ts";
import { listenTcp, type TcpListener } from "../listen/tcp-listener.ts";
import { listenUdp, type UdpListener } from "../listen/udp-listener.ts";
import { log } from "../log.ts";
import { newRelayCounters, type RelayCounters } from "../relay/outcome.ts";
import { TcpUpstream } from "../relay/tcp-upstream.ts";
import { UdpUpstream } from "../relay/udp-upstream.ts";
import type { Recorder } from "../sinks/recorder.ts";
import type { StateStore } from "../state/state-db.ts";
import { keepBudgetState, type StateKeeper } from "../state/state-keeper.ts";
import { NatWatch } from "./nat-watch.ts";

/** A running udpot: its sockets, its parts, and the way to stop it. */
export interface Server {
  /** The UDP and TCP port (the same one). */
  readonly port: number;
  readonly handler: Handler;
  readonly budget: Budget;
  /** The per-network budget and the global rate cap. */
  readonly limits: RelayLimits;
  /** Null when the budgets are not saved (`-s ""` or an in-memory database). */
  readonly state: StateKeeper | null;
  readonly relayCounters: RelayCounters;
  readonly udp: UdpListener;
  readonly tcp: TcpListener;
  /** Stop accepting, finish in-flight relays, flush every sink. */
  stop(): Promise<void>;
}

export interface ServerParts {
  recorder: Recorder;
  /** Where the budgets are saved and restored from; none: not kept. */
  state?: StateStore;
  /** Wall clock for the budget, injectable for tests. */
  now?: () => number;
}

/** Open the relay and the listeners, wired to one handler. */
export async function startServer(config: Config, parts: ServerParts): Promise<Server> {
  const relayCounters = newRelayCounters();
  const timeoutMs = config.upstreamTimeoutMs;
  const udpUpstream = await UdpUpstream.open(
    config.upstream,
    timeoutMs,
    relayCounters,
    config.recvBufferBytes,
  );
  const tcpUpstream = new TcpUpstream(config.upstream, timeoutMs, relayCounters);
  const budget = new Budget({
    limit: config.reqCount,
    windowMs: config.reqTimeoutSec * 1000,
    maxSources: config.maxSources,
  });
  const now = parts.now ?? Date.now;
  const limits = RelayLimits.fromConfig(config, now());
  const natWatch = new NatWatch();
  const handler = new Handler({
    budget,
    limits,
    maxReplyBytes: config.maxReplyBytes,
    udp: udpUpstream,
    tcp: tcpUpstream,
    record: (event) => {
      natWatch.see(event.src_ip);
      parts.recorder.record(event);
    },
    now,
  });
  const state = parts.state ? keepState(parts.state, budget, limits, config, now) : null;
  const onMessage = (msg: Inbound): void => handler.handle(msg);
  const onFragment = (msg: Inbound): void => handler.recordFragment(msg);
  const { udp, tcp } = await listenBoth(config, onMessage, onFragment);

  const sweeper = setInterval(() => {
    budget.sweep(now());
    limits.prefixes?.sweep(now());
  }, sweepInterval(config.reqTimeoutSec));
  sweeper.unref();

  const stop = async (): Promise<void> => {
    tcp.stopAccepting();
    handler.stop();
    await waitFor(() => handler.inFlight() === 0, timeoutMs + 1000);
    clearInterval(sweeper);
    udpUpstream.close();
    tcpUpstream.close();
    udp.close();
    tcp.closeAll();
    state?.stop();
    await parts.recorder.close();
  };
  return { port: udp.port, handler, budget, limits, state, relayCounters, udp, tcp, stop };
}

function keepState(
  store: StateStore,
  budget: Budget,
  limits: RelayLimits,
  config: Config,
  now: () => number,
): StateKeeper {
  const windowMs = config.reqTimeoutSec * 1000;
  return keepBudgetState(store, { sources: budget, prefixes: limits.prefixes, windowMs, now });
}

/**
 * UDP and TCP on one port. With port 0 the kernel picks the UDP port and
 * TCP takes the same number, which another process may hold: try again.
 */
async function listenBoth(
  config: Config,
  onMessage: (msg: Inbound) => void,
  onFragment: (msg: Inbound) => void,
): Promise<{ udp: UdpListener; tcp: TcpListener }> {
  const tcpOpts = {
    idleMs: config.tcpIdleMs,
    maxConnections: config.tcpMaxConnections,
    maxPerSource: config.tcpMaxPerSource,
  };
  for (let attempt = 0; ; attempt++) {
    const udp = await bindOrExplain("UDP", config, () =>
      listenUdp(config.bind, config.port, onMessage, { recvBufferBytes: config.recvBufferBytes }),
    );
    try {
      const handlers = { message: onMessage, fragment: onFragment };
      const tcp = await listenTcp(config.bind, udp.port, tcpOpts, handlers);
      return { udp, tcp };
    } catch (err) {
      udp.close();
      if (config.port !== 0 || attempt >= 10) throw explain("TCP", config.bind, udp.port, err);
    }
  }
}

async function bindOrExplain<T>(kind: string, config: Config, bind: () => Promise<T>): Promise<T> {
  try {
    return await bind();
  } catch (err) {
    throw explain(kind, config.bind, config.port, err);
  }
}

function explain(kind: string, bind: string, port: number, err: unknown): UdpotError {
  const where = bind.includes(":") ? `[${bind}]:${port}` : `${bind}:${port}`;
  const why = messageOf(err);
  const hint =
    port < 1024 ? " (ports below 1024 need root or CAP_NET_BIND_SERVICE; see README)" : "";
  return new UdpotError("startup", `cannot listen on ${kind} ${where}: ${why}${hint}`);
}

/** Sweep often enough that expired sources do not pile up, at most once a minute. */
function sweepInterval(windowSec: number): number {
  return Math.max(1000, Math.min(60_000, (windowSec * 1000) / 4));
}

async function waitFor(done: () => boolean, limitMs: number): Promise<void> {
  const until = performance.now() + limitMs;
  while (!done() && performance.now() < until) await Bun.sleep(10);
  if (!done()) log.warn("stopping with relays still in flight");
}
