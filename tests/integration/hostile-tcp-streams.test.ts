import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { query, tcpExchange } from "../helpers/dns-client.ts";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream.ts";
import { rawPeer } from "../helpers/hostile-tcp-peer.ts";
import { startTestServer, type TestServer, testConfig } from "../helpers/test-server.ts";

/** The TCP stream corpus (tests/corpus-extra/tcp-streams, README there). */
const DIR = join(import.meta.dir, "..", "corpus-extra", "tcp-streams");
const closedAfter = (got: number, of: number) =>
  `tcp: connection closed after ${got} of ${of} frame bytes`;

const STREAMS: Record<string, [string, string | null][]> = {
  "s01-zero-length-then-query": [
    ["malformed", "header: truncated at offset 0"],
    ["relayed", null],
  ],
  "s02-lone-length-byte": [["malformed", "tcp: connection closed after 1 of 2 length bytes"]],
  "s03-http-get": [["malformed", closedAfter(16, 18245)]],
  "s04-three-pipelined": [
    ["relayed", null],
    ["relayed", null],
    ["relayed", null],
  ],
  "s05-query-then-half-frame": [
    ["malformed", closedAfter(13, 29)],
    ["relayed", null],
  ],
  "s06-declared-65535-short": [["malformed", closedAfter(100, 65535)]],
  "s07-tls-client-hello": [["malformed", closedAfter(52, 5635)]],
};

let upstream: FakeUpstream;
let udpot: TestServer;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  udpot = await startTestServer(testConfig(upstream.port));
});
afterAll(async () => {
  await udpot.stop();
  upstream.close();
});

test.each(Object.entries(STREAMS).map(([file, events], i) => [file, events, i] as const))(
  "%s",
  async (file, expected, i) => {
    const bytes = Buffer.from(readFileSync(join(DIR, `${file}.hex`), "utf8").trim(), "hex");
    const from = `127.80.0.${i + 1}`;
    const before = (await udpot.events()).length;
    const peer = await rawPeer(udpot.server.port, from);
    peer.socket.end(bytes);
    await peer.whenClosed;
    const events = (await udpot.waitEvents(before + expected.length)).slice(before);
    expect(events.map((e) => [e.action, e.error]).sort()).toEqual([...expected].sort());
    expect(events.every((e) => e.transport === "TCP" && e.src_ip === from)).toBe(true);
    const fragment = events.find((e) => e.error?.startsWith("tcp:"));
    if (fragment)
      expect(fragment.raw).toBe(bytes.subarray(-fragment.query_size).toString("base64"));
  },
);

test("every stream file has its expectation, and udpot still answers after them", async () => {
  const files = (await Array.fromAsync(new Bun.Glob("*.hex").scan(DIR))).map((f) => f.slice(0, -4));
  expect(files.sort()).toEqual(Object.keys(STREAMS).sort());
  expect(await tcpExchange(udpot.server.port, query("www.example"))).not.toBeNull();
});
