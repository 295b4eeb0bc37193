import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The shared corpus sits beside the repository: `<repo>/../shared/corpus`. */
export const SHARED_CORPUS = join(import.meta.dir, "..", "..", "..", "shared", "corpus");

export interface CorpusCase {
  file: string;
  bytes: Uint8Array;
  /** From the README table: null where it says null. */
  dns_name: string | null;
  dns_type: string | null;
  dns_cls: string | null;
  /** The README's "also expected" column. */
  note: string;
}

/**
 * Every `.hex` file of the shared corpus with the values its README table
 * lists, read from the README itself so the two cannot drift apart.
 */
export function sharedCorpus(): CorpusCase[] {
  const rows = new Map<string, string[]>();
  for (const line of readFileSync(join(SHARED_CORPUS, "README.md"), "utf8").split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    if (cells.length < 6 || !/^\d\d-/.test(cells[1] ?? "")) continue;
    rows.set(cells[1] as string, cells.slice(2, 6));
  }
  return readdirSync(SHARED_CORPUS)
    .filter((f) => f.endsWith(".hex"))
    .sort()
    .map((f) => {
      const name = f.slice(0, -4);
      const row = rows.get(name);
      if (row === undefined) throw new Error(`corpus README has no row for ${f}`);
      const [dnsName, dnsType, dnsCls, note] = row.map(unquote);
      const hex = readFileSync(join(SHARED_CORPUS, f), "utf8").trim();
      return {
        file: name,
        bytes: new Uint8Array(Buffer.from(hex, "hex")),
        dns_name: dnsName ?? null,
        dns_type: dnsType ?? null,
        dns_cls: dnsCls ?? null,
        note: note ?? "",
      };
    });
}

/** `` `a\.b` `` -> `a\.b`; `null` -> null. */
function unquote(cell: string): string | null {
  if (cell === "null") return null;
  return cell.startsWith("`") && cell.endsWith("`") ? cell.slice(1, -1) : cell;
}
