import { expect, test } from "bun:test";
import { className, opcodeName, rcodeName, typeName } from "../../src/wire/rr-types.ts";

test.each([
  [0, "TYPE0"],
  [1, "A"],
  [2, "NS"],
  [5, "CNAME"],
  [6, "SOA"],
  [12, "PTR"],
  [15, "MX"],
  [16, "TXT"],
  [23, "NSAP-PTR"],
  [28, "AAAA"],
  [33, "SRV"],
  [41, "OPT"],
  [43, "DS"],
  [46, "RRSIG"],
  [52, "TLSA"],
  [54, "TYPE54"],
  [64, "SVCB"],
  [65, "HTTPS"],
  [66, "DSYNC"],
  [69, "TYPE69"],
  [99, "SPF"],
  [128, "NXNAME"],
  [249, "TKEY"],
  [250, "TSIG"],
  [251, "IXFR"],
  [252, "AXFR"],
  [255, "ANY"],
  [256, "URI"],
  [257, "CAA"],
  [264, "IPN"],
  [265, "TYPE265"],
  [511, "TYPE511"],
  [512, "TYPE512"],
  [32768, "TA"],
  [32769, "DLV"],
  [65280, "TYPE65280"],
  [65535, "TYPE65535"],
])("type %i is %s", (n, name) => {
  expect(typeName(n)).toBe(name);
});

test.each([
  [0, "CLASS0"],
  [1, "IN"],
  [2, "CLASS2"],
  [3, "CH"],
  [4, "HS"],
  [42, "CLASS42"],
  [254, "NONE"],
  [255, "ANY"],
  [65280, "CLASS65280"],
])("class %i is %s", (n, name) => {
  expect(className(n)).toBe(name);
});

test.each([
  [0, "NOERROR"],
  [1, "FORMERR"],
  [2, "SERVFAIL"],
  [3, "NXDOMAIN"],
  [4, "NOTIMP"],
  [5, "REFUSED"],
  [6, "YXDOMAIN"],
  [9, "NOTAUTH"],
  [11, "DSOTYPENI"],
  [12, "RCODE12"],
  [15, "RCODE15"],
  [16, "BADVERS"],
  [23, "BADCOOKIE"],
  [4095, "RCODE4095"],
])("rcode %i is %s", (n, name) => {
  expect(rcodeName(n)).toBe(name);
});

test.each([
  [0, "QUERY"],
  [1, "IQUERY"],
  [2, "STATUS"],
  [3, "OPCODE3"],
  [4, "NOTIFY"],
  [5, "UPDATE"],
  [6, "DSO"],
  [15, "OPCODE15"],
])("opcode %i is %s", (n, name) => {
  expect(opcodeName(n)).toBe(name);
});
