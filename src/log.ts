import { createConsola, type LogObject } from "consola/core";

/**
 * Diagnostics for people, on stderr only: stdout belongs to the `-v` event
 * lines, and the two must never mix. Plain lines (no icons or boxes on a
 * pipe), and consola's throttle folds a message repeated within a second
 * into one line with a count, so a flood cannot bury the rest.
 */
export const log = createConsola({
  level: 2,
  throttle: 1000,
  throttleMin: 3,
  reporters: [{ log: (entry) => process.stderr.write(`${formatEntry(entry)}\n`) }],
});

/** `message` for plain log lines; `warn [sink] message` for the rest. */
export function formatEntry(entry: LogObject): string {
  const text = entry.args.map((a) => (a instanceof Error ? a.message : String(a))).join(" ");
  if (entry.type === "log") return text;
  const tag = entry.tag ? ` [${entry.tag}]` : "";
  return `${entry.type}${tag} ${text}`;
}

const taggedLoggers = new Map<string, typeof log>();

/**
 * The logger for one part of udpot (`udp`, `relay`, `sink`, …). A tagged
 * consola copies its parent's level when it is made, so they are kept here
 * and `setVerbosity` sets them all.
 */
export function tagged(tag: string): typeof log {
  let logger = taggedLoggers.get(tag);
  if (logger === undefined) {
    logger = log.withTag(tag);
    taggedLoggers.set(tag, logger);
  }
  return logger;
}

/** Map `--verbosity 0-3` onto consola levels: warnings+start line, info, debug, trace. */
export function setVerbosity(verbosity: 0 | 1 | 2 | 3): void {
  log.level = [2, 3, 4, 5][verbosity] ?? 2;
  for (const logger of taggedLoggers.values()) logger.level = log.level;
}
