import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import type { Endpoint } from "./config.ts";
import { DNS_PORT } from "./endpoint.ts";

/** Where the system keeps its resolvers; the upstream when none is given. */
export const RESOLV_CONF_PATH = "/etc/resolv.conf";

/** Reads the system's resolv.conf (throws as `readFileSync` does). */
export function readSystemResolvConf(): string {
  return readFileSync(RESOLV_CONF_PATH, "utf8");
}

/**
 * The first usable `nameserver` line of a resolv.conf, on port 53. Like the
 * C library resolver, it skips comment lines (`#` or `;`), ignores anything
 * after the address and passes over lines whose address it cannot read.
 */
export function firstNameserver(resolvConf: string): Endpoint | undefined {
  for (const line of resolvConf.split("\n")) {
    const [keyword, address = ""] = line.trim().split(/\s+/);
    if (keyword !== "nameserver") continue;

    const family = isIP(address);
    if (family !== 0) return { address, port: DNS_PORT, family: family === 4 ? 4 : 6 };
  }
  return undefined;
}
