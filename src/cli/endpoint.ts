import { isIP } from "node:net";
import type { Endpoint } from "./config.ts";

/** The standard DNS port (RFC 1035 section 4.2). */
export const DNS_PORT = 53;

/**
 * Reads `IPv4`, `IPv4:port`, `IPv6` or `[IPv6]:port` (also `[IPv6]`).
 * Host names are refused: resolving one would need the very service we relay
 * to. Returns undefined for anything malformed.
 */
export function parseEndpoint(text: string): Endpoint | undefined {
  if (text.startsWith("[")) return parseBracketed(text);

  const colons = text.split(":").length - 1;
  // Two or more colons can only be a bare IPv6 address, which has no port.
  if (colons >= 2) return endpointOf(text, String(DNS_PORT));
  if (colons === 1) {
    const [address = "", port = ""] = text.split(":");
    const endpoint = endpointOf(address, port);
    return endpoint?.family === 4 ? endpoint : undefined;
  }
  return endpointOf(text, String(DNS_PORT));
}

/** Reads a port number, 1 to 65535, written as plain decimal digits. */
export function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/** Whether text is an IPv4 or IPv6 literal (an IPv6 zone such as `%eth0` is allowed). */
export function isIpLiteral(text: string): boolean {
  return isIP(text) !== 0;
}

function parseBracketed(text: string): Endpoint | undefined {
  const close = text.indexOf("]");
  if (close < 0) return undefined;
  const address = text.slice(1, close);
  const after = text.slice(close + 1);
  if (after !== "" && !after.startsWith(":")) return undefined;

  const endpoint = endpointOf(address, after === "" ? String(DNS_PORT) : after.slice(1));
  return endpoint?.family === 6 ? endpoint : undefined;
}

function endpointOf(address: string, portText: string): Endpoint | undefined {
  const family = isIP(address);
  const port = parsePort(portText);
  if (family === 0 || port === undefined) return undefined;
  return { address, port, family: family === 4 ? 4 : 6 };
}
