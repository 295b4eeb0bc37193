import { u16 } from "./_bytes.ts";
import { ipv4Text, ipv6Text } from "./address-text.ts";
import { WireError } from "./wire-error.ts";

/** What a query's OPT record says about its sender (RFC 6891 §6.1). */
export interface Edns {
  /** Largest UDP reply the sender accepts, from the CLASS field. */
  udpSize: number;
  version: number;
  /** DNSSEC OK, RFC 3225 §3. */
  do: boolean;
  /** Client subnet as `address/source-prefix`, RFC 7871. */
  ecs: string | null;
  /** A COOKIE option is present, RFC 7873. */
  cookie: boolean;
}

/** EDNS option codes, IANA "DNS EDNS0 Option Codes (OPT)". */
const OPTION_ECS = 8;
const OPTION_COOKIE = 10;

/** RFC 7871 §6 address families (IANA "Address Family Numbers"). */
const FAMILY_IPV4 = 1;
const FAMILY_IPV6 = 2;

/**
 * The EDNS values in the fixed fields of the OPT record whose TYPE is at
 * `fixed` (RFC 6891 §6.1.3): UDP size in CLASS, version and DO in the TTL.
 * The caller has checked that the 10 fixed bytes exist.
 */
export function ednsFromOpt(buf: Uint8Array, fixed: number): Edns {
  return {
    udpSize: u16(buf, fixed + 2),
    version: buf[fixed + 5] as number,
    do: ((buf[fixed + 6] as number) & 0x80) !== 0,
    ecs: null,
    cookie: false,
  };
}

/**
 * Walks the {code, length, data} options of RFC 6891 §6.1.2 from `start` to
 * `rdEnd`, the RDATA end that RDLENGTH claims, and notes ECS and COOKIE in
 * `edns`. Stops quietly where the message ends: the caller reports a record
 * that runs past it. Throws a {@link WireError} when an option does not fit
 * its record or carries a bad client subnet.
 */
export function readOptions(buf: Uint8Array, start: number, rdEnd: number, edns: Edns): void {
  let pos = start;
  while (pos < rdEnd) {
    if (pos + 4 > rdEnd) throw ednsError("truncated option header", pos);
    if (pos + 4 > buf.length) return;

    const code = u16(buf, pos);
    const dataEnd = pos + 4 + u16(buf, pos + 2);
    if (dataEnd > rdEnd) throw ednsError(`option ${code} overruns record`, pos);
    if (dataEnd > buf.length) return;

    if (code === OPTION_ECS) edns.ecs = clientSubnet(buf, pos, dataEnd);
    else if (code === OPTION_COOKIE) edns.cookie = true;
    pos = dataEnd;
  }
}

/**
 * `address/prefix` of the client subnet option at `option` (RFC 7871 §6):
 * FAMILY (2 bytes), SOURCE PREFIX-LENGTH, SCOPE PREFIX-LENGTH, then exactly
 * as many address bytes as the source prefix needs.
 */
function clientSubnet(buf: Uint8Array, option: number, end: number): string {
  const data = option + 4;
  if (end - data < 4) throw ednsError(`bad client subnet length ${end - data}`, option);

  const family = u16(buf, data);
  const prefix = buf[data + 2] as number;
  const addressStart = data + 4;
  const addressLength = end - addressStart;
  const maxPrefix = family === FAMILY_IPV4 ? 32 : family === FAMILY_IPV6 ? 128 : 0;

  if (maxPrefix === 0) throw ednsError(`bad client subnet family ${family}`, option);
  if (prefix > maxPrefix) throw ednsError(`bad client subnet prefix ${prefix}`, option);
  if (addressLength !== Math.ceil(prefix / 8)) {
    throw ednsError(`bad client subnet address length ${addressLength}`, option);
  }

  const address =
    family === FAMILY_IPV4 ? ipv4Text(buf, addressStart, end) : ipv6Text(buf, addressStart, end);
  return `${address}/${prefix}`;
}

function ednsError(what: string, pos: number): WireError {
  return new WireError(`edns: ${what} at offset ${pos}`);
}
