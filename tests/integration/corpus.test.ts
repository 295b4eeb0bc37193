import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sharedCorpus } from "../helpers/corpus.ts";
import { tcpExchange, udpExchange } from "../helpers/dns-client.ts";
import { type FakeUpstream, startFakeUpstream } from "../helpers/fake-upstream.ts";
import { tcpExchangeFrom } from "../helpers/tcp-from.ts";
import { startTestServer, type TestServer, testConfig } from "../helpers/test-server.ts";

const cases = sharedCorpus();
let upstream: FakeUpstream;
let udpot: TestServer;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  // One query per source; a budget of 1 proves each case spends it (or not).
  udpot = await startTestServer(testConfig(upstream.port, { reqCount: 1 }));
});
afterAll(async () => {
  await udpot.stop();
  upstream.close();
});

/** What the corpus README implies for the event's fate. */
function expectedAction(file: string, bytes: Uint8Array): string {
  if (bytes.length < 12) return "malformed";
  if (file.startsWith("15-")) return "response-ignored";
  return "relayed";
}

describe.each(["UDP", "TCP"])("shared corpus over %s", (transport) => {
  test.each(cases.map((c, i) => [c.file, c, i] as const))("%s", async (_f, c, i) => {
    const from = `127.0.${transport === "UDP" ? 10 : 11}.${i + 1}`;
    const before = (await udpot.events()).length;
    const reply =
      transport === "UDP"
        ? await udpExchange(udpot.server.port, c.bytes, { from, timeoutMs: 500 })
        : await tcpExchangeFrom(udpot.server.port, c.bytes, from, 500);
    const events = (await udpot.waitEvents(before + 1)).slice(before);
    const action = expectedAction(c.file, c.bytes);

    // Exactly one event, with the README's values, from this source.
    expect(events.length).toBe(1);
    const e = events[0];
    expect([e?.transport, e?.src_ip, e?.dns_name, e?.dns_type, e?.dns_cls, e?.action]).toEqual([
      transport,
      from,
      c.dns_name,
      c.dns_type,
      c.dns_cls,
      action,
    ]);
    // An error always comes with the raw bytes; no error, no raw.
    const wantsError = /error/.test(c.note) && !/no error/.test(c.note);
    expect([e?.error !== null, e?.raw]).toEqual([
      wantsError || action === "malformed",
      wantsError || action === "malformed" ? Buffer.from(c.bytes).toString("base64") : null,
    ]);
    expect(e?.query_size).toBe(c.bytes.length);
    // Relayed cases are answered with the client's ID; the others get silence.
    if (action === "relayed") expect(reply?.subarray(0, 2)).toEqual(c.bytes.subarray(0, 2));
    else expect(reply).toBeNull();
  });
});

test("the server is still up and serving after the whole corpus", async () => {
  const reply = await udpExchange(udpot.server.port, cases[0]?.bytes ?? new Uint8Array(), {
    from: "127.0.12.1",
  });
  expect(reply).not.toBeNull();
  expect(await tcpExchange(udpot.server.port, cases[0]?.bytes ?? new Uint8Array())).not.toBeNull();
});

test("the values the README names beyond name, type and class", async () => {
  const events = await udpot.events();
  const udpFrom = (i: number) =>
    events.find((e) => e.transport === "UDP" && e.src_ip === `127.0.10.${i + 1}`);
  const byFile = new Map(cases.map((c, i) => [c.file, udpFrom(i)]));
  expect(byFile.get("02-header-only-qdcount0")).toMatchObject({ qdcount: 0, error: null });
  expect(byFile.get("14-qdcount-2")?.questions).toEqual([
    { name: "www.example", type: "A", cls: "IN" },
    { name: "mail.example", type: "AAAA", cls: "IN" },
  ]);
  expect(byFile.get("17-trailing-garbage")?.trailing_bytes).toBe(12);
  expect(byFile.get("18-opcode-status-no-question")).toMatchObject({ opcode: 2, qdcount: 0 });
  expect(byFile.get("19-ecs-and-do")).toMatchObject({
    edns_udp_size: 1232,
    edns_do: true,
    edns_ecs: "198.51.100.0/24",
  });
});
