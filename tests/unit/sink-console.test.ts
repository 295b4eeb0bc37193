import { describe, expect, test } from "bun:test";
import {
  escapeForTerminal,
  formatEventLine,
  openConsoleSink,
} from "../../src/sinks/console-sink.ts";
import { malformedEvent, sampleEvent } from "./sink-fixtures.ts";

describe("formatEventLine", () => {
  test.each([
    [
      "relayed over UDP",
      sampleEvent(),
      "2026-01-06T10:30:45.123456+00:00 UDP 192.0.2.7:54321 www.example A IN relayed NOERROR 12ms",
    ],
    [
      "sinkholed over TCP from IPv6",
      sampleEvent({
        transport: "TCP",
        src_ip: "2001:db8::7",
        action: "sinkholed",
        rcode: null,
        upstream_ms: null,
      }),
      "2026-01-06T10:30:45.123456+00:00 TCP [2001:db8::7]:54321 www.example A IN sinkholed",
    ],
    [
      "malformed, no question",
      malformedEvent(),
      "2026-01-06T10:30:45.123456+00:00 UDP 192.0.2.7:54321 - - - malformed" +
        " error: shorter than a DNS header",
    ],
    [
      "the root name",
      sampleEvent({ dns_name: "", dns_type: "NS", action: "relay-timeout", rcode: null }),
      "2026-01-06T10:30:45.123456+00:00 UDP 192.0.2.7:54321 . NS IN relay-timeout 12ms",
    ],
  ])("%s", (_, event, expected) => {
    expect(formatEventLine(event)).toBe(expected);
  });

  test("a name carrying a terminal escape, a newline and DEL prints as text", () => {
    const event = sampleEvent({ dns_name: "\u001b[31mred\nx\u007fy.example" });
    const line = formatEventLine(event);
    expect(line).toContain(" \\027[31mred\\010x\\127y.example ");
    expect(line).toMatch(/^[\x20-\x7e]+$/);
  });
});

describe("escapeForTerminal", () => {
  test.each([
    ["plain text", "plain text"],
    ["\u001b[2J\u001b[H", "\\027[2J\\027[H"],
    ["a\rb\tc\u0000", "a\\013b\\009c\\000"],
    ["del\u007f", "del\\127"],
    ["caf\u00e9", "caf\\195\\169"],
    ["\u009b31m", "\\194\\15531m"],
    ["emoji \u{1f600}", "emoji \\240\\159\\152\\128"],
    // An escape the parser already wrote stays as it is.
    ["a\\046b", "a\\046b"],
  ])("%j -> %s", (text, expected) => {
    expect(escapeForTerminal(text)).toBe(expected);
  });
});

describe("console sink", () => {
  const twoLines = [1, 2]
    .map((port) => `${formatEventLine(sampleEvent({ src_port: port }))}\n`)
    .join("");

  test("writes one chunk per flush, one line per event", async () => {
    const chunks: string[] = [];
    const sink = openConsoleSink((text) => {
      chunks.push(text);
    });
    sink.write(sampleEvent({ src_port: 1 }));
    sink.write(sampleEvent({ src_port: 2 }));
    expect(sink.pending()).toBe(2);
    await sink.flush();
    await sink.flush();
    expect(sink.pending()).toBe(0);
    expect(chunks).toEqual([twoLines]);
  });

  test("a failed write keeps the lines, in order, for the next flush", async () => {
    const chunks: string[] = [];
    let broken = true;
    const sink = openConsoleSink(async (text) => {
      if (broken) throw new Error("EPIPE");
      chunks.push(text);
    });
    sink.write(sampleEvent({ src_port: 1 }));
    await expect(sink.flush()).rejects.toThrow("EPIPE");
    sink.write(sampleEvent({ src_port: 2 }));
    broken = false;
    await sink.close();
    expect(chunks).toEqual([twoLines]);
  });

  test("by default the lines go to stdout through Bun's writer", async () => {
    const sinkModule = new URL("../../src/sinks/console-sink.ts", import.meta.url).pathname;
    const script = `
      import { openConsoleSink } from ${JSON.stringify(sinkModule)};
      const sink = openConsoleSink();
      sink.write(${JSON.stringify(sampleEvent({ dns_name: "\u001b[31mred" }))});
      await sink.close();
    `;
    const child = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe", stderr: "pipe" });
    const [stdout, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
    expect({ stdout, code }).toEqual({
      stdout: `${formatEventLine(sampleEvent({ dns_name: "\u001b[31mred" }))}\n`,
      code: 0,
    });
  });
});
