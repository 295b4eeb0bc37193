import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { eventToJson } from "../../src/sinks/event-json.ts";
import { datedPath } from "../../src/sinks/jsonl-files.ts";
import { openJsonlSink } from "../../src/sinks/jsonl-sink.ts";
import { sampleEvent, tempDir } from "./sink-fixtures.ts";

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir("rotate");
});
afterEach(() => dir.remove());

/** A clock the test moves by hand. */
function clock(iso: string): { now: () => Date; set: (iso: string) => void } {
  let current = new Date(iso);
  return { now: () => current, set: (next) => (current = new Date(next)) };
}

function at(timestamp: string, src_port = 1) {
  return sampleEvent({ timestamp, src_port });
}

function jsonl(...events: ReturnType<typeof at>[]): string {
  return events.map((event) => `${eventToJson(event)}\n`).join("");
}

describe("datedPath", () => {
  test.each([
    ["/var/log/udpot/log.jsonl", "/var/log/udpot/log.2026-01-06.jsonl"],
    ["log.jsonl", "log.2026-01-06.jsonl"],
    ["/var/log/queries", "/var/log/queries.2026-01-06"],
    ["/var/log/a.b.json", "/var/log/a.b.2026-01-06.json"],
    ["/var/log/.hidden", "/var/log/.hidden.2026-01-06"],
  ])("%s -> %s", (path, expected) => {
    expect(datedPath(path, "2026-01-06")).toBe(expected);
  });
});

describe("daily files", () => {
  test("across UTC midnight the old day is gzipped and the plain file removed", async () => {
    const path = join(dir.path, "log.jsonl");
    const time = clock("2026-01-05T23:59:59Z");
    const sink = openJsonlSink(path, { rotate: true, now: time.now });
    const before = [
      at("2026-01-05T23:59:58.000001+00:00", 1),
      at("2026-01-05T23:59:59.5+00:00", 2),
    ];
    for (const event of before) sink.write(event);
    sink.flush();

    time.set("2026-01-06T00:00:00.2Z");
    const after = at("2026-01-06T00:00:00.100000+00:00", 3);
    sink.write(after);
    sink.flush();
    await sink.compressed();

    const oldDay = join(dir.path, "log.2026-01-05.jsonl");
    expect(readdirSync(dir.path).sort()).toEqual([
      "log.2026-01-05.jsonl.gz",
      "log.2026-01-06.jsonl",
    ]);
    expect(gunzipSync(readFileSync(`${oldDay}.gz`)).toString()).toBe(jsonl(...before));
    expect(readFileSync(join(dir.path, "log.2026-01-06.jsonl"), "utf8")).toBe(jsonl(after));
    await sink.close();
  });

  test("one flush spanning midnight splits the lines by the day of each event", async () => {
    const path = join(dir.path, "log.jsonl");
    const time = clock("2026-01-05T23:59:59Z");
    const sink = openJsonlSink(path, { rotate: true, now: time.now });
    const late = at("2026-01-05T23:59:59.999999+00:00", 1);
    const early = at("2026-01-06T00:00:00.000000+00:00", 2);
    sink.write(late);
    sink.write(early);
    await sink.close();

    const oldDay = join(dir.path, "log.2026-01-05.jsonl.gz");
    expect(gunzipSync(readFileSync(oldDay)).toString()).toBe(jsonl(late));
    expect(readFileSync(join(dir.path, "log.2026-01-06.jsonl"), "utf8")).toBe(jsonl(early));
  });

  test("an event stamped before the current day goes into the current file", async () => {
    const path = join(dir.path, "log.jsonl");
    const sink = openJsonlSink(path, { rotate: true, now: () => new Date("2026-01-06T00:00:01Z") });
    // A relay that took a while: received before midnight, recorded after.
    const straggler = at("2026-01-05T23:59:59.900000+00:00");
    sink.write(straggler);
    await sink.close();
    expect(readdirSync(dir.path)).toEqual(["log.2026-01-06.jsonl"]);
    expect(readFileSync(join(dir.path, "log.2026-01-06.jsonl"), "utf8")).toBe(jsonl(straggler));
  });

  test("with no event after midnight the old day is still finished at the next flush", async () => {
    const path = join(dir.path, "log.jsonl");
    const time = clock("2026-01-05T23:59:59Z");
    const sink = openJsonlSink(path, { rotate: true, now: time.now });
    sink.write(at("2026-01-05T23:59:59.000000+00:00"));
    sink.flush();
    time.set("2026-01-06T00:00:05Z");
    sink.flush();
    await sink.compressed();
    expect(readdirSync(dir.path)).toEqual(["log.2026-01-05.jsonl.gz"]);
    await sink.close();
  });

  test("plain files of earlier days left by an earlier run are gzipped at start", async () => {
    const leftovers = { "log.2026-01-03.jsonl": '{"a":1}\n', "log.2026-01-04.jsonl": '{"b":2}\n' };
    for (const [name, text] of Object.entries(leftovers)) writeFileSync(join(dir.path, name), text);
    writeFileSync(join(dir.path, "log.2026-01-06.jsonl"), '{"today":1}\n');
    writeFileSync(join(dir.path, "other.2026-01-01.jsonl"), "not ours\n");

    const path = join(dir.path, "log.jsonl");
    const now = () => new Date("2026-01-06T08:00:00Z");
    const sink = openJsonlSink(path, { rotate: true, now });
    await sink.compressed();

    for (const [name, text] of Object.entries(leftovers)) {
      expect(existsSync(join(dir.path, name))).toBe(false);
      expect(gunzipSync(readFileSync(join(dir.path, `${name}.gz`))).toString()).toBe(text);
    }
    const today = at("2026-01-06T08:00:00.000000+00:00");
    sink.write(today);
    await sink.close();
    const todayFile = readFileSync(join(dir.path, "log.2026-01-06.jsonl"), "utf8");
    expect(todayFile).toBe(`{"today":1}\n${jsonl(today)}`);
    expect(existsSync(join(dir.path, "other.2026-01-01.jsonl"))).toBe(true);
  });

  test("reopen with rotation reopens the current day's file", async () => {
    const path = join(dir.path, "log");
    const sink = openJsonlSink(path, { rotate: true, now: () => new Date("2026-01-06T08:00:00Z") });
    sink.reopen();
    sink.write(at("2026-01-06T08:00:00.000000+00:00"));
    await sink.close();
    expect(readdirSync(dir.path)).toEqual(["log.2026-01-06"]);
  });

  test("a day file that cannot be gzipped stays plain, with no partial .gz", async () => {
    writeFileSync(join(dir.path, "log.2026-01-04.jsonl"), '{"b":2}\n');
    // A directory where the .gz should go: the gzip cannot create its file.
    mkdirSync(join(dir.path, "log.2026-01-04.jsonl.gz"));
    const now = () => new Date("2026-01-06T08:00:00Z");
    const sink = openJsonlSink(join(dir.path, "log.jsonl"), { rotate: true, now });
    await sink.compressed();
    expect(readFileSync(join(dir.path, "log.2026-01-04.jsonl"), "utf8")).toBe('{"b":2}\n');
    expect(readdirSync(join(dir.path, "log.2026-01-04.jsonl.gz"))).toEqual([]);
    await sink.close();
  });
});
