import { expect, test } from "bun:test";
import type { LogObject } from "consola";
import { tagged } from "../../src/log.ts";
import { query } from "../helpers/dns-client.ts";
import { startFakeUpstream } from "../helpers/fake-upstream.ts";
import { startTestServer, testConfig } from "../helpers/test-server.ts";

test("the running server warns once when every query comes from a Docker gateway", async () => {
  const upstream = await startFakeUpstream();
  const udpot = await startTestServer(testConfig(upstream.port, { reqCount: 0 }));
  const warnings: string[] = [];
  const reporter = { log: (entry: LogObject) => warnings.push(String(entry.args[0])) };
  tagged("nat").addReporter(reporter);
  try {
    // As the handler sees them behind docker-proxy: one bridge address.
    for (let i = 0; i < 300; i++) {
      udpot.server.handler.handle({
        bytes: query(`n${i}.example`),
        transport: "UDP",
        address: "::ffff:172.17.0.1",
        port: 40000 + i,
        reply: () => {},
      });
    }
  } finally {
    tagged("nat").removeReporter(reporter);
    await udpot.stop();
    upstream.close();
  }
  expect(warnings).toEqual([expect.stringContaining("came from 172.17.0.1, a private address")]);
});
