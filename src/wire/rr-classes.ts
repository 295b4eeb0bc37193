import { buildLookup } from "./_lookup.ts";

/** IANA "DNS CLASSes" registry, every assigned value (2 is unassigned). */
const RR_CLASSES: ReadonlyArray<readonly [number, string]> = [
  [1, "IN"],
  [3, "CH"],
  [4, "HS"],
  [254, "NONE"],
  [255, "ANY"],
];

/** Class mnemonic for a CLASS value: `IN`, `CH`, else `CLASS42` (RFC 3597 §5). */
export const className: (cls: number) => string = buildLookup(RR_CLASSES, "CLASS");
