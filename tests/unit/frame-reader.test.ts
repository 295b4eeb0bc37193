import { describe, expect, test } from "bun:test";
import { FrameReader, frameMessage } from "../../src/tcp/frame-reader.ts";
import { WriteQueue } from "../../src/tcp/write-queue.ts";

const a = new Uint8Array([1, 2, 3]);
const b = new Uint8Array([4, 5, 6, 7, 8]);

function feed(chunks: number[][]): number[][] {
  const reader = new FrameReader();
  const out: number[][] = [];
  for (const c of chunks) reader.push(new Uint8Array(c), (m) => out.push([...m]));
  return out;
}

describe("FrameReader", () => {
  const both = [...frameMessage(a), ...frameMessage(b)];

  test("two messages in one read", () => {
    expect(feed([both])).toEqual([
      [1, 2, 3],
      [4, 5, 6, 7, 8],
    ]);
  });

  test("every split point of two messages gives the same two messages", () => {
    for (let cut = 0; cut <= both.length; cut++) {
      expect(feed([both.slice(0, cut), both.slice(cut)])).toEqual([
        [1, 2, 3],
        [4, 5, 6, 7, 8],
      ]);
    }
  });

  test("one byte per read", () => {
    expect(feed(both.map((x) => [x]))).toEqual([
      [1, 2, 3],
      [4, 5, 6, 7, 8],
    ]);
  });

  test("a 0-length frame is passed on as an empty message", () => {
    expect(feed([[0, 0, 0, 1, 9]])).toEqual([[], [9]]);
  });

  test("a lone length byte waits for more", () => {
    const reader = new FrameReader();
    const out: Uint8Array[] = [];
    reader.push(new Uint8Array([0]), (m) => out.push(m));
    expect([out.length, reader.buffered]).toEqual([0, 1]);
  });

  test("frameMessage prefixes the big-endian length", () => {
    expect([...frameMessage(new Uint8Array(300)).subarray(0, 2)]).toEqual([1, 44]);
  });
});

describe("WriteQueue", () => {
  /** A socket that takes at most `room` bytes per write. */
  function tightSocket(room: number) {
    const taken: number[] = [];
    return {
      taken,
      write(data: Uint8Array): number {
        const n = Math.min(room, data.length);
        taken.push(...data.subarray(0, n));
        return n;
      },
    };
  }

  test("keeps the tail of a partial write and finishes it on drain, in order", () => {
    const sock = tightSocket(2);
    const q = new WriteQueue();
    q.write(sock, new Uint8Array([1, 2, 3]));
    q.write(sock, new Uint8Array([4, 5]));
    expect(q.queued).toBe(3);
    while (q.queued > 0) q.drain(sock);
    expect(sock.taken).toEqual([1, 2, 3, 4, 5]);
  });
});

test("messages read from a Buffer are copies: changing one leaves the read alone", () => {
  const read = Buffer.from([0, 2, 0xaa, 0xbb]);
  const out: Uint8Array[] = [];
  new FrameReader().push(read, (m) => out.push(m));
  const message = out[0] as Uint8Array;
  message[0] = 0;
  expect([...read]).toEqual([0, 2, 0xaa, 0xbb]);
});
