import { expect, test } from "bun:test";
import { openUpstreamSocket } from "../../src/relay/upstream-socket.ts";
import { query, waitUntil } from "../helpers/dns-client.ts";
import { startFakeUpstream } from "../helpers/fake-upstream.ts";

test("the socket to the upstream is made by dgram (its buffer set), sends and receives", async () => {
  const upstream = await startFakeUpstream();
  const replies: Uint8Array[] = [];
  const socket = await openUpstreamSocket(
    { address: "127.0.0.1", port: upstream.port, family: 4 },
    1 << 20,
    { data: (bytes) => replies.push(bytes), error: () => {} },
  );
  try {
    expect(
      socket.sendMany([query("a.example", "A", { id: 1 }), query("b.example", "A", { id: 2 })]),
    ).toBe(2);
    await waitUntil(() => replies.length === 2, 2000);
    // If a Bun release hides the socket inside dgram, this says so: the
    // relay then falls back to a plain Bun socket with the default buffer.
    expect([socket.via, replies.map((r) => r[1])]).toEqual(["dgram", [1, 2]]);
  } finally {
    socket.close();
    upstream.close();
  }
});
