/**
 * What the kernel made of a request for a UDP receive buffer (SO_RCVBUF).
 *
 * Linux caps the request at `net.core.rmem_max` and then doubles it for its
 * own bookkeeping, and `getsockopt` reports the doubled figure (socket(7)).
 * So on Linux a request of 8 MiB under a 4 MiB cap reads back as
 * 8 MiB although only 4 MiB of it was granted.
 */
export interface RecvBuffer {
  /** Bytes asked for; 0 when the system default was kept. */
  asked: number;
  /** What `getsockopt(SO_RCVBUF)` reports. */
  reported: number;
  /** The part of the request the kernel granted, in the request's terms. */
  granted: number;
  /** The kernel gave less than was asked (raise net.core.rmem_max). */
  capped: boolean;
}

/** Reads the kernel's answer to a request of `asked` bytes (0: none made). */
export function describeRecvBuffer(
  asked: number,
  reported: number,
  platform: NodeJS.Platform = process.platform,
): RecvBuffer {
  const granted = platform === "linux" ? Math.floor(reported / 2) : reported;
  return { asked, reported, granted, capped: asked > 0 && granted < asked };
}

/** The start-up diagnostics for a receive buffer: an info line, and a warning when capped. */
export function recvBufferNotes(buffer: RecvBuffer): { info: string; warning: string | null } {
  const info =
    buffer.asked === 0
      ? `UDP receive buffer: system default, ${buffer.reported} bytes`
      : `UDP receive buffer: ${buffer.granted} bytes granted of ${buffer.asked} asked ` +
        `(the kernel reports ${buffer.reported})`;
  const warning = buffer.capped
    ? `UDP receive buffer capped at ${buffer.granted} bytes by net.core.rmem_max ` +
      `(asked ${buffer.asked}); a flood will overflow it sooner. ` +
      `Raise it: sysctl -w net.core.rmem_max=${buffer.asked} (see docs/flood.md)`
    : null;
  return { info, warning };
}
