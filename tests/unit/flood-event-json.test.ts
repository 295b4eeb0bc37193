import { describe, expect, test } from "bun:test";
import type { Question } from "../../src/event/query-event.ts";
import { eventJsonOnce, eventToJson, questionsToJson } from "../../src/sinks/event-json.ts";
import { COLUMNS, eventRow } from "../../src/sinks/sqlite-schema.ts";
import { malformedEvent, sampleEvent } from "./sink-fixtures.ts";

describe("questionsToJson", () => {
  test.each([
    [[]],
    [[{ name: "www.example", type: "A", cls: "IN" }]],
    [[{ name: 'a"b\\c\n\u0001\u00ff\u2028', type: "TYPE65280", cls: "CLASS42" }]],
    [
      [
        { name: "", type: "NS", cls: "IN" },
        { name: "x\\.y", type: "HTTPS", cls: "CH" },
      ],
    ],
  ] as Question[][][])("is JSON.stringify of the ordered questions: %j", (questions) => {
    const ordered = questions.map((q) => ({ name: q.name, type: q.type, cls: q.cls }));
    expect(questionsToJson(questions)).toBe(JSON.stringify(ordered));
  });
});

describe("eventJsonOnce", () => {
  test("is eventToJson, made once for the same event", () => {
    const event = sampleEvent();
    const first = eventJsonOnce(event);
    expect([first, eventJsonOnce(event) === first]).toEqual([eventToJson(event), true]);
  });

  test("a different event gets its own text", () => {
    eventJsonOnce(sampleEvent({ src_port: 1 }));
    const other = sampleEvent({ src_port: 2 });
    expect(eventJsonOnce(other)).toBe(eventToJson(other));
  });
});

describe("eventRow", () => {
  test("has one value per column", () => {
    expect([eventRow(sampleEvent()).length, eventRow(malformedEvent()).length]).toEqual([
      COLUMNS.length,
      COLUMNS.length,
    ]);
  });
});
