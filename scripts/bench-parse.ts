/**
 * Cost of parseMessage per packet: parses every message of the shared
 * corpus (../shared/corpus beside the repository) in turn, 1M parses in
 * all, and prints messages per second.
 *
 *   bun scripts/bench-parse.ts [count]
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseMessage } from "../src/wire/parse-message.ts";

const corpusDir = join(import.meta.dir, "..", "..", "shared", "corpus");
const count = Number(process.argv[2] ?? 1_000_000);

const messages = readdirSync(corpusDir)
  .filter((file) => file.endsWith(".hex"))
  .sort()
  .map((file) => Buffer.from(readFileSync(join(corpusDir, file), "utf8").trim(), "hex"));
if (messages.length === 0) throw new Error(`no .hex files in ${corpusDir}`);

// Warm up the JIT so the timed loop measures steady state.
for (let i = 0; i < 100_000; i++) parseMessage(messages[i % messages.length] as Uint8Array);

let errors = 0;
const started = Bun.nanoseconds();
for (let i = 0; i < count; i++) {
  if (parseMessage(messages[i % messages.length] as Uint8Array).error !== null) errors++;
}
const seconds = (Bun.nanoseconds() - started) / 1e9;

const perSecond = Math.round(count / seconds);
const nsEach = Math.round((seconds * 1e9) / count);
console.log(`${count} parses of ${messages.length} corpus messages (${errors} with an error)`);
console.log(`${perSecond.toLocaleString("en-US")} messages/s, ${nsEach} ns per message`);
