import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { UdpotError } from "../../src/errors.ts";
import { eventToJson } from "../../src/sinks/event-json.ts";
import { openJsonlSink } from "../../src/sinks/jsonl-sink.ts";
import { malformedEvent, sampleEvent, tempDir } from "./sink-fixtures.ts";

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/;
const KEYS = Object.keys(sampleEvent());

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir("jsonl");
});
afterEach(() => dir.remove());

function lines(path: string): string[] {
  return readFileSync(path, "utf8").split("\n");
}

describe("line format", () => {
  test("keys follow QueryEvent whatever order the event was built in", () => {
    const event = sampleEvent();
    const shuffled = Object.fromEntries(Object.entries(event).reverse()) as typeof event;
    const parsed = JSON.parse(eventToJson(shuffled));
    expect(Object.keys(parsed)).toEqual(KEYS);
    expect(parsed).toEqual(event);
    expect(parsed.timestamp).toMatch(TIMESTAMP);
  });

  test("question keys are name, type, cls", () => {
    const event = sampleEvent({ questions: [{ cls: "CH", type: "TXT", name: "version.bind" }] });
    expect(eventToJson(event)).toContain(
      '"questions":[{"name":"version.bind","type":"TXT","cls":"CH"}]',
    );
  });

  test("a name with a quote, a newline and control bytes stays one valid line", () => {
    const path = join(dir.path, "log.jsonl");
    const sink = openJsonlSink(path, { rotate: false });
    const hostile = 'x"\n\\y\r\u0000\u001b[31mred\u2028.example';
    sink.write(sampleEvent({ dns_name: hostile }));
    sink.write(malformedEvent());
    sink.close();

    const written = lines(path);
    expect(written).toHaveLength(3);
    expect(written[2]).toBe("");
    expect(JSON.parse(written[0] ?? "").dns_name).toBe(hostile);
    expect(JSON.parse(written[1] ?? "")).toEqual(malformedEvent());
  });
});

describe("appending", () => {
  test("lines are written on flush, not on write", () => {
    const path = join(dir.path, "log.jsonl");
    const sink = openJsonlSink(path, { rotate: false });
    sink.write(sampleEvent());
    expect(sink.pending()).toBe(1);
    expect(readFileSync(path, "utf8")).toBe("");
    sink.flush();
    expect(sink.pending()).toBe(0);
    expect(readFileSync(path, "utf8")).toBe(`${eventToJson(sampleEvent())}\n`);
    sink.close();
  });

  test("an existing file keeps its lines", () => {
    const path = join(dir.path, "log.jsonl");
    writeFileSync(path, '{"old":1}\n{"old":2}\n');
    const sink = openJsonlSink(path, { rotate: false });
    sink.write(sampleEvent({ src_port: 3 }));
    sink.close();
    expect(lines(path)).toEqual([
      '{"old":1}',
      '{"old":2}',
      eventToJson(sampleEvent({ src_port: 3 })),
      "",
    ]);
  });

  test("reopen follows a logrotate move: old lines stay there, new ones go to a new file", () => {
    const path = join(dir.path, "log.jsonl");
    const sink = openJsonlSink(path, { rotate: false });
    sink.write(sampleEvent({ src_port: 1 }));
    sink.flush();
    renameSync(path, `${path}.1`);
    sink.write(sampleEvent({ src_port: 2 }));
    sink.flush();
    sink.reopen();
    sink.write(sampleEvent({ src_port: 3 }));
    sink.close();

    const ports = (file: string) =>
      lines(file)
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line).src_port);
    expect([ports(`${path}.1`), ports(path)]).toEqual([[1, 2], [3]]);
  });
});

describe("failures", () => {
  test("a file that cannot be opened is a startup error", () => {
    const path = join(dir.path, "missing", "log.jsonl");
    expect(() => openJsonlSink(path, { rotate: false })).toThrow(UdpotError);
    expect(() => openJsonlSink(path, { rotate: false })).toThrow(`cannot open JSON log ${path}`);
  });

  test("a deleted directory fails the flush, keeps the lines, and recovers", () => {
    const sub = join(dir.path, "logs");
    mkdirSync(sub);
    const path = join(sub, "log.jsonl");
    const sink = openJsonlSink(path, { rotate: false });
    sink.write(sampleEvent({ src_port: 1 }));
    sink.flush();

    rmSync(sub, { recursive: true });
    sink.write(sampleEvent({ src_port: 2 }));
    expect(() => sink.flush()).toThrow(`cannot open ${path}`);
    sink.write(sampleEvent({ src_port: 3 }));
    expect(() => sink.flush()).toThrow(`cannot open ${path}`);
    expect(sink.pending()).toBe(2);

    mkdirSync(sub);
    sink.flush();
    expect(sink.pending()).toBe(0);
    sink.close();
    expect(lines(path).map((line) => (line === "" ? null : JSON.parse(line).src_port))).toEqual([
      2,
      3,
      null,
    ]);
  });

  test("a removed file is created again at the next flush", () => {
    const path = join(dir.path, "log.jsonl");
    const sink = openJsonlSink(path, { rotate: false });
    sink.write(sampleEvent({ src_port: 1 }));
    sink.flush();
    rmSync(path);
    sink.write(sampleEvent({ src_port: 2 }));
    sink.close();
    expect(lines(path)).toEqual([eventToJson(sampleEvent({ src_port: 2 })), ""]);
  });

  test("reopen into a missing directory does not throw; the next flush reports it", () => {
    const sub = join(dir.path, "logs");
    mkdirSync(sub);
    const path = join(sub, "log.jsonl");
    const sink = openJsonlSink(path, { rotate: false });
    rmSync(sub, { recursive: true });
    sink.reopen();
    sink.write(sampleEvent());
    expect(() => sink.flush()).toThrow(`cannot open ${path}`);
    mkdirSync(sub);
    sink.close();
    expect(lines(path)).toEqual([eventToJson(sampleEvent()), ""]);
  });
});
