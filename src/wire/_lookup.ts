/** Numbers below this get a slot in a dense array: one index per lookup. */
const DENSE_LIMIT = 512;

/**
 * Builds a number -> mnemonic function from a registry table, once at load.
 *
 * Numbers without a mnemonic print as `<prefix><number>` (RFC 3597 §5 for
 * types and classes; the same habit for codes). Small numbers, where almost
 * all traffic falls, are precomputed so a lookup allocates nothing.
 */
export function buildLookup(
  table: ReadonlyArray<readonly [number, string]>,
  prefix: string,
): (n: number) => string {
  const high = new Map<number, string>();
  const dense: string[] = [];
  for (let n = 0; n < DENSE_LIMIT; n++) dense.push(`${prefix}${n}`);
  for (const [n, mnemonic] of table) {
    if (n < DENSE_LIMIT) dense[n] = mnemonic;
    else high.set(n, mnemonic);
  }

  return (n) => (n < DENSE_LIMIT ? dense[n] : high.get(n)) ?? `${prefix}${n}`;
}
