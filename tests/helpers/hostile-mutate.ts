import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The mutation engine of the handler fuzz test and `scripts/fuzz`: a
 * seeded PRNG, so a run can be repeated exactly, and byte-level mutations
 * of the hostile corpus messages.
 */
export const CORPUS_DIRS = [
  join(import.meta.dir, "..", "..", "..", "shared", "corpus"),
  join(import.meta.dir, "..", "corpus-extra"),
];

/** Bytes that mean something to a DNS parser: label limits, pointer marks, OPT. */
const INTERESTING = [0x00, 0x01, 0x0c, 0x29, 0x3f, 0x40, 0x41, 0x80, 0xbf, 0xc0, 0xc1, 0xff];

export type Random = (below: number) => number;

/** Mulberry32: small, fast and the same everywhere. */
export function prng(seed: number): Random {
  let state = seed >>> 0;
  return (below) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % below) >>> 0;
  };
}

/** Every `.hex` message of both corpora under `maxBytes`, in file order. */
export function corpusSeeds(maxBytes = 4096): Uint8Array[] {
  return CORPUS_DIRS.flatMap((dir) =>
    readdirSync(dir)
      .filter((file) => file.endsWith(".hex"))
      .sort()
      .map(
        (file) => new Uint8Array(Buffer.from(readFileSync(join(dir, file), "utf8").trim(), "hex")),
      )
      .filter((bytes) => bytes.length < maxBytes),
  );
}

/** One to six bit flips, byte sets, truncations, insertions or splices of another seed. */
export function mutate(source: Uint8Array, random: Random, other?: Uint8Array): Uint8Array {
  let bytes = Array.from(source);
  const steps = 1 + random(6);
  for (let i = 0; i < steps; i++) {
    const at = random(bytes.length + 1);
    const kind = random(6);
    if (kind === 0 && at < bytes.length) bytes[at] = (bytes[at] as number) ^ (1 << random(8));
    else if (kind === 1 && at < bytes.length)
      bytes[at] = INTERESTING[random(INTERESTING.length)] ?? 0;
    else if (kind === 2 && at < bytes.length) bytes[at] = random(256);
    else if (kind === 3) bytes = bytes.slice(0, at);
    else if (kind === 4 && other !== undefined)
      bytes.splice(at, 0, ...other.subarray(random(other.length)));
    else bytes.splice(at, 0, ...Array.from({ length: 1 + random(4) }, () => random(256)));
  }
  return Uint8Array.from(bytes);
}
