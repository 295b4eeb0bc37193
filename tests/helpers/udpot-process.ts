import { join } from "node:path";

export const REPO = join(import.meta.dir, "..", "..");
export const BINARY = join(REPO, "dist", "udpot");

/** Runs udpot from source with the bun running these tests: no build needed. */
export const FROM_SOURCE = [process.execPath, "src/main.ts"];

export interface UdpotProcess {
  proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  /** Everything udpot wrote to stderr so far. */
  stderr(): string;
  stdout(): string;
  /** Send SIGTERM and wait for the exit status. */
  stop(signal?: NodeJS.Signals): Promise<number>;
}

const running = new Set<Bun.Subprocess>();
// Last resort for any test file: nothing started here outlives the run.
process.on("exit", () => {
  for (const proc of running) proc.kill("SIGKILL");
});

/**
 * Kill every udpot started here that is still running (for afterEach, so
 * that a failed assertion before `stop()` leaves no process behind).
 */
export async function killAllUdpot(): Promise<void> {
  for (const proc of running) {
    proc.kill("SIGKILL");
    await proc.exited;
  }
  running.clear();
}

/**
 * Start udpot (the compiled binary unless `cmd` says otherwise) and wait
 * for its start-up line, which it prints once both sockets listen.
 */
export async function startUdpot(
  args: string[],
  opts: { cmd?: string[]; env?: Record<string, string>; cwd?: string } = {},
): Promise<UdpotProcess> {
  const cmd = [...(opts.cmd ?? [BINARY]), ...args];
  const proc = Bun.spawn(cmd, {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, ...opts.env },
    cwd: opts.cwd ?? REPO,
  });
  running.add(proc);
  void proc.exited.then(() => running.delete(proc));
  let err = "";
  let out = "";
  void collect(proc.stderr, (t) => {
    err += t;
  });
  void collect(proc.stdout, (t) => {
    out += t;
  });
  const until = performance.now() + 10_000;
  while (!err.includes(" listening on ")) {
    if (proc.exitCode !== null || performance.now() > until) {
      proc.kill("SIGKILL");
      throw new Error(`udpot did not start: ${cmd.join(" ")}\n${err}`);
    }
    await Bun.sleep(10);
  }
  return {
    proc,
    stderr: () => err,
    stdout: () => out,
    async stop(signal = "SIGTERM") {
      proc.kill(signal);
      return await proc.exited;
    },
  };
}

async function collect(stream: ReadableStream<Uint8Array>, add: (text: string) => void) {
  const decoder = new TextDecoder();
  for await (const chunk of stream) add(decoder.decode(chunk, { stream: true }));
}
