import { buildLookup } from "./_lookup.ts";

/**
 * IANA "DNS RCODEs" registry. Values 16 and up only exist as extended
 * RCODEs (EDNS, TSIG); 16 is BADVERS in EDNS and BADSIG in TSIG, printed
 * as BADVERS as dig does.
 */
const RCODES: ReadonlyArray<readonly [number, string]> = [
  [0, "NOERROR"],
  [1, "FORMERR"],
  [2, "SERVFAIL"],
  [3, "NXDOMAIN"],
  [4, "NOTIMP"],
  [5, "REFUSED"],
  [6, "YXDOMAIN"],
  [7, "YXRRSET"],
  [8, "NXRRSET"],
  [9, "NOTAUTH"],
  [10, "NOTZONE"],
  [11, "DSOTYPENI"],
  [16, "BADVERS"],
  [17, "BADKEY"],
  [18, "BADTIME"],
  [19, "BADMODE"],
  [20, "BADNAME"],
  [21, "BADALG"],
  [22, "BADTRUNC"],
  [23, "BADCOOKIE"],
];

/** Reply code mnemonic: `NOERROR`, `NXDOMAIN`, else `RCODE12`. */
export const rcodeName: (rcode: number) => string = buildLookup(RCODES, "RCODE");

/** Server failure (RFC 1035 §4.1.1), what udpot answers when the upstream is silent. */
export const RCODE_SERVFAIL = 2;
