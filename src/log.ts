import { createConsola } from "consola/basic";

/**
 * Diagnostics for people, on stderr only: stdout belongs to the `-v` event
 * lines, and the two must never mix. The basic reporter prints plain text
 * (no icons or boxes on a pipe), and consola's throttle folds a message
 * repeated within a second into one line with a count, so a flood cannot
 * bury the rest.
 */
export const log = createConsola({
  stdout: process.stderr,
  stderr: process.stderr,
  level: 2,
  throttle: 1000,
  throttleMin: 3,
});

/** Map `--verbosity 0-3` onto consola levels: warnings+start line, info, debug, trace. */
export function setVerbosity(verbosity: 0 | 1 | 2 | 3): void {
  log.level = [2, 3, 4, 5][verbosity] ?? 2;
}
