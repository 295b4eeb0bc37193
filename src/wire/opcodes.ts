import { buildLookup } from "./_lookup.ts";

/** IANA "DNS OpCodes" registry, every assigned value (3 is unassigned). */
const OPCODES: ReadonlyArray<readonly [number, string]> = [
  [0, "QUERY"],
  [1, "IQUERY"],
  [2, "STATUS"],
  [4, "NOTIFY"],
  [5, "UPDATE"],
  [6, "DSO"],
];

/** Opcode mnemonic: `QUERY`, `STATUS`, else `OPCODE3`. */
export const opcodeName: (opcode: number) => string = buildLookup(OPCODES, "OPCODE");
