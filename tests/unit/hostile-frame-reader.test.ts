import { describe, expect, test } from "bun:test";
import { FrameReader, frameMessage } from "../../src/tcp/frame-reader.ts";
import { WriteQueue } from "../../src/tcp/write-queue.ts";

/** Framing against peers that send in the worst pieces they can. */
describe("FrameReader, held bytes", () => {
  test.each([
    ["nothing", [], []],
    ["a lone length byte", [[0x01]], [0x01]],
    ["a length and part of the frame", [[0x00, 0x05, 1], [2]], [0x00, 0x05, 1, 2]],
    ["a whole frame and the start of the next", [[0x00, 0x01, 7, 0x00]], [0x00]],
    ["a whole frame only", [[0x00, 0x01, 7]], []],
  ] as [string, number[][], number[]][])("%s", (_name, chunks, held) => {
    const reader = new FrameReader();
    for (const c of chunks) reader.push(Uint8Array.from(c), () => {});
    expect([[...reader.heldBytes()], reader.buffered]).toEqual([held, held.length]);
  });

  test("a 65,535-byte frame dribbled a byte at a time arrives once, whole", () => {
    const frame = frameMessage(Uint8Array.from({ length: 65535 }, (_, i) => i & 0xff));
    const reader = new FrameReader();
    const got: Uint8Array[] = [];
    for (let i = 0; i < frame.length; i++) {
      reader.push(frame.subarray(i, i + 1), (m) => got.push(m));
      if (i === 40_000) expect(reader.buffered).toBe(40_001);
    }
    expect([got.length, got[0]?.length, reader.buffered]).toEqual([1, 65535, 0]);
    expect(Buffer.compare(got[0] ?? new Uint8Array(), frame.subarray(2))).toBe(0);
  });

  test("a message is a copy: reusing the read buffer does not change it", () => {
    const chunk = Uint8Array.from([0, 2, 7, 8, 0, 1]);
    const reader = new FrameReader();
    const got: Uint8Array[] = [];
    reader.push(chunk, (m) => got.push(m));
    chunk.fill(0);
    reader.push(Uint8Array.of(9), (m) => got.push(m));
    expect(got.map((m) => [...m])).toEqual([[7, 8], [9]]);
  });
});

describe("WriteQueue against a closed socket", () => {
  test("a write that returns -1 is held and counted, and nothing throws", () => {
    const closed = { write: () => -1 };
    const queue = new WriteQueue();
    queue.write(closed, new Uint8Array(10));
    queue.write(closed, new Uint8Array(5));
    queue.drain(closed);
    expect(queue.queued).toBe(15);
  });

  test("the count follows partial writes and drains", () => {
    let room = 3;
    const socket = {
      write: (data: Uint8Array) => {
        const n = Math.min(room, data.length);
        room -= n;
        return n;
      },
    };
    const queue = new WriteQueue();
    queue.write(socket, new Uint8Array(5));
    queue.write(socket, new Uint8Array(4));
    const afterWrites = queue.queued;
    room = 4;
    queue.drain(socket);
    const afterDrain = queue.queued;
    room = 100;
    queue.drain(socket);
    expect([afterWrites, afterDrain, queue.queued]).toEqual([6, 2, 0]);
  });
});
