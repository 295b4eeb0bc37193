import type { Inbound } from "../event/build-event.ts";
import { tagged } from "../log.ts";

const udpLog = tagged("udp");

export interface UdpCounters {
  /** Socket errors, mostly ICMP port unreachable for replies to closed ports. */
  socketErrors: number;
  /** Replies the kernel refused (backpressure, or a stale ICMP error). */
  sendFailures: number;
}

export interface UdpListener {
  readonly port: number;
  readonly counters: UdpCounters;
  close(): void;
}

/**
 * Thin UDP listener: each datagram becomes one message for the handler.
 * Nothing here may throw into Bun: a throw inside `data` is reported as an
 * uncaught error and would end udpot with status 1 (BUN-NOTES).
 */
export async function listenUdp(
  hostname: string,
  port: number,
  onMessage: (msg: Inbound) => void,
): Promise<UdpListener> {
  const counters: UdpCounters = { socketErrors: 0, sendFailures: 0 };
  const socket = await Bun.udpSocket({
    hostname,
    port,
    binaryType: "uint8array",
    socket: {
      data(sock, bytes, peerPort, address) {
        const reply = (out: Uint8Array): void => {
          try {
            if (!sock.send(out, peerPort, address)) counters.sendFailures++;
          } catch {
            counters.sendFailures++;
          }
        };
        try {
          onMessage({ bytes, transport: "UDP", address, port: peerPort, reply });
        } catch (err) {
          udpLog.error(`handler failed on a message from ${address}: ${String(err)}`);
        }
      },
      error(_sock, err) {
        // ICMP errors for replies into closed ports land here, about two
        // per ICMP. They are the peer's problem, not ours: count and go on.
        counters.socketErrors++;
        udpLog.debug(`socket error: ${err.message}`);
      },
    },
  });
  return {
    port: socket.port,
    counters,
    close: () => socket.close(),
  };
}
