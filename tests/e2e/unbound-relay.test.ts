import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as dnsPacket from "dns-packet";
import { udpExchange } from "../helpers/dns-client.ts";
import { freePort } from "../helpers/free-port.ts";
import { tcpExchangeFrom } from "../helpers/tcp-from.ts";
import { killAllUdpot, startUdpot, type UdpotProcess } from "../helpers/udpot-process.ts";
import { startUnbound, type Unbound } from "../helpers/unbound.ts";

let unbound: Unbound;
let dir: string;

beforeAll(async () => {
  unbound = await startUnbound();
  dir = mkdtempSync(join(tmpdir(), "udpot-e2e-"));
});

afterAll(async () => {
  await unbound.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Run dig against udpot from `from`; returns dig's exit status and answer lines. */
async function dig(port: number, from: string, extra: string[] = []) {
  const proc = Bun.spawn(
    [
      "dig",
      "@127.0.0.1",
      "-p",
      String(port),
      "-b",
      from,
      "+tries=1",
      "+time=1",
      "+short",
      ...extra,
    ],
    { stdout: "pipe", stderr: "pipe" },
  );
  const out = await new Response(proc.stdout).text();
  return { status: await proc.exited, out: out.trim() };
}

describe("dig through the compiled binary in front of Unbound", () => {
  test("3 answered, then silence on UDP and TCP; 6 events in SQLite and JSONL", async () => {
    const port = await freePort();
    const db = join(dir, "budget.sqlite3");
    const jsonl = join(dir, "budget.jsonl");
    const udpot = await startUdpot([
      `127.0.0.1:${unbound.port}`,
      ...["-p", String(port), "-b", "127.0.0.1", "-s", `sqlite:///${db}`, "-j", jsonl],
    ]);
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await dig(port, "127.0.0.2", ["www.example", "A"]));
    results.push(await dig(port, "127.0.0.2", ["+tcp", "www.example", "A"]));
    expect(await udpot.stop()).toBe(0);

    // dig exits 9 when no reply came.
    expect(results.map((r) => [r.status, r.out])).toEqual([
      [0, "192.0.2.10"],
      [0, "192.0.2.10"],
      [0, "192.0.2.10"],
      [9, expect.stringContaining("timed out")],
      [9, expect.stringContaining("timed out")],
      [9, expect.stringContaining("timed out")],
    ]);
    const expected = [
      ["UDP", "relayed"],
      ["UDP", "relayed"],
      ["UDP", "relayed"],
      ["UDP", "sinkholed"],
      ["UDP", "sinkholed"],
      ["TCP", "sinkholed"],
    ];
    const rows = new Database(db, { readonly: true })
      .query("SELECT transport, action, src, dns_name, dns_type, dns_cls FROM dns ORDER BY id")
      .values();
    expect(rows).toEqual(
      expected.map(([t, a]) => [t ?? "", a ?? "", "127.0.0.2", "www.example", "A", "IN"]),
    );
    const lines = readFileSync(jsonl, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((e) => [e.transport, e.action, e.src_ip, e.dns_name])).toEqual(
      expected.map(([t, a]) => [t, a, "127.0.0.2", "www.example"]),
    );
    expect(lines.slice(0, 3).map((e) => e.rcode)).toEqual(["NOERROR", "NOERROR", "NOERROR"]);
  });
});

/** Build a query the way a particular client would. */
function build(
  name: string,
  type: string,
  opts: { edns?: boolean; dnssecOk?: boolean; cd?: boolean; ecs?: boolean; cls?: string } = {},
): Uint8Array {
  const options = opts.ecs
    ? [
        {
          code: "CLIENT_SUBNET",
          family: 1,
          sourcePrefixLength: 24,
          scopePrefixLength: 0,
          ip: "198.51.100.0",
        },
      ]
    : [];
  const packet = {
    type: "query",
    id: 0xbeef,
    flags: dnsPacket.RECURSION_DESIRED | (opts.cd ? dnsPacket.CHECKING_DISABLED : 0),
    questions: [{ name, type, class: opts.cls ?? "IN" }],
    additionals:
      opts.edns || opts.dnssecOk || opts.ecs
        ? [
            {
              type: "OPT",
              name: ".",
              udpPayloadSize: 1232,
              flags: opts.dnssecOk ? dnsPacket.DNSSEC_OK : 0,
              options,
            },
          ]
        : [],
  };
  return new Uint8Array(dnsPacket.encode(packet as unknown as dnsPacket.Packet));
}

const cases: [string, Uint8Array][] = [
  ["plain A without EDNS", build("www.example", "A")],
  ["EDNS 1232", build("www.example", "A", { edns: true })],
  ["DO bit", build("www.example", "A", { dnssecOk: true })],
  ["CD bit", build("www.example", "A", { cd: true, edns: true })],
  ["client subnet 198.51.100.0/24", build("www.example", "A", { ecs: true })],
  ["AAAA", build("www.example", "AAAA", { edns: true })],
  ["ANY", build("www.example", "ANY", { edns: true })],
  ["mixed-case name", build("wWw.ExAmPlE", "A")],
  ["version.bind CH TXT", build("version.bind", "TXT", { cls: "CH" })],
  ["a refused name", build("x.refused.example", "A")],
];

/** Reply bytes with the ID zeroed, as hex for a readable diff. */
function withoutId(reply: Uint8Array | null): string | null {
  if (reply === null) return null;
  return Buffer.from(reply.subarray(2)).toString("hex");
}

describe("udpot's reply equals Unbound's own, ID excluded", () => {
  let udpot: UdpotProcess;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    udpot = await startUdpot([
      `127.0.0.1:${unbound.port}`,
      "-p",
      String(port),
      "-b",
      "127.0.0.1",
      "-s",
      "",
    ]);
  });

  afterAll(async () => {
    expect(await udpot.stop()).toBe(0);
  });

  test.each(cases.map(([name, bytes], i) => [name, bytes, i]))("UDP: %s", async (_n, bytes, i) => {
    const from = `127.0.1.${(i as number) + 1}`;
    const direct = await udpExchange(unbound.port, bytes as Uint8Array);
    const relayed = await udpExchange(port, bytes as Uint8Array, { from });
    expect(direct).not.toBeNull();
    expect(relayed?.subarray(0, 2)).toEqual((bytes as Uint8Array).subarray(0, 2));
    expect(withoutId(relayed)).toBe(withoutId(direct));
  });

  test.each(cases.map(([name, bytes], i) => [name, bytes, i]))("TCP: %s", async (_n, bytes, i) => {
    const from = `127.0.2.${(i as number) + 1}`;
    const direct = await tcpExchangeFrom(unbound.port, bytes as Uint8Array, "127.0.0.1");
    const relayed = await tcpExchangeFrom(port, bytes as Uint8Array, from);
    expect(direct).not.toBeNull();
    expect(relayed?.subarray(0, 2)).toEqual((bytes as Uint8Array).subarray(0, 2));
    expect(withoutId(relayed)).toBe(withoutId(direct));
  });
});

afterAll(async () => {
  // Only processes a failed test left behind; a passing test stopped its own.
  await killAllUdpot();
});
