import { describe, expect, test } from "bun:test";
import { LineBuffer } from "../../src/sinks/line-buffer.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe("LineBuffer", () => {
  test("lines come back newline-terminated, in order, and counted", () => {
    const buffer = new LineBuffer();
    buffer.add('{"a":1}');
    buffer.add('{"b":2}');
    expect([buffer.lines, text(buffer.take())]).toEqual([2, '{"a":1}\n{"b":2}\n']);
  });

  test("take empties it: the next batch starts from nothing", () => {
    const buffer = new LineBuffer();
    buffer.add("first");
    buffer.take();
    buffer.add("second");
    expect([buffer.lines, text(buffer.take())]).toEqual([1, "second\n"]);
  });

  test("taking an empty buffer gives no bytes", () => {
    expect(new LineBuffer().take()).toHaveLength(0);
  });

  test("text outside ASCII is encoded as UTF-8", () => {
    const buffer = new LineBuffer();
    buffer.add("caf\u00e9 \u2603 \u{1f600}");
    expect(Buffer.from(buffer.take()).toString("hex")).toBe(
      Buffer.from("caf\u00e9 \u2603 \u{1f600}\n", "utf8").toString("hex"),
    );
  });

  test("it grows past its first size without losing a byte", () => {
    const buffer = new LineBuffer();
    const lines = Array.from({ length: 5000 }, (_, i) => `${i}:${"x".repeat(i % 97)}`);
    for (const line of lines) buffer.add(line);
    expect(text(buffer.take())).toBe(`${lines.join("\n")}\n`);
  });

  test("bytes taken are not touched by later lines (they may go to a worker)", () => {
    const buffer = new LineBuffer();
    buffer.add("kept");
    const taken = buffer.take();
    buffer.add("later line that would overwrite");
    expect(text(taken)).toBe("kept\n");
  });
});
