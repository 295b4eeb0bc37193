import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { query, udpExchange } from "./dns-client.ts";
import { freePort } from "./free-port.ts";

export interface Unbound {
  port: number;
  stop(): Promise<void>;
}

/**
 * A real Unbound on 127.0.0.1, authoritative for a small local zone. All
 * recursion is forwarded to a closed loopback port, so it never sends a
 * packet off this machine (no root servers, no trust-anchor updates).
 */
export async function startUnbound(): Promise<Unbound> {
  const dir = mkdtempSync(join(tmpdir(), "udpot-unbound-"));
  const port = await freePort();
  const conf = join(dir, "unbound.conf");
  writeFileSync(conf, unboundConf(dir, port));
  const proc = Bun.spawn(["unbound", "-d", "-c", conf], { stdout: "ignore", stderr: "pipe" });
  const ready = await probe(port);
  if (!ready) {
    proc.kill();
    const err = await new Response(proc.stderr).text();
    throw new Error(`unbound did not start on 127.0.0.1:${port}: ${err}`);
  }
  return {
    port,
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function probe(port: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    const reply = await udpExchange(port, query("www.example", "A"), { timeoutMs: 100 });
    if (reply !== null) return true;
  }
  return false;
}

function unboundConf(dir: string, port: number): string {
  return `server:
  interface: 127.0.0.1
  port: ${port}
  do-ip6: no
  do-daemonize: no
  chroot: ""
  username: ""
  directory: "${dir}"
  pidfile: ""
  logfile: ""
  use-syslog: no
  verbosity: 0
  access-control: 127.0.0.0/8 allow
  do-not-query-localhost: no
  module-config: "iterator"
  hide-version: no
  version: "udpot-test-unbound"
  num-threads: 1
  local-zone: "example." static
  local-data: "www.example. 300 IN A 192.0.2.10"
  local-data: "www.example. 300 IN AAAA 2001:db8::10"
  local-data: "www.example. 300 IN TXT \\"honeypot test\\""
  local-data: "mail.example. 300 IN MX 10 www.example."
  local-zone: "refused.example." refuse

remote-control:
  control-enable: no

forward-zone:
  name: "."
  forward-addr: 127.0.0.1@9
`;
}
