import { expect, test } from "bun:test";
import { RateCap } from "../../src/decide/rate-cap.ts";

/** How many of `tries` takes succeed at each time in `times`. */
function taken(cap: RateCap, times: number[], tries: number): number[] {
  return times.map((t) => {
    let n = 0;
    for (let i = 0; i < tries; i++) if (cap.take(t)) n++;
    return n;
  });
}

test("a full bucket allows one second's worth at once, then the rate", () => {
  const cap = new RateCap(100, 0);
  // 100 at once; 10 ms later one more token; 500 ms later 50.
  expect(taken(cap, [0, 10, 510], 1000)).toEqual([100, 1, 50]);
});

test("a long quiet spell refills to the burst, not beyond", () => {
  const cap = new RateCap(5, 0);
  expect(taken(cap, [0, 3_600_000], 100)).toEqual([5, 5]);
});

test("a clock that steps back refills nothing", () => {
  const cap = new RateCap(10, 10_000);
  expect(taken(cap, [10_000, 5_000, 5_050], 100)).toEqual([10, 0, 0]);
});

test("over a simulated minute the count relayed equals rate x time plus the burst", () => {
  const cap = new RateCap(100, 0);
  let relayed = 0;
  for (let t = 0; t <= 60_000; t++) if (cap.take(t)) relayed++;
  // 100 to start with, then 100 a second for 60 s.
  expect(relayed).toBe(100 + 6000);
});
