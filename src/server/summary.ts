import type { Recorder } from "../sinks/recorder.ts";
import type { Server } from "./start-server.ts";

/** One line of counters for the end of a run, so operators see what was dropped. */
export function summaryLine(server: Server, recorder: Recorder): string {
  const h = server.handler.counters;
  const r = server.relayCounters;
  const u = server.udp.counters;
  const t = server.tcp.counters;
  const sinks = recorder
    .stats()
    .map((s) => `${s.name} ${s.written} written/${s.failedFlushes} failed/${s.dropped} dropped`)
    .join(", ");
  return [
    `stopped: ${h.received} messages`,
    `upstream timeouts ${r.timeouts}, errors ${r.errors}, unknown replies ${r.unknownReplies}`,
    `udp socket errors ${u.socketErrors}, send failures ${u.sendFailures}`,
    `tcp accepted ${t.accepted}, refused ${t.refused}, idle-closed ${t.idleClosed}, ` +
      `evicted ${t.evicted}, unread-closed ${t.unreadClosed}`,
    `sources tracked ${server.budget.size}, table full ${h.tableFull}`,
    `limited: prefix ${h.prefixLimited}, prefix table full ${h.prefixTableFull}, ` +
      `rate ${h.rateLimited}, truncated ${h.truncated}`,
    `sinks: ${sinks || "none"}`,
  ].join("; ");
}
