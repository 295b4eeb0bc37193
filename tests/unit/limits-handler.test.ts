import { describe, expect, test } from "bun:test";
import * as dnsPacket from "dns-packet";
import { query } from "../helpers/dns-client.ts";
import { handlerRig } from "../helpers/hostile-handler.ts";

const q = query("www.example", "A");

/** What happened to each message, in order. */
const actions = (rig: ReturnType<typeof handlerRig>): string[] => rig.events.map((e) => e.action);

describe("the network budget", () => {
  test("sources of one /24 share --prefix-count; other networks are apart", () => {
    const rig = handlerRig({ reqCount: 3, prefixCount: 4 });
    for (const address of ["192.0.2.1", "192.0.2.2", "198.51.100.1"]) {
      for (let i = 0; i < 3; i++) rig.send(q, address);
    }
    expect(actions(rig)).toEqual([
      ...["relayed", "relayed", "relayed", "relayed", "limited", "limited"],
      ...["relayed", "relayed", "relayed"],
    ]);
    expect(Object.fromEntries(rig.repliesTo)).toEqual({
      "192.0.2.1": 3,
      "192.0.2.2": 1,
      "198.51.100.1": 3,
    });
    expect(rig.events[4]).toMatchObject({
      rcode: null,
      response_size: null,
      upstream_ms: null,
      limited_by: "prefix",
    });
    expect(rig.handler.counters).toMatchObject({ prefixLimited: 2, rateLimited: 0 });
  });

  test("a query held back by it has spent the source's turn", () => {
    const rig = handlerRig({ reqCount: 2, prefixCount: 1 });
    rig.send(q, "192.0.2.1");
    rig.send(q, "192.0.2.2");
    rig.send(q, "192.0.2.2");
    rig.send(q, "192.0.2.2");
    expect(actions(rig)).toEqual(["relayed", "limited", "limited", "sinkholed"]);
  });

  test("a full network table turns new networks away, and counts it", () => {
    const rig = handlerRig({ prefixCount: 5, maxSources: 2 });
    rig.send(q, "192.0.2.1");
    rig.send(q, "198.51.100.1");
    // The source table is full too, so take a source it already holds.
    rig.budget.restore("203.0.113.1", 0, rig.clock.now, rig.clock.now);
    rig.send(q, "203.0.113.1");
    expect(actions(rig)).toEqual(["relayed", "relayed", "sinkholed"]);
    expect(rig.events.map((e) => e.limited_by)).toEqual([null, null, "source-table-full"]);

    const roomy = handlerRig({ prefixCount: 5, maxSources: 3 });
    roomy.limits.prefixes?.restore("10.0.0.0/24", 1, roomy.clock.now, roomy.clock.now);
    roomy.limits.prefixes?.restore("10.0.1.0/24", 1, roomy.clock.now, roomy.clock.now);
    roomy.limits.prefixes?.restore("10.0.2.0/24", 1, roomy.clock.now, roomy.clock.now);
    roomy.send(q, "192.0.2.1");
    expect([actions(roomy), roomy.handler.counters.prefixTableFull]).toEqual([["limited"], 1]);
    expect(roomy.events[0]?.limited_by).toBe("prefix-table-full");
  });
});

describe("the global rate cap", () => {
  test("holds back what is over --max-relay-qps, then refills", () => {
    const rig = handlerRig({ maxRelayQps: 2 });
    for (const a of ["192.0.2.1", "192.0.2.2", "192.0.2.3"]) rig.send(q, a);
    rig.clock.now += 500;
    rig.send(q, "192.0.2.4");
    rig.send(q, "192.0.2.5");
    expect(actions(rig)).toEqual(["relayed", "relayed", "limited", "relayed", "limited"]);
    expect(rig.handler.counters.rateLimited).toBe(2);
    expect(rig.events.map((e) => e.limited_by)).toEqual([null, null, "rate", null, "rate"]);
  });

  test("comes after the network budget: a network over its budget spends no token", () => {
    const rig = handlerRig({ maxRelayQps: 2, prefixCount: 1 });
    rig.send(q, "192.0.2.1");
    rig.send(q, "192.0.2.2");
    rig.send(q, "198.51.100.1");
    expect(actions(rig)).toEqual(["relayed", "limited", "relayed"]);
    expect(rig.handler.counters).toMatchObject({ prefixLimited: 1, rateLimited: 0 });
  });

  test("no limit applies to what is never relayed", () => {
    const rig = handlerRig({ maxRelayQps: 1, prefixCount: 1 });
    const response = q.slice();
    response[2] = (response[2] ?? 0) | 0x80;
    rig.send(new Uint8Array(5), "192.0.2.1");
    rig.send(response, "192.0.2.1");
    rig.send(q, "192.0.2.1");
    expect(actions(rig)).toEqual(["malformed", "response-ignored", "relayed"]);
  });
});

describe("the reply byte cap", () => {
  /** A reply of about 2 KB: ten 200-byte TXT strings. */
  const big = (query: Uint8Array): Uint8Array => {
    const d = dnsPacket.decode(Buffer.from(query));
    const answers = Array.from({ length: 10 }, () => ({
      type: "TXT" as const,
      name: "www.example",
      data: "x".repeat(200),
    }));
    const packet = { type: "response" as const, id: d.id ?? 0, questions: d.questions, answers };
    return new Uint8Array(dnsPacket.encode(packet));
  };

  test("a UDP reply over the cap goes out truncated and is recorded as limited", () => {
    const rig = handlerRig({ maxReplyBytes: 512 });
    rig.udp.reply = big;
    const [reply] = rig.send(query("www.example", "TXT", { id: 7 }), "192.0.2.1");
    expect(reply?.length).toBe(29);
    expect(dnsPacket.decode(Buffer.from(reply ?? []))).toMatchObject({
      id: 7,
      flag_tc: true,
      questions: [{ name: "www.example", type: "TXT" }],
      answers: [],
    });
    expect(rig.events[0]).toMatchObject({
      action: "limited",
      limited_by: "reply-size",
      rcode: "NOERROR",
      response_size: 29,
    });
    expect(rig.handler.counters.truncated).toBe(1);
  });

  test("TCP replies are never capped", () => {
    const rig = handlerRig({ maxReplyBytes: 512 });
    rig.tcp.reply = big;
    const [reply] = rig.send(query("www.example", "TXT"), "192.0.2.1", "TCP");
    expect(reply?.length).toBeGreaterThan(2000);
    expect(rig.events[0]).toMatchObject({ action: "relayed", response_size: reply?.length });
  });

  test("a SERVFAIL within the cap stays a relay-timeout", () => {
    const rig = handlerRig({ maxReplyBytes: 512 });
    rig.udp.reply = () => null;
    rig.send(q, "192.0.2.1");
    expect(rig.events[0]).toMatchObject({ action: "relay-timeout", rcode: "SERVFAIL" });
  });
});

describe("a TCP frame cut short", () => {
  test.each([
    ["a lone first length byte", [0x00], "tcp: connection closed after 1 of 2 length bytes", null],
    [
      "the length and nothing more",
      [0x00, 0x1d],
      "tcp: connection closed after 0 of 29 frame bytes",
      null,
    ],
    [
      "a query missing its last byte",
      [0x00, 0x1d, ...query("www.example", "A", { id: 0x4142 }).subarray(0, 28)],
      "tcp: connection closed after 28 of 29 frame bytes",
      0x4142,
    ],
    [
      "HTTP on port 53",
      [...Buffer.from("GET / HTTP/1.1\r\n")],
      "tcp: connection closed after 14 of 18245 frame bytes",
      0x5420, // "T " from "GET ", read as the DNS ID
    ],
  ] as [string, number[], string, number | null][])(
    "%s is recorded as malformed",
    (_n, bytes, error, id) => {
      const rig = handlerRig();
      const held = Uint8Array.from(bytes);
      rig.handler.recordFragment({
        bytes: held,
        transport: "TCP",
        address: "::ffff:192.0.2.9",
        port: 5,
        reply: () => {},
      });
      expect(rig.events[0]).toMatchObject({
        action: "malformed",
        transport: "TCP",
        src_ip: "192.0.2.9",
        src_port: 5,
        id,
        error,
        query_size: held.length,
        raw: Buffer.from(held).toString("base64"),
        trailing_bytes: 0,
        rcode: null,
      });
      expect([rig.tcp.forwarded, rig.budget.size]).toEqual([0, 0]);
    },
  );
});
